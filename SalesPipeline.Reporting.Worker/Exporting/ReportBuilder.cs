using System.Globalization;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Reporting.Worker.Exporting;

/// <summary>What one report covers. Closed deals count by close date within [<see cref="From"/>, <see cref="To"/>] in <see cref="TimeZone"/>.</summary>
internal sealed record ReportRequest(
    PipelineDefinition Pipeline,
    LocalDate From,
    LocalDate To,
    DateTimeZone TimeZone,
    UserId? Owner,
    string Culture,
    ReportKind Kind,
    int DetailRowLimit)
{
    /// <summary>Gets the period as instants: from the start of <see cref="From"/> to the end of <see cref="To"/>.</summary>
    public Interval Period => new(From.AtStartOfDayInZone(TimeZone).ToInstant(), To.PlusDays(1).AtStartOfDayInZone(TimeZone).ToInstant());

    /// <summary>Gets the snapshot instant: the end of <see cref="To"/>.</summary>
    public Instant AsOf => Period.End;

    /// <summary>Gets the inputs of the accounts' lifetime values.</summary>
    public LtvInputs Ltv { get; init; } = new();

    /// <summary>
    /// Gets the period of the same length just before this one: as many whole months when the period is whole calendar
    /// months (a quarter is compared with the quarter before), otherwise as many days.
    /// </summary>
    public (LocalDate From, LocalDate To) PreviousPeriod
    {
        get
        {
            if (From.Day == 1 && To.PlusDays(1).Day == 1)
            {
                var months = ((To.Year - From.Year) * 12) + To.Month - From.Month + 1;
                return (From.PlusMonths(-months), From.PlusDays(-1));
            }

            var days = NodaTime.Period.Between(From, To, PeriodUnits.Days).Days + 1;
            return (From.PlusDays(-days), From.PlusDays(-1));
        }
    }

    /// <summary>Gets the same period a year earlier.</summary>
    public (LocalDate From, LocalDate To) YearEarlier => (From.PlusYears(-1), To.PlusYears(-1));

    /// <summary>The instants from the start of <paramref name="from"/> to the end of <paramref name="to"/> in <see cref="TimeZone"/>.</summary>
    public Interval Span(LocalDate from, LocalDate to) =>
        new(from.AtStartOfDayInZone(TimeZone).ToInstant(), to.PlusDays(1).AtStartOfDayInZone(TimeZone).ToInstant());
}

/// <summary>
/// Computes a report's figures: the snapshot funnel, win/loss, forecast and sales cycle from the store's SQL aggregates, the
/// rest in one streamed pass over the pipeline's deals and their histories (<see cref="IPipelineAggregates.PassAsync"/>) that
/// feeds every calculator and keeps only the first rows of the detail sheet, so memory does not grow with the store (only with
/// the rows kept and, for the medians, a number per deal closed or stage left in the period). With
/// <paramref name="reads"/> every figure comes from one consistent read of the store, so a report taken while an import
/// commits shows the store wholly before or wholly after it.
/// </summary>
internal sealed class ReportBuilder(IPipelineAggregates aggregates, IAccountStore accounts, IClock clock, IConsistentReads? reads = null)
{
    /// <summary>Gets the clock the report is produced by.</summary>
    internal IClock Clock => clock;

    /// <summary>Test seam: runs after the SQL snapshot query and before the streamed pass.</summary>
    internal Func<CancellationToken, Task>? AfterSnapshot { get; set; }

    /// <summary>
    /// Counts the deals the detail sheet could show (open at the as-of instant, or whose stage then is closed with a close in
    /// the period), when set; then the sheet's rows are complete once full, and the pass may stop there. Unset, the pass
    /// counts them itself, reading every deal.
    /// </summary>
    internal Func<ReportRequest, CancellationToken, Task<long>>? DetailInScope { get; set; }

