using NodaTime;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;

namespace SalesPipeline.Abstractions;

/// <summary>
/// What <see cref="IPipelineAggregates.HistoryFactsAsync"/> computes together from one read of the stage history: the deals open
/// at <see cref="AsOf"/> (snapshot and forecast), the figures of each of <see cref="Periods"/>, the reached-stage funnel of
/// <see cref="Cohort"/> and the number of deals a report's detail sheet shows for <see cref="DetailPeriod"/>, all for one owner
/// or everyone.
/// </summary>
public sealed record HistoryFactsRequest
{
    private readonly IReadOnlyList<Interval> _periods = [];
    private readonly FunnelCounting _counting = FunnelCounting.Lenient;

    /// <summary>Creates a request for the deals open at <paramref name="asOf"/>, the other figures left out.</summary>
    /// <param name="asOf">The instant the open deals are taken at and history after which the funnel ignores.</param>
    public HistoryFactsRequest(Instant asOf) => AsOf = asOf;

    /// <summary>Gets the instant the open deals (snapshot, forecast, detail count) are taken at; the funnel ignores history after it.</summary>
    public Instant AsOf { get; init; }

    /// <summary>Gets the salesperson whose deals are counted.</summary>
    /// <value>The default value is <see langword="null"/>: every salesperson's deals.</value>
    public UserId? Owner { get; init; }

    /// <summary>Gets the forecast's first date that is not overdue (<see cref="ForecastOptions.OverdueBefore"/>).</summary>
    /// <value>The default value is <see langword="null"/>: overdue deals stay in their past month.</value>
    public LocalDate? OverdueBefore { get; init; }

    /// <summary>Gets the rate table that converts the forecast's amounts to one currency (<see cref="ForecastOptions.Conversion"/>).</summary>
    /// <value>The default value is <see langword="null"/>: the forecast is per currency.</value>
    public ExchangeRates? Conversion { get; init; }

    /// <summary>Gets the periods whose figures (<see cref="DealPass.PeriodFigures"/>) are computed; each must have an end.</summary>
    /// <value>The default value is empty.</value>
    /// <exception cref="ArgumentNullException">The list is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A period has no end (its figures take the deals open at its end).</exception>
    public IReadOnlyList<Interval> Periods
    {
        get => _periods;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            for (var i = 0; i < value.Count; i++)
            {
                if (!value[i].HasEnd)
                {
                    throw new ArgumentException($"Periods[{i}] has no end: a period's figures take the deals open at its end, so give it one.", nameof(value));
                }
            }

            _periods = [.. value];
        }
    }

    /// <summary>Gets the creation period of the reached-stage funnel's deals.</summary>
    /// <value>The default value is <see langword="null"/>: no funnel.</value>
    public Interval? Cohort { get; init; }

    /// <summary>Gets how the reached-stage funnel decides that a deal reached a stage.</summary>
    /// <value>The default value is <see cref="FunnelCounting.Lenient"/>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="FunnelCounting"/>.</exception>
    public FunnelCounting Counting
    {
        get => _counting;
        init => _counting = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"Counting must be Lenient or Strict, was {(int)value}.");
    }

    /// <summary>
    /// Gets the close period of a report's detail sheet: it shows the deals whose stage at <see cref="AsOf"/> is open, and those
    /// whose stage then is closed unless they are still closed with a close instant outside this period.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: no count.</value>
    public Interval? DetailPeriod { get; init; }

    /// <summary>
    /// Gets the period whose ended stays the time in stage measures (<see cref="IPipelineAggregates.StageExitsAsync"/>, with the
    /// deals in each stage and the stale ones taken at <see cref="AsOf"/>).
    /// </summary>
    /// <value>The default value is <see langword="null"/>: no time in stage.</value>
    public Interval? TimeInStagePeriod { get; init; }

    /// <summary>Gets the options of the forecast this request computes: its owner, overdue date and conversion.</summary>
    public ForecastOptions ForecastOptions => new() { Owner = Owner, OverdueBefore = OverdueBefore, Conversion = Conversion };

    /// <summary>Gets the options of the reached-stage funnel this request computes: its owner and counting.</summary>
    public ReachedStageFunnelOptions FunnelOptions => new() { Owner = Owner, Counting = Counting };
}

/// <summary>The figures of a <see cref="HistoryFactsRequest"/>, each equal to its <see cref="DealPass"/> calculator over the stored deals.</summary>
/// <param name="Open">The snapshot's stage totals and the forecast at the as-of instant (<see cref="IPipelineAggregates.OpenDealsAsync"/>).</param>
/// <param name="Periods">The figures of each requested period, in the order asked (<see cref="DealPass.PeriodFigures"/>).</param>
/// <param name="Funnel">The reached-stage funnel of the cohort (<see cref="DealPass.ReachedStages"/>), or <see langword="null"/> when none was asked.</param>
/// <param name="DetailDeals">How many deals the detail sheet shows for the detail period, or <see langword="null"/> when none was asked.</param>
public sealed record HistoryFacts(OpenDealFigures Open, IReadOnlyList<PeriodFiguresReport> Periods, ReachedStageFunnel? Funnel, long? DetailDeals)
{
    /// <summary>Gets the time in stage of <see cref="HistoryFactsRequest.TimeInStagePeriod"/> (<see cref="DealPass.StageExits"/>), or <see langword="null"/> when none was asked.</summary>
    public IReadOnlyList<StageExits>? TimeInStage { get; init; }
}
