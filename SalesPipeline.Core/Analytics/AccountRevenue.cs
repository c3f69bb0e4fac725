using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Analytics;

/// <summary>
/// What one account has bought, in one currency: revenue won in the period and in all time up to the as-of instant, the
/// number of deals won in all time, and the first and last win.
/// </summary>
/// <param name="Account">The account.</param>
/// <param name="Currency">The ISO 4217 currency of the amounts.</param>
/// <param name="WonInPeriod">Value of the deals won in the period.</param>
/// <param name="WonAllTime">Value of the deals won up to the as-of instant.</param>
/// <param name="DealsWon">Deals won up to the as-of instant.</param>
/// <param name="FirstWin">The close instant of the first win.</param>
/// <param name="LastWin">The close instant of the last win up to the as-of instant.</param>
public sealed record AccountRevenue(AccountId Account, string Currency, decimal WonInPeriod, decimal WonAllTime, long DealsWon, Instant FirstWin, Instant LastWin);
