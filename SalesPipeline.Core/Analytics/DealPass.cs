using NodaTime;
using SalesPipeline.Analytics.Internal;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics;

/// <summary>
/// Several analytics in one pass over the deals, for a host's own reports over a store too large to read twice: create the
/// accumulators you need, feed every deal to all of them once (<see cref="RunAsync"/> over
/// <c>IOpportunityStore.QueryAsync</c>, or <see cref="Run"/> over a list), then read each <c>Result()</c>. Each result equals
/// what the matching <see cref="PipelineAnalytics"/> calculator computes over the same deals with the same arguments; memory
/// holds a few sums per stage and currency, one number per closed deal or stage stay of the period for the medians, and one
/// entry per account that has won — never the deals.
/// </summary>
/// <remarks>Thread-safe: the factories are pure. The accumulators they return are not thread-safe; use each in one pass.</remarks>
public static class DealPass
{
    /// <summary>The snapshot funnel, as <see cref="PipelineAnalytics.Snapshot(IEnumerable{OpportunityState}, PipelineDefinition, Instant, SnapshotFunnelOptions?)"/>.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="asOf">The instant: a deal is in the stage of its last history entry at or before it.</param>
    /// <param name="options">Owner filter, close period and currency conversion; the defaults when left out.</param>
    /// <returns>The accumulator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is <see langword="null"/>.</exception>
    public static IDealAccumulator<SnapshotFunnel> Snapshot(PipelineDefinition pipeline, Instant asOf, SnapshotFunnelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return new SnapshotAccumulator(pipeline, asOf, options ?? new SnapshotFunnelOptions());
    }

