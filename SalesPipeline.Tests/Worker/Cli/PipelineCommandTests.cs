using Microsoft.Data.Sqlite;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Worker.Cli;

/// <summary>The administrator's commands: see the process, and change it without stranding deals.</summary>
public sealed class PipelineCommandTests : IDisposable
{
    private const string Renewals = """
        {
          "id": "renewals",
          "name": "Renewals",
          "lossReasons": ["Price", "No longer needed"],
          "stages": [
            { "id": "review", "names": { "en": "Review", "pl": "Przegląd" }, "kind": "open", "probability": 60 },
            { "id": "renewed", "names": { "en": "Renewed" }, "kind": "won", "probability": 100 },
            { "id": "churned", "names": { "en": "Churned" }, "kind": "lost", "probability": 0, "requirements": ["loss-reason"] }
          ],
          "moves": [ { "from": "review", "to": "renewed" }, { "from": "review", "to": "churned" } ]
        }
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-pipeline-").FullName;

    private string Db => Path.Combine(_folder, "crm.db");

    [Fact]
    public async Task Export_DefaultAsJson_IsTheDefaultDefinition()
    {
        var result = await CliRunner.RunAsync("pipeline", "export", "--format", "json");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(PipelineDefinition.Default.ToJson(), result.Output.Trim());
    }

    [Theory]
    [InlineData("mermaid", "stateDiagram-v2")]
    [InlineData("dot", "digraph")]
    public async Task Export_Diagram_DrawsTheMoves(string format, string marker)
    {
        var result = await CliRunner.RunAsync("pipeline", "export", "--format", format);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(marker, result.Output, StringComparison.Ordinal);
        Assert.Contains("negotiation", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_NewPipeline_IsStoredAndUsableByReports()
    {
        var file = Write("renewals.json", Renewals);
        Assert.Equal(0, (await CliRunner.RunAsync("--db", Db, "users", "add", "admin", "--name", "Admin", "--role", "admin", "--group", "hq")).ExitCode);
        var imported = await CliRunner.RunAsync("--db", Db, "--as", "admin", "pipeline", "import", "--file", file);
        Assert.True(imported.ExitCode == 0, imported.ToString());
        Assert.Contains("Stored pipeline 'renewals'", imported.Output, StringComparison.Ordinal);

        var exported = await CliRunner.RunAsync("--db", Db, "pipeline", "export", "--pipeline", "renewals");
        Assert.True(exported.ExitCode == 0, exported.ToString());
        Assert.Equal(PipelineDefinition.FromJson(Renewals).ToJson(), exported.Output.Trim());

        var report = await CliRunner.RunAsync("--db", Db, "report", "--pipeline", "renewals", "--from", "2026-07-01", "--to", "2026-09-30", "--out", Path.Combine(_folder, "renewals.xlsx"));
        Assert.True(report.ExitCode == 0, report.ToString());
    }

    [Fact]
    public async Task Import_DefinitionDroppingAStageInUse_IsRefusedAndNothingChanges()
    {
        var demo = await CliRunner.RunAsync("--db", Db, "demo", "--deals", "200", "--out", Path.Combine(_folder, "reports"));
        Assert.True(demo.ExitCode == 0, demo.ToString());
        var withoutNegotiation = PipelineDefinition.Default.ToJson().Replace("\"negotiation\"", "\"closing\"", StringComparison.Ordinal);
        var result = await CliRunner.RunAsync("--db", Db, "--as", "admin", "pipeline", "import", "--file", Write("changed.json", withoutNegotiation));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("Pipeline 'new-business' was not stored", result.Error, StringComparison.Ordinal);
        Assert.Contains("'negotiation'", result.Error, StringComparison.Ordinal);
        var exported = await CliRunner.RunAsync("--db", Db, "pipeline", "export", "--pipeline", "new-business");
        Assert.Equal(PipelineDefinition.Default.ToJson(), exported.Output.Trim());
    }

    [Fact]
    public async Task Import_InvalidDefinition_ListsEveryFaultAndStoresNothing()
    {
        var broken = """{ "id": "x", "stages": [ { "id": "a", "kind": "open", "probability": 150 } ], "moves": [ { "from": "a", "to": "zz" } ] }""";
        var result = await CliRunner.RunAsync("--db", Db, "pipeline", "import", "--file", Write("broken.json", broken));
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("probability must be between 0 and 100, was 150", result.Error, StringComparison.Ordinal);
        Assert.Contains("no won stage", result.Error, StringComparison.Ordinal);
        Assert.Contains("no lost stage", result.Error, StringComparison.Ordinal);
        Assert.Contains("'zz' is not a stage", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Db), "An invalid definition must not even create the database.");
    }

    [Fact]
    public async Task Import_IntoADatabaseThatDoesNotExist_IsRefusedWithoutCreatingIt()
    {
        var result = await CliRunner.RunAsync("--db", Db, "--as", "admin", "pipeline", "import", "--file", Write("renewals.json", Renewals));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal($"error: The database '{Db}' does not exist. Create it with 'salespipeline db migrate' or 'salespipeline demo', or point --db at an existing one.", result.Error.Trim());
        Assert.False(File.Exists(Db), "A refused import must not create the database.");
    }

    [Fact]
    public async Task Validate_MissingFile_ExitsTwo()
    {
        var result = await CliRunner.RunAsync("pipeline", "validate", "--file", Path.Combine(_folder, "none.json"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("does not exist", result.Error, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }
}
