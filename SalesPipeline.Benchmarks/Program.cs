using BenchmarkDotNet.Running;
using SalesPipeline.Benchmarks;

// dotnet run -c Release --project SalesPipeline.Benchmarks -- --filter '*Process*'   (see results/README.md)
var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly).Run(args, BenchmarkConfig.Create());

// BenchmarkDotNet exits 0 even when a benchmark throws; a failed benchmark must fail the run.
return BenchmarkConfig.AllSucceeded(summaries) ? 0 : 1;
