using Microsoft.Data.Sqlite;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Cli;
using Xunit;

namespace SalesPipeline.Tests.Worker.Cli;

/// <summary>
/// Messages for bad input: exit code 2, naming the option, key or file concerned and saying what to do, without .NET type
/// names, raw exception text or secrets.
/// </summary>
public sealed class CliMessageTests : IDisposable
{
    private static readonly string[] Period = ["--from", "2026-07-01", "--to", "2026-09-30"];

    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-messages-").FullName;

    private string Db => Path.Combine(_folder, "crm.db");

    private string Out => Path.Combine(_folder, "r.xlsx");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Report_EmptyOwner_NamesTheOptionAndWhatToDo()
    {
        var result = await CliRunner.RunAsync(["--db", Db, "report", .. Period, "--out", Out, "--owner", " "]);

        AssertRefused(result, "--owner is empty", "leave --owner out");
    }

    [Theory]
    [InlineData("--to", "9999-12-31")]
    [InlineData("--from", "0001-01-01")]
    public async Task Report_DateAtTheEdgeOfTheCalendar_ExitsTwoNamingTheRange(string option, string date)
    {
        string[] period = option == "--to" ? ["--from", "2026-07-01", "--to", date] : ["--from", date, "--to", "2026-09-30"];

        var result = await CliRunner.RunAsync(["--db", Db, "report", .. period, "--out", Out]);

        AssertRefused(result, $"{option} '{date}' is outside the dates a report can cover", "give a date in that range");
    }

