using System.Data.Common;
using Dapper;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.People;
using SalesPipeline.Process;
using SalesPipeline.Storage;
using SalesPipeline.Storage.Internal;
using SalesPipeline.Storage.Migrations;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>
/// What every relational provider shows beyond the store contract: an interrupted save leaves nothing, migrations apply
/// each script once however many run at once, and a first use on the wrong schema is refused saying what to do. Each
/// provider's class supplies a fresh database per test.
/// </summary>
public abstract class RelationalStoreTests
{
    /// <summary>Gets the provider's script folder.</summary>
    private protected abstract string Provider { get; }

    /// <summary>Gets what the provider's messages name the test database by.</summary>
    private protected abstract string Target { get; }

    [Fact]
    public async Task SaveAsync_FailureBetweenRowAndHistory_LeavesNeither()
    {
        var dialect = Dialect();
        var store = new RelationalOpportunityStore(dialect);
        var state = Deals.Build(PipelineDefinition.Default, Deals.Anna, new Random(1), 8);
        store.AfterOpportunityRowWritten = (_, _) => throw new IOException("connection lost");

        await Assert.ThrowsAsync<IOException>(() => store.SaveAsync(state));

        Assert.Null(await store.FindAsync(state.Id));
        Assert.Equal((0L, 0L), await CountRowsAsync(dialect, state.Id));
    }

    [Fact]
    public async Task SaveIfAnotherActiveAdminAsync_BothOfTwoAdminsDemotedWhileWritesAreHeld_OnlyOneIsWritten()
    {
        var store = new RelationalPersonStore(Dialect());
        var xena = new Person(new UserId("xena"), "Xena", Role.Admin, ["hq"], null, 0, true);
        var yves = xena with { Id = new UserId("yves"), DisplayName = "Yves" };
        await store.SaveAsync(xena);
        await store.SaveAsync(yves);

        // Both demotions start while another session holds the people's writes, so each would see the other still an admin
        // unless it counts inside its own write.
        Task<int?>[] demotions;
        await using (var holder = await ConnectAsync())
        {
            await holder.ExecuteAsync(HoldPeopleWrites);
            demotions = [.. new[] { xena, yves }.Select(p => Task.Run(() => store.SaveIfAnotherActiveAdminAsync(p with { Role = Role.Manager, Version = 1 })))];
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.DoesNotContain(demotions, d => d.IsCompleted);
            await holder.ExecuteAsync("ROLLBACK");
        }

        var versions = await Task.WhenAll(demotions);

        Assert.Equal([null, 2], versions.Order());
        Assert.Single(await store.ListAsync(), p => p.IsActiveAdmin);
    }

    [Fact]
    public async Task SaveIfAsync_ManagerDeactivatedAndAssignedWhileWritesAreHeld_OnlyOneIsWritten()
    {
        var store = new RelationalPersonStore(Dialect());
        var mia = new Person(new UserId("mia"), "Mia", Role.Manager, ["north"], null, 0, true);
        var xavi = new Person(new UserId("xavi"), "Xavi", Role.Salesperson, ["north"], null, 0, true);
        await store.SaveAsync(mia);
        await store.SaveAsync(xavi);

        // Both start while another session holds the people's writes, so each would see the other's change not yet made
        // unless it checks inside its own write.
        Task<PersonSaveResult>[] saves;
        await using (var holder = await ConnectAsync())
        {
            await holder.ExecuteAsync(HoldPeopleWrites);
            saves =
            [
                Task.Run(() => store.SaveIfAsync(mia with { Active = false, Version = 1 }, PersonChecks.ManagesNoActivePeople)),
                Task.Run(() => store.SaveIfAsync(xavi with { Manager = mia.Id, Version = 1 }, PersonChecks.ManagerActive)),
            ];
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.DoesNotContain(saves, d => d.IsCompleted);
            await holder.ExecuteAsync("ROLLBACK");
        }

        var results = await Task.WhenAll(saves);

        Assert.Single(results, r => r.Version == 2);
        var people = (await store.ListAsync()).ToDictionary(p => p.Id);
        Assert.DoesNotContain(people.Values, p => p.Active && p.Manager is { } manager && !people[manager].Active);
    }