    public async Task<ReportModel> BuildAsync(ReportRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (reads is null)
        {
            return await BuildInScopeAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var scope = reads.Begin();
        await using (scope.ConfigureAwait(false))
        {
            return await BuildInScopeAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ReportModel> BuildInScopeAsync(ReportRequest request, CancellationToken cancellationToken)
    {
        var pipeline = request.Pipeline;
        var period = request.Period;
        var asOf = request.AsOf;
        var culture = CultureInfo.GetCultureInfo(request.Culture);
        var labels = Labels.For(request.Culture);

        // Grouped by the store (in SQL on a database): the streamed pass below is left what a GROUP BY cannot do cheaply. The
        // snapshot and the forecast take the deals open at the same instant, so the store finds each deal's stage then once.
        var open = await aggregates.OpenDealsAsync(pipeline, asOf, new ForecastOptions { Owner = request.Owner, OverdueBefore = request.To.PlusDays(1) }, cancellationToken).ConfigureAwait(false);
        var snapshot = await PipelineAnalytics.SnapshotAsync(aggregates, pipeline, asOf, open.Stages, new SnapshotFunnelOptions { Owner = request.Owner, ClosedPeriod = period }, cancellationToken).ConfigureAwait(false);
        var forecastReport = open.Forecast;
        var winLossReport = await aggregates.WinLossAsync(pipeline, period, new WinLossOptions { Owner = request.Owner }, cancellationToken).ConfigureAwait(false);
        var cycleReport = await aggregates.SalesCycleAsync(pipeline, period, new SalesCycleOptions { Owner = request.Owner }, cancellationToken).ConfigureAwait(false);
        if (AfterSnapshot is { } hook)
        {
            await hook(cancellationToken).ConfigureAwait(false);
        }

        // Velocity is the snapshot's open deals with the period's win/loss and cycle: no deal needs reading for it.
        var velocity = PipelineAnalytics.VelocityFrom(snapshot, winLossReport, cycleReport);
        long? inScope = DetailInScope is { } count ? await count(request, cancellationToken).ConfigureAwait(false) : null;
        var reached = DealPass.ReachedStages(pipeline, period, asOf, new ReachedStageFunnelOptions { Owner = request.Owner });
        var (previousFrom, previousTo) = request.PreviousPeriod;
        var (yearFrom, yearTo) = request.YearEarlier;
        var thisPeriod = DealPass.PeriodFigures(pipeline, period, request.Owner);
        var previousPeriod = DealPass.PeriodFigures(pipeline, request.Span(previousFrom, previousTo), request.Owner);
        var yearEarlier = DealPass.PeriodFigures(pipeline, request.Span(yearFrom, yearTo), request.Owner);
        var stageExits = DealPass.StageExits(pipeline, period, asOf, request.Owner);
        var accountRevenue = DealPass.AccountRevenue(pipeline, period, asOf, request.Owner);
        var detail = new DetailRows(pipeline, culture, labels, period, asOf, request.TimeZone, Math.Min(request.DetailRowLimit, WorkbookWriter.MaxDetailRows), counts: inScope is null);
        await aggregates.PassAsync(
            pipeline, request.Owner, [reached, thisPeriod, previousPeriod, yearEarlier, stageExits, accountRevenue, detail], cancellationToken).ConfigureAwait(false);

        var filters = new List<(string, string)>();
        if (request.Owner is { } owner)
        {
            filters.Add((labels.Owner, owner.Value));
        }

        var reachedReport = reached.Result();
        var yearReport = yearEarlier.Result();
        return new ReportModel(
            request.Culture,
            pipeline.Name,
            request.From,
            request.To,
            asOf,
            clock.GetCurrentInstant(),
            request.TimeZone,
            filters,
            Summary(snapshot, winLossReport, cycleReport, velocity),
            WinLossTables(pipeline, culture, labels, winLossReport),
            [.. forecastReport.Months.SelectMany(m => m.Values.Select(v => new ForecastRow(m.Month, v.Currency, v.Count, v.Value, v.WeightedValue)))],
            await detail.RowsAsync(accounts, cancellationToken).ConfigureAwait(false),
            request.DetailRowLimit,
            request.Kind,
            detail.Omitted(inScope))
        {
            Snapshot = SnapshotRows(pipeline, culture, snapshot),
            Cohort = [.. reachedReport.Stages.Select(r => new CohortStageRow(pipeline.Stage(r.Stage).NameIn(culture), r.Reached, r.ConversionFromPrevious, r.CumulativeConversion))],
            ThisPeriod = new ComparedPeriod(request.From, request.To, thisPeriod.Result().Currencies),
            PreviousPeriod = new ComparedPeriod(previousFrom, previousTo, previousPeriod.Result().Currencies),
            YearEarlier = yearReport.HasDeals ? new ComparedPeriod(yearFrom, yearTo, yearReport.Currencies) : null,
            TimeInStage = [.. stageExits.Result().Select(e => new TimeInStageRow(
                pipeline.Stage(e.Stage).NameIn(culture), e.Left, e.MeanDays, e.MedianDays, e.OpenNow, e.StaleAfter is { } limit ? (int)limit.TotalDays : null, e.StaleNow))],
            Accounts = await AccountRowsAsync(accountRevenue.Result(), request, accounts, cancellationToken).ConfigureAwait(false),
            Ltv = request.Ltv,
            ForecastOverdue = [.. forecastReport.Overdue.Select(v => new ForecastRow(request.To.ToYearMonth(), v.Currency, v.Count, v.Value, v.WeightedValue))],
        };
    }

    /// <summary>
    /// The open stages' snapshot rows, one currency after another (the currency with the most open deals first), each in
    /// pipeline order with every open stage present, so a chart can point at one currency's rows as one block of cells.
    /// </summary>
    private static List<SnapshotStageRow> SnapshotRows(PipelineDefinition pipeline, CultureInfo culture, SnapshotFunnel snapshot)
    {
        var currencies = snapshot.OpenValues.OrderByDescending(v => v.Count).ThenBy(v => v.Currency, StringComparer.Ordinal).Select(v => v.Currency).ToList();
        if (currencies.Count == 0 && snapshot.Won.Values.Count > 0)
        {
            currencies.Add(snapshot.Won.Values[0].Currency);
        }

        var rows = new List<SnapshotStageRow>();
        foreach (var currency in currencies)
        {
            foreach (var stage in pipeline.Stages.Where(s => s.IsOpen))
            {
                var value = snapshot.Stages.FirstOrDefault(s => s.Stage == stage.Id)?.Values.FirstOrDefault(v => v.Currency == currency);
                rows.Add(new SnapshotStageRow(stage.NameIn(culture), currency, value?.Count ?? 0, value?.Value ?? 0m, value?.WeightedValue ?? 0m,
                    Rate(value?.Count ?? 0, snapshot.OpenCount)));
            }
        }

        return rows;
    }

    /// <summary>The Accounts sheet's rows with their lifetime values, the most revenue in the period first, then all time, then name.</summary>
    private static async Task<List<AccountRow>> AccountRowsAsync(IReadOnlyList<AccountRevenue> revenue, ReportRequest request, IAccountStore accounts, CancellationToken cancellationToken)
    {
        var rows = new List<AccountRow>(revenue.Count);
        var names = await accounts.NamesAsync(revenue.Select(r => r.Account), cancellationToken).ConfigureAwait(false);
        foreach (var r in revenue)
        {
            var name = names.GetValueOrDefault(r.Account) ?? r.Account.ToString();

            var value = request.Ltv.Assess(r.WonAllTime, r.Currency, r.FirstWin, request.AsOf);
            var lifetime = value.FirstContractMargin.Amount + value.DiscountedFutureValue.Amount;
            var cost = request.Ltv.AcquisitionCost is not null;
            rows.Add(new AccountRow(name, r.Currency, r.WonInPeriod, r.WonAllTime, r.DealsWon,
                r.FirstWin.InZone(request.TimeZone).Date, r.LastWin.InZone(request.TimeZone).Date,
                value.FirstContractMargin.Amount, lifetime, cost ? value.Value.Amount : null, cost ? value.IsWorthIt : null));
        }

        return [.. rows
            .OrderByDescending(r => r.WonInPeriod)
            .ThenByDescending(r => r.WonAllTime)
            .ThenBy(r => r.Account, StringComparer.CurrentCulture)
            .ThenBy(r => r.Currency, StringComparer.Ordinal)];
    }

    private static List<SummaryFigures> Summary(SnapshotFunnel snapshot, WinLossReport winLoss, SalesCycleReport cycle, SalesVelocityReport velocity)
    {
        var currencies = snapshot.OpenValues.Select(v => v.Currency)
            .Concat(winLoss.Total.Values.Select(v => v.Currency))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        return
        [
            .. currencies.Select(currency =>
            {
                var open = snapshot.OpenValues.FirstOrDefault(v => v.Currency == currency);
                var closed = winLoss.Total.Values.FirstOrDefault(v => v.Currency == currency);
                var speed = velocity.Values.FirstOrDefault(v => v.Currency == currency);
                return new SummaryFigures(
                    currency,
                    open?.Count ?? 0,
                    open?.Value ?? 0m,
                    open?.WeightedValue ?? 0m,
                    closed?.Won ?? 0,
                    closed?.Lost ?? 0,
                    closed is null ? null : Rate(closed.Won, closed.Won + closed.Lost),
                    closed?.WinRateByValue,
                    cycle.Won.MeanDays,
                    speed?.ValuePerDay);
            }),
        ];
    }

    private static WinLossSection WinLossTables(PipelineDefinition pipeline, CultureInfo culture, Labels labels, WinLossReport report)
    {
        var total = labels.Total;
        var none = labels.None;
        return new WinLossSection(
            [.. Rows(total, report.Total)],
            [.. report.ByOwner.OrderBy(o => o.Owner.Value, StringComparer.CurrentCulture).SelectMany(o => Rows(o.Owner.Value, o.Figures))],
            [.. report.ByLossReason.SelectMany(g => LossRows(g.Key ?? none, g))],
            [.. report.ByStageLostAt.SelectMany(g => LossRows(
                g.Key is { } id && StageId.IsValid(id) && pipeline.TryGetStage(new StageId(id), out var stage) ? stage.NameIn(culture) : g.Key ?? none, g))]);
    }

    private static IEnumerable<WinLossRow> Rows(string label, WinLossFigures figures) =>
        figures.Values.Select(v => new WinLossRow(label, v.Currency, v.Won, v.Lost, v.WonValue, v.LostValue, Rate(v.Won, v.Won + v.Lost), v.WinRateByValue));

    private static IEnumerable<WinLossRow> LossRows(string label, LossGroup group) =>
        group.Values.Select(v => new WinLossRow(label, v.Currency, 0, v.Lost, 0m, v.Amount, null, null));

    private static decimal? Rate(long part, long whole) => whole == 0 ? null : (decimal)part / whole;

    /// <summary>
    /// The Opportunities sheet's rows: the deals open at the as-of instant or closed in the period, the first
    /// <c>limit</c> of them (in id order) kept. With <c>counts</c> the rest are counted too, so the pass reads every deal;
    /// without, the accumulator is complete once the rows are full and the count of the deals in scope comes from the store.
    /// Account names are looked up for the kept rows only.
    /// </summary>
    private sealed class DetailRows(PipelineDefinition pipeline, CultureInfo culture, Labels labels, Interval period, Instant asOf, DateTimeZone zone, int limit, bool counts) : IDealAccumulator
    {
        private readonly List<(OpportunityRow Row, AccountId? Account)> _rows = [];
        private long _beyondLimit;

        public bool IsComplete => !counts && _rows.Count >= limit;

        /// <summary>The number of deals in scope beyond the rows kept: of <paramref name="inScope"/> when given, else as counted.</summary>
        public long Omitted(long? inScope) => inScope is { } all ? Math.Max(0, all - _rows.Count) : _beyondLimit;

        public void Add(OpportunityState deal)
        {
            if (PipelineAggregates.StageAt(deal, asOf) is not { } stageId)
            {
                return;
            }

            var stage = pipeline.Stage(stageId);
            var closedAt = stage.IsOpen ? null : deal.Outcome?.ClosedAt;
            if (closedAt is { } closed && !period.Contains(closed))
            {
                return;
            }

            if (_rows.Count >= limit)
            {
                _beyondLimit++;
                return;
            }

            var probability = DealProbability.Of(stage, deal.ProbabilityOverride);
            var status = stage.Kind switch
            {
                StageKind.Won => labels.StatusWon,
                StageKind.Lost => labels.StatusLost,
                _ => labels.StatusOpen,
            };
            _rows.Add((new OpportunityRow(
                deal.Name,
                null,
                deal.Owner.Value,
                stage.NameIn(culture),
                status,
                deal.Value.Currency,
                deal.Value.Amount,
                probability,
                DealProbability.Weighted(deal.Value.Amount, probability),
                deal.CreatedAt.InZone(zone).Date,
                deal.ExpectedClose,
                closedAt?.InZone(zone).Date,
                stage.Kind == StageKind.Lost ? deal.Outcome?.Reason : null,
                stage.IsOpen ? null : deal.Outcome?.Comment), deal.Account));
        }

        public async Task<List<OpportunityRow>> RowsAsync(IAccountStore accounts, CancellationToken cancellationToken)
        {
            var names = await accounts.NamesAsync(_rows.Select(r => r.Account).OfType<AccountId>(), cancellationToken).ConfigureAwait(false);
            return [.. _rows.Select(r => r.Account is { } id ? r.Row with { Account = names.GetValueOrDefault(id) } : r.Row)];
        }
    }
}
