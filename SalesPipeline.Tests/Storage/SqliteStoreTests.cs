using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Storage;
using SalesPipeline.Storage.Internal;
using SalesPipeline.Storage.Migrations;
using SalesPipeline.Storage.Sqlite;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>What only the SQLite store has to show: crash safety, its files, migrations, and errors that say what to do.</summary>
[Collection(SqlitePools.Name)]
public sealed class SqliteStoreTests : RelationalStoreTests, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-sqlite-").FullName;

    private string File(string name = "crm.db") => Path.Combine(_folder, name);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task SaveAsync_UpdateInterruptedBeforeHistory_KeepsThePreviousVersionWhole()
    {
        var store = Store(Database());
        var state = Deals.Build(PipelineDefinition.Default, Deals.Anna, new Random(2), 3);
        await store.SaveAsync(state);
        var deal = Opportunity.Restore((await store.FindAsync(state.Id))!, PipelineDefinition.Default);
        deal.LogActivity(NewActivity.Call("will be lost"), Deals.Anna, deal.LastChangedAt + Duration.FromHours(1));
        deal.MoveTo(PipelineDefinition.Default, Stages.Qualification, Deals.Anna, deal.LastChangedAt + Duration.FromHours(1));
        using var cancel = new CancellationTokenSource();
        store.AfterOpportunityRowWritten = (_, _) =>
        {
            cancel.Cancel();
            return Task.CompletedTask;
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SaveAsync(deal.ToState(), cancel.Token));

        Assert.Equal(StoredForm(state, 1), await store.FindAsync(state.Id));
    }

    [Fact]
    public async Task SaveAsync_FilesCopiedMidTransaction_AsACrashLeavesThem_HoldNeitherRowNorHistory()
    {
        var database = Database();
        var store = Store(database);
        await store.SaveAsync(Deals.Build(PipelineDefinition.Default, Deals.Anna, new Random(3), 2));
        var state = Deals.Build(PipelineDefinition.Default, Deals.Anna, new Random(4), 8);
        var crashed = Path.Combine(_folder, "crashed");
        Directory.CreateDirectory(crashed);
        store.AfterOpportunityRowWritten = (_, _) =>
        {
            // What the disk holds if the process dies here: the file and its WAL, without a commit record.
            foreach (var file in Directory.GetFiles(_folder, "crm.db*"))
            {
                System.IO.File.Copy(file, Path.Combine(crashed, Path.GetFileName(file)));
            }

            return Task.CompletedTask;
        };

        await store.SaveAsync(state);

        var afterCrash = Store(new SqliteDatabase(new SqliteStorageOptions { ConnectionString = $"Data Source={Path.Combine(crashed, "crm.db")}" }));
        Assert.Null(await afterCrash.FindAsync(state.Id));
        Assert.NotNull(await store.FindAsync(state.Id));
    }

    [Fact]
    public async Task MigrateAsync_DatabaseAtSchemaVersion2WithDeals_UpgradesToTheLatestAndReturnsTheSameDealsLastTouchedAtTheirLatestStageEntryOrActivity()
    {
        // Deals as the store writes them, more than a page of them, in two pipelines and for two owners.
        var pipeline = Deals.IsolatedPipeline();
        var bob = new UserId("bob");
        var source = Store(new SqliteDatabase(new SqliteStorageOptions { ConnectionString = $"Data Source={File("source.db")}" }));
        var random = new Random(12);
        var saved = new List<OpportunityState>();
        for (var i = 0; i < RelationalOpportunityStore.PageSize + 40; i++)
        {
            var state = Deals.Build(i % 3 == 0 ? PipelineDefinition.Default : pipeline, i % 2 == 0 ? Deals.Anna : bob, random, random.Next(0, 8));
            await source.SaveAsync(state);
            // Schema 7 adds each deal's last touch, taken from its stage entries and activities.
            saved.Add(StoredForm(state, 1) with { LastTouchedAt = null });
        }

        // A file at schema version 2 holding those rows: the columns schema 2 has copy as they are.
        await using (var connection = new SqliteConnection($"Data Source={File()}"))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync("CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)");
            foreach (var script in MigrationScripts.For(MigrationScripts.Sqlite).Where(s => s.Version <= 2))
            {
                await connection.ExecuteAsync(script.Sql);
                await connection.ExecuteAsync("INSERT INTO schema_version (version, name) VALUES (@Version, @Name)", new { script.Version, script.Name });
            }

            await connection.ExecuteAsync("ATTACH DATABASE @File AS source", new { File = File("source.db") });
            var tables = await connection.QueryAsync<string>("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name <> 'schema_version'");
            foreach (var table in tables)
            {
                var names = (await connection.QueryAsync<string>($"SELECT name FROM pragma_table_info('{table}')")).ToList();

                // Migration 0006 renamed an offer's location to the document it refers to.
                var read = names.Select(n => table == "offers" && n == "location" ? "document_id" : n);
                await connection.ExecuteAsync($"INSERT INTO main.{table} ({string.Join(", ", names)}) SELECT {string.Join(", ", read)} FROM source.{table}");
            }

            await connection.ExecuteAsync("DETACH DATABASE source");
        }

        var database = Database(o => o.AutoMigrate = false);
        var result = await database.MigrateAsync(CancellationToken.None);

        Assert.Equal((2, MigrationScripts.Latest(MigrationScripts.Sqlite)), (result.FromVersion, result.ToVersion));
        Assert.Equal(await IndexesAsync(File("source.db")), await IndexesAsync(File()));
        var store = Store(database);
        foreach (var query in new OpportunityQuery[] { OpportunityQuery.All, new(pipeline.Id), new(pipeline.Id, bob), new(Owner: Deals.Anna), new(Owner: bob, Status: OpportunityStatus.Open) })
        {
            var found = new List<OpportunityState>();
            await foreach (var state in store.QueryAsync(query))
            {
                found.Add(state);
            }

            // Migration 0006 moves each offer into a document of its own, with a new id (DocumentsMigrationTests checks the move).
            Assert.Equal(saved.Where(query.Matches).OrderBy(s => s.Id.Value).Select(WithoutOfferIds), found.OrderBy(s => s.Id.Value).Select(WithoutOfferIds));
        }
    }

    [Theory]
    [InlineData("planned", "SEARCH o USING COVERING INDEX ix_opportunities_open_owner (owner=?)")]
    [InlineData("planned", "SEARCH a USING INDEX ix_activities_planned_by_deal (opportunity_id=? AND due>? AND due<?)")]
    [InlineData("next", "SEARCH o USING INDEX ix_opportunities_open_next_contact (owner=? AND next_contact>? AND next_contact<?)")]
    [InlineData("stale", "SEARCH o USING INDEX ix_opportunities_open_touched (owner=? AND pipeline_id=? AND stage=? AND last_touched_at<?)")]
    [InlineData("closing", "SEARCH o USING INDEX ix_opportunities_open_close (owner=? AND expected_close>? AND expected_close<?)")]
    [InlineData("stages", "SEARCH o USING COVERING INDEX ix_opportunities_open_owner (owner=?)")]
    public async Task ReadAgendaAsync_EveryStatement_SeeksTheOwnersOpenDealsInsteadOfScanning(string statement, string seek)
    {
        var database = Database();
        await database.MigrateAsync(CancellationToken.None);
        var store = new SalesPipeline.Storage.Internal.RelationalAgendaStore(new SqliteDialect(database));
        var selection = new AgendaSelection(
            [Deals.Anna, new UserId("bob")], Deals.Epoch, new LocalDate(2026, 1, 1), new LocalDate(2026, 1, 7),
            [new StaleCutoff(PipelineDefinition.Default.Id, Stages.Identification, Deals.Epoch), new StaleCutoff(PipelineDefinition.Default.Id, Stages.Offer, Deals.Epoch)]);
        var sql = statement switch
        {
            "planned" => store.PlannedSql(),
            "next" => store.NextContactsSql(),
            "stale" => store.StaleSql(selection.Stale.Count),
            "closing" => store.ClosingSql(),
            _ => store.OpenByStageSql(),
        };
        await using var connection = await database.OpenAsync(CancellationToken.None);

        var plan = new List<string>();
        await using (var reader = await connection.ExecuteReaderAsync("EXPLAIN QUERY PLAN " + sql, store.Parameters(selection)))
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(reader.GetOrdinal("detail")));
            }
        }

        var text = string.Join(Environment.NewLine, plan);
        Assert.True(text.Contains(seek, StringComparison.Ordinal), $"{sql}{Environment.NewLine}does not seek with {seek}:{Environment.NewLine}{text}");
        Assert.DoesNotContain(plan, line => line.StartsWith("SCAN o", StringComparison.Ordinal) || line.StartsWith("SCAN a", StringComparison.Ordinal));
    }

    // An owner's open deals seek by owner and id through either the index of all their deals or that of their open ones.
    [Theory]
    [InlineData(null, null, OpportunityStatus.Any, false, "sqlite_autoindex_opportunities_1 (id>?)")]
    [InlineData("main", null, OpportunityStatus.Any, false, "ix_opportunities_pipeline_id (pipeline_id=? AND id>?)")]
    [InlineData("main", "anna", OpportunityStatus.Any, false, "ix_opportunities_pipeline_owner (pipeline_id=? AND owner=? AND id>?)")]
    [InlineData(null, "anna", OpportunityStatus.Any, false, "ix_opportunities_owner (owner=? AND id>?)")]
    [InlineData(null, "anna", OpportunityStatus.Open, false, "_owner (owner=? AND id>?)")]
    [InlineData("main", null, OpportunityStatus.Open, true, "ix_opportunities_pipeline_id (pipeline_id=? AND id>?)")]
    public async Task QueryAsync_EveryStatementOfAPage_SeeksPastTheLastIdInsteadOfSortingTheMatches(string? pipeline, string? owner, OpportunityStatus status, bool nextContact, string seek)
    {
        // A page that sorted its matches would sort the whole pipeline (or owner) again for every page: quadratic in its size.
        var database = Database();
        await database.MigrateAsync(CancellationToken.None);
        var query = new OpportunityQuery(
            pipeline is null ? null : new PipelineId(pipeline), owner is null ? null : new UserId(owner), status, nextContact ? Deals.Epoch : null);
        var condition = RelationalOpportunityStore.PageClause(query, after: true);
        var dialect = new SqliteDialect(database);
        await using var connection = await database.OpenAsync(CancellationToken.None);

        foreach (var statement in new OpportunitySql(dialect).ReadStatements(condition))
        {
            var plan = new List<string>();
            await using (var reader = await connection.ExecuteReaderAsync("EXPLAIN QUERY PLAN " + statement, OpportunityFilter.Parameters(dialect, query, string.Empty)))
            {
                while (await reader.ReadAsync())
                {
                    plan.Add(reader.GetString(reader.GetOrdinal("detail")));
                }
            }

            var text = string.Join(Environment.NewLine, plan);
            Assert.False(text.Contains("TEMP B-TREE", StringComparison.Ordinal), $"{statement}{Environment.NewLine}sorts:{Environment.NewLine}{text}");
            Assert.True(text.Contains(seek, StringComparison.Ordinal), $"{statement}{Environment.NewLine}does not seek with {seek}:{Environment.NewLine}{text}");
        }
    }

    [Fact]
    public async Task FirstUse_FolderThatDoesNotExist_SaysWhichFolderAndWhatToDo()
    {
        var missing = Path.Combine(_folder, "no", "such", "folder");
        var store = Store(new SqliteDatabase(new SqliteStorageOptions { ConnectionString = $"Data Source={Path.Combine(missing, "crm.db")}" }));

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => store.FindAsync(OpportunityId.New()));

        Assert.Contains($"the folder '{missing}' does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("Create the folder, or change the Data Source", error.Message, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(missing, "crm.db"), error.Target);
    }

    [Fact]
    public async Task SaveAsync_ReadOnlyFile_SaysTheFileIsReadOnlyAndWhatToDo()
    {
        var store = Store(Database());
        await store.SaveAsync(Deals.Build(PipelineDefinition.Default, Deals.Anna, new Random(5), 1));
        SqliteConnection.ClearAllPools();
        ReadOnlyPaths.MakeReadOnly(File());
        try
        {
            var reopened = Store(Database());

            var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => reopened.SaveAsync(Deals.Build(PipelineDefinition.Default, Deals.Anna, new Random(6), 1)));

            Assert.Contains($"'{File()}' is read-only", error.Message, StringComparison.Ordinal);
            Assert.Contains("write permission", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            ReadOnlyPaths.MakeWritable(File());
        }
    }

    [Fact]
    public void UseSqlite_NoConnectionString_UsesSalespipelineDbInTheWorkingFolder()
    {
        var services = new ServiceCollection();
        services.AddSalesPipeline().UseSqlite();
        using var provider = services.BuildServiceProvider();

        Assert.Equal(Path.GetFullPath("salespipeline.db"), provider.GetRequiredService<SqliteDatabase>().Target);
    }

    [Fact]
    public async Task UseSqlite_ReplacesEveryInMemoryPort_AndTheServiceWorksOnTheFile()
    {
        var services = new ServiceCollection();
        services.AddSalesPipeline().UseSqlite($"Data Source={File()}", o => o.BusyTimeout = TimeSpan.FromSeconds(7));
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<SqliteDialect>(provider.GetRequiredService<IStoreDialect>());
        Assert.IsType<RelationalOpportunityStore>(provider.GetRequiredService<IOpportunityStore>());
        Assert.IsType<RelationalAccountStore>(provider.GetRequiredService<IAccountStore>());
        Assert.IsType<RelationalActivityStore>(provider.GetRequiredService<IActivityStore>());
        Assert.IsType<RelationalPipelineAggregates>(provider.GetRequiredService<IPipelineAggregates>());
        Assert.IsType<RelationalImportTarget>(provider.GetRequiredService<IImportTarget>());
        Assert.IsType<SalesPipeline.Storage.Internal.PipelineDefinitionStore>(provider.GetRequiredService<IPipelineDefinitionStore>());
        Assert.IsType<SalesPipeline.Storage.Internal.RelationalPersonStore>(provider.GetRequiredService<IPersonStore>());
        Assert.IsType<SalesPipeline.Storage.Internal.RelationalLeadStore>(provider.GetRequiredService<ILeadStore>());
        await provider.GetRequiredService<IPersonStore>().SaveAsync(new People.Person(Deals.Anna, "Anna", People.Role.Salesperson, ["north"], null, 25, true));
        var crm = provider.GetRequiredService<ISalesPipeline>();
        var account = await crm.CreateAccountAsync("ACME", null, Deals.Anna);
        var deal = await crm.CreateAsync(new NewOpportunity("ERP", Money.Of(10m, "PLN"), account.Id, new LocalDate(2027, 1, 1)), Deals.Anna);
        await crm.LogActivityAsync(deal.Id, NewActivity.Call("intro"), Deals.Anna);
        await crm.MoveAsync(deal.Id, Stages.Qualification, Deals.Anna);
        Assert.Equal(Stages.Qualification, (await crm.GetAsync(deal.Id)).Stage);

        await using var connection = await provider.GetRequiredService<SqliteDatabase>().OpenAsync(CancellationToken.None);
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        Assert.Equal(7000L, await connection.ExecuteScalarAsync<long>("PRAGMA busy_timeout"));
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys"));
    }

    [Theory]
    [InlineData("crm.db", "The SQLite connection string is invalid")]
    [InlineData("Data Source=:memory:", "names no file")]
    [InlineData("", "'ConnectionString' must name a SQLite file")]
    public void UseSqlite_UnusableConnectionString_FailsAtRegistrationSayingWhatToWrite(string connectionString, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddSalesPipeline().UseSqlite(connectionString));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsistentRead_BegunWhileAnotherConnectionHoldsTheWriteLock_LaterConnectionsJoinTheFirstReadsSnapshot()
    {
        var dialect = Dialect();
        var commitAnother = await OneDealAsync(dialect, 5);
        var scope = dialect.Database.BeginConsistentRead();
        await using (scope)
        {
            await using (var writer = await ConnectAsync())
            {
                await writer.ExecuteAsync("BEGIN IMMEDIATE");
                var counts1 = await CountsAsync(dialect, 1);
                Assert.Equal([1L], counts1);
                await writer.ExecuteAsync("ROLLBACK");
            }

            await commitAnother();

            var counts2 = await CountsAsync(dialect, 2);
            Assert.Equal([1L, 1L], counts2);
            Assert.Equal(2, scope.Connections);
        }

        var counts3 = await CountsAsync(dialect, 1);
        Assert.Equal([2L], counts3);
    }

    [Fact]
    public async Task ConsistentRead_BegunWithTheWalEmpty_BeginsEveryConnectionAtOnceAndNoneSeesALaterCommit()
    {
        var dialect = Dialect();
        var commitAnother = await OneDealAsync(dialect, 8);

        // Closing every connection checkpoints the file and removes its WAL: there is no snapshot to join later.
        SqliteConnection.ClearAllPools();
        var scope = dialect.Database.BeginConsistentRead();
        await using (scope)
        {
            Assert.Equal(1, (await CountsAsync(dialect, 1)).Single());
            Assert.Equal(ConsistentRead.DefaultLanes, scope.Connections);

            await commitAnother();
            var counts = await CountsAsync(dialect, ConsistentRead.DefaultLanes);

            Assert.All(counts, c => Assert.Equal(1, c));
        }

        // The write lock was let go: a writer that does not wait gets it at once.
        await using var writer = await ConnectAsync();
        await writer.ExecuteAsync("PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; ROLLBACK");
    }

    [Fact]
    public async Task ConsistentRead_BegunWhileAnotherConnectionWritesAndTheWalIsEmpty_ReadsTakeTheOneConnectionInTurn()
    {
        var dialect = Dialect();
        await OneDealAsync(dialect, 6);

        // Closing every connection checkpoints the file and removes its WAL: a read begun now has no snapshot to share.
        SqliteConnection.ClearAllPools();
        var scope = dialect.Database.BeginConsistentRead();
        await using (scope)
        {
            await using var writer = await ConnectAsync();
            await writer.ExecuteAsync("BEGIN IMMEDIATE");
            var reads = Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => dialect.Database.ReadAsync(
                async (connection, transaction) =>
                {
                    await Task.Delay(50);
                    return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM opportunities", transaction: transaction));
                },
                CancellationToken.None))));

            var counts4 = await reads.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal([1L, 1L, 1L], counts4);
            Assert.Equal(1, scope.Connections);
            await writer.ExecuteAsync("ROLLBACK");
        }
    }

    [Fact]
    public void UseSqlite_NegativeBusyTimeout_FailsAtRegistrationNamingTheOption()
    {
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddSalesPipeline().UseSqlite(configure: o => o.BusyTimeout = TimeSpan.FromSeconds(-1)));

        Assert.Contains("'BusyTimeout' must be between 0 and 1 day, was -00:00:01", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(16, true)]
    public void HistoryFactsQuery_AReportsPeriodsOrMany_GroupsHereOnlyWhenOneWordHoldsTheFacts(int periods, bool manyWords)
    {
        // Three periods as a report asks; sixteen, whose stage at each end and creation buckets outgrow one 64-bit word.
        var asOf = Deals.Epoch + Duration.FromDays(500);
        var request = new HistoryFactsRequest(asOf)
        {
            Periods = [.. Enumerable.Range(0, periods).Select(i => new Interval(asOf - Duration.FromDays(30 * (i + 1)), asOf - Duration.FromDays(30 * i)))],
            Cohort = new Interval(asOf - Duration.FromDays(90), asOf),
            DetailPeriod = new Interval(asOf - Duration.FromDays(90), asOf),
            TimeInStagePeriod = new Interval(asOf - Duration.FromDays(90), asOf),
        };

        var query = new HistoryFactsQuery(Dialect(), PipelineDefinition.Default, request);

        Assert.Equal((manyWords, !manyWords), (query.Words > 1, query.GroupsInClient));
        Assert.Equal(manyWords, query.Sql.Contains(" GROUP BY 1, 2", StringComparison.Ordinal));
    }

    private static OpportunityState StoredForm(OpportunityState state, int version) => SalesPipeline.Storage.Internal.StoredForm.Of(state) with { Version = version };

    private protected override string Provider => MigrationScripts.Sqlite;

    private protected override string Target => File();

    private protected override string HoldPeopleWrites => "BEGIN IMMEDIATE";

    private protected override IStoreDialect Dialect(bool autoMigrate = true) => new SqliteDialect(Database(o => o.AutoMigrate = autoMigrate));

    private protected override Task<MigrationResult> MigrateAsync(IStoreDialect dialect) => ((SqliteDatabase)dialect.Database).MigrateAsync(CancellationToken.None);

    private protected override async Task<System.Data.Common.DbConnection> ConnectAsync()
    {
        var connection = new SqliteConnection($"Data Source={File()}");
        await connection.OpenAsync();
        return connection;
    }

    private protected override async Task AssertMigratedAsync(System.Data.Common.DbConnection connection) =>
        Assert.Equal(("wal", 16_384L), (await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"), await connection.ExecuteScalarAsync<long>("PRAGMA page_size")));

    private static RelationalOpportunityStore Store(SqliteDatabase database) => new(new SqliteDialect(database));

    /// <summary>
    /// The test's file holding one deal and left in a rollback journal, as a killed exclusive load leaves it: its pages
    /// restored, its journal mode not.
    /// </summary>
    private async Task<OpportunityState> OneDealInARollbackJournalAsync(int seed)
    {
        var state = Deals.Build(PipelineDefinition.Default, Deals.Anna, new Random(seed), 3);
        using (var database = Database())
        {
            await Store(database).SaveAsync(state);
        }

        await SetJournalModeAsync("DELETE");
        return state;
    }

    [Fact]
    public async Task OpenAsync_FileLeftInARollbackJournal_PutsItBackInWriteAheadLoggingWithItsDeals()
    {
        var state = await OneDealInARollbackJournalAsync(seed: 41);

        // Not migrating: as a command that only reads opens the file.
        using var reopened = Database(o => o.AutoMigrate = false);
        Assert.Equal(StoredForm(state, 1), await Store(reopened).FindAsync(state.Id));

        Assert.Equal("wal", await JournalModeAsync());
    }

    [Fact]
    public async Task OpenAsync_FileInARollbackJournalHeldByAnotherConnection_OpensAndLeavesTheJournalMode()
    {
        var state = await OneDealInARollbackJournalAsync(seed: 42);
        await using var holder = new SqliteConnection($"Data Source={File()};Pooling=False");
        await holder.OpenAsync();
        await using var reading = holder.BeginTransaction(deferred: true);
        await holder.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM opportunities", transaction: reading);

        // The other connection is reading the file, so the switch cannot happen; the store opens and reads all the same,
        // and the connection it tried the switch on waits for locks as long as the store says again.
        using var reopened = Database(o => o.AutoMigrate = false);
        await using (var first = await reopened.OpenAsync(CancellationToken.None))
        {
            Assert.Equal((long)new SqliteStorageOptions().BusyTimeout.TotalMilliseconds, await first.ExecuteScalarAsync<long>("PRAGMA busy_timeout"));
        }

        Assert.Equal(StoredForm(state, 1), await Store(reopened).FindAsync(state.Id));
        await reading.CommitAsync();
        Assert.Equal("delete", await holder.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
    }

    private async Task SetJournalModeAsync(string mode) => Assert.Equal(mode.ToLowerInvariant(), await JournalModeAsync($" = {mode}"));

    /// <summary>The file's journal mode, read (or set by <paramref name="assignment"/>) on a connection of its own, after every pooled one closed.</summary>
    private async Task<string?> JournalModeAsync(string assignment = "")
    {
        SqliteConnection.ClearAllPools();
        await using var connection = new SqliteConnection($"Data Source={File()};Pooling=False");
        await connection.OpenAsync();
        return await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode" + assignment);
    }

    private SqliteDatabase Database(Action<SqliteStorageOptions>? configure = null)
    {
        var options = new SqliteStorageOptions { ConnectionString = $"Data Source={File()}" };
        configure?.Invoke(options);
        return new SqliteDatabase(options);
    }

    /// <summary>The indexes of a database file, by name, with the statements that made them.</summary>
    private static async Task<List<(string Name, string? Sql)>> IndexesAsync(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file}");
        return [.. await connection.QueryAsync<(string, string?)>("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")];
    }

    private static OpportunityState WithoutOfferIds(OpportunityState state) => state with { Offers = [.. state.Offers.Select(o => o with { Document = default })] };
}

/// <summary>
/// Tests that depend on which SQLite connections are open (whether a file still has its WAL, and so a snapshot to join):
/// they run alone, since another test closing every pooled connection (<c>SqliteConnection.ClearAllPools</c>, process-wide)
/// would checkpoint the file under them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public static class SqlitePools
{
    public const string Name = "SQLite connection pools";
}
