using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Worker.Cli;

/// <summary>The deals `demo` stores: driven through the real process, so every one follows the pipeline's rules.</summary>
public sealed class DemoCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-demo-").FullName;

    private string Database => Path.Combine(_folder, "demo.db");

    [Fact]
    public async Task Demo_SqliteStore_EveryHistoryStepIsAPermittedMoveWithItsRequirementsMet()
    {
        var pipeline = PipelineDefinition.Default;
        var deals = await DemoDealsAsync(800);

        Assert.Equal(800, deals.Count);
        var checkedSteps = 0;
        foreach (var deal in deals)
        {
            Assert.Equal(StageChangeKind.Created, deal.History[0].Kind);
            Assert.Equal(pipeline.InitialStage, deal.History[0].To);
            for (var i = 1; i < deal.History.Count; i++)
            {
                var step = deal.History[i];
                Assert.True(step.Kind == StageChangeKind.Moved, $"{deal.ExternalId} step {i + 1} was recorded as {step.Kind}, not moved through the process");

                // The deal as it was just before the step: its history so far, and what had been logged and attached by then.
                // Qualification data carries no instant, so the deal's recorded qualification stands for every step.
                var before = Opportunity.Restore(
                    deal with
                    {
                        History = [.. deal.History.Take(i)],
                        Stage = deal.History[i - 1].To,
                        Outcome = null,
                        Activities = [.. deal.Activities.Where(a => a.RecordedAt <= step.At)],
                        Offers = [.. deal.Offers.Where(o => o.AttachedAt <= step.At)],
                    },
                    pipeline);
                var reason = pipeline.Stage(step.To).Kind == StageKind.Lost ? deal.Outcome?.Reason : null;
                var unmet = pipeline.WhyNot(before, step.To, reason, step.Comment);
                Assert.True(unmet.Count == 0, $"{deal.ExternalId} step {i + 1} ({step.From} → {step.To}): {string.Join("; ", unmet.Select(u => u.Description))}");
                checkedSteps++;
            }
        }

        // Every kind of move the demo makes is among the checked steps (forward, back to qualification, won, lost).
        var moves = deals.SelectMany(d => d.History.Skip(1)).Select(h => (h.From!.Value.Value, h.To.Value)).ToHashSet();
        Assert.Contains(("offer", "qualification"), moves);
        Assert.Contains(("negotiation", "won"), moves);
        Assert.Contains(("offer", "won"), moves);
        Assert.Contains(("identification", "lost"), moves);
        Assert.True(checkedSteps > 2 * deals.Count, $"{checkedSteps} steps checked");
    }

    [Fact]
    public async Task Demo_SqliteStore_DealIdsFollowTheOrderTheDealsWereCreatedInAndCarryTheirInstants()
    {
        var deals = await DemoDealsAsync(300);

        var byId = deals.OrderBy(d => d.Id.Value.ToString("D"), StringComparer.Ordinal).Select(d => d.ExternalId).ToList();
        var byCreation = deals.OrderBy(d => d.CreatedAt).Select(d => d.ExternalId).ToList();
        Assert.Equal(byCreation, byId);
        Assert.All(deals, d => Assert.All(d.Activities, a => Assert.Equal(7, a.Id.Value.Version)));

        // Each id carries the instant its deal was created or its activity logged (version 7: milliseconds since 1970 first).
        Assert.All(deals, d => Assert.Equal(d.CreatedAt.ToUnixTimeMilliseconds(), Milliseconds(d.Id.Value)));
        Assert.All(deals.SelectMany(d => d.Activities), a => Assert.Equal(a.RecordedAt.ToUnixTimeMilliseconds(), Milliseconds(a.Id.Value)));

        static long Milliseconds(Guid id) => long.Parse(id.ToString("N")[..12], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Demo_StoreTakenForTheLoadOrKeptInWalByAnotherConnection_SameDealsSameOutputAndEndsInWal()
    {
        // A new file: the demo takes it for the load. The other is migrated first and held open by another connection, so
        // the demo writes it through the write-ahead log as before.
        var taken = Path.Combine(_folder, "taken.db");
        var shared = Path.Combine(_folder, "shared.db");
        var first = await CliRunner.RunAsync("--db", taken, "demo", "--deals", "400", "--seed", "21", "--out", Path.Combine(_folder, "taken"));
        Assert.Equal(0, (await CliRunner.RunAsync("--db", shared, "db", "migrate")).ExitCode);
        CliResult second;
        await using (var other = new SqliteConnection($"Data Source={shared};Pooling=False"))
        {
            await other.OpenAsync();
            await using var count = other.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM opportunities";
            Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
            second = await CliRunner.RunAsync("--db", shared, "demo", "--deals", "400", "--seed", "21", "--out", Path.Combine(_folder, "shared"));
        }

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(first.Output.Replace("taken", "X", StringComparison.Ordinal), second.Output.Replace("shared", "X", StringComparison.Ordinal));
        Assert.Equal(Comparable(await StoredDealsAsync(taken)), Comparable(await StoredDealsAsync(shared)));
        foreach (var file in new[] { taken, shared })
        {
            await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
            await connection.OpenAsync();
            await using var mode = connection.CreateCommand();
            mode.CommandText = "PRAGMA journal_mode";
            Assert.Equal("wal", await mode.ExecuteScalarAsync());
        }

        // A second run finds the deals there and adds none, through the write-ahead log.
        var again = await CliRunner.RunAsync("--db", taken, "demo", "--deals", "400", "--seed", "21", "--out", Path.Combine(_folder, "taken"));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("already held 400 of the demo deals; added 0", again.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The deals as text, in external-id order, without the ids each run draws afresh (deals, activities, accounts).</summary>
    private static List<string> Comparable(List<OpportunityState> deals) =>
        [.. deals.OrderBy(d => d.ExternalId, StringComparer.Ordinal).Select(d => SalesPipeline.Tests.Storage.Structural.Text(d with
        {
            Id = default,
            Account = null,
            Activities = [.. d.Activities.Select(a => a with { Id = default })],
        }))];

    private async Task<List<OpportunityState>> DemoDealsAsync(int count)
    {
        var demo = await CliRunner.RunAsync("--db", Database, "demo", "--deals", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", "13", "--out", Path.Combine(_folder, "reports"));
        Assert.True(demo.ExitCode == 0, demo.ToString());
        return await StoredDealsAsync(Database);
    }

    private static async Task<List<OpportunityState>> StoredDealsAsync(string database)
    {
        var services = new ServiceCollection().AddSingleton<IClock>(new FakeClock(CliRunner.Now));
        services.AddSalesPipeline().UseSqlite($"Data Source={database}");
        await using var provider = services.BuildServiceProvider();
        var deals = new List<OpportunityState>();
        await foreach (var deal in provider.GetRequiredService<IOpportunityStore>().QueryAsync(OpportunityQuery.All))
        {
            deals.Add(deal);
        }

        return deals;
    }
}
