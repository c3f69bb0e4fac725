using NodaTime;
using SalesPipeline.Analytics.Internal;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Abstractions;

/// <summary>Open deals in one stage and currency at an instant.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Currency">The currency of the values.</param>
/// <param name="Count">How many open deals were in the stage.</param>
/// <param name="Value">Their summed value.</param>
/// <param name="WeightedValue">Their summed value × probability.</param>
public sealed record StageTotals(StageId Stage, string Currency, long Count, decimal Value, decimal WeightedValue);

/// <summary>Deals closed in a period, in one currency.</summary>
/// <param name="Currency">The currency of the values.</param>
/// <param name="WonCount">How many were won.</param>
/// <param name="WonValue">Their summed value.</param>
/// <param name="LostCount">How many were lost.</param>
/// <param name="LostValue">Their summed value.</param>
public sealed record ClosedTotals(string Currency, long WonCount, decimal WonValue, long LostCount, decimal LostValue);

/// <summary>The deals open at one instant as the snapshot and the forecast both take them, read together.</summary>
/// <param name="Stages">The snapshot's open deals per stage and currency, as <see cref="IPipelineAggregates.SnapshotAsync"/> returns them.</param>
/// <param name="Forecast">The forecast, as <see cref="IPipelineAggregates.ForecastAsync"/> returns it.</param>
public sealed record OpenDealFigures(IReadOnlyList<StageTotals> Stages, Analytics.ForecastReport Forecast);

