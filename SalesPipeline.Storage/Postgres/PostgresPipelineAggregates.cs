using System.Globalization;
using Dapper;
using Npgsql;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Postgres;

/// <summary>The snapshot funnel and closed totals computed by PostgreSQL over the stored history.</summary>
/// <remarks>Thread-safe: every call uses its own pooled connection.</remarks>
internal sealed class PostgresPipelineAggregates(PostgresDatabase database) : IPipelineAggregates
{
    /// <summary>
    /// Per deal of the pipeline, the stage it was in at @AsOf: the target of its last history entry at or before it
    /// (an index-only seek on stage_changes (opportunity_id, at, seq) INCLUDE (to_stage)). Grouped by stage, currency and
    /// override, so the weighted value can be finished exactly in memory.
    /// </summary>
    internal const string SnapshotSql =
        "SELECT s.stage AS Stage, o.currency AS Currency, o.probability_override AS ProbabilityOverride, COUNT(*) AS Count, SUM(o.amount) AS Amount " +
        "FROM opportunities o CROSS JOIN LATERAL (SELECT sc.to_stage AS stage FROM stage_changes sc WHERE sc.opportunity_id = o.id AND sc.at <= @AsOf " +
        "ORDER BY sc.at DESC, sc.seq DESC LIMIT 1) s WHERE o.pipeline_id = @Pipeline{0} GROUP BY s.stage, o.currency, o.probability_override";

    internal const string ClosedSql =
        "SELECT o.currency AS Currency, o.outcome_kind AS OutcomeKind, COUNT(*) AS Count, SUM(o.amount) AS Amount FROM opportunities o " +
        "WHERE o.pipeline_id = @Pipeline AND o.closed_at >= @Start AND o.closed_at < @End AND o.outcome_kind IS NOT NULL{0} GROUP BY o.currency, o.outcome_kind";

    /// <inheritdoc />
    public async Task<IReadOnlyList<StageTotals>> SnapshotAsync(PipelineDefinition pipeline, Instant asOf, UserId? owner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var rows = await QueryAsync<SnapshotRow>(
            Sql(SnapshotSql, owner),
            new { AsOf = PgTime.Bound(Micros.Floor(asOf)), Pipeline = pipeline.Id.Value, Owner = owner?.Value },
            cancellationToken).ConfigureAwait(false);
        return AggregateResults.Snapshot(pipeline, rows.Select(r => new SnapshotGroup(r.Stage, r.Currency, r.ProbabilityOverride, r.Count, r.Amount)));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ClosedTotals>> ClosedAsync(PipelineDefinition pipeline, Instant periodStart, Instant periodEnd, UserId? owner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var rows = await QueryAsync<ClosedRow>(
            Sql(ClosedSql, owner),
            new { Pipeline = pipeline.Id.Value, Start = PgTime.Bound(Micros.Ceiling(periodStart)), End = PgTime.Bound(Micros.Ceiling(periodEnd)), Owner = owner?.Value },
            cancellationToken).ConfigureAwait(false);
        return AggregateResults.Closed(rows.Select(r => new ClosedGroup(r.Currency, Codes.Parse<OutcomeKind>(r.OutcomeKind), r.Count, r.Amount)));
    }

    /// <summary>Completes a query template with the owner condition when an owner is given (a fixed text; the owner is a parameter).</summary>
    internal static string Sql(string template, UserId? owner) =>
        string.Format(CultureInfo.InvariantCulture, template, owner is null ? string.Empty : " AND o.owner = @Owner");

    private Task<IEnumerable<T>> QueryAsync<T>(string sql, object parameters, CancellationToken cancellationToken) =>
        database.ReadAsync(
            (connection, transaction) => connection.QueryAsync<T>(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken)),
            cancellationToken);

#pragma warning disable CA1812 // Instantiated by Dapper.
    private sealed class SnapshotRow
    {
        public string Stage { get; set; } = string.Empty;
        public string Currency { get; set; } = string.Empty;
        public int? ProbabilityOverride { get; set; }
        public long Count { get; set; }
        public decimal Amount { get; set; }
    }

    private sealed class ClosedRow
    {
        public string Currency { get; set; } = string.Empty;
        public string OutcomeKind { get; set; } = string.Empty;
        public long Count { get; set; }
        public decimal Amount { get; set; }
    }
#pragma warning restore CA1812
}
