using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Analytics;

/// <summary>Choices for <see cref="PipelineAnalytics.WinLoss"/>.</summary>
public sealed record WinLossOptions
{
    /// <summary>
    /// Gets whether deals still open at the end of the period join the win-rate denominators
    /// (win rate = won ÷ (won + lost + open)) instead of being left out (won ÷ (won + lost)).
    /// </summary>
    /// <value>The default value is <see langword="false"/>: only deals closed in the period count.</value>
    public bool IncludeOpenDeals { get; init; }

    /// <summary>Gets the salesperson whose deals are counted.</summary>
    /// <value>The default value is <see langword="null"/>: every salesperson's deals.</value>
    public UserId? Owner { get; init; }

    /// <summary>Gets the rate table that converts every amount to one currency.</summary>
    /// <value>The default value is <see langword="null"/>: values are reported per currency.</value>
    public ExchangeRates? Conversion { get; init; }
}

/// <summary>
/// Win/loss of the deals closed in a period, judged by their actual close instant (<see cref="Outcome.ClosedAt"/>) and
/// outcome. Win rate by count = won ÷ (won + lost [+ open]); by value = won value ÷ (won value + lost value [+ open value]),
/// per currency; average won deal size = won value ÷ won count, per currency. A rate is <see langword="null"/> when its
/// denominator is zero (nothing closed): undefined, not 0.
/// </summary>
/// <param name="Period">The close period (start inclusive, end exclusive).</param>
/// <param name="IncludesOpenDeals">Whether deals open at the end of the period are in the denominators.</param>
/// <param name="Total">All deals.</param>
/// <param name="ByOwner">Per salesperson, by owner id in ordinal order.</param>
/// <param name="ByLossReason">Lost deals per loss reason, most frequent first, then by reason.</param>
/// <param name="ByStageLostAt">Lost deals per stage they were in just before the lost stage, in pipeline order.</param>
public sealed record WinLossReport(
    Interval Period,
    bool IncludesOpenDeals,
    WinLossFigures Total,
    IReadOnlyList<OwnerWinLoss> ByOwner,
    IReadOnlyList<LossGroup> ByLossReason,
    IReadOnlyList<LossGroup> ByStageLostAt);

/// <summary>Won, lost (and open) deals of one group.</summary>
/// <param name="Won">How many were won in the period.</param>
/// <param name="Lost">How many were lost in the period.</param>
/// <param name="Open">How many were open at the end of the period; 0 unless open deals are included.</param>
/// <param name="WinRateByCount">Won ÷ (won + lost + open), in [0, 1]; <see langword="null"/> when the denominator is 0.</param>
/// <param name="Values">Values, value-based win rate and average won deal size per currency (one row when converted).</param>
public sealed record WinLossFigures(long Won, long Lost, long Open, decimal? WinRateByCount, IReadOnlyList<WinLossValues> Values);

/// <summary>Win/loss values in one currency.</summary>
/// <param name="Currency">The ISO-4217 code.</param>
/// <param name="Won">Deals won in this currency.</param>
/// <param name="Lost">Deals lost in this currency.</param>
/// <param name="Open">Deals open in this currency; 0 unless open deals are included.</param>
/// <param name="WonValue">Σ value of the won deals.</param>
/// <param name="LostValue">Σ value of the lost deals.</param>
/// <param name="OpenValue">Σ value of the open deals; 0 unless open deals are included.</param>
/// <param name="WinRateByValue">WonValue ÷ (WonValue + LostValue + OpenValue), in [0, 1]; <see langword="null"/> when the denominator is 0.</param>
/// <param name="AverageWonDealSize">WonValue ÷ Won; <see langword="null"/> when nothing was won.</param>
public sealed record WinLossValues(
    string Currency,
    long Won,
    long Lost,
    long Open,
    decimal WonValue,
    decimal LostValue,
    decimal OpenValue,
    decimal? WinRateByValue,
    decimal? AverageWonDealSize);

/// <summary>One salesperson's win/loss.</summary>
/// <param name="Owner">The salesperson.</param>
/// <param name="Figures">Their figures.</param>
public sealed record OwnerWinLoss(UserId Owner, WinLossFigures Figures);

/// <summary>Lost deals of one group: a loss reason, or the stage a deal was lost at.</summary>
/// <param name="Key">
/// The loss reason (<see cref="Outcome.Reason"/>), or the id of the stage the deal left for the lost stage;
/// <see langword="null"/> when no reason was given, or the deal was created lost.
/// </param>
/// <param name="Lost">How many deals, in every currency.</param>
/// <param name="Share">Lost ÷ all lost deals of the period, in [0, 1].</param>
/// <param name="Values">Their count and summed value per currency in ordinal order (one entry when converted).</param>
public sealed record LossGroup(string? Key, long Lost, decimal Share, IReadOnlyList<LossValues> Values);

/// <summary>The lost deals of a group in one currency.</summary>
/// <param name="Currency">The ISO-4217 code.</param>
/// <param name="Lost">How many of the group's deals are in this currency.</param>
/// <param name="Amount">Their summed value.</param>
public sealed record LossValues(string Currency, long Lost, decimal Amount);
