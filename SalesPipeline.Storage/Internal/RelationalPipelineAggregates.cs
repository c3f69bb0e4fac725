using System.Data.Common;
using System.Globalization;
using Dapper;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Storage.Internal;

/// <summary>The snapshot funnel and closed totals computed by SQLite or PostgreSQL over the stored history.</summary>
/// <remarks>Thread-safe: every call uses its own pooled connection.</remarks>
internal sealed partial class RelationalPipelineAggregates(IStoreDialect dialect) : IPipelineAggregates
{
    private readonly OpportunitySql _opportunitySql = new(dialect);

    /// <summary>Gets how many deals the first page of a pass holds.</summary>
    internal int FirstPage { get; init; } = DealPassReader.FirstPage;

    /// <summary>Gets the most deals one page of a pass holds.</summary>
    internal int LargestPage { get; init; } = DealPassReader.LargestPage;

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
        var closedIn = ClosedIn(period);
        var filter = OpportunityFilter.Owner(options.Owner);

        // Closed in the period, grouped by what the report splits by, every column (the stage lost at too) read from the
        // close-date index alone.
        var closedSql =
            "SELECT Owner, OutcomeKind, Currency, Reason, LostFrom, COUNT(*) AS Count, SUM(Amount) AS Amount FROM (" +
            "SELECT o.owner AS Owner, o.outcome_kind AS OutcomeKind, o.currency AS Currency, CASE WHEN o.outcome_kind = @Lost THEN o.outcome_reason END AS Reason, " +
            "o.lost_from AS LostFrom, " +
            $"o.{dialect.AmountColumn} AS Amount FROM opportunities o WHERE o.pipeline_id = @Pipeline AND o.outcome_kind IS NOT NULL{closedIn}{filter}) c " +
            "GROUP BY Owner, OutcomeKind, Currency, Reason, LostFrom";

