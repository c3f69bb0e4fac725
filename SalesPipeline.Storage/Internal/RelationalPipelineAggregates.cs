using Dapper;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Analytics;
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

    /// <inheritdoc />
    public Task<WinLossReport> WinLossAsync(PipelineDefinition pipeline, Interval period, WinLossOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        options ??= new WinLossOptions();
        var closedIn = (period.HasStart ? " AND o.closed_at >= @Start" : string.Empty) + (period.HasEnd ? " AND o.closed_at < @End" : string.Empty);
        var filter = OpportunityFilter.Owner(options.Owner);

        // Closed in the period, grouped by what the report splits by; the stage lost at is the source of the deal's last move.
        var closedSql =
            "SELECT o.owner AS Owner, o.outcome_kind AS OutcomeKind, o.currency AS Currency, " +
            "CASE WHEN o.outcome_kind = @Lost THEN o.outcome_reason END AS Reason, CASE WHEN o.outcome_kind = @Lost THEN l.from_stage END AS LostFrom, " +
            $"COUNT(*) AS Count, SUM(o.{dialect.AmountColumn}) AS Amount FROM opportunities o " +
            "LEFT JOIN stage_changes l ON l.opportunity_id = o.id AND l.seq = (SELECT MAX(m.seq) FROM stage_changes m WHERE m.opportunity_id = o.id) " +
            $"WHERE o.pipeline_id = @Pipeline AND o.outcome_kind IS NOT NULL{closedIn}{filter} " +
            "GROUP BY o.owner, o.outcome_kind, o.currency, CASE WHEN o.outcome_kind = @Lost THEN o.outcome_reason END, CASE WHEN o.outcome_kind = @Lost THEN l.from_stage END";

        // Not closed in the period, by the stage they were in just before its end (whether that counts as open is the pipeline's to say).
        var openSql =
            $"SELECT o.owner AS Owner, s.stage AS Stage, o.currency AS Currency, COUNT(*) AS Count, SUM(o.{dialect.AmountColumn}) AS Amount " +
            $"FROM {dialect.StageAtFrom} WHERE o.pipeline_id = @Pipeline{filter} AND NOT (o.outcome_kind IS NOT NULL{closedIn}) GROUP BY o.owner, s.stage, o.currency";
        var parameters = new
        {
            Pipeline = pipeline.Id.Value,
            Owner = options.Owner?.Value,
            Lost = Codes.Of(OutcomeKind.Lost),
            Start = period.HasStart ? dialect.Bound(Micros.Ceiling(period.Start)) : null,
            End = period.HasEnd ? dialect.Bound(Micros.Ceiling(period.End)) : null,
            AsOf = dialect.Bound(period.HasEnd ? Micros.Ceiling(period.End) - 1 : long.MaxValue),
        };
        return dialect.Database.ReadAsync(
            async (connection, transaction) =>
            {
                var result = DealPass.WinLossGroups(pipeline, period, options);
                foreach (var r in await connection.QueryAsync<WinLossRow>(new CommandDefinition(closedSql, parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
                {
                    result.AddGroup(
                        Codes.Parse<OutcomeKind>(r.OutcomeKind!), r.Owner, r.Currency, r.Count, dialect.ToAmount(r.Amount, r.Currency), r.Reason, r.LostFrom is null ? null : new StageId(r.LostFrom));
                }

                if (options.IncludeOpenDeals)
                {
                    foreach (var r in await connection.QueryAsync<WinLossRow>(new CommandDefinition(openSql, parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
                    {
                        if (result.CountsAsOpen(new StageId(r.Stage!)))
                        {
                            result.AddGroup(null, r.Owner, r.Currency, r.Count, dialect.ToAmount(r.Amount, r.Currency), null, null);
                        }
                    }
                }

                return result.Result();
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<ForecastReport> ForecastAsync(PipelineDefinition pipeline, Instant asOf, ForecastOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        options ??= new ForecastOptions();

        // The deals by the stage they were in at @AsOf, grouped by what the forecast splits by and weighs with; the date
        // (not its month) keeps the SQL the same on both providers and is few values.
        var sql =
            $"SELECT o.expected_close AS ExpectedClose, s.stage AS Stage, o.probability_override AS ProbabilityOverride, o.currency AS Currency, " +
            $"COUNT(*) AS Count, SUM(o.{dialect.AmountColumn}) AS Amount FROM {dialect.StageAtFrom} WHERE o.pipeline_id = @Pipeline{OpportunityFilter.Owner(options.Owner)} " +
            "GROUP BY o.expected_close, s.stage, o.probability_override, o.currency";
        var parameters = new { AsOf = dialect.Bound(Micros.Floor(asOf)), Pipeline = pipeline.Id.Value, Owner = options.Owner?.Value };
        return dialect.Database.ReadAsync(
            async (connection, transaction) =>
            {
                var result = DealPass.ForecastGroups(pipeline, asOf, options);
                foreach (var r in await connection.QueryAsync<ForecastRow>(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
                {
                    result.AddGroup(dialect.ToDate(r.ExpectedClose), r.Currency, new StageId(r.Stage), r.ProbabilityOverride, r.Count, dialect.ToAmount(r.Amount, r.Currency));
                }

                return result.Result();
            },
            cancellationToken);
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

    private sealed class ForecastRow
    {
        public object ExpectedClose { get; set; } = string.Empty;
        public string Stage { get; set; } = string.Empty;
        public int? ProbabilityOverride { get; set; }
        public string Currency { get; set; } = string.Empty;
        public long Count { get; set; }
        public object Amount { get; set; } = 0L;
    }

    private sealed class WinLossRow
    {
        public string Owner { get; set; } = string.Empty;
        public string? OutcomeKind { get; set; }
        public string? Stage { get; set; }
        public string Currency { get; set; } = string.Empty;
        public string? Reason { get; set; }
        public string? LostFrom { get; set; }
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
