using FsCheck;
using FsCheck.Fluent;
using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Interval = NodaTime.Interval;

namespace SalesPipeline.Tests.Core.Analytics;

/// <summary>
/// Random but consistent pipelines of recorded deals: up to 40 deals per scenario, each a chain of up to 8 stage changes
/// at non-decreasing instants (ties included) over four months, with moves forward, back, to closed stages and reopens;
/// values up to 100,000.00 in PLN, EUR or USD; optional probability overrides; three owners; an as-of instant and a
/// close period somewhere in the same months. Half the scenarios use the default pipeline, half a small one with two lost stages.
/// </summary>
public static class AnalyticsArbitraries
{
    private static readonly string[] Owners = ["anna", "bob", "carol"];
    private static readonly string[] Currencies = ["PLN", "PLN", "EUR", "USD"];
    private static readonly string?[] Reasons = ["Price", "Timing", null];

    public static PipelineDefinition Small { get; } = new PipelineDefinitionBuilder("small", "Small")
        .AddStage("lead", StageKind.Open, 20)
        .AddStage("proposal", StageKind.Open, 60)
        .AddStage("closed-won", StageKind.Won, 100)
        .AddStage("closed-lost", StageKind.Lost, 0)
        .AddStage("disqualified", StageKind.Lost, 0)
        .AllowForwardAndBackMoves()
        .AllowMove("proposal", "closed-won")
        .AllowMove("lead", "disqualified")
        .AllowMove("proposal", "closed-lost")
        .WithLossReasons("Price", "Timing")
        .Build();

    public static Arbitrary<Scenario> Scenario() => ScenarioGen.ToArbitrary();

    private static Gen<Scenario> ScenarioGen =>
        from small in Gen.Elements(false, true)
        from specs in Gen.ListOf(DealSpecGen).Select(l => l.Take(40).ToArray())
        from asOfHours in Gen.Choose(-24, 24 * 130)
        from periodStartHours in Gen.Choose(-24 * 10, 24 * 120)
        from periodLengthHours in Gen.Choose(0, 24 * 60)
        select Build(small ? Small : PipelineDefinition.Default, specs, asOfHours, periodStartHours, periodLengthHours);

    private static Gen<int[]> DealSpecGen =>
        Gen.ArrayOf(Gen.Choose(0, 1_000_000), 24);

    private static Scenario Build(PipelineDefinition pipeline, int[][] specs, int asOfHours, int periodStartHours, int periodLengthHours)
    {
        var start = TestDeals.Start;
        var deals = specs.Select((spec, i) => BuildDeal(pipeline, spec, i)).ToArray();
        var period = new Interval(start + Duration.FromHours(periodStartHours), start + Duration.FromHours(periodStartHours + periodLengthHours));
        return new Scenario(pipeline, deals, start + Duration.FromHours(asOfHours), period);
    }

    /// <summary>Turns 24 random numbers into a deal: every choice is a number taken modulo the number of options.</summary>
    private static OpportunityState BuildDeal(PipelineDefinition pipeline, int[] r, int index)
    {
        var stages = pipeline.Stages;
        var open = pipeline.OpenStages;
        var at = TestDeals.Start + Duration.FromHours(r[0] % (24 * 90));
        var first = r[1] % 5 == 0 ? open[r[2] % open.Count] : pipeline.InitialStage;
        var path = new List<(string, Instant)> { (first.Value, at) };
        var current = first;
        var changes = r[3] % 8;
        for (var i = 0; i < changes; i++)
        {
            var pick = r[4 + i];
            var candidates = pipeline.Stage(current).IsOpen
                ? stages.Select(s => s.Id).Where(s => s != current).ToArray()
                : [.. open];
            current = candidates[pick % candidates.Length];
            at += Duration.FromHours(pick % 5 == 0 ? 0 : pick % (24 * 15)); // some changes at the same instant
            path.Add((current.Value, at));
        }

        var amount = r[12] % 10_000_001 / 100m;
        var currency = Currencies[r[13] % Currencies.Length];
        int? probability = r[14] % 3 == 0 ? r[15] % 101 : null;
        var reason = Reasons[r[16] % Reasons.Length];
        var expectedClose = TestDeals.Start.InUtc().Date.PlusDays(r[17] % 150);
        return TestDeals.Deal(
            pipeline,
            $"deal {index}",
            Money.Of(amount, currency),
            Owners[r[18] % Owners.Length],
            path,
            probability,
            reason,
            expectedClose,
            createdAt: r[19] % 7 == 0 ? path[0].Item2 + Duration.FromHours(r[20] % 48) : null);
    }
}

/// <summary>A random pipeline of recorded deals with an as-of instant and a (finite) close period.</summary>
/// <param name="Pipeline">The pipeline.</param>
/// <param name="Deals">The deals.</param>
/// <param name="AsOf">The as-of instant.</param>
/// <param name="Period">A close or cohort period, finite at both ends.</param>
public sealed record Scenario(PipelineDefinition Pipeline, IReadOnlyList<OpportunityState> Deals, Instant AsOf, Interval Period)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Pipeline.Id}: {Deals.Count} deals, as of {AsOf}, period {Period}{Environment.NewLine}" +
        string.Join(Environment.NewLine, Deals.Select(d =>
            $"  {d.Name} {d.Value} {d.Owner} p={d.ProbabilityOverride} created={d.CreatedAt}: {string.Join(" ", d.History.Select(h => $"{h.To}@{h.At}"))}"));
}
