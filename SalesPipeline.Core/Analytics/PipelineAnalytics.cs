using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Analytics.Internal;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics;

/// <summary>
/// The pipeline's reports as pure functions of the deals (their <see cref="OpportunityState"/>, history included), an as-of
/// instant or a period, and the <see cref="PipelineDefinition"/>. Deals of other pipelines are left out. Nothing reads the
/// clock: pass the instant you want (<c>clock.GetCurrentInstant()</c> for now). Every variant that people define differently is
/// an option with a documented default; amounts in different currencies are reported per currency unless the options carry
/// <see cref="ExchangeRates"/>. Hold <see cref="Opportunity"/> objects? Pass <c>opportunity.ToState()</c>.
/// </summary>
/// <remarks>
/// Thread-safe: every member is a pure function. Each enumerates <c>deals</c> once. Periods are NodaTime
/// <see cref="Interval"/>s: start inclusive, end exclusive, either end may be open (infinite).
/// The formulas are in <c>docs/analytics.md</c>.
/// </remarks>
public static class PipelineAnalytics
{
    /// <summary>
    /// The snapshot funnel as of an instant: per open stage in pipeline order, the count, value, weighted value
    /// (Σ value × probability ÷ 100, the probability being the deal's override, else the stage's default) and share of the
    /// total of the deals open at <paramref name="asOf"/>; plus the deals won and lost in a period. Agrees with
    /// <see cref="PipelineAggregates.Snapshot"/>. Allocates nothing per deal.
    /// </summary>
    /// <param name="deals">The deals.</param>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="asOf">The instant: a deal is in the stage of its last history entry at or before it.</param>
    /// <param name="options">Owner filter, close period and currency conversion; the defaults when left out.</param>
    /// <returns>The funnel.</returns>
    /// <exception cref="UnknownStageException">A deal is in a stage the pipeline does not have.</exception>
    /// <exception cref="MissingExchangeRateException">A conversion lacks the rate of a currency that occurs.</exception>
    /// <exception cref="ArgumentException"><paramref name="deals"/> contains <see langword="null"/>.</exception>
    public static SnapshotFunnel Snapshot(IEnumerable<OpportunityState> deals, PipelineDefinition pipeline, Instant asOf, SnapshotFunnelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(deals);
        ArgumentNullException.ThrowIfNull(pipeline);
        return SnapshotCalculator.Compute(DealArguments.NoNulls(deals), pipeline, asOf, options ?? new SnapshotFunnelOptions());
    }

    /// <summary>
    /// The same snapshot funnel as <see cref="Snapshot(IEnumerable{OpportunityState}, PipelineDefinition, Instant, SnapshotFunnelOptions?)"/>
    /// over the deals <paramref name="table"/> was built from, for every option, read from the table's columns: the same
    /// per-stage, per-currency sums in the same order and the same assembly. Build the table once with
    /// <see cref="DealTable.From"/> and ask it as often as you like; each query allocates only the result, whatever the number of deals.
    /// </summary>
    /// <param name="table">The deals, laid out as columns.</param>
    /// <param name="asOf">The instant: a deal is in the stage of its last history entry at or before it.</param>
    /// <param name="options">Owner filter, close period and currency conversion; the defaults when left out.</param>
    /// <returns>The funnel.</returns>
    /// <exception cref="MissingExchangeRateException">A conversion lacks the rate of a currency that occurs.</exception>
    public static SnapshotFunnel Snapshot(DealTable table, Instant asOf, SnapshotFunnelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        return SnapshotCalculator.Compute(table, asOf, options ?? new SnapshotFunnelOptions());
    }

