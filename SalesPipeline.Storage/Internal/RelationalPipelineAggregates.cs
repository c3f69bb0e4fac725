using Dapper;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Storage.Internal;

/// <summary>The snapshot funnel and closed totals computed by SQLite or PostgreSQL over the stored history.</summary>
/// <remarks>Thread-safe: every call uses its own pooled connection.</remarks>
internal sealed class RelationalPipelineAggregates(IStoreDialect dialect) : IPipelineAggregates
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<StageTotals>> SnapshotAsync(PipelineDefinition pipeline, Instant asOf, UserId? owner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var rows = await QueryAsync<SnapshotRow>(
            SnapshotSql(dialect, owner),
            new { AsOf = dialect.Bound(Micros.Floor(asOf)), Pipeline = pipeline.Id.Value, Owner = owner?.Value },
            cancellationToken).ConfigureAwait(false);
        return AggregateResults.Snapshot(pipeline, rows.Select(r => new SnapshotGroup(
            r.Stage, r.Currency, r.ProbabilityOverride, r.Count, dialect.ToAmount(r.Amount, r.Currency))));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ClosedTotals>> ClosedAsync(PipelineDefinition pipeline, Instant periodStart, Instant periodEnd, UserId? owner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var rows = await QueryAsync<ClosedRow>(
            $"SELECT o.currency AS Currency, o.outcome_kind AS OutcomeKind, COUNT(*) AS Count, SUM(o.{dialect.AmountColumn}) AS Amount FROM opportunities o " +
            $"WHERE o.pipeline_id = @Pipeline AND o.closed_at >= @Start AND o.closed_at < @End AND o.outcome_kind IS NOT NULL{OpportunityFilter.Owner(owner)} " +
            "GROUP BY o.currency, o.outcome_kind",
            new { Pipeline = pipeline.Id.Value, Start = dialect.Bound(Micros.Ceiling(periodStart)), End = dialect.Bound(Micros.Ceiling(periodEnd)), Owner = owner?.Value },
            cancellationToken).ConfigureAwait(false);
        return AggregateResults.Closed(rows.Select(r => new ClosedGroup(
            r.Currency, Codes.Parse<OutcomeKind>(r.OutcomeKind), r.Count, dialect.ToAmount(r.Amount, r.Currency))));
    }

    /// <summary>
    /// Per deal of the pipeline, the stage it was in at @AsOf (the dialect's <see cref="IStoreDialect.StageAtFrom"/>),
    /// grouped by stage, currency and override, so the weighted value can be finished exactly in memory.
    /// </summary>
    internal static string SnapshotSql(IStoreDialect dialect, UserId? owner) =>
        $"SELECT s.stage AS Stage, o.currency AS Currency, o.probability_override AS ProbabilityOverride, COUNT(*) AS Count, SUM(o.{dialect.AmountColumn}) AS Amount " +
        $"FROM {dialect.StageAtFrom} WHERE o.pipeline_id = @Pipeline{OpportunityFilter.Owner(owner)} GROUP BY s.stage, o.currency, o.probability_override";

    private Task<IEnumerable<T>> QueryAsync<T>(string sql, object parameters, CancellationToken cancellationToken) =>
        dialect.Database.ReadAsync(
            (connection, transaction) => connection.QueryAsync<T>(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken)),
            cancellationToken);

#pragma warning disable CA1812 // Instantiated by Dapper.
    private sealed class SnapshotRow
    {
        public string Stage { get; set; } = string.Empty;
        public string Currency { get; set; } = string.Empty;
        public int? ProbabilityOverride { get; set; }
        public long Count { get; set; }
        public object Amount { get; set; } = 0L;
    }

    private sealed class ClosedRow
    {
        public string Currency { get; set; } = string.Empty;
        public string OutcomeKind { get; set; } = string.Empty;
        public long Count { get; set; }
        public object Amount { get; set; } = 0L;
    }
#pragma warning restore CA1812
}
