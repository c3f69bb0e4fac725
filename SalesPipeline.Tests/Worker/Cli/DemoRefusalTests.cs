using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.People;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Worker.Cli;

/// <summary>A database `demo` would corrupt is refused before anything is added, and a refused demo leaves no folder behind.</summary>
public sealed class DemoRefusalTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-demo-refused-").FullName;

    private string Database => Path.Combine(_folder, "crm.db");

    private string Reports => Path.Combine(_folder, "out", "q3");

    [Fact]
    public async Task Demo_DatabaseStoresItsOwnDefaultPipeline_ExitsTwoAddsNothingAndCreatesNoFolder()
    {
        // The stored new-business pipeline has no negotiation stage; the demo's deals would sit in it.
        var json = JsonNode.Parse(PipelineDefinition.Default.ToJson())!.AsObject();
        var stages = json["stages"]!.AsArray();
        stages.Remove(stages.Single(s => (string?)s!["id"] == "negotiation"));
        var moves = json["moves"]!.AsArray();
        foreach (var move in moves.Where(m => (string?)m!["from"] == "negotiation" || (string?)m!["to"] == "negotiation").ToList())
        {
            moves.Remove(move);
        }

        var shorter = PipelineDefinition.FromJson(json.ToJsonString());
        await using (var services = Store())
        {
            await services.GetRequiredService<IPipelineDefinitionStore>().SaveAsync(shorter.Id, shorter.ToJson());
        }

        var result = await CliRunner.RunAsync("--db", Database, "demo", "--deals", "50", "--out", Reports);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("The database stores its own definition of pipeline 'new-business'", result.Error, StringComparison.Ordinal);
        Assert.Equal(0L, Count("opportunities"));
        Assert.False(Directory.Exists(Path.Combine(_folder, "out")));
    }

    [Fact]
    public async Task Demo_DatabaseHasSomeoneElseUnderADemoUserId_ExitsTwoAndAddsNoDealsPeopleOrLeads()
    {
        await using (var services = Store())
        {
            var people = services.GetRequiredService<IPersonStore>();
            await people.SaveAsync(new Person(new UserId("root"), "Root", Role.Admin, ["hq"], null, 0, true));
            await people.SaveAsync(new Person(new UserId("Anna Nowak"), "Anna (real)", Role.Salesperson, ["east"], null, 0, true));
        }

        var result = await CliRunner.RunAsync("--db", Database, "demo", "--deals", "50", "--out", Reports);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("The database has people under the demo's user ids who are not the demo's ('Anna Nowak')", result.Error, StringComparison.Ordinal);
        Assert.Equal((0L, 2L, 0L), (Count("opportunities"), Count("people"), Count("leads")));
        Assert.False(Directory.Exists(Path.Combine(_folder, "out")));
    }

    [Fact]
    public async Task Demo_RunTwice_TheSecondFindsItsOwnPeopleAndAddsNothing()
    {
        Assert.Equal(0, (await CliRunner.RunAsync("--db", Database, "demo", "--deals", "50", "--out", Reports)).ExitCode);

        var again = await CliRunner.RunAsync("--db", Database, "demo", "--deals", "50", "--out", Reports);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("the demo's people and leads were already there", again.Output, StringComparison.Ordinal);
        Assert.Equal(50L, Count("opportunities"));
    }

    [Fact]
    public async Task Demo_NotADatabase_ExitsTwoAndCreatesNoFolder()
    {
        await File.WriteAllTextAsync(Database, "not a database");

        var result = await CliRunner.RunAsync("--db", Database, "demo", "--deals", "10", "--out", Reports);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.False(Directory.Exists(Path.Combine(_folder, "out")));
        Assert.Equal("not a database", await File.ReadAllTextAsync(Database));
    }

    [Fact]
    public async Task Demo_AWorkbookPathIsAFolder_ExitsTwoWithOneLineBeforeTheDatabaseIsOpened()
    {
        // CliRunner's clock is in November 2026: the demo writes the third quarter's workbooks.
        var blocked = Directory.CreateDirectory(Path.Combine(Reports, "pipeline-2026-Q3.xlsx")).FullName;

        var result = await CliRunner.RunAsync("--db", Database, "demo", "--deals", "10", "--out", Reports);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal(
            $"error: --out '{Reports}': the workbook '{blocked}' it writes is a folder. Remove that folder or choose another --out; nothing was done." + Environment.NewLine,
            result.Error);
        Assert.Empty(result.Output);
        Assert.False(File.Exists(Database), "The database must not be created.");
        Assert.Equal([blocked], Directory.GetFileSystemEntries(Reports));
    }

    [Fact]
    public async Task Demo_OutIsAFile_ExitsTwoWithOneLineAndCreatesNothing()
    {
        var file = Path.Combine(_folder, "reports.txt");
        await File.WriteAllTextAsync(file, "kept");

        var result = await CliRunner.RunAsync("--db", Database, "demo", "--deals", "10", "--out", file);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.StartsWith($"error: --out: cannot create the folder '{file}'", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.False(File.Exists(Database));
        Assert.Equal("kept", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Demo_OutInAFolderThatCannotBeWritten_ExitsTwoWithOneLineAndCreatesNothing()
    {
        var locked = Directory.CreateDirectory(Path.Combine(_folder, "locked")).FullName;
        ReadOnlyPaths.MakeReadOnly(locked);
        try
        {
            var result = await CliRunner.RunAsync("--db", Database, "demo", "--deals", "10", "--out", locked);

            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.StartsWith($"error: --out: cannot write in the folder '{locked}'", result.Error, StringComparison.Ordinal);
            Assert.Single(result.Error.Trim().Split('\n'));
            Assert.False(File.Exists(Database));
            Assert.Empty(Directory.GetFileSystemEntries(locked));
        }
        finally
        {
            ReadOnlyPaths.MakeWritable(locked);
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private ServiceProvider Store() =>
        new ServiceCollection().AddSalesPipeline(o => o.Access.SkipAccessChecks = true).UseSqlite($"Data Source={Database}").Services.BuildServiceProvider();

    private long Count(string table)
    {
        using var connection = new SqliteConnection($"Data Source={Database}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }
}
