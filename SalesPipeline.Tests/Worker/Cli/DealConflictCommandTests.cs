using Microsoft.Data.Sqlite;
using Xunit;

namespace SalesPipeline.Tests.Worker.Cli;

/// <summary>
/// A deal command whose every save finds the deal changed by someone else: one line saying so and what to do, exit 1, and
/// the deal as it was.
/// </summary>
public sealed class DealConflictCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-conflict-").FullName;

    private string File => Path.Combine(_folder, "crm.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData("move", "qualification")]
    [InlineData("lose", "--reason", "Price", "--comment", "Too dear")]
    [InlineData("log", "--kind", "note", "--subject", "Budget confirmed")]
    [InlineData("reassign", "--to", "sue")]
    public async Task DealCommand_EverySaveRacesAnotherWriter_SaysSoOnOneLineExitsOneAndSavesNothing(params string[] command)
    {
        var deal = await ContactedDealAsync();
        var before = (await Run("--as", "ada", "deals", "show", deal)).Output;
        // Another writer's save lands between each load and save: the deal's row is not updated by this command's write.
        await ExecuteAsync("CREATE TRIGGER someone_else BEFORE UPDATE ON opportunities BEGIN SELECT RAISE(IGNORE); END;");

        var result = await Run(["--as", "ada", "deals", command[0], deal, .. command[1..]]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"failed: deal {deal} was changed by someone else at the same time; nothing was saved; run the command again.", result.Error.TrimEnd());
        Assert.Empty(result.Output);
        await ExecuteAsync("DROP TRIGGER someone_else;");
        Assert.Equal(before, (await Run("--as", "ada", "deals", "show", deal)).Output);
    }

    /// <summary>An admin, two salespeople and a deal of sam's converted from a lead, with a call logged.</summary>
    private async Task<string> ContactedDealAsync()
    {
        Assert.Equal(0, (await Run("users", "add", "ada", "--name", "Ada", "--role", "admin", "--group", "hq")).ExitCode);
        Assert.Equal(0, (await Run("--as", "ada", "users", "add", "sam", "--name", "Sam", "--role", "salesperson", "--group", "north")).ExitCode);
        Assert.Equal(0, (await Run("--as", "ada", "users", "add", "sue", "--name", "Sue", "--role", "salesperson", "--group", "north")).ExitCode);
        var leads = Path.Combine(_folder, "leads.csv");
        await System.IO.File.WriteAllTextAsync(leads, "id,company,segment,contact,phone,email,source,notes,owner\nL1,Acme,retail,Jan,1,,fair,,sam\n");
        Assert.Equal(0, (await Run("--as", "ada", "leads", "import", "--file", leads)).ExitCode);
        var deal = (await Run("--as", "sam", "leads", "convert", "L1")).Output.Trim();
        Assert.Equal(0, (await Run("--as", "sam", "deals", "log", deal, "--kind", "call", "--subject", "Intro")).ExitCode);
        return deal;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={File}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(["--db", File, .. args]);
}
