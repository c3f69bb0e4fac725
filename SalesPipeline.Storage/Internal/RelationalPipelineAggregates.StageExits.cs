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
        var limited = pipeline.Stages.Where(s => s.IsOpen && s.StaleAfter is not null).ToList();
        var parameters = new DynamicParameters(new
        {
            Pipeline = pipeline.Id.Value,
            Owner = owner?.Value,
            AsOf = dialect.Bound(Micros.Floor(asOf)),
            Start = PeriodStart(period),
            End = PeriodEnd(period),
        });
        for (var i = 0; i < limited.Count; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            parameters.Add("Stage" + n, limited[i].Id.Value);
            parameters.Add("Before" + n, dialect.Bound(Micros.Ceiling(Attention.StaleCutoff(limited[i].StaleAfter!.Value, asOf))));
        }

        return dialect.Database.ReadAsync(
            async (connection, transaction) =>
            {
                // When every stored deal is of this pipeline and no owner is asked for, the whole history is the pipeline's and is
                // read without looking each deal up; the snapshot is the same for both statements.
                var everyDeal = owner is null
                    && (await connection.QuerySingleAsync<PipelineRange>(new CommandDefinition(PipelineRangeSql, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
                        is { Lowest: var lowest, Highest: var highest }
                    && (lowest is null || (lowest == pipeline.Id.Value && highest == pipeline.Id.Value));
                var sql = StageExitsSql(period, everyDeal ? string.Empty : $" AND sc.opportunity_id IN (SELECT o.id FROM opportunities o WHERE o.pipeline_id = @Pipeline{OpportunityFilter.Owner(owner)})", limited.Count);
                var result = DealPass.StageExitGroups(pipeline, period, asOf, owner);
                await foreach (var r in connection.QueryUnbufferedAsync<StayRow>(sql, parameters, transaction).WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    if (r.Stay is null)
                    {
                        result.AddOpen(new StageId(r.Stage), r.Count, r.Stale);
                    }
                    else
                    {
                        result.AddStays(new StageId(r.Stage), dialect.ToDuration(r.Stay), r.Count);
                    }
                }

                return result.Result();
            },
            cancellationToken);
    }

    /// <summary>
    /// Each history entry with the deal's next entry (a primary-key look-up beside the one read of the history, in key order;
    /// cheaper than a window function on SQLite). An entry whose next one falls in the period and by @AsOf is a stay that ended
    /// there, grouped by its length; the entry in force at @AsOf (the next one later or none) puts the deal in its stage then,
    /// grouped with how many entered before the stage's stale cutoff (@Before{i} for @Stage{i}, the first
    /// <paramref name="limits"/> open stages with a limit).
    /// </summary>
    private static string StageExitsSql(Interval period, string deals, int limits)
    {
        var stale = new StringBuilder();
        if (limits == 0)
        {
            stale.Append('0');
        }
        else
        {
            stale.Append("CASE WHEN sc.at < CASE sc.to_stage");
            for (var i = 0; i < limits; i++)
            {
                stale.Append(CultureInfo.InvariantCulture, $" WHEN @Stage{i} THEN @Before{i}");
            }

            stale.Append(" END THEN 1 ELSE 0 END");
        }

        var endedIn = (period.HasStart ? " AND nx.at >= @Start" : string.Empty) + (period.HasEnd ? " AND nx.at < @End" : string.Empty);
        return
            "SELECT x.Stage AS Stage, x.Stay AS Stay, COUNT(*) AS Count, SUM(x.Stale) AS Stale FROM (" +
            $"SELECT sc.to_stage AS Stage, CASE WHEN nx.at <= @AsOf THEN nx.at - sc.at END AS Stay, {stale} AS Stale " +
            "FROM stage_changes sc LEFT JOIN stage_changes nx ON nx.opportunity_id = sc.opportunity_id AND nx.seq = sc.seq + 1 " +
            $"WHERE sc.at <= @AsOf AND (nx.at IS NULL OR nx.at > @AsOf OR (nx.at <= @AsOf{endedIn})){deals}) x " +
            "GROUP BY x.Stage, x.Stay";
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
        public object? Stay { get; set; }
        public long Count { get; set; }
        public long Stale { get; set; }
    }
#pragma warning restore CA1812
}