/// <summary>
/// Aggregates a store can compute itself (in SQL) so that large pipelines are never loaded into memory.
/// Results must equal <see cref="PipelineAggregates"/> computed over the same deals.
/// </summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface IPipelineAggregates
{
    /// <summary>
    /// The snapshot funnel: per stage the deal was in at <paramref name="asOf"/> (the last history entry at or before it)
    /// and per currency, the open deals' count, value and weighted value. Deals created after <paramref name="asOf"/>
    /// and deals closed at or before it are left out. The probability is the deal's override, else the stage's default.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="asOf">The instant.</param>
    /// <param name="owner">Only this salesperson's deals, or everyone's.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>One row per (stage, currency) with at least one deal, in pipeline order then currency.</returns>
    Task<IReadOnlyList<StageTotals>> SnapshotAsync(PipelineDefinition pipeline, Instant asOf, UserId? owner = null, CancellationToken cancellationToken = default);

    /// <summary>Won and lost deals whose close instant is in [<paramref name="periodStart"/>, <paramref name="periodEnd"/>), per currency.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="periodStart">The start of the period (inclusive).</param>
    /// <param name="periodEnd">The end of the period (exclusive).</param>
    /// <param name="owner">Only this salesperson's deals, or everyone's.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>One row per currency with at least one closed deal, by currency.</returns>
    Task<IReadOnlyList<ClosedTotals>> ClosedAsync(PipelineDefinition pipeline, Instant periodStart, Instant periodEnd, UserId? owner = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Win/loss of the deals closed in <paramref name="period"/>, by owner, loss reason and stage lost at, exactly as
    /// <see cref="Analytics.PipelineAnalytics.WinLoss"/> computes it over the stored deals; a database store groups the deals
    /// in SQL and only the few groups are finished in memory.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="period">The close period.</param>
    /// <param name="options">Open deals, owner filter and currency conversion; the defaults when left out.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The report.</returns>
    /// <exception cref="Analytics.MissingExchangeRateException">A conversion lacks the rate of a currency that occurs.</exception>
    Task<Analytics.WinLossReport> WinLossAsync(PipelineDefinition pipeline, Interval period, Analytics.WinLossOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The sales cycle (created → closed, mean and median) of the deals closed in <paramref name="period"/>, won and lost apart
    /// and together, exactly as <see cref="Analytics.PipelineAnalytics.SalesCycle"/> computes it over the stored deals; a
    /// database store computes each deal's cycle in SQL and returns only the cycle lengths, grouped.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="period">The close period.</param>
    /// <param name="options">Owner filter; the defaults when left out.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The report.</returns>
    Task<Analytics.SalesCycleReport> SalesCycleAsync(PipelineDefinition pipeline, Interval period, Analytics.SalesCycleOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Feeds every deal of <paramref name="pipeline"/> (only <paramref name="owner"/>'s when given) once to each accumulator,
    /// for the figures a GROUP BY cannot give cheaply (history funnels, time in stage, velocity, revenue per account): each
    /// deal comes with its own fields and its stage history, but its activities and offers may be left empty, as no
    /// calculator of <see cref="Analytics.DealPass"/> reads them. Every store feeds the deals in id order and stops reading
    /// once every accumulator is complete (<see cref="Analytics.IDealAccumulator.IsComplete"/>), so a pass that needs only
    /// the first deals reads little more than those; a database store reads them forward-only, without their activities and
    /// offers.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="owner">Only this salesperson's deals, or everyone's.</param>
    /// <param name="accumulators">The accumulators, each fed every deal in turn.</param>
    /// <param name="closedSince">
    /// When given, the deals closed before it (by their close instant now) are left out: the deals a figure of a period starting
    /// then can need, such as a report's rows of the deals open at its end or closed in it. A database finds the rest through
    /// the close-date index rather than reading the older deals.
    /// </param>
    /// <param name="cancellationToken">Cancels the pass.</param>
    /// <returns>A task that completes when every deal has been fed, or every accumulator is complete.</returns>
    Task PassAsync(PipelineDefinition pipeline, UserId? owner, IReadOnlyList<Analytics.IDealAccumulator> accumulators, Instant? closedSince = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The weighted forecast of the deals open at <paramref name="asOf"/> by expected close month, exactly as
    /// <see cref="Analytics.PipelineAnalytics.Forecast"/> computes it over the stored deals; a database store groups the
    /// deals in SQL and only the few groups are finished in memory.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="asOf">The instant the open deals are taken at.</param>
    /// <param name="options">Owner filter, overdue date and currency conversion; the defaults when left out.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The forecast.</returns>
    /// <exception cref="Analytics.MissingExchangeRateException">A conversion lacks the rate of a currency that occurs.</exception>
    Task<Analytics.ForecastReport> ForecastAsync(PipelineDefinition pipeline, Instant asOf, Analytics.ForecastOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The snapshot's stage totals and the forecast at one instant, equal to <see cref="SnapshotAsync"/> (for the owner of
    /// <paramref name="options"/>) and <see cref="ForecastAsync"/> called apart; a database store finds the stage each deal
    /// was in at <paramref name="asOf"/> once for both, in one query whose groups give the forecast and, summed, the snapshot.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="asOf">The instant the open deals are taken at.</param>
    /// <param name="options">Owner filter, overdue date and currency conversion of the forecast; the defaults when left out.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The stage totals and the forecast.</returns>
    /// <exception cref="Analytics.MissingExchangeRateException">A conversion lacks the rate of a currency that occurs.</exception>
    Task<OpenDealFigures> OpenDealsAsync(PipelineDefinition pipeline, Instant asOf, Analytics.ForecastOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The figures a report takes from the stage history, computed together: the snapshot's stage totals and the forecast at
    /// the as-of instant (as <see cref="OpenDealsAsync"/>), the figures of each period (as <see cref="Analytics.DealPass.PeriodFigures"/>),
    /// the reached-stage funnel of a cohort (as <see cref="Analytics.DealPass.ReachedStages"/>), how many deals a detail sheet
    /// shows and the time in stage (as <see cref="StageExitsAsync"/>). A database store reads the history once, finding in the
    /// same grouped scan the stage each deal was in at every instant asked (and at the as-of instant whether it was stale there)
    /// and how far it went in the funnel, joins that to the deals once and returns only groups, finished in memory; the stays
    /// that ended in the time-in-stage period and the won deals' cycles are read beside it, in the same state of the store.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="request">The as-of instant, owner, forecast options, periods, cohort, detail period and time-in-stage period.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The figures.</returns>
    /// <exception cref="Analytics.MissingExchangeRateException">The forecast's conversion lacks the rate of a currency that occurs.</exception>
    /// <exception cref="InvalidDataException">A database store holds a value the library never writes, such as a probability override outside 0 to 100 or an unknown outcome; the message names it.</exception>
    Task<HistoryFacts> HistoryFactsAsync(PipelineDefinition pipeline, HistoryFactsRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Time in stage seen from <paramref name="period"/>, exactly as <see cref="Analytics.DealPass.StageExits"/> computes it over
    /// the stored deals; a database store takes the deals in each stage at <paramref name="asOf"/>, with how many of them are
    /// stale, from the history facts' grouped read (<see cref="HistoryFactsRequest.TimeInStagePeriod"/>) and reads the stays
    /// that ended in the period beside it.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="period">The period the stays ended in.</param>
    /// <param name="asOf">The instant the deals in each stage are counted at; stays ending after it are left out.</param>
    /// <param name="owner">Only this salesperson's deals, or everyone's.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>One entry per open stage, in pipeline order.</returns>
    Task<IReadOnlyList<Analytics.StageExits>> StageExitsAsync(PipelineDefinition pipeline, Interval period, Instant asOf, UserId? owner = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Revenue per account and currency from the won deals closed by <paramref name="asOf"/>, exactly as
    /// <see cref="Analytics.DealPass.AccountRevenue"/> computes it over the stored deals; a database store groups the deals in SQL.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="period">The period of <see cref="Analytics.AccountRevenue.WonInPeriod"/>.</param>
    /// <param name="asOf">Wins after this instant are ignored.</param>
    /// <param name="owner">Only this salesperson's deals, or everyone's.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>One entry per account and currency that has won, by account id, then currency (ordinal).</returns>
    Task<IReadOnlyList<Analytics.AccountRevenue>> AccountRevenueAsync(PipelineDefinition pipeline, Interval period, Instant asOf, UserId? owner = null, CancellationToken cancellationToken = default);

    /// <summary>How many deals each pipeline holds; a database store counts them in SQL through the pipeline index.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>One entry per pipeline that holds a deal, by pipeline id (ordinal).</returns>
    Task<IReadOnlyList<PipelineDeals>> DealCountsAsync(CancellationToken cancellationToken = default);
}

/// <summary>How many deals a pipeline holds (<see cref="IPipelineAggregates.DealCountsAsync"/>).</summary>
/// <param name="Pipeline">The pipeline.</param>
/// <param name="Deals">Its deals.</param>
public sealed record PipelineDeals(PipelineId Pipeline, long Deals);

/// <summary>The reference computation of <see cref="IPipelineAggregates"/> over deals in memory.</summary>
public static class PipelineAggregates
{
    /// <summary>Computes the snapshot funnel as <see cref="IPipelineAggregates.SnapshotAsync"/> defines it.</summary>
    /// <param name="deals">The deals.</param>
    /// <param name="pipeline">The pipeline; deals of other pipelines are left out.</param>
    /// <param name="asOf">The instant.</param>
    /// <param name="owner">Only this salesperson's deals, or everyone's.</param>
    /// <returns>The totals.</returns>
    /// <exception cref="ArgumentException"><paramref name="deals"/> contains <see langword="null"/>.</exception>
    public static IReadOnlyList<StageTotals> Snapshot(IEnumerable<OpportunityState> deals, PipelineDefinition pipeline, Instant asOf, UserId? owner = null)
    {
        ArgumentNullException.ThrowIfNull(deals);
        ArgumentNullException.ThrowIfNull(pipeline);
        var totals = new Dictionary<(StageId, string), (long Count, decimal Value, decimal Weighted)>();
        foreach (var deal in DealArguments.NoNulls(deals))
        {
            if (deal.PipelineId != pipeline.Id || (owner is not null && deal.Owner != owner) || StageAt(deal, asOf) is not { } stageId)
            {
                continue;
            }

            var stage = pipeline.Stage(stageId);
            if (!stage.IsOpen)
            {
                continue;
            }

            var probability = DealProbability.Of(stage, deal.ProbabilityOverride);
            var key = (stageId, deal.Value.Currency);
            var t = totals.GetValueOrDefault(key);
            totals[key] = (t.Count + 1, t.Value + deal.Value.Amount, t.Weighted + DealProbability.Weighted(deal.Value.Amount, probability));
        }

        return
        [
            .. totals
                .OrderBy(kv => pipeline.Stage(kv.Key.Item1).Order)
                .ThenBy(kv => kv.Key.Item2, StringComparer.Ordinal)
                .Select(kv => new StageTotals(kv.Key.Item1, kv.Key.Item2, kv.Value.Count, kv.Value.Value, kv.Value.Weighted)),
        ];
    }

    /// <summary>Computes closed totals as <see cref="IPipelineAggregates.ClosedAsync"/> defines them.</summary>
    /// <param name="deals">The deals.</param>
    /// <param name="pipeline">The pipeline; deals of other pipelines are left out.</param>
    /// <param name="periodStart">The start of the period (inclusive).</param>
    /// <param name="periodEnd">The end of the period (exclusive).</param>
    /// <param name="owner">Only this salesperson's deals, or everyone's.</param>
    /// <returns>The totals.</returns>
    /// <exception cref="ArgumentException"><paramref name="deals"/> contains <see langword="null"/>.</exception>
    public static IReadOnlyList<ClosedTotals> Closed(IEnumerable<OpportunityState> deals, PipelineDefinition pipeline, Instant periodStart, Instant periodEnd, UserId? owner = null)
    {
        ArgumentNullException.ThrowIfNull(deals);
        ArgumentNullException.ThrowIfNull(pipeline);
        var totals = new SortedDictionary<string, ClosedTotals>(StringComparer.Ordinal);
        foreach (var deal in DealArguments.NoNulls(deals))
        {
            if (deal.PipelineId != pipeline.Id || (owner is not null && deal.Owner != owner)
                || deal.Outcome is not { } outcome || outcome.ClosedAt < periodStart || outcome.ClosedAt >= periodEnd)
            {
                continue;
            }

            var t = totals.GetValueOrDefault(deal.Value.Currency) ?? new ClosedTotals(deal.Value.Currency, 0, 0m, 0, 0m);
            totals[deal.Value.Currency] = outcome.Kind == OutcomeKind.Won
                ? t with { WonCount = t.WonCount + 1, WonValue = t.WonValue + deal.Value.Amount }
                : t with { LostCount = t.LostCount + 1, LostValue = t.LostValue + deal.Value.Amount };
        }

        return [.. totals.Values];
    }

    /// <summary>
    /// Gets the stage a report's detail sheet shows a deal in (<see cref="HistoryFactsRequest.DetailPeriod"/>): its stage at
    /// <paramref name="asOf"/> when that is open, or closed unless the deal is still closed with a close instant outside
    /// <paramref name="period"/>.
    /// </summary>
    /// <param name="deal">The deal.</param>
    /// <param name="pipeline">The deal's pipeline.</param>
    /// <param name="asOf">The instant the stage is taken at.</param>
    /// <param name="period">The close period of the sheet.</param>
    /// <returns>The stage, or <see langword="null"/> when the sheet leaves the deal out.</returns>
    public static StageDefinition? DetailStage(OpportunityState deal, PipelineDefinition pipeline, Instant asOf, Interval period)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        if (StageAt(deal, asOf) is not { } id)
        {
            return null;
        }

        var stage = pipeline.Stage(id);
        return stage.IsOpen || deal.Outcome is not { } outcome || period.Contains(outcome.ClosedAt) ? stage : null;
    }

    /// <summary>Gets the stage a deal was in at an instant: the target of its last history entry at or before it.</summary>
    /// <param name="deal">The deal.</param>
    /// <param name="asOf">The instant.</param>
    /// <returns>The stage, or <see langword="null"/> when the deal did not exist yet.</returns>
    public static StageId? StageAt(OpportunityState deal, Instant asOf)
    {
        ArgumentNullException.ThrowIfNull(deal);
        StageId? stage = null;
        foreach (var change in deal.History)
        {
            if (change.At > asOf)
            {
                break;
            }

            stage = change.To;
        }

        return stage;
    }
}
