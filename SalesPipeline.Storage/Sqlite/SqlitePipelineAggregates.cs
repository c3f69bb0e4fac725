using Dapper;
using Microsoft.Data.Sqlite;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Sqlite;

/// <summary>The snapshot funnel and closed totals computed by SQLite over the stored history.</summary>
/// <remarks>Thread-safe: every call uses its own pooled connection.</remarks>
internal sealed class SqlitePipelineAggregates(SqliteDatabase database) : IPipelineAggregates
{
    /// <summary>
    /// Per deal of the pipeline, the stage it was in at @AsOf: the target of its last history entry at or before it.
    /// The inner query reads stage_changes once in key order (opportunity_id, seq) and keeps, per deal, the row with the
    /// largest seq at or before @AsOf (SQLite takes a bare column from the row that holds the MAX). Histories never go
    /// back in time, so that is the last entry at or before @AsOf. The deals are then looked up in the same id order.
    /// Grouped by stage, currency and override, so the weighted value can be finished exactly in memory.
    /// </summary>
    internal const string SnapshotSql =
        "SELECT x.stage AS Stage, o.currency AS Currency, o.probability_override AS ProbabilityOverride, COUNT(*) AS Count, SUM(o.amount_minor) AS AmountMinor " +
        "FROM (SELECT opportunity_id, to_stage AS stage, MAX(seq) FROM stage_changes WHERE at <= @AsOf GROUP BY opportunity_id) x " +
        "CROSS JOIN opportunities o ON o.id = x.opportunity_id " +
        "WHERE o.pipeline_id = @Pipeline{0} GROUP BY x.stage, o.currency, o.probability_override";

    internal const string ClosedSql =
        "SELECT o.currency AS Currency, o.outcome_kind AS OutcomeKind, COUNT(*) AS Count, SUM(o.amount_minor) AS AmountMinor FROM opportunities o " +
        "WHERE o.pipeline_id = @Pipeline AND o.closed_at >= @Start AND o.closed_at < @End AND o.outcome_kind IS NOT NULL{0} GROUP BY o.currency, o.outcome_kind";

    /// <inheritdoc />
    public async Task<IReadOnlyList<StageTotals>> SnapshotAsync(PipelineDefinition pipeline, Instant asOf, UserId? owner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var rows = await QueryAsync<SnapshotRow>(
            Sql(SnapshotSql, owner),
            new { AsOf = Micros.Floor(asOf), Pipeline = pipeline.Id.Value, Owner = owner?.Value },
            cancellationToken).ConfigureAwait(false);
        return AggregateResults.Snapshot(pipeline, rows.Select(r => new SnapshotGroup(
            r.Stage, r.Currency, (int?)r.ProbabilityOverride, r.Count, MinorUnits.ToAmount(r.AmountMinor, r.Currency))));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ClosedTotals>> ClosedAsync(PipelineDefinition pipeline, Instant periodStart, Instant periodEnd, UserId? owner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var rows = await QueryAsync<ClosedRow>(
            Sql(ClosedSql, owner),
            new { Pipeline = pipeline.Id.Value, Start = Micros.Ceiling(periodStart), End = Micros.Ceiling(periodEnd), Owner = owner?.Value },
            cancellationToken).ConfigureAwait(false);
        return AggregateResults.Closed(rows.Select(r => new ClosedGroup(
            r.Currency, Codes.Parse<OutcomeKind>(r.OutcomeKind), r.Count, MinorUnits.ToAmount(r.AmountMinor, r.Currency))));
    }

    /// <summary>Completes a query template with the owner condition when an owner is given (a fixed text; the owner is a parameter).</summary>
    internal static string Sql(string template, UserId? owner) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, template, owner is null ? string.Empty : " AND o.owner = @Owner");

    private Task<IEnumerable<T>> QueryAsync<T>(string sql, object parameters, CancellationToken cancellationToken) =>
        database.ReadAsync(
            (connection, transaction) => connection.QueryAsync<T>(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken)),
            cancellationToken);

#pragma warning disable CA1812 // Instantiated by Dapper.
    private sealed class SnapshotRow
    {
        public string Stage { get; set; } = string.Empty;
        public string Currency { get; set; } = string.Empty;
        public long? ProbabilityOverride { get; set; }
        public long Count { get; set; }
        public long AmountMinor { get; set; }
    }

    private sealed class ClosedRow
    {
        public string Currency { get; set; } = string.Empty;
        public string OutcomeKind { get; set; } = string.Empty;
        public long Count { get; set; }
        public long AmountMinor { get; set; }
    }
#pragma warning restore CA1812
}