    [Theory]
    [InlineData("probability_override = 150", "probability override is outside 0 to 100")]
    [InlineData("outcome_kind = 'abandoned', closed_at = created_at", "outcome is not known to this version")]
    public async Task HistoryFactsAsync_StoredDealWithAValueTheLibraryNeverWrites_IsRefusedNamingIt(string set, string message)
    {
        var dialect = Dialect();
        await OneDealAsync(dialect, 5);
        await using (var connection = await ConnectAsync())
        {
            await connection.ExecuteAsync($"UPDATE opportunities SET {set}");
        }

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new RelationalPipelineAggregates(dialect).HistoryFactsAsync(
            PipelineDefinition.Default, new Abstractions.HistoryFactsRequest(Deals.Epoch + NodaTime.Duration.FromDays(400))));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_RunTwiceAndByFourAtOnce_AppliesEachScriptOnce()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => MigrateAsync(Dialect()))));

        Assert.Single(results, r => r.Applied);
        Assert.All(results, r => Assert.Equal(MigrationScripts.Latest(Provider), r.ToVersion));
        Assert.False((await MigrateAsync(Dialect())).Applied);
        await using var connection = await ConnectAsync();
        Assert.Equal(MigrationScripts.For(Provider).Count, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_version"));
        await AssertMigratedAsync(connection);
    }

    [Fact]
    public async Task FirstUse_DatabaseFromANewerVersion_IsRefusedNamingBothVersionsAndWhatToDo()
    {
        await MigrateAsync(Dialect());
        await using (var connection = await ConnectAsync())
        {
            await connection.ExecuteAsync("INSERT INTO schema_version (version, name) VALUES (42, 'from_the_future')");
        }

        var error = await Assert.ThrowsAsync<SchemaVersionException>(() => new RelationalOpportunityStore(Dialect()).FindAsync(OpportunityId.New()));

        Assert.Equal((42, MigrationScripts.Latest(Provider)), (error.DatabaseVersion, error.ApplicationVersion));
        Assert.Contains("schema version 42", error.Message, StringComparison.Ordinal);
        Assert.Contains("upgrade this application", error.Message, StringComparison.Ordinal);
        Assert.Contains(Target, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_AnotherApplicationsDatabaseWithTheStoresTableNames_IsRefusedNamingThemAndChangesNothing()
    {
        await using (var connection = await ConnectAsync())
        {
            await connection.ExecuteAsync("CREATE TABLE people (login varchar(20) NOT NULL)");
            await connection.ExecuteAsync("CREATE TABLE opportunities (id integer NOT NULL, title varchar(50) NOT NULL)");
            await connection.ExecuteAsync("CREATE TABLE invoices (id integer NOT NULL)");
            await connection.ExecuteAsync("INSERT INTO opportunities (id, title) VALUES (1, 'theirs')");
        }

        var dialect = Dialect();
        var error = await Assert.ThrowsAsync<ForeignSchemaException>(() => MigrateAsync(dialect));

        Assert.Equal(["opportunities", "people"], error.Tables);
        Assert.Contains(Target, error.Target, StringComparison.Ordinal);
        Assert.Contains("holds tables named opportunities, people, which SalesPipeline would create; nothing was changed.", error.Message, StringComparison.Ordinal);

        // A first use refuses it the same way, whether it may migrate or not.
        await Assert.ThrowsAsync<ForeignSchemaException>(() => new RelationalOpportunityStore(Dialect()).FindAsync(OpportunityId.New()));
        await Assert.ThrowsAsync<ForeignSchemaException>(() => new RelationalOpportunityStore(Dialect(autoMigrate: false)).FindAsync(OpportunityId.New()));

        var host = (ISchemaHost)dialect.Database;
        await using (var connection = await ConnectAsync())
        {
            Assert.Equal(0L, await connection.ExecuteScalarAsync<long>(host.SchemaVersionExists));
            Assert.Equal(["opportunities", "people"], await connection.QueryAsync<string>(host.ExistingTables, new { Names = MigrationScripts.Tables(Provider).ToArray() }));
            Assert.Equal("theirs", await connection.ExecuteScalarAsync<string>("SELECT title FROM opportunities WHERE id = 1"));
        }
    }

    [Fact]
    public async Task FirstUse_AutoMigrateOffOnAnEmptyDatabase_IsRefusedSayingHowToMigrate()
    {
        var error = await Assert.ThrowsAsync<SchemaVersionException>(() => new RelationalOpportunityStore(Dialect(autoMigrate: false)).FindAsync(OpportunityId.New()));

        Assert.Equal(0, error.DatabaseVersion);
        Assert.Contains("db migrate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PassAsync_PagesSmallerThanThePipeline_FeedEveryDealOnceInIdOrderAndStopWithinAPage()
    {
        var dialect = Dialect();
        var store = new RelationalOpportunityStore(dialect);
        var pipeline = Deals.IsolatedPipeline();
        var random = new Random(31);
        var ids = new List<Guid>();
        for (var i = 0; i < 25; i++)
        {
            var deal = Deals.Build(pipeline, Deals.Anna, random, random.Next(0, 6));
            await store.SaveAsync(deal);
            ids.Add(deal.Id.Value);
        }

        ids.Sort();
        var onePage = new StoreContractTests.Recorder();
        await new RelationalPipelineAggregates(dialect).PassAsync(pipeline, null, [onePage]);

        // Pages of 2, 4, 5, 5, 5, 4 deals: each bound crossed, the last page short, every deal fed once as one page feeds it.
        var paged = new RelationalPipelineAggregates(dialect) { FirstPage = 2, LargestPage = 5 };
        var pages = new StoreContractTests.Recorder();
        await paged.PassAsync(pipeline, null, [pages]);
        Assert.Equal(ids, onePage.Deals.Select(d => d.Id.Value));
        Assert.Equal(onePage.Deals, pages.Deals);

        // Exactly a page's worth, and a stop in the middle of the fourth page.
        foreach (var limit in new[] { 6, 13 })
        {
            var bounded = new StoreContractTests.Recorder { CompleteAfter = limit };
            await paged.PassAsync(pipeline, null, [bounded]);
            Assert.Equal(onePage.Deals.Take(limit), bounded.Deals);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(100)]
    public async Task HistoryFactsAsync_CutIntoParts_EqualsOneReadOfEveryDeal(int parts)
    {
        // Ids 1 to 64 as 128-bit numbers: the cuts fall on stored ids (at 3 and 7 parts), next to each other (at 64) and
        // together (at 100, more parts than ids), and each part must count each of its deals once.
        var dialect = Dialect();
        var store = new RelationalOpportunityStore(dialect);
        var pipeline = Deals.IsolatedPipeline();
        var random = new Random(11);
        var states = new List<OpportunityState>();
        for (var i = 1; i <= 64; i++)
        {
            var deal = Deals.Build(pipeline, i % 3 == 0 ? Deals.Anna : new UserId("bob"), random, random.Next(0, 15)) with
            {
                Id = new OpportunityId(Guid.Parse($"00000000-0000-0000-0000-{i:x12}")),
            };
            await store.SaveAsync(deal);
            states.Add(deal);
        }

        var asOf = Deals.Epoch + NodaTime.Duration.FromDays(150);
        var period = new NodaTime.Interval(Deals.Epoch + NodaTime.Duration.FromDays(30), asOf);
        var request = new HistoryFactsRequest(asOf)
        {
            Periods = [period, new NodaTime.Interval(null, Deals.Epoch + NodaTime.Duration.FromDays(90))],
            Cohort = period,
            DetailPeriod = period,
            TimeInStagePeriod = period,
        };

        var whole = await new RelationalPipelineAggregates(dialect) { HistoryParts = 1 }.HistoryFactsAsync(pipeline, request);
        var inParts = await new RelationalPipelineAggregates(dialect) { HistoryParts = parts }.HistoryFactsAsync(pipeline, request);

        Assert.Equal(Structural.Text(whole), Structural.Text(inParts));
        Assert.Equal(Structural.Text(PipelineAggregates.Snapshot(states, pipeline, asOf, null)), Structural.Text(inParts.Open.Stages));
        for (var i = 0; i < request.Periods.Count; i++)
        {
            var expected = SalesPipeline.Analytics.DealPass.PeriodFigures(pipeline, request.Periods[i], null);
            SalesPipeline.Analytics.DealPass.Run(states, expected);
            Assert.Equal(Structural.Text(expected.Result()), Structural.Text(inParts.Periods[i]));
        }
    }

    [Fact]
    public async Task StageExitsAsync_DatabaseOfOnePipelineThenOfTwo_EqualsTheAccumulatorEitherWay()
    {
        // A database holding one pipeline's deals is read without the per-deal pipeline look-up; once another pipeline's deals
        // are stored, with it.
        var dialect = Dialect();
        var store = new RelationalOpportunityStore(dialect);
        var aggregates = new RelationalPipelineAggregates(dialect);
        var first = PipelineDefinition.Default;
        var second = Deals.IsolatedPipeline();
        var random = new Random(5);
        var deals = new List<OpportunityState>();
        foreach (var pipeline in new[] { first, second })
        {
            for (var i = 0; i < 60; i++)
            {
                var deal = Deals.Build(pipeline, i % 3 == 0 ? Deals.Anna : new UserId("bob"), random, random.Next(0, 15));
                await store.SaveAsync(deal);
                deals.Add(deal);
            }

            var period = new NodaTime.Interval(Deals.Epoch + NodaTime.Duration.FromDays(30), Deals.Epoch + NodaTime.Duration.FromDays(120));
            foreach (var asOf in new[] { period.End, Deals.Epoch + NodaTime.Duration.FromDays(400) })
            {
                foreach (var owner in new UserId?[] { null, Deals.Anna })
                {
                    var expected = SalesPipeline.Analytics.DealPass.StageExits(first, period, asOf, owner);
                    SalesPipeline.Analytics.DealPass.Run(deals, expected);
                    Assert.Equal(expected.Result(), await aggregates.StageExitsAsync(first, period, asOf, owner));
                }
            }
        }
    }

    [Fact]
    public async Task ConsistentRead_ReadsRunningSideBySideAfterACommit_EachOnItsOwnConnectionSeeTheStateOfTheFirstRead()
    {
        var dialect = Dialect();
        var commitAnother = await OneDealAsync(dialect, 7);
        var scope = dialect.Database.BeginConsistentRead();
        await using (scope)
        {
            Assert.Equal(1, (await CountsAsync(dialect, 1)).Single());

            // Committed outside the scope after its first read: no read of the scope may see it, on whichever connection.
            await commitAnother();
            var counts = await CountsAsync(dialect, ConsistentRead.DefaultLanes);

            Assert.All(counts, c => Assert.Equal(1, c));
            Assert.Equal(ConsistentRead.DefaultLanes, scope.Connections);
        }

        Assert.Equal(2, (await CountsAsync(dialect, 1)).Single());
    }

    [Fact]
    public async Task ConsistentRead_ReadMadeInsideARead_UsesItsConnection()
    {
        var dialect = Dialect();
        var scope = dialect.Database.BeginConsistentRead();
        await using (scope)
        {
            // Leasing another connection instead would wait for itself once the scope's connections are all busy.
            var (outer, inner) = await dialect.Database.ReadAsync(
                async (connection, _) => (connection, await dialect.Database.ReadAsync((nested, _) => Task.FromResult(nested), CancellationToken.None)),
                CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Same(outer, inner);
        }
    }

    /// <summary>Saves one deal through a store of <paramref name="dialect"/>; the function returned commits another.</summary>
    private protected static async Task<Func<Task>> OneDealAsync(IStoreDialect dialect, int seed)
    {
        var store = new RelationalOpportunityStore(dialect);
        var random = new Random(seed);
        await store.SaveAsync(Deals.Build(PipelineDefinition.Default, Deals.Anna, random, 2));
        return async () => await store.SaveAsync(Deals.Build(PipelineDefinition.Default, Deals.Anna, random, 3));
    }

    /// <summary>Counts the deals in <paramref name="reads"/> reads running at once, each waiting inside its read until all have begun.</summary>
    private protected static async Task<long[]> CountsAsync(IStoreDialect dialect, int reads)
    {
        var running = 0;
        var allRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return await Task.WhenAll(Enumerable.Range(0, reads).Select(_ => Task.Run(() => dialect.Database.ReadAsync(
            async (connection, transaction) =>
            {
                if (Interlocked.Increment(ref running) == reads)
                {
                    allRunning.SetResult();
                }

                await allRunning.Task.WaitAsync(TimeSpan.FromSeconds(30));
                return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM opportunities", transaction: transaction));
            },
            CancellationToken.None))));
    }

    /// <summary>A dialect over a new database object for the test's database.</summary>
    private protected abstract IStoreDialect Dialect(bool autoMigrate = true);

    /// <summary>Applies the pending migrations through the dialect's database.</summary>
    private protected abstract Task<MigrationResult> MigrateAsync(IStoreDialect dialect);

    /// <summary>Gets the statements that begin a transaction holding every write to <c>people</c> (and, on PostgreSQL, reads) until rolled back.</summary>
    private protected abstract string HoldPeopleWrites { get; }

    /// <summary>Opens a plain connection to the test's database, past the store.</summary>
    private protected abstract Task<DbConnection> ConnectAsync();

    /// <summary>Checks what else a migrated database of the provider holds.</summary>
    private protected virtual Task AssertMigratedAsync(DbConnection connection) => Task.CompletedTask;

    private async Task<(long Rows, long History)> CountRowsAsync(IStoreDialect dialect, OpportunityId id)
    {
        await using var connection = await ConnectAsync();
        var key = new { Id = dialect.Key(id.Value) };
        return (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM opportunities WHERE id = @Id", key),
                await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM stage_changes WHERE opportunity_id = @Id", key));
    }
}
