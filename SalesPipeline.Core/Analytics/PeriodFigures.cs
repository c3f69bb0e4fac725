using NodaTime;

namespace SalesPipeline.Analytics;

/// <summary>
/// The figures of one period in one currency, for comparing periods: deals won and lost in the period (by close instant),
/// the mean sales cycle of the won ones (created → closed, days), the pipeline created in the period (deals whose creation
/// instant is in it), and the deals open at the period's end with their value and weighted value.
/// </summary>
/// <param name="Currency">The ISO 4217 currency of the amounts.</param>
/// <param name="Won">Deals won in the period.</param>
/// <param name="Lost">Deals lost in the period.</param>
/// <param name="WinRate">Won ÷ (won + lost), or <see langword="null"/> when none closed.</param>
/// <param name="AverageCycleDays">The mean days from creation to close of the won deals, or <see langword="null"/> when none was won.</param>
/// <param name="Created">Deals created in the period.</param>
/// <param name="CreatedValue">Their value.</param>
/// <param name="OpenAtEnd">Deals open at the period's end.</param>
/// <param name="OpenValueAtEnd">Their value.</param>
/// <param name="WeightedValueAtEnd">Their weighted value (<see cref="Process.DealProbability"/>).</param>
public sealed record PeriodFigures(
    string Currency,
    long Won,
    long Lost,
    decimal? WinRate,
    decimal? AverageCycleDays,
    long Created,
    decimal CreatedValue,
    long OpenAtEnd,
    decimal OpenValueAtEnd,
    decimal WeightedValueAtEnd);

/// <summary>The figures of every currency in one period, and whether any deal in scope existed by the period's end.</summary>
/// <param name="Period">The period.</param>
/// <param name="HasDeals">Whether any deal in scope had been created by the period's end.</param>
/// <param name="Currencies">The figures per currency, ordered by currency code.</param>
public sealed record PeriodFiguresReport(Interval Period, bool HasDeals, IReadOnlyList<PeriodFigures> Currencies);
