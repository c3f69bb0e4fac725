using System.Data.Common;
using Dapper;
using SalesPipeline.Abstractions;
using NodaTime;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Storage.Internal;

/// <summary>Time in stage: the history facts' groups and the stays that ended in the period.</summary>
internal sealed partial class RelationalPipelineAggregates
{
    /// <summary>The lowest and highest pipeline id of the stored deals, each one index look-up.</summary>
    private const string PipelineRangeSql =
        "SELECT (SELECT MIN(o.pipeline_id) FROM opportunities o) AS Lowest, (SELECT MAX(o.pipeline_id) FROM opportunities o) AS Highest";

    /// <inheritdoc />
    /// <remarks>
    /// The time in stage of the history facts: the deals in each stage at <paramref name="asOf"/> and the stale ones come
    /// from the grouped read of the history, the stays that ended in the period from a read beside it.
    /// </remarks>
    public async Task<IReadOnlyList<StageExits>> StageExitsAsync(PipelineDefinition pipeline, Interval period, Instant asOf, UserId? owner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var facts = await HistoryFactsAsync(pipeline, new HistoryFactsRequest(asOf) { Owner = owner, TimeInStagePeriod = period }, cancellationToken).ConfigureAwait(false);
        return facts.TimeInStage!;
    }

    /// <summary>
    /// Whether every stored deal is of <paramref name="pipeline"/> and no owner is asked for: the whole history is then the
    /// pipeline's and is read without looking each deal up.
    /// </summary>
    private async Task<bool> EveryDealIsOfAsync(DbConnection connection, DbTransaction transaction, PipelineDefinition pipeline, UserId? owner, CancellationToken cancellationToken) =>
        owner is null
        && (await connection.QuerySingleAsync<PipelineRange>(Statement(PipelineRangeSql, null, transaction, cancellationToken)).ConfigureAwait(false))
            is { Lowest: var lowest, Highest: var highest }
        && (lowest is null || (lowest == pipeline.Id.Value && highest == pipeline.Id.Value));

    /// <summary>The condition that keeps a history alias to the pipeline's (and the owner's) deals, empty when every deal is.</summary>
    private static string DealsOf(string alias, UserId? owner, bool everyDeal) =>
        everyDeal ? string.Empty : $" AND {alias}.opportunity_id IN (SELECT o.id FROM opportunities o WHERE o.pipeline_id = @Pipeline{OpportunityFilter.Owner(owner)})";

    /// <summary>
    /// Adds the stays that ended in the period by <paramref name="asOf"/>: each entry made then with the one before it, looked
    /// up by one primary-key seek (<see cref="IStoreDialect.EntryBeforeFrom"/>). Their lengths are all but distinct, so they
    /// travel one by one rather than grouped.
    /// </summary>
    private async Task AddEndedStaysAsync(
        DbConnection connection, DbTransaction transaction, PipelineDefinition pipeline, Interval period, Instant asOf, UserId? owner, bool everyDeal, Action<StageId, Duration> add, CancellationToken cancellationToken)
    {
        var parameters = new { Pipeline = pipeline.Id.Value, Owner = owner?.Value, AsOf = dialect.Bound(Micros.Floor(asOf)), Start = PeriodStart(period), End = PeriodEnd(period) };
        var endedIn = (period.HasStart ? " AND nx.at >= @Start" : string.Empty) + (period.HasEnd ? " AND nx.at < @End" : string.Empty);
        var sql =
            $"SELECT pe.to_stage AS Stage, nx.at - pe.at AS Stay FROM {dialect.EntryBeforeFrom} " +
            $"WHERE nx.seq > 0 AND nx.at <= @AsOf{endedIn}{DealsOf("nx", owner, everyDeal)}";
        await ReadRowsAsync(connection, sql, parameters, transaction, r => add(new StageId(r.GetString(0)), dialect.ToDuration(r.GetValue(1))), cancellationToken).ConfigureAwait(false);
    }

#pragma warning disable CA1812 // Instantiated by Dapper.
    private sealed class PipelineRange
    {
        public string? Lowest { get; set; }
        public string? Highest { get; set; }
    }
#pragma warning restore CA1812
}
