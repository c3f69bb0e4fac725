using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using NodaTime;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Storage.Internal;

/// <summary>Time in stage from one read of the history.</summary>
internal sealed partial class RelationalPipelineAggregates
{
    /// <summary>The lowest and highest pipeline id of the stored deals, each one index look-up.</summary>
    private const string PipelineRangeSql =
        "SELECT (SELECT MIN(o.pipeline_id) FROM opportunities o) AS Lowest, (SELECT MAX(o.pipeline_id) FROM opportunities o) AS Highest";

    /// <inheritdoc />
    public Task<IReadOnlyList<StageExits>> StageExitsAsync(PipelineDefinition pipeline, Interval period, Instant asOf, UserId? owner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var parameters = new DynamicParameters(new { Pipeline = pipeline.Id.Value, Owner = owner?.Value, AsOf = dialect.Bound(Micros.Floor(asOf)) });
        var stale = new StringBuilder();
        var code = new StringBuilder("CASE sc.to_stage");
        for (var i = 0; i < pipeline.Stages.Count; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            var stage = pipeline.Stages[i];
            parameters.Add("Stage" + n, stage.Id.Value);
            code.Append(CultureInfo.InvariantCulture, $" WHEN @Stage{n} THEN {n}");
            if (stage.IsOpen && stage.StaleAfter is { } limit)
            {
                parameters.Add("Before" + n, dialect.Bound(Micros.Ceiling(Attention.StaleCutoff(limit, asOf))));
                stale.Append(CultureInfo.InvariantCulture, $" WHEN @Stage{n} THEN @Before{n}");
            }
        }

        var stages = pipeline.Stages.Count + 1;
        code.Append(CultureInfo.InvariantCulture, $" ELSE {pipeline.Stages.Count} END");
        var staleBit = stale.Length == 0 ? "0" : $"CASE WHEN sc.at < CASE sc.to_stage{stale} END THEN {stages} ELSE 0 END";

        return dialect.Database.ReadAsync(
            async (connection, transaction) =>
            {
                var everyDeal = await EveryDealIsOfAsync(connection, transaction, pipeline, owner, cancellationToken).ConfigureAwait(false);
                var result = DealPass.StageExitGroups(pipeline, period, asOf, owner);
                await AddEndedStaysAsync(connection, transaction, pipeline, period, asOf, owner, everyDeal, (stage, length) => result.AddStays(stage, length, 1), cancellationToken).ConfigureAwait(false);

                // The entry in force at @AsOf puts each deal in its stage then: per deal the highest seq * 2K + stale * K + stage
                // code among its entries by then, grouped by stage and staleness (entered before the stage's cutoff @Before{i}).
                var inForce =
                    $"SELECT x.a % {2 * stages} AS Packed, COUNT(*) AS Count FROM (" +
                    $"SELECT MAX(CASE WHEN sc.at <= @AsOf THEN sc.seq * {2 * stages} + {staleBit} + {code} END) AS a " +
                    $"FROM stage_changes sc WHERE sc.at <= @AsOf{DealsOf("sc", owner, everyDeal)} GROUP BY sc.opportunity_id) x GROUP BY x.a % {2 * stages}";
                var open = new long[pipeline.Stages.Count];
                var staleNow = new long[pipeline.Stages.Count];
                await foreach (var r in connection.QueryUnbufferedAsync<InForceRow>(inForce, parameters, transaction).WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    var stage = (int)(r.Packed % stages);
                    if (stage == pipeline.Stages.Count)
                    {
                        throw HistoryFactsQuery.UnknownStage(pipeline);
                    }

                    open[stage] += r.Count;
                    staleNow[stage] += r.Packed >= stages ? r.Count : 0;
                }

                for (var i = 0; i < open.Length; i++)
                {
                    if (open[i] > 0)
                    {
                        result.AddOpen(pipeline.Stages[i].Id, open[i], staleNow[i]);
                    }
                }

                return result.Result();
            },
            cancellationToken);
    }

    /// <summary>
    /// Whether every stored deal is of <paramref name="pipeline"/> and no owner is asked for: the whole history is then the
    /// pipeline's and is read without looking each deal up.
    /// </summary>
    private static async Task<bool> EveryDealIsOfAsync(DbConnection connection, DbTransaction transaction, PipelineDefinition pipeline, UserId? owner, CancellationToken cancellationToken) =>
        owner is null
        && (await connection.QuerySingleAsync<PipelineRange>(new CommandDefinition(PipelineRangeSql, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
            is { Lowest: var lowest, Highest: var highest }
        && (lowest is null || (lowest == pipeline.Id.Value && highest == pipeline.Id.Value));

    /// <summary>The condition that keeps a history alias to the pipeline's (and the owner's) deals, empty when every deal is.</summary>
    private static string DealsOf(string alias, UserId? owner, bool everyDeal) =>
        everyDeal ? string.Empty : $" AND {alias}.opportunity_id IN (SELECT o.id FROM opportunities o WHERE o.pipeline_id = @Pipeline{OpportunityFilter.Owner(owner)})";

    /// <summary>
    /// Adds the stays that ended in the period by <paramref name="asOf"/>: each entry made then with the one before it, looked
    /// up by primary key (a join lets PostgreSQL hash the whole history instead). Their lengths are all but distinct, so they
    /// travel one by one rather than grouped.
    /// </summary>
    private async Task AddEndedStaysAsync(
        DbConnection connection, DbTransaction transaction, PipelineDefinition pipeline, Interval period, Instant asOf, UserId? owner, bool everyDeal, Action<StageId, Duration> add, CancellationToken cancellationToken)
    {
        var parameters = new { Pipeline = pipeline.Id.Value, Owner = owner?.Value, AsOf = dialect.Bound(Micros.Floor(asOf)), Start = PeriodStart(period), End = PeriodEnd(period) };
        var endedIn = (period.HasStart ? " AND nx.at >= @Start" : string.Empty) + (period.HasEnd ? " AND nx.at < @End" : string.Empty);
        const string Before = "FROM stage_changes sc WHERE sc.opportunity_id = nx.opportunity_id AND sc.seq = nx.seq - 1";
        var sql =
            $"SELECT (SELECT sc.to_stage {Before}) AS Stage, nx.at - (SELECT sc.at {Before}) AS Stay FROM stage_changes nx " +
            $"WHERE nx.seq > 0 AND nx.at <= @AsOf{endedIn}{DealsOf("nx", owner, everyDeal)}";
        await foreach (var r in connection.QueryUnbufferedAsync<StayRow>(sql, parameters, transaction).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            add(new StageId(r.Stage), dialect.ToDuration(r.Stay));
        }
    }

#pragma warning disable CA1812 // Instantiated by Dapper.
    private sealed class PipelineRange
    {
        public string? Lowest { get; set; }
        public string? Highest { get; set; }
    }

    private sealed class StayRow
    {
        public string Stage { get; set; } = string.Empty;
        public object Stay { get; set; } = 0L;
    }

    private sealed class InForceRow
    {
        public long Packed { get; set; }
        public long Count { get; set; }
    }
#pragma warning restore CA1812
}
