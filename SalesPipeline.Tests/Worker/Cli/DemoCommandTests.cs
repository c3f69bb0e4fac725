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
    public async Task Demo_SqliteStore_DealIdsFollowTheOrderTheDealsWereCreatedIn()
    {
        var deals = await DemoDealsAsync(300);

        var byId = deals.OrderBy(d => d.Id.Value.ToString("D"), StringComparer.Ordinal).Select(d => d.ExternalId).ToList();
        var byCreation = deals.OrderBy(d => d.CreatedAt).Select(d => d.ExternalId).ToList();
        Assert.Equal(byCreation, byId);
        Assert.All(deals, d => Assert.All(d.Activities, a => Assert.Equal(7, a.Id.Value.Version)));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<List<OpportunityState>> DemoDealsAsync(int count)
    {
        var demo = await CliRunner.RunAsync("--db", Database, "demo", "--deals", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", "13", "--out", Path.Combine(_folder, "reports"));
        Assert.True(demo.ExitCode == 0, demo.ToString());
        var services = new ServiceCollection().AddSingleton<IClock>(new FakeClock(CliRunner.Now));
        services.AddSalesPipeline().UseSqlite($"Data Source={Database}");
        await using var provider = services.BuildServiceProvider();
        var deals = new List<OpportunityState>();
        await foreach (var deal in provider.GetRequiredService<IOpportunityStore>().QueryAsync(OpportunityQuery.All))
        {
            deals.Add(deal);
        }

        return deals;
    }
}
