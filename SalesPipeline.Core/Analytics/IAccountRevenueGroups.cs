namespace SalesPipeline.Analytics;

/// <summary>
/// Revenue per account (<see cref="AccountRevenue"/>) fed with groups as a store's own query (SQL GROUP BY) returns them:
/// the wins of one account in one currency, merged with any group of the same account and currency added before. Create it
/// with <see cref="DealPass.AccountRevenueGroups"/>.
/// </summary>
/// <remarks>Not thread-safe: one accumulator belongs to one pass.</remarks>
public interface IAccountRevenueGroups : IDealAccumulator<IReadOnlyList<AccountRevenue>>
{
    /// <summary>Adds the won deals of one account in one currency closed by the as-of instant.</summary>
    /// <param name="wins">Their revenue in the period and in all time, their number, and their first and last close.</param>
    /// <exception cref="ArgumentNullException"><paramref name="wins"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="wins"/> counts fewer than one deal.</exception>
    void AddGroup(AccountRevenue wins);
}