    [Theory]
    [InlineData("99999999999")]
    [InlineData("many")]
    public async Task Report_DetailRowsNotAWholeNumber_NamesTheOptionWithoutTypeNames(string rows)
    {
        var result = await CliRunner.RunAsync(["--db", Db, "report", .. Period, "--out", Out, "--detail-rows", rows]);

        AssertRefused(result, $"--detail-rows '{rows}' is not a whole number between 0 and 1,000,000", "give one in that range");
        Assert.DoesNotContain("Int32", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("import", "--error-limit", "0", "2,147,483,647")]
    [InlineData("demo", "--deals", "1", "1,000,000")]
    [InlineData("demo", "--seed", "-2,147,483,648", "2,147,483,647")]
    public async Task WholeNumberOption_BeyondInt32_NamesTheOptionAndRange(string command, string option, string min, string max)
    {
        var result = await CliRunner.RunAsync(["--db", Db, command, option, "99999999999"]);

        AssertRefused(result, $"{option} '99999999999' is not a whole number between {min} and {max}", "give one in that range");
        Assert.False(File.Exists(Db));
    }

    [Theory]
    [InlineData("Host=db;Username=anna;Password=s3cret-pw;Database=crm")]
    [InlineData("Host=db;Username=anna;PSW=s3cret-pw;Database=crm")]
    [InlineData("Host=db;Username=anna;pwd=s3cret-pw;Database=crm")]
    [InlineData("Host=db;Username=anna;Password=\"s3cret-pw;x=1\";Database=crm")]
    [InlineData("Host=db;Username=anna;Password='s3cret-pw;x=1';Database=crm")]
    public void WithoutSecrets_AnySpellingOfThePassword_IsLeftOut(string connectionString)
    {
        var shown = StoreAccess.WithoutSecrets(connectionString);

        Assert.DoesNotContain("s3cret", shown, StringComparison.Ordinal);
        Assert.Contains("db", shown, StringComparison.Ordinal);
        Assert.Contains("crm", shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCommand_PostgresConnectionStringWithoutProvider_NeverEchoesThePassword()
    {
        var result = await CliRunner.RunAsync(["--db", "Host=db.example;Username=crm;Password=s3cret-Pa55", "report", .. Period, "--out", Out]);

        AssertRefused(result, "--db is neither a file path nor a SQLite connection string", "--provider postgres");
        Assert.DoesNotContain("s3cret-Pa55", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("http", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCommand_UnreachablePostgres_NamesDbNeverThePasswordOrTheLibraryCall()
    {
        var result = await CliRunner.RunAsync(["--provider", "postgres", "--db", "Host=127.0.0.1;Port=1;Database=crm;Username=crm;Password=s3cret-Pa55;Timeout=3", "db", "migrate"]);

        AssertRefused(result, "Cannot reach the PostgreSQL database 'crm'", "fix Host= and Port= in --db");
        Assert.DoesNotContain("s3cret-Pa55", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("UsePostgres", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_PostgresDealsHeldByAnotherSessionPastTheCommandTimeout_NamesThatSessionAndDb()
    {
        var (connectionString, database) = await Storage.PostgresStoreFixture.CreateDatabaseAsync();
        try
        {
            var migrate = await CliRunner.RunAsync(["--provider", "postgres", "--db", connectionString, "db", "migrate"]);
            Assert.True(migrate.ExitCode == 0, migrate.ToString());
            await using var holder = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "nightly-cleanup", Pooling = false }.ToString());
            await holder.OpenAsync();
            var pid = await Dapper.SqlMapper.ExecuteScalarAsync<int>(holder, "SELECT pg_backend_pid()");
            await using var transaction = await holder.BeginTransactionAsync();
            await Dapper.SqlMapper.ExecuteAsync(holder, "LOCK TABLE opportunities IN ACCESS EXCLUSIVE MODE", transaction: transaction);

            var result = await CliRunner.RunAsync(["--provider", "postgres", "--db", connectionString + ";Command Timeout=1", "report", "--kind", "funnel", .. Period, "--out", Out]);

            AssertRefused(
                result,
                $"did not finish a statement within the command timeout (1 s). Meanwhile another session (server process {pid}, 'nightly-cleanup', in a transaction since ",
                "Run it again when that session has ended, or raise Command Timeout= in --db (0 waits without limit).");
            Assert.DoesNotContain("UsePostgres", result.Error, StringComparison.Ordinal);
            Assert.False(File.Exists(Out));
        }
        finally
        {
            await Storage.PostgresStoreFixture.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task Report_DbIsNotADatabase_AdvisesDbNotTheLibraryCall()
    {
        await File.WriteAllTextAsync(Db, "these are notes, not a database, and long enough to have a header of a hundred bytes or so........");

        var result = await CliRunner.RunAsync(["--db", Db, "report", .. Period, "--out", Out]);

        AssertRefused(result, $"'{Db}' is not a SQLite database", "Point --db at a SalesPipeline database");
        Assert.DoesNotContain("UseSqlite", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("report")]
    [InlineData("import")]
    [InlineData("db")]
    public async Task AnyCommand_DbIsAFolder_SaysItIsAFolder(string command)
    {
        string[] args = command switch
        {
            "report" => ["report", .. Period, "--out", Out],
            "import" => ["import", "--file", await WriteAsync("deals.csv", "id,name,owner,stage,amount,currency\nD-1,ERP,anna,identification,10,PLN\n")],
            _ => ["db", "migrate"],
        };

        var result = await CliRunner.RunAsync(["--db", _folder, .. args]);

        AssertRefused(result, $"--db '{_folder}' is a folder", "give the database file");
        Assert.DoesNotContain("does not exist", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("import", "--file")]
    [InlineData("import", "--mapping")]
    [InlineData("pipeline validate", "--file")]
    [InlineData("pipeline import", "--file")]
    [InlineData("pipeline export", "--file")]
    public async Task FileOption_IsAFolder_SaysItIsAFolder(string command, string option)
    {
        var csv = await WriteAsync("deals.csv", "id,name,owner,stage,amount,currency\nD-1,ERP,anna,identification,10,PLN\n");
        string[] args = (command, option) switch
        {
            ("import", "--file") => ["import", "--file", _folder],
            ("import", _) => ["import", "--file", csv, "--mapping", _folder],
            _ => [.. command.Split(' '), "--file", _folder],
        };

        var result = await CliRunner.RunAsync(["--db", Db, .. args]);

        AssertRefused(result, $"{option} '{_folder}' is a folder", "give a file");
        Assert.DoesNotContain("does not exist", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("import")]
    [InlineData("export")]
    public async Task Pipeline_FileWithFaults_NamesTheFile(string command)
    {
        var file = await WriteAsync("renewals.json", """{ "id": "renewals", "stages": [ { "id": "review", "kind": "open", "probability": 50 } ] }""");

        var result = await CliRunner.RunAsync(["--db", Db, "pipeline", command, "--file", file]);

        Assert.True(result.ExitCode == CliApp.BadInput, result.ToString());
        Assert.StartsWith($"error: Pipeline file '{file}': Pipeline definition 'renewals' is invalid", result.Error, StringComparison.Ordinal);
        Assert.Contains("no won stage", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pipeline_FileOverTheByteLimit_RefusedNamingTheLimit()
    {
        var file = await WriteAsync("huge.json", new string(' ', PipelineDefinition.MaxJsonBytes + 1) + "{}");

        var result = await CliRunner.RunAsync(["pipeline", "validate", "--file", file]);

        AssertRefused(result, $"'{file}' is {PipelineDefinition.MaxJsonBytes + 3:N0} bytes", "at most 262,144 bytes");
    }

    [Fact]
    public async Task Report_StoredDefinitionOverALimit_NamesThePipelineAndHowToReplaceIt()
    {
        // Stored before the limits existed: far more loss reasons than a definition may now have.
        var migrate = await CliRunner.RunAsync(["--db", Db, "db", "migrate"]);
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        var oversized = PipelineDefinition.Default.ToJson().Replace(
            "\"lossReasons\": [", "\"lossReasons\": [" + string.Concat(Enumerable.Range(0, 5_000).Select(i => $"\"r{i}\",")), StringComparison.Ordinal);
        await using (var connection = new SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO pipeline_definitions (id, definition) VALUES ('bloated', $json)";
            command.Parameters.AddWithValue("$json", oversized.Replace("\"new-business\"", "\"bloated\"", StringComparison.Ordinal));
            await command.ExecuteNonQueryAsync();
        }

        var result = await CliRunner.RunAsync(["--db", Db, "report", .. Period, "--out", Out]);

        AssertRefused(result, "The pipeline 'bloated' stored in SQLite", "'salespipeline pipeline import --file FILE.json'");
        Assert.Contains("more than the limit of 200 loss reasons", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PipelineExport_FileAndPipelineBoth_RefusedNotIgnored()
    {
        var file = await WriteAsync("p.json", PipelineDefinition.Default.ToJson());

        var result = await CliRunner.RunAsync(["--db", Db, "pipeline", "export", "--file", file, "--pipeline", "new-business"]);

        AssertRefused(result, "either --file", "not both");
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task AccessRefusal_ActingUserWithALineBreak_IsOneLine()
    {
        Assert.Equal(0, (await CliRunner.RunAsync(["--db", Db, "users", "add", "ada", "--name", "Ada", "--role", "admin", "--group", "hq"])).ExitCode);

        var result = await CliRunner.RunAsync(["--db", Db, "--as", "ada\nbob", "deals", "list"]);

        Assert.True(result.ExitCode == CliApp.AccessRefused, result.ToString());
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("refused: ", line, StringComparison.Ordinal);
        Assert.Contains("ada bob", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommand_SaysSoAndListsTheCommands()
    {
        var result = await CliRunner.RunAsync(["reprot", "--from", "2026-07-01"]);

        Assert.True(result.ExitCode == CliApp.BadInput, result.ToString());
        var first = result.Error.Split('\n')[0];
        Assert.Equal("error: 'reprot' is not a command of 'salespipeline'. Commands: sample, pipeline, import, db, demo, report, run, schedules, users, leads, deals, docs, offer, agenda.", first);
        Assert.DoesNotContain("Required command was not provided", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandGroup_WithoutItsCommand_ListsTheCommands()
    {
        var result = await CliRunner.RunAsync(["pipeline"]);

        Assert.True(result.ExitCode == CliApp.BadInput, result.ToString());
        Assert.StartsWith("error: 'salespipeline pipeline' needs a command: export, validate, import.", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Required command was not provided", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_SqliteDatabaseLockedByAnother_WaitsTheBusyTimeoutThenNamesFileAndRemedy()
    {
        var csv = await WriteAsync("deals.csv", "id,name,owner,stage,amount,currency\nD-1,ERP,anna,identification,10,PLN\n");
        var migrate = await CliRunner.RunAsync(["--db", Db, "db", "migrate"]);
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        await using var holder = new SqliteConnection($"Data Source={Db};Pooling=False");
        await holder.OpenAsync();
        await using var writing = await holder.BeginTransactionAsync(System.Data.IsolationLevel.Serializable);
        await using (var command = holder.CreateCommand())
        {
            // Takes the write lock (a deferred transaction takes it at its first write).
            command.CommandText = "DELETE FROM schema_version WHERE version = -1";
            await command.ExecuteNonQueryAsync();
        }

        var result = await CliRunner.RunAsync(["--db", Db, "--busy-timeout", "0.5", "import", "--file", csv]);

        AssertRefused(result, $"The SQLite database '{Db}' stayed locked by another process or connection for the whole busy timeout (0.5 s)", "--busy-timeout SECONDS");
        Assert.DoesNotContain("SqliteStorageOptions", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCommand_BusyTimeoutNotSeconds_NamesTheOption()
    {
        var result = await CliRunner.RunAsync(["--db", Db, "--busy-timeout", "soon", "db", "migrate"]);

        AssertRefused(result, "--busy-timeout 'soon' is not a number of seconds", "for example --busy-timeout 60");
    }

    [Fact]
    public async Task Import_ReadOnlyDatabase_NamesFileAndRemedy()
    {
        var csv = await WriteAsync("deals.csv", "id,name,owner,stage,amount,currency\nD-1,ERP,anna,identification,10,PLN\n");
        var migrate = await CliRunner.RunAsync(["--db", Db, "db", "migrate"]);
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        SqliteConnection.ClearAllPools();

        var result = await CliRunner.RunAsync(["--db", $"Data Source={Db};Mode=ReadOnly", "import", "--file", csv]);

        AssertRefused(result, $"The SQLite database '{Db}' is read-only for this process", "point --db at a writable copy");
        Assert.DoesNotContain("UseSqlite", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DbMigrate_AnotherApplicationsDatabaseWithTheStoresTableNames_ExitsTwoWithOneLineAndLeavesTheFileAsItWas()
    {
        await using (var connection = new SqliteConnection($"Data Source={Db}"))
        {
            await connection.OpenAsync();
            await Dapper.SqlMapper.ExecuteAsync(connection, "CREATE TABLE opportunities (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO opportunities VALUES (1, 'theirs')");
        }

        SqliteConnection.ClearAllPools();
        var before = await File.ReadAllBytesAsync(Db);

        var result = await CliRunner.RunAsync(["--db", Db, "db", "migrate"]);

        Assert.True(result.ExitCode == CliApp.BadInput, result.ToString());
        Assert.Equal(
            $"error: The database {Db} was not created by SalesPipeline (it has no schema_version table), yet it already holds a table named opportunities, which SalesPipeline would create; nothing was changed. " +
            "Give SalesPipeline a database of its own: a new SQLite file, or a PostgreSQL database (or schema) without them.",
            result.Error.Trim());
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, await File.ReadAllBytesAsync(Db));
        Assert.False(File.Exists(Db + "-wal"), "the file was put into write-ahead logging");
    }

    private static void AssertRefused(CliResult result, string what, string remedy)
    {
        Assert.True(result.ExitCode == CliApp.BadInput, result.ToString());
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(what, result.Error, StringComparison.Ordinal);
        Assert.Contains(remedy, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    private async Task<string> WriteAsync(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        await File.WriteAllTextAsync(path, content);
        return path;
    }
}
