using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Xunit;

namespace SalesPipeline.Tests.Worker.Cli;

/// <summary>`salespipeline demo` with no options, as a new user first runs it: in its own process and working folder.</summary>
public sealed class DemoDefaultsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-demo-defaults-").FullName;

    [Fact]
    public async Task Demo_NoOptions_Fills2000DealsIntoSalespipelineDbAndWritesReportsIntoReports()
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "salespipeline.dll"), "demo"])
        {
            WorkingDirectory = _folder,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));

        var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await error}");
        var database = Path.Combine(_folder, "salespipeline.db");
        Assert.Equal($"Created 2,000 demo deals in SQLite {database}.", lines[0]);
        Assert.True(File.Exists(database));
        var workbooks = lines[1..3];
        Assert.All(workbooks, path =>
        {
            Assert.Equal(Path.Combine(_folder, "reports"), Path.GetDirectoryName(path));
            Assert.True(File.Exists(path), path);
        });
        Assert.Equal(9, lines.Length);
        string[] labels = ["Period:", "Open deals:", "Closed:", "Sales cycle:", "Velocity:", "People:"];
        Assert.All(labels.Zip(lines[3..]), pair => Assert.StartsWith(pair.First, pair.Second, StringComparison.Ordinal));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
