using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Analytics;

/// <summary>Choices for <see cref="PipelineAnalytics.Snapshot(IEnumerable{OpportunityState}, Process.PipelineDefinition, Instant, SnapshotFunnelOptions?)"/> and its overload over a <see cref="DealTable"/>.</summary>
public sealed record SnapshotFunnelOptions
{
    /// <summary>Gets the salesperson whose deals are counted.</summary>
    /// <value>The default value is <see langword="null"/>: every salesperson's deals.</value>
    public UserId? Owner { get; init; }

    /// <summary>
    /// Gets the period whose won and lost deals are reported beside the open stages, by the deal's actual close
    /// instant (<see cref="Outcome.ClosedAt"/>): start inclusive, end exclusive, as NodaTime's <see cref="Interval"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: every deal closed at or before the as-of instant.</value>
    public Interval? ClosedPeriod { get; init; }

    /// <summary>Gets the rate table that converts every amount to one currency.</summary>
    /// <value>The default value is <see langword="null"/>: values are reported per currency.</value>
    public ExchangeRates? Conversion { get; init; }
}

/// <summary>
/// The snapshot funnel: where the open deals were at an instant. A deal is in the stage of its last history entry at or
/// before <see cref="AsOf"/>; it is open when that stage is open. Count share = stage count ÷ open count; value share =
/// stage value ÷ open value, per currency; weighted value = Σ value × probability ÷ 100, the probability being the deal's
/// override, else the stage's default.
/// </summary>
/// <param name="AsOf">The instant of the snapshot.</param>
/// <param name="ClosedPeriod">The period of <paramref name="Won"/> and <paramref name="Lost"/> (start inclusive, end exclusive).</param>
/// <param name="Stages">Every open stage in pipeline order, empty ones included.</param>
/// <param name="OpenCount">How many deals were open; the sum of the stages' counts.</param>
/// <param name="OpenValues">The open deals' totals per currency (one row, in the target currency, when converted).</param>
/// <param name="Won">Deals won in <paramref name="ClosedPeriod"/>.</param>
/// <param name="Lost">Deals lost in <paramref name="ClosedPeriod"/>.</param>
public sealed record SnapshotFunnel(
    Instant AsOf,
    Interval ClosedPeriod,
    IReadOnlyList<SnapshotFunnelStage> Stages,
    long OpenCount,
    IReadOnlyList<OpenDealTotals> OpenValues,
    ClosedDeals Won,
    ClosedDeals Lost);

/// <summary>One open stage of a <see cref="SnapshotFunnel"/>.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Count">How many open deals were in it.</param>
/// <param name="CountShare"><paramref name="Count"/> ÷ the funnel's open count; <see langword="null"/> when no deal was open.</param>
/// <param name="Values">Per currency (or in the target currency): count, value, weighted value and value share.</param>
public sealed record SnapshotFunnelStage(StageId Stage, long Count, decimal? CountShare, IReadOnlyList<OpenDealTotals> Values);

/// <summary>Totals of open deals in one currency.</summary>
/// <param name="Currency">The ISO-4217 code of the amounts.</param>
/// <param name="Count">How many deals (in this currency, or converted into it).</param>
/// <param name="Value">Σ value, exact.</param>
/// <param name="WeightedValue">Σ value × probability ÷ 100, exact.</param>
/// <param name="ValueShare">
/// <paramref name="Value"/> ÷ the enclosing report's total value in the same currency; 1 on a total row;
/// <see langword="null"/> when that total is zero.
/// </param>
public sealed record OpenDealTotals(string Currency, long Count, decimal Value, decimal WeightedValue, decimal? ValueShare);

/// <summary>Deals won, or lost, in a period.</summary>
/// <param name="Count">How many.</param>
/// <param name="Values">Their summed value, one entry per currency in ordinal order (one, in the target currency, when converted).</param>
public sealed record ClosedDeals(long Count, IReadOnlyList<Money> Values);
