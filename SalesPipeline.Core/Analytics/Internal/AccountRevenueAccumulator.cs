using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics.Internal;

/// <summary>
/// Computes <see cref="AccountRevenue"/> per account and currency from the won deals closed by the as-of instant (deals without
/// an account are left out). Memory holds one entry per account that has won, never one per deal.
/// </summary>
internal sealed class AccountRevenueAccumulator(PipelineDefinition pipeline, Interval period, Instant asOf, UserId? owner) : IAccountRevenueGroups
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
        Merge(new AccountRevenue(account, deal.Value.Currency, Deals.Contains(period, at) ? amount : 0m, amount, 1, at, at));
    }

    public void AddGroup(AccountRevenue wins)
    {
        ArgumentNullException.ThrowIfNull(wins);
        ArgumentOutOfRangeException.ThrowIfLessThan(wins.DealsWon, 1, nameof(wins));
        Merge(wins);
    }

    /// <summary>By account id, then currency (ordinal).</summary>
    public IReadOnlyList<AccountRevenue> Result() =>
        [.. _accounts.Values.OrderBy(r => r.Account.Value).ThenBy(r => r.Currency, StringComparer.Ordinal)];

    private void Merge(AccountRevenue wins)
    {
        var key = (wins.Account, wins.Currency);
        _accounts[key] = _accounts.TryGetValue(key, out var r)
            ? r with
            {
                WonInPeriod = r.WonInPeriod + wins.WonInPeriod,
                WonAllTime = r.WonAllTime + wins.WonAllTime,
                DealsWon = r.DealsWon + wins.DealsWon,
                FirstWin = wins.FirstWin < r.FirstWin ? wins.FirstWin : r.FirstWin,
                LastWin = wins.LastWin > r.LastWin ? wins.LastWin : r.LastWin,
            }
            : wins;
    }
}