    /// <summary>
    /// The same snapshot funnel as <see cref="Snapshot(IEnumerable{OpportunityState}, PipelineDefinition, Instant, SnapshotFunnelOptions?)"/>,
    /// built from the aggregates a store computes itself (in SQL), so that a large pipeline is never loaded into memory.
    /// </summary>
    /// <param name="aggregates">The store.</param>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="asOf">The instant.</param>
    /// <param name="options">Owner filter, close period and currency conversion. A period without a start asks the store from <see cref="Instant.MinValue"/>.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>The funnel.</returns>
    /// <exception cref="MissingExchangeRateException">A conversion lacks the rate of a currency that occurs.</exception>
    public static async Task<SnapshotFunnel> SnapshotAsync(
        IPipelineAggregates aggregates,
        PipelineDefinition pipeline,
        Instant asOf,
        SnapshotFunnelOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(aggregates);
        ArgumentNullException.ThrowIfNull(pipeline);
        var stageTotals = await aggregates.SnapshotAsync(pipeline, asOf, options?.Owner, cancellationToken).ConfigureAwait(false);
        return await SnapshotAsync(aggregates, pipeline, asOf, stageTotals, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The same snapshot funnel as <see cref="SnapshotAsync(IPipelineAggregates, PipelineDefinition, Instant, SnapshotFunnelOptions?, CancellationToken)"/>
    /// over stage totals already read (as <see cref="IPipelineAggregates.OpenDealsAsync"/> gives them with the forecast);
    /// only the closed totals are asked of the store.
    /// </summary>
    /// <param name="aggregates">The store.</param>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="asOf">The instant the stage totals were taken at.</param>
    /// <param name="stageTotals">The open deals per stage and currency at <paramref name="asOf"/>, for the owner of <paramref name="options"/>.</param>
    /// <param name="options">Owner filter, close period and currency conversion. A period without a start asks the store from <see cref="Instant.MinValue"/>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The funnel.</returns>
    /// <exception cref="MissingExchangeRateException">A conversion lacks the rate of a currency that occurs.</exception>
    public static async Task<SnapshotFunnel> SnapshotAsync(
        IPipelineAggregates aggregates,
        PipelineDefinition pipeline,
        Instant asOf,
        IReadOnlyList<StageTotals> stageTotals,
        SnapshotFunnelOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(aggregates);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(stageTotals);
        options ??= new SnapshotFunnelOptions();
        var period = SnapshotCalculator.ClosedPeriod(options, asOf);
        var closedTotals = await aggregates.ClosedAsync(
            pipeline,
            period.HasStart ? period.Start : Instant.MinValue,
            period.HasEnd ? period.End : Instant.MaxValue,
            options.Owner,
            cancellationToken).ConfigureAwait(false);
        return SnapshotCalculator.Assemble(pipeline, asOf, period, stageTotals, closedTotals, options.Conversion);
    }

    /// <summary>
    /// The same snapshot funnel as <see cref="SnapshotAsync(IPipelineAggregates, PipelineDefinition, Instant, IReadOnlyList{StageTotals}, SnapshotFunnelOptions?, CancellationToken)"/>
    /// with the closed deals taken from a win/loss report instead of asked of the store: its won and lost deals and values per
    /// currency are the closed totals of its period. Equals it when the stage totals and the win/loss report were computed
    /// over the same deals with the same owner, the report without conversion (<see cref="WinLossOptions.Conversion"/>).
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="asOf">The instant the stage totals were taken at.</param>
    /// <param name="stageTotals">The open deals per stage and currency at <paramref name="asOf"/> (as <see cref="IPipelineAggregates.OpenDealsAsync"/> gives them).</param>
    /// <param name="closed">The win/loss of the close period: its period is the funnel's closed period.</param>
    /// <param name="conversion">The rate table that converts every amount to one currency, or <see langword="null"/> for values per currency.</param>
    /// <returns>The funnel.</returns>
    /// <exception cref="MissingExchangeRateException">A conversion lacks the rate of a currency that occurs.</exception>
    public static SnapshotFunnel SnapshotFrom(PipelineDefinition pipeline, Instant asOf, IReadOnlyList<StageTotals> stageTotals, WinLossReport closed, ExchangeRates? conversion = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(stageTotals);
        ArgumentNullException.ThrowIfNull(closed);
        var closedTotals = closed.Total.Values.Where(v => v.Won > 0 || v.Lost > 0).Select(v => new ClosedTotals(v.Currency, v.Won, v.WonValue, v.Lost, v.LostValue)).ToList();
        return SnapshotCalculator.Assemble(pipeline, asOf, closed.Period, stageTotals, closedTotals, conversion);
    }

    /// <summary>
    /// The reached-stage (cohort) funnel: of the deals created in <paramref name="cohort"/>, how many reached each funnel
    /// stage (the open stages in pipeline order, then the won stage) by <paramref name="asOf"/>, with the conversion from the
    /// previous stage (reached(k) ÷ reached(k − 1)) and the cumulative conversion (reached(k) ÷ reached(first)).
    /// Lenient counting by default; strict as an option. A deal counts at most once per stage.
    /// </summary>
    /// <param name="deals">The deals.</param>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="cohort">The creation period (by <see cref="OpportunityState.CreatedAt"/>).</param>
    /// <param name="asOf">History after this instant is ignored.</param>
    /// <param name="options">Counting and owner filter; the defaults when left out.</param>
    /// <returns>The funnel.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The counting option is not a defined value.</exception>
    /// <exception cref="UnknownStageException">A deal's history names a stage the pipeline does not have.</exception>
    /// <exception cref="ArgumentException"><paramref name="deals"/> contains <see langword="null"/>.</exception>
    public static ReachedStageFunnel ReachedStages(IEnumerable<OpportunityState> deals, PipelineDefinition pipeline, Interval cohort, Instant asOf, ReachedStageFunnelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(deals);
        ArgumentNullException.ThrowIfNull(pipeline);
        return DealAccumulator.Run(DealPass.ReachedStages(pipeline, cohort, asOf, options), DealArguments.NoNulls(deals));
    }

    /// <summary>
    /// Win/loss of the deals closed in <paramref name="period"/> (by actual close instant): won and lost counts and values,
    /// win rate by count (won ÷ (won + lost)) and by value, average won deal size, by owner, by loss reason and by the stage
    /// deals were lost at (the stage before the lost stage). Open deals are left out of the rates unless
    /// <see cref="WinLossOptions.IncludeOpenDeals"/>. A rate with nothing to divide by is <see langword="null"/>.
    /// </summary>
    /// <param name="deals">The deals.</param>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="period">The close period.</param>
    /// <param name="options">Open deals, owner filter and currency conversion; the defaults when left out.</param>
    /// <returns>The report.</returns>
    /// <exception cref="MissingExchangeRateException">A conversion lacks the rate of a currency that occurs.</exception>
    /// <exception cref="ArgumentException"><paramref name="deals"/> contains <see langword="null"/>.</exception>
    public static WinLossReport WinLoss(IEnumerable<OpportunityState> deals, PipelineDefinition pipeline, Interval period, WinLossOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(deals);
        ArgumentNullException.ThrowIfNull(pipeline);
        return DealAccumulator.Run(DealPass.WinLoss(pipeline, period, options), DealArguments.NoNulls(deals));
    }

    /// <summary>
    /// The sales cycle of the deals closed in <paramref name="period"/>: days from creation to the actual close instant,
    /// mean and median, for won and lost deals separately and together.
    /// </summary>
    /// <param name="deals">The deals.</param>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="period">The close period.</param>
    /// <param name="options">Owner filter; the defaults when left out.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException"><paramref name="deals"/> contains <see langword="null"/>.</exception>
    public static SalesCycleReport SalesCycle(IEnumerable<OpportunityState> deals, PipelineDefinition pipeline, Interval period, SalesCycleOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(deals);
        ArgumentNullException.ThrowIfNull(pipeline);
        return DealAccumulator.Run(DealPass.SalesCycle(pipeline, period, options), DealArguments.NoNulls(deals));
    }

    /// <summary>
    /// Time in stage from the history intervals of every deal that existed at <paramref name="asOf"/>: per stage, the deals
    /// and visits, total days, and the mean and median days one deal spent in it. A deal's current stage counts up to <paramref name="asOf"/>.
    /// </summary>
    /// <param name="deals">The deals.</param>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="asOf">The instant current stays are measured up to; later history is ignored.</param>
    /// <param name="options">Owner filter and closed stages; the defaults when left out.</param>
    /// <returns>The report.</returns>
    /// <exception cref="UnknownStageException">A deal's history names a stage the pipeline does not have.</exception>
    /// <exception cref="ArgumentException"><paramref name="deals"/> contains <see langword="null"/>.</exception>
    public static TimeInStageReport TimeInStage(IEnumerable<OpportunityState> deals, PipelineDefinition pipeline, Instant asOf, TimeInStageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(deals);
        ArgumentNullException.ThrowIfNull(pipeline);
        return CycleCalculator.TimeInStage(DealArguments.NoNulls(deals), pipeline, asOf, options ?? new TimeInStageOptions());
    }

    /// <summary>
    /// One deal's stays in its stages, from its history up to <paramref name="asOf"/>: each entry starts a stay that ends at the
    /// next entry, the last one at <paramref name="asOf"/>. Together they span the deal's age (as of − first entry).
    /// </summary>
    /// <param name="deal">The deal.</param>
    /// <param name="asOf">The instant the current stay is measured up to; later history is ignored.</param>
    /// <returns>The stays, oldest first; empty when the deal did not exist yet.</returns>
    public static IReadOnlyList<StageInterval> StageIntervals(OpportunityState deal, Instant asOf)
    {
        ArgumentNullException.ThrowIfNull(deal);
        return CycleCalculator.Intervals(deal, asOf);
    }

    /// <summary>
    /// The weighted forecast: the deals open at <paramref name="asOf"/> by the month of their expected close date, with
    /// count, value and weighted value (Σ value × probability ÷ 100) per month.
    /// </summary>
    /// <param name="deals">The deals.</param>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="asOf">The instant the open deals are taken at.</param>
    /// <param name="options">Owner filter and currency conversion; the defaults when left out.</param>
    /// <returns>The forecast.</returns>
    /// <exception cref="MissingExchangeRateException">A conversion lacks the rate of a currency that occurs.</exception>
    /// <exception cref="ArgumentException"><paramref name="deals"/> contains <see langword="null"/>.</exception>
    public static ForecastReport Forecast(IEnumerable<OpportunityState> deals, PipelineDefinition pipeline, Instant asOf, ForecastOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(deals);
        ArgumentNullException.ThrowIfNull(pipeline);
        return DealAccumulator.Run(DealPass.Forecast(pipeline, asOf, options), DealArguments.NoNulls(deals));
    }

    /// <summary>
    /// Sales velocity, value per day = open deals × average won deal size × win rate ÷ average cycle length (days), with each
    /// input shown: open deals at <paramref name="asOf"/>; win rate, average won deal size and cycle length of the deals closed in
    /// <paramref name="period"/>.
    /// </summary>
    /// <param name="deals">The deals.</param>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="asOf">The instant the open deals are taken at.</param>
    /// <param name="period">The close period of the deals that give the rates.</param>
    /// <param name="options">Cycle basis, owner filter and currency conversion; the defaults when left out.</param>
    /// <returns>The velocity and its inputs.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The cycle basis is not a defined value.</exception>
    /// <exception cref="MissingExchangeRateException">A conversion lacks the rate of a currency that occurs.</exception>
    /// <exception cref="ArgumentException"><paramref name="deals"/> contains <see langword="null"/>.</exception>
    public static SalesVelocityReport Velocity(IEnumerable<OpportunityState> deals, PipelineDefinition pipeline, Instant asOf, Interval period, SalesVelocityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(deals);
        ArgumentNullException.ThrowIfNull(pipeline);
        return DealAccumulator.Run(DealPass.Velocity(pipeline, asOf, period, options), DealArguments.NoNulls(deals));
    }

    /// <summary>
    /// Sales velocity from figures a store aggregates itself (in SQL), without reading any deal: the open deals per currency
    /// of a snapshot taken at the as-of instant, the won and lost deals of a win/loss report and the mean cycle of a sales-cycle
    /// report over the same close period. Equals <see cref="Velocity(IEnumerable{OpportunityState}, PipelineDefinition, Instant, Interval, SalesVelocityOptions?)"/>
    /// when the three reports were computed over the same deals with the same owner (and the same conversion, if any).
    /// </summary>
    /// <param name="open">The snapshot at the as-of instant (its open deals; its closed figures are not used).</param>
    /// <param name="closed">Win/loss of the close period (its total won and lost deals, and won value per currency).</param>
    /// <param name="cycle">The sales cycle of the same close period.</param>
    /// <param name="cycleBasis">Which closed deals give the average cycle length.</param>
    /// <returns>The velocity and its inputs, as of the snapshot's instant over the win/loss report's period.</returns>
    /// <exception cref="ArgumentNullException">A report is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The win/loss and sales-cycle reports cover different periods.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The cycle basis is not a defined value.</exception>
    public static SalesVelocityReport VelocityFrom(SnapshotFunnel open, WinLossReport closed, SalesCycleReport cycle, VelocityCycleBasis cycleBasis = VelocityCycleBasis.WonDeals)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(closed);
        ArgumentNullException.ThrowIfNull(cycle);
        if (closed.Period != cycle.Period)
        {
            throw new ArgumentException($"The sales cycle covers {cycle.Period}, the win/loss {closed.Period}: compute both over the same close period.", nameof(cycle));
        }

        var averageCycle = cycleBasis switch
        {
            VelocityCycleBasis.WonDeals => cycle.Won.MeanDays,
            VelocityCycleBasis.AllClosedDeals => cycle.All.MeanDays,
            _ => throw new ArgumentOutOfRangeException(nameof(cycleBasis), cycleBasis, $"CycleBasis must be WonDeals or AllClosedDeals, was {(int)cycleBasis}."),
        };
        return VelocityAccumulator.Assemble(
            open.AsOf,
            closed.Period,
            cycleBasis,
            [.. open.OpenValues.Select(v => (v.Currency, v.Count))],
            closed.Total.Won,
            closed.Total.Lost,
            [.. closed.Total.Values.Where(v => v.Won > 0).Select(v => (v.Currency, v.Won, v.WonValue))],
            averageCycle);
    }
}