        // Not closed in the period, by the stage they were in just before its end (whether that counts as open is the pipeline's to say).
        var openSql =
            $"SELECT o.owner AS Owner, s.stage AS Stage, o.currency AS Currency, COUNT(*) AS Count, SUM(o.{dialect.AmountColumn}) AS Amount " +
            $"FROM {dialect.StageAtFrom} WHERE o.pipeline_id = @Pipeline{filter} AND NOT (o.outcome_kind IS NOT NULL{closedIn}) GROUP BY o.owner, s.stage, o.currency";
        var parameters = new
        {
            Pipeline = pipeline.Id.Value,
            Owner = options.Owner?.Value,
            Lost = Codes.Of(OutcomeKind.Lost),
            Start = PeriodStart(period),
            End = PeriodEnd(period),
            AsOf = dialect.Bound(period.HasEnd ? Micros.Ceiling(period.End) - 1 : long.MaxValue),
        };
        return dialect.Database.ReadAsync(
            async (connection, transaction) =>
            {
                var result = DealPass.WinLossGroups(pipeline, period, options);
                foreach (var r in await connection.QueryAsync<WinLossRow>(Statement(closedSql, parameters, transaction, cancellationToken)).ConfigureAwait(false))
                {
                    result.AddGroup(
                        Codes.Parse<OutcomeKind>(r.OutcomeKind!), r.Owner, r.Currency, r.Count, dialect.ToAmount(r.Amount, r.Currency), r.Reason, r.LostFrom is null ? null : new StageId(r.LostFrom));
                }

                if (options.IncludeOpenDeals)
                {
                    foreach (var r in await connection.QueryAsync<WinLossRow>(Statement(openSql, parameters, transaction, cancellationToken)).ConfigureAwait(false))
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
    public Task<SalesCycleReport> SalesCycleAsync(PipelineDefinition pipeline, Interval period, SalesCycleOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        options ??= new SalesCycleOptions();

        // Each closed deal's cycle is computed by the database; the median needs every one of them. Where grouping costs a sort
        // of every row (SQLite) the rows come one per deal, as the list the median is taken from holds them anyway; elsewhere
        // only the distinct (outcome, cycle) pairs travel (imported deals, dated by the day, share their cycles).
        var sql =
            $"SELECT o.outcome_kind AS OutcomeKind, o.closed_at - o.created_at AS Cycle, {(dialect.GroupsBySorting ? "1" : "COUNT(*)")} AS Count FROM opportunities o " +
            $"WHERE o.pipeline_id = @Pipeline AND o.outcome_kind IS NOT NULL{ClosedIn(period)}{OpportunityFilter.Owner(options.Owner)}" +
            (dialect.GroupsBySorting ? string.Empty : " GROUP BY o.outcome_kind, o.closed_at - o.created_at");
        var parameters = new { Pipeline = pipeline.Id.Value, Owner = options.Owner?.Value, Start = PeriodStart(period), End = PeriodEnd(period) };
        return dialect.Database.ReadAsync(
            async (connection, transaction) =>
            {
                var result = DealPass.SalesCycleGroups(pipeline, period, options);
                await ReadRowsAsync(
                    connection,
                    sql,
                    parameters,
                    transaction,
                    r => result.AddGroup(Codes.Parse<OutcomeKind>(r.GetString(0)), dialect.ToDuration(r.GetValue(1)), Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture)),
                    cancellationToken).ConfigureAwait(false);

                return result.Result();
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task PassAsync(PipelineDefinition pipeline, UserId? owner, IReadOnlyList<IDealAccumulator> accumulators, Instant? closedSince = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(accumulators);

        // Forward-only reads of each deal's row joined with its history, in deal order, a page of deals at a time: a deal's
        // rows are adjacent, so one deal at a time is held. Activities and offers, the larger child tables, are not read. A
        // page is a key range, so the database walks it as it would the whole table; pages grow, so a pass that stops early
        // (every accumulator complete) reads little beyond what it needed, and a whole pass takes few queries. A reader
        // closed early costs nothing on SQLite, but PostgreSQL sends the rest of the query's rows: at most one page.
        var filter = OpportunityFilter.Owner(owner) + (closedSince is null ? string.Empty : " AND (o.closed_at IS NULL OR o.closed_at >= @ClosedSince)");
        var parameters = new DynamicParameters(new
        {
            Pipeline = pipeline.Id.Value,
            Owner = owner?.Value,
            ClosedSince = closedSince is { } since ? dialect.Bound(Micros.Ceiling(since)) : null,
        });
        return dialect.Database.ReadAsync(
            async (connection, transaction) =>
            {
                var pass = new DealPassReader(dialect);
                object? after = null;
                for (var size = FirstPage; !DealPass.AreComplete(accumulators); size = Math.Min(size * 2, LargestPage))
                {
                    parameters.Add("After", after);
                    parameters.Add("Skip", size - 1);
                    var last = await connection.ExecuteScalarAsync<object?>(
                        Statement(DealPassReader.PageEndSql(filter, after is not null), parameters, transaction, cancellationToken)).ConfigureAwait(false);
                    parameters.Add("Last", last);
                    var reader = await connection.ExecuteReaderAsync(
                        Statement(DealPassReader.Sql(_opportunitySql, filter, after is not null, last is not null), parameters, transaction, cancellationToken)).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        await pass.ReadAsync(reader, accumulators, cancellationToken).ConfigureAwait(false);
                    }

                    if (last is null)
                    {
                        break;
                    }

                    after = last;
                }

                return 0;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<ForecastReport> ForecastAsync(PipelineDefinition pipeline, Instant asOf, ForecastOptions? options = null, CancellationToken cancellationToken = default) =>
        (await OpenDealsAsync(pipeline, asOf, options, cancellationToken).ConfigureAwait(false)).Forecast;

    /// <inheritdoc />
    public async Task<OpenDealFigures> OpenDealsAsync(PipelineDefinition pipeline, Instant asOf, ForecastOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        options ??= new ForecastOptions();

        // The history-facts read at the one instant: each deal's stage then is found once for the snapshot and the forecast.
        var request = new HistoryFactsRequest(asOf) { Owner = options.Owner, OverdueBefore = options.OverdueBefore, Conversion = options.Conversion };
        return (await HistoryFactsAsync(pipeline, request, cancellationToken).ConfigureAwait(false)).Open;
    }

    /// <summary>
    /// Per deal of the pipeline, the stage it was in at @AsOf (the dialect's <see cref="IStoreDialect.StageAtFrom"/>),
    /// grouped by stage, currency and override, so the weighted value can be finished exactly in memory.
    /// </summary>
    internal static string SnapshotSql(IStoreDialect dialect, UserId? owner) =>
        $"SELECT s.stage AS Stage, o.currency AS Currency, o.probability_override AS ProbabilityOverride, COUNT(*) AS Count, SUM(o.{dialect.AmountColumn}) AS Amount " +
        $"FROM {dialect.StageAtFrom} WHERE o.pipeline_id = @Pipeline{OpportunityFilter.Owner(owner)} GROUP BY s.stage, o.currency, o.probability_override";

    /// <summary>The condition on <c>o.closed_at</c> of a close period, over the bounds <c>@Start</c> and <c>@End</c> it has.</summary>
    private static string ClosedIn(Interval period) =>
        (period.HasStart ? " AND o.closed_at >= @Start" : string.Empty) + (period.HasEnd ? " AND o.closed_at < @End" : string.Empty);

    private object? PeriodStart(Interval period) => period.HasStart ? dialect.Bound(Micros.Ceiling(period.Start)) : null;

    private object? PeriodEnd(Interval period) => period.HasEnd ? dialect.Bound(Micros.Ceiling(period.End)) : null;

    /// <summary>A statement of an aggregate read, with the dialect's <see cref="IStoreDialect.WholeStoreReadTimeout"/>.</summary>
    private CommandDefinition Statement(string sql, object? parameters, System.Data.IDbTransaction transaction, CancellationToken cancellationToken) =>
        new(sql, parameters, transaction, dialect.WholeStoreReadTimeout, cancellationToken: cancellationToken);

    /// <summary>
    /// Hands each row of a statement to <paramref name="row"/> as the reader stands on it, column by column, without an object
    /// per row: for reads of hundreds of thousands of rows (a deal's facts, an ended stay, a cycle).
    /// </summary>
    private async Task ReadRowsAsync(DbConnection connection, string sql, object? parameters, DbTransaction transaction, Action<DbDataReader> row, CancellationToken cancellationToken)
    {
        var reader = await connection.ExecuteReaderAsync(Statement(sql, parameters, transaction, cancellationToken)).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                row(reader);
            }
        }
    }

    private Task<IEnumerable<T>> QueryAsync<T>(string sql, object parameters, CancellationToken cancellationToken) =>
        dialect.Database.ReadAsync(
            (connection, transaction) => connection.QueryAsync<T>(Statement(sql, parameters, transaction, cancellationToken)),
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
