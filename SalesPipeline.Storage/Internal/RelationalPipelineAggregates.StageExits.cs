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
    /// <inheritdoc />
    public Task<IReadOnlyList<StageExits>> StageExitsAsync(PipelineDefinition pipeline, Interval period, Instant asOf, UserId? owner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var sql = StageExitsSql(pipeline, period, owner, out var limited);
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
                var result = DealPass.StageExitGroups(pipeline, period, asOf, owner);
                foreach (var r in await connection.QueryAsync<StayRow>(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
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
    /// Each history entry of the pipeline's deals with the instant of the deal's next entry (a window over the primary key's
    /// order, so the history is read once and never sorted). An entry whose next one falls in the period and by @AsOf is a stay
    /// that ended there, grouped by its length; the entry in force at @AsOf (next one later or none) puts the deal in its
    /// stage then, grouped with how many entered before the stage's stale cutoff (@Before{i} for @Stage{i}).
    /// </summary>
    private static string StageExitsSql(PipelineDefinition pipeline, Interval period, UserId? owner, out List<StageDefinition> limited)
    {
        limited = [.. pipeline.Stages.Where(s => s.IsOpen && s.StaleAfter is not null)];
        var stale = new StringBuilder();
        if (limited.Count == 0)
        {
            stale.Append('0');
        }
        else
        {
            stale.Append("CASE WHEN h.at < CASE h.to_stage");
            for (var i = 0; i < limited.Count; i++)
            {
                stale.Append(CultureInfo.InvariantCulture, $" WHEN @Stage{i} THEN @Before{i}");
            }

            stale.Append(" END THEN 1 ELSE 0 END");
        }

        var endedIn = (period.HasStart ? " AND h.next_at >= @Start" : string.Empty) + (period.HasEnd ? " AND h.next_at < @End" : string.Empty);
        return
            "SELECT x.Stage AS Stage, x.Stay AS Stay, COUNT(*) AS Count, SUM(x.Stale) AS Stale FROM (" +
            $"SELECT h.to_stage AS Stage, CASE WHEN h.next_at <= @AsOf THEN h.next_at - h.at END AS Stay, {stale} AS Stale FROM (" +
            "SELECT sc.to_stage, sc.at, LEAD(sc.at) OVER (PARTITION BY sc.opportunity_id ORDER BY sc.seq) AS next_at FROM stage_changes sc " +
            $"WHERE sc.opportunity_id IN (SELECT o.id FROM opportunities o WHERE o.pipeline_id = @Pipeline{OpportunityFilter.Owner(owner)})) h " +
            $"WHERE h.at <= @AsOf AND (h.next_at IS NULL OR h.next_at > @AsOf OR (h.next_at <= @AsOf{endedIn}))) x " +
            "GROUP BY x.Stage, x.Stay";
    }

#pragma warning disable CA1812 // Instantiated by Dapper.
    private sealed class StayRow
    {
        public string Stage { get; set; } = string.Empty;
        public object? Stay { get; set; }
        public long Count { get; set; }
        public long Stale { get; set; }
    }
#pragma warning restore CA1812
}
