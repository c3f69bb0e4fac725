using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Analytics;

/// <summary>Which closed deals give the average cycle length of <see cref="PipelineAnalytics.Velocity"/>.</summary>
public enum VelocityCycleBasis
{
    /// <summary>The deals won in the period: how long winning takes.</summary>
    WonDeals,

    /// <summary>Every deal closed (won or lost) in the period.</summary>
    AllClosedDeals,
}

/// <summary>Choices for <see cref="PipelineAnalytics.Velocity"/>.</summary>
public sealed record SalesVelocityOptions
{
    /// <summary>Gets which closed deals give the average cycle length.</summary>
    /// <value>The default value is <see cref="VelocityCycleBasis.WonDeals"/>.</value>
    public VelocityCycleBasis CycleBasis { get; init; } = VelocityCycleBasis.WonDeals;

    /// <summary>Gets the salesperson whose deals are counted.</summary>
    /// <value>The default value is <see langword="null"/>: every salesperson's deals.</value>
    public UserId? Owner { get; init; }

    /// <summary>Gets the rate table that converts every amount to one currency.</summary>
    /// <value>The default value is <see langword="null"/>: values are reported per currency.</value>
    public ExchangeRates? Conversion { get; init; }
}

/// <summary>
/// Sales velocity: value per day = open deals × average won deal size × win rate ÷ average cycle length (days).
/// Open deals are those open at the as-of instant; win rate (by count, won ÷ (won + lost)), average won deal size and
/// average cycle length come from the deals closed in the period. Money is per currency: a currency's velocity uses its own
/// open deals and average won deal size, with the currency-free win rate and cycle length of all deals.
/// </summary>
/// <param name="AsOf">The instant the open deals are taken at.</param>
/// <param name="Period">The close period of the won and lost deals (start inclusive, end exclusive).</param>
/// <param name="CycleBasis">Which closed deals gave the average cycle length.</param>
/// <param name="OpenDeals">Open deals at <paramref name="AsOf"/>, all currencies.</param>
/// <param name="Won">Deals won in the period.</param>
/// <param name="Lost">Deals lost in the period.</param>
/// <param name="WinRate">Won ÷ (won + lost); <see langword="null"/> when nothing closed.</param>
/// <param name="AverageCycleDays">The mean created → closed days of the basis deals; <see langword="null"/> when there are none.</param>
/// <param name="Values">Per currency: its open deals, average won deal size and velocity.</param>
public sealed record SalesVelocityReport(
    Instant AsOf,
    Interval Period,
    VelocityCycleBasis CycleBasis,
    long OpenDeals,
    long Won,
    long Lost,
    decimal? WinRate,
    decimal? AverageCycleDays,
    IReadOnlyList<VelocityValues> Values);

/// <summary>Sales velocity in one currency, with its inputs.</summary>
/// <param name="Currency">The ISO-4217 code.</param>
/// <param name="OpenDeals">Open deals in this currency at the as-of instant.</param>
/// <param name="AverageWonDealSize">Won value ÷ won count in this currency in the period; <see langword="null"/> when nothing was won in it.</param>
/// <param name="ValuePerDay">
/// OpenDeals × AverageWonDealSize × WinRate ÷ AverageCycleDays; <see langword="null"/> when an input is undefined
/// or the average cycle is not positive.
/// </param>
public sealed record VelocityValues(string Currency, long OpenDeals, decimal? AverageWonDealSize, decimal? ValuePerDay);
