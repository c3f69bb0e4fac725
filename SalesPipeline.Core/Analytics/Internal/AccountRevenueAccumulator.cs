using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics.Internal;

/// <summary>
/// Computes <see cref="AccountRevenue"/> per account and currency from the won deals closed by the as-of instant (deals without
/// an account are left out). Memory holds one entry per account that has won, never one per deal.
/// </summary>
internal sealed class AccountRevenueAccumulator(PipelineDefinition pipeline, Interval period, Instant asOf, UserId? owner) : IDealAccumulator<IReadOnlyList<AccountRevenue>>
{
    private readonly Dictionary<(AccountId, string), AccountRevenue> _accounts = [];

    public void Add(OpportunityState deal)
    {
        if (!Deals.InScope(deal, pipeline, owner) || deal.Account is not { } account
            || deal.Outcome is not { Kind: OutcomeKind.Won } outcome || outcome.ClosedAt > asOf)
        {
            return;
        }

        var at = outcome.ClosedAt;
        var amount = deal.Value.Amount;
        var inPeriod = Deals.Contains(period, at) ? amount : 0m;
        var key = (account, deal.Value.Currency);
        _accounts[key] = _accounts.TryGetValue(key, out var r)
            ? r with
            {
                WonInPeriod = r.WonInPeriod + inPeriod,
                WonAllTime = r.WonAllTime + amount,
                DealsWon = r.DealsWon + 1,
                FirstWin = at < r.FirstWin ? at : r.FirstWin,
                LastWin = at > r.LastWin ? at : r.LastWin,
            }
            : new AccountRevenue(account, deal.Value.Currency, inPeriod, amount, 1, at, at);
    }

    public IReadOnlyList<AccountRevenue> Result() => [.. _accounts.Values];
}
