using BenchmarkDotNet.Running;
using SalesPipeline.Benchmarks;

// dotnet run -c Release --project SalesPipeline.Benchmarks -- --filter '*Process*' [--deals 10000]   (see results/README.md)
// dotnet run -c Release --project SalesPipeline.Benchmarks -- --write-import-csv FILE ROWS   (the import benchmarks' file, for scripts)
if (args is ["--write-import-csv", var csv, var count])
{
    if (!int.TryParse(count, System.Globalization.CultureInfo.InvariantCulture, out var rows) || rows < 0)
    {
        await Console.Error.WriteLineAsync($"--write-import-csv FILE ROWS: ROWS must be a whole number of rows, 0 or more, was '{count}'.");
        return 2;
    }

    ImportCsvFile.Write(csv, rows);
    return 0;
}

var rest = BenchmarkSizes.TakeOption(args, out var error);
if (error is not null)
{
    await Console.Error.WriteLineAsync(error);
    return 2;
}

if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(BenchmarkConfig.MeasurementsVariable)))
{
    // Where BenchmarkDotNet writes its reports by default; each benchmark runs in a child process that inherits this.
    Environment.SetEnvironmentVariable(
        BenchmarkConfig.MeasurementsVariable, Path.Combine(Directory.GetCurrentDirectory(), "BenchmarkDotNet.Artifacts", "results"));
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly).Run(rest, BenchmarkConfig.Create());

// BenchmarkDotNet exits 0 even when a benchmark throws; a failed benchmark must fail the run.
return BenchmarkConfig.AllSucceeded(summaries) ? 0 : 1;
