using Microsoft.Data.Sqlite;
using Xunit;

namespace SalesPipeline.Tests.Worker.Cli;

/// <summary>A command that creates the SQLite file leaves it only when it succeeds; a file that existed is never removed.</summary>
public sealed class DatabaseCreationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-create-").FullName;

    private string DbFile => Path.Combine(_folder, "crm.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData(2, "users", "add", "sam", "--name", "Sam", "--role", "salesperson", "--group", "north")]
    [InlineData(2, "users", "add", "ada", "--name", "Ada", "--role", "admin", "--group", "hq", "--manager", "ghost")]
    [InlineData(3, "--as", "ada", "users", "add", "ada", "--name", "Ada", "--role", "admin", "--group", "hq")]
    public async Task UsersAdd_RefusedOnADatabaseThatDidNotExist_LeavesNoFileBehind(int exit, params string[] args)
    {
        var result = await Run(args);

        Assert.True(result.ExitCode == exit, result.ToString());
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.All(DatabaseFiles, f => Assert.False(File.Exists(f), f));
    }

    [Fact]
    public async Task UsersAdd_FirstAdminOnADatabaseThatDidNotExist_CreatesIt()
    {
        var result = await Run("users", "add", "ada", "--name", "Ada", "--role", "admin", "--group", "hq");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(DbFile));
        Assert.Equal("ada", (await Run("users", "list", "--format", "csv")).Output.Split('\n')[1].Split(',')[0]);
    }

    [Fact]
    public async Task UsersAdd_RefusedOnAnEmptyDatabaseThatExisted_LeavesIt()
    {
        Assert.Equal(0, (await Run("db", "migrate")).ExitCode);

        var result = await Run("users", "add", "sam", "--name", "Sam", "--role", "salesperson", "--group", "north");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.True(File.Exists(DbFile));
        Assert.Equal(0, (await Run("users", "list")).ExitCode);
    }

    private IEnumerable<string> DatabaseFiles => [DbFile, DbFile + "-wal", DbFile + "-shm", DbFile + "-journal"];

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(["--db", DbFile, .. args]);
}