    /// <summary>The reached-stage (cohort) funnel, as <see cref="PipelineAnalytics.ReachedStages"/>.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="cohort">The creation period.</param>
    /// <param name="asOf">History after this instant is ignored.</param>
    /// <param name="options">Counting and owner filter; the defaults when left out.</param>
    /// <returns>The accumulator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The counting option is not a defined value.</exception>
    public static IDealAccumulator<ReachedStageFunnel> ReachedStages(PipelineDefinition pipeline, Interval cohort, Instant asOf, ReachedStageFunnelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        options ??= new ReachedStageFunnelOptions();
        if (!Enum.IsDefined(options.Counting))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Counting, $"Counting must be Lenient or Strict, was {(int)options.Counting}.");
        }

        return new ReachedStageAccumulator(pipeline, cohort, asOf, options);
    }

    /// <summary>Win/loss of the deals closed in a period, as <see cref="PipelineAnalytics.WinLoss"/>.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="period">The close period.</param>
    /// <param name="options">Open deals, owner filter and currency conversion; the defaults when left out.</param>
    /// <returns>The accumulator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is <see langword="null"/>.</exception>
    public static IDealAccumulator<WinLossReport> WinLoss(PipelineDefinition pipeline, Interval period, WinLossOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return new WinLossAccumulator(pipeline, period, options ?? new WinLossOptions());
    }

    /// <summary>
    /// Win/loss as <see cref="WinLoss"/>, fed with groups of deals (a store's SQL aggregate) through
    /// <see cref="IWinLossGroups.AddGroup"/> instead of one deal at a time.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="period">The close period.</param>
    /// <param name="options">Open deals, owner filter and currency conversion; the defaults when left out.</param>
    /// <returns>The accumulator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is <see langword="null"/>.</exception>
    public static IWinLossGroups WinLossGroups(PipelineDefinition pipeline, Interval period, WinLossOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return new WinLossAccumulator(pipeline, period, options ?? new WinLossOptions());
    }

    /// <summary>The sales cycle of the deals closed in a period, as <see cref="PipelineAnalytics.SalesCycle"/>.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="period">The close period.</param>
    /// <param name="options">Owner filter; the defaults when left out.</param>
    /// <returns>The accumulator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is <see langword="null"/>.</exception>
    public static IDealAccumulator<SalesCycleReport> SalesCycle(PipelineDefinition pipeline, Interval period, SalesCycleOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return new SalesCycleAccumulator(pipeline, period, options ?? new SalesCycleOptions());
    }

    /// <summary>
    /// The sales cycle as <see cref="SalesCycle"/>, fed with groups of deals (a store's SQL aggregate) through
    /// <see cref="ISalesCycleGroups.AddGroup"/> instead of one deal at a time.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="period">The close period.</param>
    /// <param name="options">Owner filter; the defaults when left out.</param>
    /// <returns>The accumulator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is <see langword="null"/>.</exception>
    public static ISalesCycleGroups SalesCycleGroups(PipelineDefinition pipeline, Interval period, SalesCycleOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return new SalesCycleAccumulator(pipeline, period, options ?? new SalesCycleOptions());
    }

    /// <summary>The weighted forecast of the deals open at an instant, as <see cref="PipelineAnalytics.Forecast"/>.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="asOf">The instant the open deals are taken at.</param>
    /// <param name="options">Owner filter, overdue cut-off and currency conversion; the defaults when left out.</param>
    /// <returns>The accumulator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is <see langword="null"/>.</exception>
    public static IDealAccumulator<ForecastReport> Forecast(PipelineDefinition pipeline, Instant asOf, ForecastOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return new ForecastAccumulator(pipeline, asOf, options ?? new ForecastOptions());
    }

    /// <summary>
    /// The weighted forecast as <see cref="Forecast"/>, fed with groups of deals (a store's SQL aggregate) through
    /// <see cref="IForecastGroups.AddGroup"/> instead of one deal at a time.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="asOf">The instant the open deals are taken at.</param>
    /// <param name="options">Owner filter, overdue cut-off and currency conversion; the defaults when left out.</param>
    /// <returns>The accumulator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is <see langword="null"/>.</exception>
    public static IForecastGroups ForecastGroups(PipelineDefinition pipeline, Instant asOf, ForecastOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return new ForecastAccumulator(pipeline, asOf, options ?? new ForecastOptions());
    }

    /// <summary>Sales velocity, as <see cref="PipelineAnalytics.Velocity"/>.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="asOf">The instant the open deals are taken at.</param>
    /// <param name="period">The close period of the deals that give the rates.</param>
    /// <param name="options">Cycle basis, owner filter and currency conversion; the defaults when left out.</param>
    /// <returns>The accumulator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The cycle basis is not a defined value.</exception>
    public static IDealAccumulator<SalesVelocityReport> Velocity(PipelineDefinition pipeline, Instant asOf, Interval period, SalesVelocityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        options ??= new SalesVelocityOptions();
        if (!Enum.IsDefined(options.CycleBasis))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.CycleBasis, $"CycleBasis must be WonDeals or AllClosedDeals, was {(int)options.CycleBasis}.");
        }

        return new VelocityAccumulator(pipeline, asOf, period, options);
    }

    /// <summary>
    /// The figures of one period for comparing periods (won, lost, win rate, mean cycle of the won deals, pipeline created,
    /// deals open at the period's end with their value and weighted value), per currency.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="period">The period; its end is the instant the open deals are taken at.</param>
    /// <param name="owner">Only this salesperson's deals, or everyone's.</param>
    /// <returns>The accumulator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is <see langword="null"/>.</exception>
    public static IDealAccumulator<PeriodFiguresReport> PeriodFigures(PipelineDefinition pipeline, Interval period, UserId? owner = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return new PeriodFiguresAccumulator(pipeline, period, owner);
    }

    /// <summary>
    /// Time in stage seen from a period: per open stage, the stays that ended in the period (mean and median days), the deals
    /// in it at <paramref name="asOf"/> and how many of them are past the stage's stale-after limit.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="period">The period the stays ended in.</param>
    /// <param name="asOf">The instant the deals in each stage are counted at.</param>
    /// <param name="owner">Only this salesperson's deals, or everyone's.</param>
    /// <returns>The accumulator: one entry per open stage, in pipeline order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is <see langword="null"/>.</exception>
    public static IDealAccumulator<IReadOnlyList<StageExits>> StageExits(PipelineDefinition pipeline, Interval period, Instant asOf, UserId? owner = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return new StageExitAccumulator(pipeline, period, asOf, owner);
    }

    /// <summary>
    /// Time in stage as <see cref="StageExits"/>, fed with groups (a store's SQL aggregate) through
    /// <see cref="IStageExitGroups.AddStays"/> and <see cref="IStageExitGroups.AddOpen"/> instead of one deal at a time.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="period">The period the stays ended in.</param>
    /// <param name="asOf">The instant the deals in each stage are counted at.</param>
    /// <param name="owner">Only this salesperson's deals, or everyone's.</param>
    /// <returns>The accumulator: one entry per open stage, in pipeline order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is <see langword="null"/>.</exception>
    public static IStageExitGroups StageExitGroups(PipelineDefinition pipeline, Interval period, Instant asOf, UserId? owner = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return new StageExitAccumulator(pipeline, period, asOf, owner);
    }

    /// <summary>
    /// Revenue per account and currency from the won deals closed by <paramref name="asOf"/>: in the period and in all time,
    /// deals won, first and last win. Deals without an account are left out.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="period">The period of <see cref="AccountRevenue.WonInPeriod"/>.</param>
    /// <param name="asOf">Wins after this instant are ignored.</param>
    /// <param name="owner">Only this salesperson's deals, or everyone's.</param>
    /// <returns>The accumulator: one entry per account and currency that has won, by account id, then currency (ordinal).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is <see langword="null"/>.</exception>
    public static IDealAccumulator<IReadOnlyList<AccountRevenue>> AccountRevenue(PipelineDefinition pipeline, Interval period, Instant asOf, UserId? owner = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return new AccountRevenueAccumulator(pipeline, period, asOf, owner);
    }

    /// <summary>
    /// The figures of one period as <see cref="PeriodFigures"/>, fed with groups of deals (a store's SQL aggregate) through
    /// <see cref="IPeriodFiguresGroups.AddGroup"/> and <see cref="IPeriodFiguresGroups.AddWonCycles"/> instead of one deal at a time.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="period">The period; its end is the instant the open deals are taken at.</param>
    /// <param name="owner">Only this salesperson's deals, or everyone's.</param>
    /// <returns>The accumulator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is <see langword="null"/>.</exception>
    public static IPeriodFiguresGroups PeriodFiguresGroups(PipelineDefinition pipeline, Interval period, UserId? owner = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return new PeriodFiguresAccumulator(pipeline, period, owner);
    }

    /// <summary>
    /// The reached-stage funnel as <see cref="ReachedStages"/>, fed with groups of deals of the cohort (a store's SQL aggregate)
    /// through <see cref="IReachedStageGroups.AddGroup"/> instead of one deal at a time.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="cohort">The creation period.</param>
    /// <param name="asOf">History after this instant is ignored.</param>
    /// <param name="options">Counting and owner filter; the defaults when left out.</param>
    /// <returns>The accumulator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The counting option is not a defined value.</exception>
    public static IReachedStageGroups ReachedStagesGroups(PipelineDefinition pipeline, Interval cohort, Instant asOf, ReachedStageFunnelOptions? options = null) =>
        (ReachedStageAccumulator)ReachedStages(pipeline, cohort, asOf, options);

    /// <summary>
    /// Revenue per account as <see cref="AccountRevenue"/>, fed with groups (a store's SQL aggregate) through
    /// <see cref="IAccountRevenueGroups.AddGroup"/> instead of one deal at a time.
    /// </summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <param name="period">The period of <see cref="Analytics.AccountRevenue.WonInPeriod"/>.</param>
    /// <param name="asOf">Wins after this instant are ignored.</param>
    /// <param name="owner">Only this salesperson's deals, or everyone's.</param>
    /// <returns>The accumulator: one entry per account and currency that has won, by account id, then currency (ordinal).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is <see langword="null"/>.</exception>
    public static IAccountRevenueGroups AccountRevenueGroups(PipelineDefinition pipeline, Interval period, Instant asOf, UserId? owner = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return new AccountRevenueAccumulator(pipeline, period, asOf, owner);
    }

    /// <summary>Feeds every deal once to every accumulator, in order, until every accumulator is complete (<see cref="AreComplete"/>).</summary>
    /// <param name="deals">The deals.</param>
    /// <param name="accumulators">The accumulators.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="deals"/> contains <see langword="null"/>: a list is checked before any deal is fed, another sequence
    /// when the pass reaches it (the accumulators have then been fed the deals before it).
    /// </exception>
    public static void Run(IEnumerable<OpportunityState> deals, params IReadOnlyList<IDealAccumulator> accumulators)
    {
        ArgumentNullException.ThrowIfNull(deals);
        ArgumentNullException.ThrowIfNull(accumulators);
        if (AreComplete(accumulators))
        {
            return;
        }

        foreach (var deal in DealArguments.NoNulls(deals))
        {
            if (AddToAll(deal, accumulators))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Streams the deals (for example <c>IOpportunityStore.QueryAsync</c>) once, feeding each to every accumulator, and stops
    /// (disposing the stream) once every accumulator is complete (<see cref="AreComplete"/>).
    /// </summary>
    /// <param name="deals">The deals.</param>
    /// <param name="accumulators">The accumulators.</param>
    /// <param name="cancellationToken">Stops the pass.</param>
    /// <returns>A task that completes when every deal has been fed, or every accumulator is complete.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="deals"/> yields <see langword="null"/> (the accumulators have then been fed the deals before it).
    /// </exception>
    public static async Task RunAsync(IAsyncEnumerable<OpportunityState> deals, IReadOnlyList<IDealAccumulator> accumulators, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deals);
        ArgumentNullException.ThrowIfNull(accumulators);
        if (AreComplete(accumulators))
        {
            return;
        }

        await foreach (var deal in DealArguments.NoNulls(deals).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (AddToAll(deal, accumulators))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Whether every accumulator is complete (<see cref="IDealAccumulator.IsComplete"/>), so a pass feeding them may stop
    /// reading deals; <see langword="true"/> for no accumulators.
    /// </summary>
    /// <param name="accumulators">The accumulators of one pass.</param>
    /// <returns><see langword="true"/> when none of them needs another deal.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="accumulators"/> is <see langword="null"/>.</exception>
    public static bool AreComplete(IReadOnlyList<IDealAccumulator> accumulators)
    {
        ArgumentNullException.ThrowIfNull(accumulators);
        for (var i = 0; i < accumulators.Count; i++)
        {
            if (!accumulators[i].IsComplete)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Feeds one deal to every accumulator; returns whether they are all complete then.</summary>
    private static bool AddToAll(OpportunityState deal, IReadOnlyList<IDealAccumulator> accumulators)
    {
        for (var i = 0; i < accumulators.Count; i++)
        {
            accumulators[i].Add(deal);
        }

        return AreComplete(accumulators);
    }
}
