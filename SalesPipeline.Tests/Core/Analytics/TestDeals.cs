using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Tests.Core.Analytics;

/// <summary>Builds recorded deals (states with a history) for analytics tests, checked by <see cref="Opportunity.Restore"/>.</summary>
internal static class TestDeals
{
    /// <summary>Day 0 of the worked examples: 2026-01-01T00:00Z.</summary>
    public static Instant Start { get; } = Instant.FromUtc(2026, 1, 1, 0, 0);

    public static Instant Day(int day) => Start + Duration.FromDays(day);

    public static Interval Days(int from, int to) => new(Day(from), Day(to));

    /// <summary>
    /// A deal that entered the given stages at the given instants, in order: the first entry creates it; a move out of a
    /// closed stage is a reopen. It is won or lost (with <paramref name="lossReason"/>) when its last stage is won or lost.
    /// </summary>
    public static OpportunityState Deal(
        PipelineDefinition pipeline,
        string name,
        Money value,
        string owner,
        IReadOnlyList<(string Stage, Instant At)> path,
        int? probabilityOverride = null,
        string? lossReason = null,
        LocalDate? expectedClose = null,
        StageChangeKind moveKind = StageChangeKind.Moved,
        Instant? createdAt = null,
        string? externalId = null)
    {
        var user = new UserId(owner);
        var history = new List<StageChange>(path.Count);
        StageId? previous = null;
        foreach (var (stage, at) in path)
        {
            var kind = previous is null
                ? (moveKind == StageChangeKind.Imported ? StageChangeKind.Imported : StageChangeKind.Created)
                : pipeline.Stage(previous.Value).IsOpen ? moveKind : StageChangeKind.Reopened;
            var to = new StageId(stage);
            history.Add(new StageChange(previous, to, at, user, kind));
            previous = to;
        }

        var last = history[^1];
        var outcome = pipeline.Stage(last.To).Kind switch
        {
            StageKind.Won => new Outcome(OutcomeKind.Won, null, null, last.At),
            StageKind.Lost => new Outcome(OutcomeKind.Lost, lossReason, null, last.At),
            _ => null,
        };
        var state = new OpportunityState(
            OpportunityId.New(),
            pipeline.Id,
            name,
            value,
            expectedClose ?? last.At.InUtc().Date,
            null,
            user,
            last.To,
            probabilityOverride,
            null,
            null,
            [],
            [],
            history,
            outcome,
            createdAt ?? history[0].At,
            user,
            last.At,
            user,
            0,
            externalId);
        _ = Opportunity.Restore(state, pipeline); // the data must be a consistent record
        return state;
    }

    public static OpportunityState Deal(
        string name,
        decimal amount,
        string owner,
        (string Stage, int Day)[] path,
        int? probabilityOverride = null,
        string? lossReason = null,
        LocalDate? expectedClose = null,
        string currency = "PLN") =>
        Deal(PipelineDefinition.Default, name, Money.Of(amount, currency), owner, [.. path.Select(p => (p.Stage, Day(p.Day)))], probabilityOverride, lossReason, expectedClose);
}
