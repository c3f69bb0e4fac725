using Dapper;
using Npgsql;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Storage;
using SalesPipeline.Storage.Internal;
using SalesPipeline.Storage.Migrations;
using SalesPipeline.Storage.Postgres;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>What only the PostgreSQL store has to show, each test on a fresh database of the test server.</summary>
public sealed class PostgresStoreTests : RelationalStoreTests, IAsyncLifetime
{
    private string _connectionString = string.Empty;
    private string _name = string.Empty;
    private readonly List<PostgresDatabase> _opened = [];

    public async Task InitializeAsync() => (_connectionString, _name) = await PostgresStoreFixture.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        foreach (var database in _opened)
        {
            await database.DisposeAsync();
        }

        await PostgresStoreFixture.DropDatabaseAsync(_name);
    }

    [Fact]
    public async Task SaveAsync_ServerEndsTheSessionBetweenRowAndHistory_LeavesNeither()
    {
        var store = Store(Database());
        var state = Deals.Build(PipelineDefinition.Default, Deals.Anna, new Random(2), 8);
        store.AfterOpportunityRowWritten = async (connection, token) =>
        {
            // As if the application died here: another session kills this one's backend mid-transaction.
            await using var admin = new NpgsqlConnection(_connectionString);
            await admin.OpenAsync(token);
            await admin.ExecuteAsync("SELECT pg_terminate_backend(@Pid)", new { Pid = ((NpgsqlConnection)connection).ProcessID });
        };

        await Assert.ThrowsAnyAsync<Exception>(() => store.SaveAsync(state));

        Assert.Equal((0L, 0L), await CountRowsAsync(state.Id));
    }

    [Fact]
    public async Task MigrateAsync_DatabaseAtSchemaVersion2WithDeals_UpgradesToTheLatestAndReturnsTheSameDealsLastTouchedAtTheirLatestStageEntryOrActivity()
    {
        var (sourceConnectionString, sourceName) = await PostgresStoreFixture.CreateDatabaseAsync();
        try
        {
            // Deals as the store writes them, more than a page of them, in two pipelines and for two owners.
            var pipeline = Deals.IsolatedPipeline();
            var bob = new UserId("bob");
            var source = Store(Database(o => o.ConnectionString = sourceConnectionString));
            var random = new Random(12);
            var saved = new List<OpportunityState>();
            for (var i = 0; i < RelationalOpportunityStore.PageSize + 40; i++)
            {
                var state = Deals.Build(i % 3 == 0 ? PipelineDefinition.Default : pipeline, i % 2 == 0 ? Deals.Anna : bob, random, random.Next(0, 8));
                await source.SaveAsync(state);
                // Schema 7 adds each deal's last touch, taken from its stage entries and activities.
                saved.Add(SalesPipeline.Storage.Internal.StoredForm.Of(state) with { Version = 1, LastTouchedAt = null });
            }

            // A database at schema version 2 holding those rows: the columns schema 2 has copy as they are (parents before
            // children, for the foreign keys).
            await using (var connection = new NpgsqlConnection(_connectionString))
            {
                await connection.OpenAsync();
                await connection.ExecuteAsync("CREATE TABLE schema_version (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
                foreach (var script in MigrationScripts.For(MigrationScripts.Postgres).Where(s => s.Version <= 2))
                {
                    await connection.ExecuteAsync(script.Sql);
                    await connection.ExecuteAsync("INSERT INTO schema_version (version, name) VALUES (@Version, @Name)", new { script.Version, script.Name });
                }

                string[] tables = ["accounts", "contacts", "opportunities", "stage_changes", "activities", "offers", "pipeline_definitions"];
                Assert.Equal(
                    tables.Order(StringComparer.Ordinal),
                    await connection.QueryAsync<string>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_version' ORDER BY tablename COLLATE \"C\""));
                await using var from = new NpgsqlConnection(sourceConnectionString);
                await from.OpenAsync();
                foreach (var table in tables)
                {
                    var names = (await connection.QueryAsync<string>(
                        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = @Table ORDER BY ordinal_position", new { Table = table })).ToList();
                    var columns = string.Join(", ", names);

                    // Migration 0006 renamed an offer's location to the document it refers to.
                    var read = string.Join(", ", names.Select(n => table == "offers" && n == "location" ? "document_id" : n));
                    await using var reader = await from.BeginRawBinaryCopyAsync($"COPY (SELECT {read} FROM {table}) TO STDOUT (FORMAT BINARY)");
                    await using var writer = await connection.BeginRawBinaryCopyAsync($"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)");
                    await reader.CopyToAsync(writer);
                }
            }

            var database = Database(o => o.AutoMigrate = false);
            var result = await database.MigrateAsync(CancellationToken.None);

            Assert.Equal((2, MigrationScripts.Latest(MigrationScripts.Postgres)), (result.FromVersion, result.ToVersion));
            Assert.Equal(await IndexesAsync(sourceConnectionString), await IndexesAsync(_connectionString));
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
        finally
        {
            await PostgresStoreFixture.DropDatabaseAsync(sourceName);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Import_BatchClashesAfterEarlierBatches_NamesItAndLeavesNothing(bool clashOnExternalId)
    {
        var database = Database();
        var store = Store(database);
        var pipeline = Deals.IsolatedPipeline();
        var random = new Random(31);
        var stored = Deals.Build(pipeline, Deals.Anna, random, 3) with { ExternalId = "crm-stored" };
        await store.SaveAsync(stored);
        var imported = Enumerable.Range(0, 6).Select(i => Deals.Build(pipeline, Deals.Anna, random, random.Next(0, 8)) with { ExternalId = $"crm-{i}" }).ToList();

        // The last batch breaks a key: its deal's id (a conflict) or its external id (the unique index) is stored.
        var breaking = clashOnExternalId
            ? Deals.Build(pipeline, Deals.Anna, random, 2) with { ExternalId = "crm-stored" }
            : stored with { Name = "imported again" };
        var target = PostgresBulkImport.Target(database);
        var session = await target.BeginImportAsync();
        await using (session)
        {
            await session.EnsureAccountAsync("Never Committed " + pipeline.Id, Deals.Anna, Deals.Epoch);
            await session.AddAsync(imported[..2]);
            await session.AddAsync(imported[2..4]);
            await session.AddAsync(imported[4..]);

            // The session's own deals are stored already, so it finds their external ids as it finds the stored one's.
            Assert.Equal(["crm-0", "crm-3", "crm-5", "crm-stored"], (await session.ExistingExternalIdsAsync(pipeline.Id, ["crm-0", "crm-3", "crm-5", "crm-stored", "crm-9"])).Order(StringComparer.Ordinal));
            // Written into the stored tables: the session holds the lock a write of the stored history takes.
            Assert.Equal(1L, await CountAsync(
                "SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation " +
                "WHERE l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND c.relname = 'stage_changes' AND l.mode = 'RowExclusiveLock' AND l.granted"));

            var error = await Assert.ThrowsAnyAsync<Exception>(() => session.AddAsync([breaking]));
            if (clashOnExternalId)
            {
                Assert.Contains("external id that another opportunity of its pipeline already has", Assert.IsType<InvalidOperationException>(error).Message, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(stored.Id.ToString(), Assert.IsType<ConcurrencyConflictException>(error).Id);
            }

            // The external id broke the COPY, which leaves the transaction aborted: a COMMIT would roll back without an
            // error, so the session refuses it, as it does after the refused id.
            Assert.Contains("failed earlier", (await Assert.ThrowsAsync<InvalidOperationException>(() => session.CommitAsync())).Message, StringComparison.Ordinal);
        }

        Assert.Equal(1L, await CountAsync("SELECT COUNT(*) FROM opportunities WHERE pipeline_id = @Pipeline", pipeline));
        Assert.Equal(SalesPipeline.Storage.Internal.StoredForm.Of(stored) with { Version = 1 }, await store.FindAsync(stored.Id));
        Assert.Equal((long)stored.History.Count, await CountAsync("SELECT COUNT(*) FROM stage_changes c JOIN opportunities o ON o.id = c.opportunity_id WHERE o.pipeline_id = @Pipeline", pipeline));
        Assert.Equal(0L, await CountAsync("SELECT COUNT(*) FROM accounts WHERE name = 'Never Committed ' || @Pipeline", pipeline));
    }

    [Fact]
    public async Task Import_SameDealInTwoBatches_NamesItAndLeavesNothing()
    {
        var database = Database();
        var pipeline = Deals.IsolatedPipeline();
        var random = new Random(34);
        var deals = Enumerable.Range(0, 3).Select(_ => Deals.Build(pipeline, Deals.Anna, random, 2)).ToList();
        var session = await PostgresBulkImport.Target(database).BeginImportAsync();
        await using (session)
        {
            await session.AddAsync(deals);

            var error = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => session.AddAsync([Deals.Build(pipeline, Deals.Anna, random, 1), deals[1] with { Name = "again" }]));

            Assert.Equal(deals[1].Id.ToString(), error.Id);
        }

        Assert.Equal(0L, await CountAsync("SELECT COUNT(*) FROM opportunities WHERE pipeline_id = @Pipeline", pipeline));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Import_SessionCommittedOrDisposed_KeepsOnlyTheCommittedDealsAndTheNextImportRuns(bool commit)
    {
        var database = Database();
        var pipeline = Deals.IsolatedPipeline();
        var random = new Random(32);
        var deals = Enumerable.Range(0, 5).Select(i => Deals.Build(pipeline, Deals.Anna, random, random.Next(0, 8)) with { ExternalId = $"crm-{i}" }).ToList();
        var target = PostgresBulkImport.Target(database);
        var session = await target.BeginImportAsync();
        await using (session)
        {
            await session.AddAsync(deals[..3]);
            await session.AddAsync(deals[3..]);
            if (commit)
            {
                await session.CommitAsync();
            }
        }

        Assert.Equal(commit ? 5L : 0L, await CountAsync("SELECT COUNT(*) FROM opportunities WHERE pipeline_id = @Pipeline", pipeline));

        // The connection went back to the pool with no transaction left open: the next import on it runs and commits.
        var next = await target.BeginImportAsync();
        await using (next)
        {
            await next.AddAsync([Deals.Build(pipeline, Deals.Anna, random, 2)]);
            await next.CommitAsync();
        }

        Assert.Equal(commit ? 6L : 1L, await CountAsync("SELECT COUNT(*) FROM opportunities WHERE pipeline_id = @Pipeline", pipeline));
    }

    [Fact]
    public async Task Import_TwoSessionsAtOnce_EachSeesOnlyItsOwnDealsUntilTheOtherCommits()
    {
        var database = Database();
        var pipeline = Deals.IsolatedPipeline();
        var random = new Random(33);
        var deals = Enumerable.Range(0, 8).Select(i => Deals.Build(pipeline, Deals.Anna, random, random.Next(0, 8)) with { ExternalId = $"crm-{i}" }).ToList();
        var target = PostgresBulkImport.Target(database);
        var first = await target.BeginImportAsync();
        await using (first)
        {
            var second = await target.BeginImportAsync();
            await using (second)
            {
                await first.AddAsync(deals[..2]);
                await second.AddAsync(deals[4..6]);
                await first.AddAsync(deals[2..4]);
                await second.AddAsync(deals[6..]);

                // Each session sees its own deals, and not the other's until it commits.
                Assert.Equal(["crm-0", "crm-3"], (await first.ExistingExternalIdsAsync(pipeline.Id, ["crm-0", "crm-3", "crm-4", "crm-7"])).Order(StringComparer.Ordinal));
                Assert.Equal(["crm-4", "crm-7"], (await second.ExistingExternalIdsAsync(pipeline.Id, ["crm-0", "crm-3", "crm-4", "crm-7"])).Order(StringComparer.Ordinal));
                await second.CommitAsync();
            }

            Assert.Equal(["crm-0", "crm-3", "crm-4", "crm-7"], (await first.ExistingExternalIdsAsync(pipeline.Id, ["crm-0", "crm-3", "crm-4", "crm-7"])).Order(StringComparer.Ordinal));
            await first.CommitAsync();
        }

        Assert.Equal(8L, await CountAsync("SELECT COUNT(*) FROM opportunities WHERE pipeline_id = @Pipeline", pipeline));
    }

    [Fact]
    public async Task Import_TwoSessionsStoreADefinitionAfterWritingDeals_OneIsToldToRunAgainAndTheOtherCommits()
    {
        var database = Database();
        var store = Store(database);
        var random = new Random(35);
        var pipelines = new[] { Deals.IsolatedPipeline(), Deals.IsolatedPipeline() };
        var deals = pipelines.Select(p => Deals.Build(p, Deals.Anna, random, 2)).ToArray();
        var target = PostgresBulkImport.Target(database);
        var sessions = new[] { await target.BeginImportAsync(), await target.BeginImportAsync() };
        Task[] storing = [];
        try
        {
            await sessions[0].AddAsync([deals[0]]);
            await sessions[1].AddAsync([deals[1]]);

            // Each waits for the other's deal writes to end: the server breaks the cycle by stopping one of them, whose
            // transaction then holds no locks, so the other goes on at once. Which of the two the client hears of first is a
            // race, so both are awaited.
            storing = [.. pipelines.Select((p, i) => sessions[i].SavePipelineDefinitionAsync(p.Id, p.ToJson()))];
            await Ended(storing);
            var loser = Assert.Single(Enumerable.Range(0, storing.Length), i => storing[i].IsFaulted);
            var error = Assert.IsType<InvalidOperationException>(storing[loser].Exception!.InnerException);
            Assert.Contains("deadlock", error.Message, StringComparison.Ordinal);
            Assert.Contains("Run it again", error.Message, StringComparison.Ordinal);

            await sessions[loser].DisposeAsync();
            await sessions[1 - loser].CommitAsync();
            Assert.NotNull(await store.FindAsync(deals[1 - loser].Id));
            Assert.Null(await store.FindAsync(deals[loser].Id));
        }
        finally
        {
            // Never dispose a session while its statement still runs: the driver can hang waiting for a reply that never comes.
            await Task.WhenAny(Ended(storing), Task.Delay(TimeSpan.FromSeconds(30)));
            foreach (var session in sessions)
            {
                await session.DisposeAsync();
            }
        }

        static Task Ended(Task[] tasks) => Task.WhenAll(tasks).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    [Fact]
    public async Task FirstUse_NoServerListening_SaysWhichServerAndWhatToDo()
    {
        // Port 1 on the loopback address: nothing listens there, so the connection is refused at once.
        var nowhere = new NpgsqlConnectionStringBuilder(_connectionString) { Host = "127.0.0.1", Port = 1, Timeout = 5 }.ToString();
        var store = Store(Database(o => o.ConnectionString = nowhere));

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => store.FindAsync(OpportunityId.New()));

        Assert.Contains("Cannot reach the PostgreSQL database", error.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
        Assert.Contains("Host= and Port=", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task FindAsync_StatementLongerThanTheCommandTimeout_SaysItTimedOutNotThatTheServerIsUnreachable()
    {
        var impatient = new NpgsqlConnectionStringBuilder(_connectionString) { CommandTimeout = 1 }.ToString();
        var accounts = new RelationalAccountStore(new PostgresDialect(Database(o => o.ConnectionString = impatient)));
        Assert.Null(await accounts.FindAsync(AccountId.New()));

        // Another session holds the accounts table locked (no deal table), so the look-up waits past its 1-second command timeout.
        await using var holder = new NpgsqlConnection(_connectionString);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE", transaction: transaction);

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => accounts.FindAsync(AccountId.New()));

        Assert.Equal(StorageUnavailableReason.TimedOut, error.Reason);
        Assert.Contains("did not finish a statement within the command timeout (1 s).", error.Message, StringComparison.Ordinal);
        Assert.Contains("Command Timeout=", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Cannot reach", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FindAsync_HeldUpByAnotherSessionHoldingTheDealsLongerThanTheCommandTimeout_NamesThatSession()
    {
        var impatient = new NpgsqlConnectionStringBuilder(_connectionString) { CommandTimeout = 1 }.ToString();
        var store = Store(Database(o => o.ConnectionString = impatient));
        Assert.Null(await store.FindAsync(OpportunityId.New()));

        // Another session holds the deals table for itself, so the look-up waits past its 1-second command timeout.
        await using var holder = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connectionString) { ApplicationName = "nightly-cleanup" }.ToString());
        await holder.OpenAsync();
        var pid = await holder.ExecuteScalarAsync<int>("SELECT pg_backend_pid()");
        await using var transaction = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("LOCK TABLE opportunities IN ACCESS EXCLUSIVE MODE", transaction: transaction);

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => store.FindAsync(OpportunityId.New()));

        Assert.Equal(StorageUnavailableReason.Held, error.Reason);
        Assert.Matches(
            "did not finish a statement within the command timeout \\(1 s\\)\\. Meanwhile another session " +
            $"\\(server process {pid}, 'nightly-cleanup', in a transaction since \\d{{4}}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\) held the deal tables for itself, " +
            "as it does until its transaction ends: a statement on them waits for it\\. Run it again when that session has ended, or raise Command Timeout=",
            error.Message);
        Assert.DoesNotContain("import", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Cannot reach", error.Message, StringComparison.Ordinal);

        // Once that session has ended, the same look-up answers.
        await transaction.RollbackAsync();
        Assert.Null(await store.FindAsync(OpportunityId.New()));
    }

    [Fact]
    public async Task FirstUse_MultiplexingConnectionString_Works()
    {
        var multiplexing = new NpgsqlConnectionStringBuilder(_connectionString) { Multiplexing = true }.ToString();
        var store = Store(Database(o => o.ConnectionString = multiplexing));

        Assert.Null(await store.FindAsync(OpportunityId.New()));
    }

    [Fact]
    public async Task SaveAsync_DealsHeldWhileThePoolHasOneConnection_NamesTheSessionHoldingThem()
    {
        // The pool's one connection is the save's: the session holding the deals is looked up on a connection outside it.
        var impatient = new NpgsqlConnectionStringBuilder(_connectionString) { CommandTimeout = 1, MaxPoolSize = 1 }.ToString();
        var store = Store(Database(o => o.ConnectionString = impatient));
        var deal = Deals.Build(PipelineDefinition.Default, Deals.Anna, new Random(7), 2);
        Assert.Null(await store.FindAsync(deal.Id));

        await using var holder = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connectionString) { ApplicationName = "nightly-cleanup" }.ToString());
        await holder.OpenAsync();
        var pid = await holder.ExecuteScalarAsync<int>("SELECT pg_backend_pid()");
        await using var transaction = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("LOCK TABLE opportunities IN ACCESS EXCLUSIVE MODE", transaction: transaction);

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => store.SaveAsync(deal));

        Assert.Equal(StorageUnavailableReason.Held, error.Reason);
        Assert.Contains($"Meanwhile another session (server process {pid}, 'nightly-cleanup', ", error.Message, StringComparison.Ordinal);

        // Nothing of the deal was stored; once that session has ended, the save goes through.
        await transaction.RollbackAsync();
        Assert.Null(await store.FindAsync(deal.Id));
        await store.SaveAsync(deal);
        Assert.NotNull(await store.FindAsync(deal.Id));
    }

    [Fact]
    public async Task Aggregates_HeldUpLongerThanTheCommandTimeout_WaitForTheServerAndReadTheSameFigures()
    {
        // A report's reads go over every deal: at 10^7 deals one statement takes longer than a point read's timeout.
        var impatient = new NpgsqlConnectionStringBuilder(_connectionString) { CommandTimeout = 1 }.ToString();
        var database = Database(o => o.ConnectionString = impatient);
        var store = Store(database);
        var random = new Random(5);
        for (var i = 0; i < 12; i++)
        {
            await store.SaveAsync(Deals.Build(PipelineDefinition.Default, i % 2 == 0 ? Deals.Anna : new UserId("bob"), random, random.Next(0, 8)));
        }

        var aggregates = new RelationalPipelineAggregates(new PostgresDialect(database));
        var pipeline = PipelineDefinition.Default;
        var asOf = Deals.Epoch + NodaTime.Duration.FromDays(400);
        var period = new NodaTime.Interval(Deals.Epoch, asOf);
        // Each read, and whether it also reads the history after its first statement.
        var reads = new (string Name, bool History, Func<Task<object>> Read)[]
        {
            ("history facts", true, async () => await aggregates.HistoryFactsAsync(pipeline, new HistoryFactsRequest(asOf) { Periods = [period], Cohort = period, TimeInStagePeriod = period })),
            ("win/loss", true, async () => await aggregates.WinLossAsync(pipeline, period, new SalesPipeline.Analytics.WinLossOptions { IncludeOpenDeals = true })),
            ("sales cycle", false, async () => await aggregates.SalesCycleAsync(pipeline, period)),
            ("account revenue", false, async () => await aggregates.AccountRevenueAsync(pipeline, period, asOf)),
            ("deal counts", false, async () => await aggregates.DealCountsAsync()),
            ("detail pass", true, async () =>
            {
                var recorder = new StoreContractTests.Recorder();
                await aggregates.PassAsync(pipeline, null, [recorder]);
                return recorder.Deals.Count;
            }),
        };

        // A table lock holds up the first statement of a read transaction that touches the table, so each read is held up
        // once at its first statement (both tables locked) and once at its first statement on the history (the later
        // statements: the history facts' halves and ended stays, win/loss's deals open at the period's end, the pass).
        foreach (var tables in new[] { "opportunities, stage_changes", "stage_changes" })
        {
            foreach (var (name, _, read) in reads.Where(r => r.History || tables.StartsWith("opportunities", StringComparison.Ordinal)))
            {
                var expected = await read();

                await using var held = await LockForTwoSecondsAsync(tables);

                var actual = await read();

                Assert.True(held.Releasing, $"{name} was read while {tables} were locked");
                Assert.Equivalent(expected, actual, strict: true);
            }
        }
    }

    [Fact]
    public async Task MigrateAsync_ScriptHeldUpLongerThanTheCommandTimeout_WaitsForTheServerAndUpgrades()
    {
        // A database at the schema before the last script, which rewrites a column and an index of every deal: at 10^7 deals
        // that takes longer than a statement's command timeout.
        var previous = MigrationScripts.Latest(MigrationScripts.Postgres) - 1;
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync("CREATE TABLE schema_version (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
            foreach (var script in MigrationScripts.For(MigrationScripts.Postgres).Where(s => s.Version <= previous))
            {
                await connection.ExecuteAsync(script.Sql);
                await connection.ExecuteAsync("INSERT INTO schema_version (version, name) VALUES (@Version, @Name)", new { script.Version, script.Name });
            }
        }

        await using var held = await LockForTwoSecondsAsync("opportunities");
        var impatient = new NpgsqlConnectionStringBuilder(_connectionString) { CommandTimeout = 1 }.ToString();

        var result = await Database(o => { o.ConnectionString = impatient; o.AutoMigrate = false; }).MigrateAsync(CancellationToken.None);

        Assert.True(held.Releasing, "the script ran while the deals were locked");
        Assert.Equal((previous, MigrationScripts.Latest(MigrationScripts.Postgres), 1), (result.FromVersion, result.ToVersion, result.ScriptsApplied));
    }

    [Fact]
    public async Task FirstUse_DatabaseThatDoesNotExist_SaysSoAndWhatToDo()
    {
        var missing = new NpgsqlConnectionStringBuilder(_connectionString) { Database = "no_such_database_" + Guid.NewGuid().ToString("N")[..8] }.ToString();

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => Store(Database(o => o.ConnectionString = missing)).FindAsync(OpportunityId.New()));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("CREATE DATABASE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UsePostgres_EmptyConnectionString_FailsAtRegistrationSayingWhatToWrite()
    {
        var error = Assert.Throws<ArgumentException>(() => new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddSalesPipeline().UsePostgres(" "));

        Assert.Contains("'ConnectionString' must name a server and database", error.Message, StringComparison.Ordinal);
    }

    private protected override string Provider => MigrationScripts.Postgres;

    private protected override string Target => _name;

    private protected override string HoldPeopleWrites => "BEGIN; LOCK TABLE people IN ACCESS EXCLUSIVE MODE";

    private protected override IStoreDialect Dialect(bool autoMigrate = true) => new PostgresDialect(Database(o => o.AutoMigrate = autoMigrate));

    private protected override Task<MigrationResult> MigrateAsync(IStoreDialect dialect) => ((PostgresDatabase)dialect.Database).MigrateAsync(CancellationToken.None);

    private protected override async Task<System.Data.Common.DbConnection> ConnectAsync()
    {
        var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static RelationalOpportunityStore Store(PostgresDatabase database) => new(new PostgresDialect(database));

    private PostgresDatabase Database(Action<PostgresStorageOptions>? configure = null)
    {
        var options = new PostgresStorageOptions { ConnectionString = _connectionString };
        configure?.Invoke(options);
        var database = new PostgresDatabase(options);
        _opened.Add(database);
        return database;
    }

    private async Task<long> CountAsync(string sql, PipelineDefinition? pipeline = null)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        return await connection.ExecuteScalarAsync<long>(sql, pipeline is null ? null : new { Pipeline = pipeline.Id.Value });
    }

    /// <summary>The indexes of a database, by name, with their definitions.</summary>
    private static async Task<List<(string Name, string Definition)>> IndexesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return [.. await connection.QueryAsync<(string, string)>("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname COLLATE \"C\"")];
    }

    private async Task<(long Rows, long History)> CountRowsAsync(OpportunityId id)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        var key = new { Id = id.Value };
        return (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM opportunities WHERE id = @Id", key),
                await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM stage_changes WHERE opportunity_id = @Id", key));
    }

    /// <summary>
    /// Another session locks <paramref name="tables"/> and lets them go 2 seconds later, twice an impatient 1-second command
    /// timeout; disposing waits until it has.
    /// </summary>
    private async Task<HeldLock> LockForTwoSecondsAsync(string tables)
    {
        var holder = new NpgsqlConnection(_connectionString);
        await holder.OpenAsync();
        var transaction = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync($"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE", transaction: transaction);
        return new HeldLock(holder, transaction);
    }

    private static OpportunityState WithoutOfferIds(OpportunityState state) => state with { Offers = [.. state.Offers.Select(o => o with { Document = default })] };

    /// <summary>A table lock another session holds, let go 2 seconds after it was taken.</summary>
    private sealed class HeldLock : IAsyncDisposable
    {
        private readonly NpgsqlConnection _holder;
        private readonly Npgsql.NpgsqlTransaction _transaction;
        private readonly Task _released;
        private volatile bool _releasing;

        public HeldLock(NpgsqlConnection holder, Npgsql.NpgsqlTransaction transaction)
        {
            _holder = holder;
            _transaction = transaction;
            _released = Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
                _releasing = true;
                await _transaction.RollbackAsync();
            });
        }

        /// <summary>Gets whether the lock was being let go: a statement it held up cannot have ended before.</summary>
        public bool Releasing => _releasing;

        public async ValueTask DisposeAsync()
        {
            await _released;
            await _transaction.DisposeAsync();
            await _holder.DisposeAsync();
        }
    }
}
