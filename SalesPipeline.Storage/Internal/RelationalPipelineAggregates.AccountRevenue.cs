using Dapper;
using SalesPipeline.Abstractions;
using NodaTime;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Storage.Internal;

/// <summary>Revenue per account from one GROUP BY over the won deals.</summary>
internal sealed partial class RelationalPipelineAggregates
{
    /// <inheritdoc />
    public Task<IReadOnlyList<AccountRevenue>> AccountRevenueAsync(PipelineDefinition pipeline, Interval period, Instant asOf, UserId? owner = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);

        // The deals closed by @AsOf, won and with an account, per account and currency, summed from the close-date index alone.
        var sql =
            $"SELECT o.account_id AS Account, o.currency AS Currency, SUM(CASE WHEN o.closed_at IS NOT NULL{ClosedIn(period)} THEN o.{dialect.AmountColumn} ELSE 0 END) AS WonInPeriod, " +
            $"SUM(o.{dialect.AmountColumn}) AS WonAllTime, COUNT(*) AS Count, MIN(o.closed_at) AS FirstWin, MAX(o.closed_at) AS LastWin FROM opportunities o " +
            $"WHERE o.pipeline_id = @Pipeline AND o.closed_at <= @AsOf AND o.outcome_kind = @Won AND o.account_id IS NOT NULL{OpportunityFilter.Owner(owner)} " +
            "GROUP BY o.account_id, o.currency";
        var parameters = new
        {
            Pipeline = pipeline.Id.Value,
            Owner = owner?.Value,
            Won = Codes.Of(OutcomeKind.Won),
            AsOf = dialect.Bound(Micros.Floor(asOf)),
            Start = PeriodStart(period),
            End = PeriodEnd(period),
        };
        return dialect.Database.ReadAsync(
            async (connection, transaction) =>
            {
                var result = DealPass.AccountRevenueGroups(pipeline, period, asOf, owner);
                foreach (var r in await connection.QueryAsync<AccountRevenueRow>(Statement(sql, parameters, transaction, cancellationToken)).ConfigureAwait(false))
                {
                    result.AddGroup(new AccountRevenue(
                        new AccountId(dialect.ToGuid(r.Account)),
                        r.Currency,
                        dialect.ToAmount(r.WonInPeriod, r.Currency),
                        dialect.ToAmount(r.WonAllTime, r.Currency),
                        r.Count,
                        dialect.ToInstant(r.FirstWin),
                        dialect.ToInstant(r.LastWin)));
                }

                return result.Result();
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<PipelineDeals>> DealCountsAsync(CancellationToken cancellationToken = default) =>
        dialect.Database.ReadAsync<IReadOnlyList<PipelineDeals>>(
            async (connection, transaction) =>
            [
                .. (await connection.QueryAsync<PipelineCountRow>(Statement(
                        "SELECT o.pipeline_id AS Pipeline, COUNT(*) AS Deals FROM opportunities o GROUP BY o.pipeline_id", null, transaction, cancellationToken)).ConfigureAwait(false))
                    .OrderBy(r => r.Pipeline, StringComparer.Ordinal)
                    .Select(r => new PipelineDeals(new PipelineId(r.Pipeline), r.Deals)),
            ],
            cancellationToken);

#pragma warning disable CA1812 // Instantiated by Dapper.
    private sealed class AccountRevenueRow
    {
        public object Account { get; set; } = string.Empty;
        public string Currency { get; set; } = string.Empty;
        public object WonInPeriod { get; set; } = 0L;
        public object WonAllTime { get; set; } = 0L;
        public long Count { get; set; }
        public object FirstWin { get; set; } = 0L;
        public object LastWin { get; set; } = 0L;
    }
    private sealed class PipelineCountRow
    {
        public string Pipeline { get; set; } = string.Empty;
        public long Deals { get; set; }
    }
#pragma warning restore CA1812
}
