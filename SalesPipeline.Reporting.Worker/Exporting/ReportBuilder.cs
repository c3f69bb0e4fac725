using System.Globalization;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Storage.Internal;

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
/// Computes a report's figures from the store's aggregates (SQL on a database): one read of the stage history for everything
/// that needs a deal's stage at an instant (snapshot, forecast, the compared periods, the cohort funnel, the detail sheet's
/// count, time in stage), and beside it win/loss, sales cycle and revenue per account, all read in parallel; velocity is
/// derived from those. A streamed pass
/// over the deals (<see cref="IPipelineAggregates.PassAsync"/>) fills only the detail sheet's first rows and stops there, so
/// neither time nor memory grows with the deals beyond what the database itself reads. With
/// <paramref name="reads"/> every figure comes from one consistent read of the store (the parallel reads each on a connection
/// begun on the same snapshot), so a report taken while an import commits shows the store wholly before or wholly after it.
/// </summary>
internal sealed class ReportBuilder(IPipelineAggregates aggregates, IAccountStore accounts, IClock clock, IConsistentReads? reads = null)
{
    /// <summary>Gets the clock the report is produced by.</summary>
    internal IClock Clock => clock;

    /// <summary>
    /// Test seam: when set, the detail sheet's pass waits for the store's aggregates, then for this, instead of running beside
    /// them, so a test can commit between the two.
    /// </summary>
    internal Func<CancellationToken, Task>? AfterSnapshot { get; set; }

    public async Task<ReportModel> BuildAsync(ReportRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (await BuildAsync(request, [request.Culture], cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>
    /// Builds the report once per culture from one computation of its figures: the models differ only in their labels and
    /// stage names, so a report in several languages costs the store's reads once.
    /// </summary>
    public async Task<IReadOnlyList<ReportModel>> BuildAsync(ReportRequest request, IReadOnlyList<string> cultures, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(cultures);
        if (reads is null)
        {
            return await BuildInScopeAsync(request, cultures, cancellationToken).ConfigureAwait(false);
        }

        var scope = reads.Begin();
        await using (scope.ConfigureAwait(false))
        {
            return await BuildInScopeAsync(request, cultures, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<ReportModel>> BuildInScopeAsync(ReportRequest request, IReadOnlyList<string> cultures, CancellationToken cancellationToken)
    {
        var pipeline = request.Pipeline;
        var period = request.Period;
        var asOf = request.AsOf;

        // Grouped by the store (in SQL on a database). One read of the stage history gives what needs each deal's stage at an
        // instant: the snapshot and forecast at the as-of instant, the three compared periods (each taken at its end), the
        // cohort funnel, how many deals the detail sheet shows and the deals in each stage for the time in stage (whose ended
        // stays it reads beside); the streamed pass started below only fills the detail sheet's rows.
        var (previousFrom, previousTo) = request.PreviousPeriod;
        var (yearFrom, yearTo) = request.YearEarlier;
        using var parallel = new ParallelReads(cancellationToken);

        // Started here, so the parts of the history it reads side by side are queued ahead of the shorter reads below.
        var factsRead = parallel.StartHere(token => aggregates.HistoryFactsAsync(
            pipeline,
            new HistoryFactsRequest(asOf)
            {
                Owner = request.Owner,
                OverdueBefore = request.To.PlusDays(1),
                Periods = [period, request.Span(previousFrom, previousTo), request.Span(yearFrom, yearTo)],
                Cohort = period,
                DetailPeriod = period,
                TimeInStagePeriod = period,
            },
            token));

        // The other aggregates are independent of it and of each other: they run beside it, each on a connection of the
        // consistent read (one state of the store however many run at once), the longest first.
        var cycleRead = parallel.Start(token => aggregates.SalesCycleAsync(pipeline, period, new SalesCycleOptions { Owner = request.Owner }, token));
        var winLossRead = parallel.Start(token => aggregates.WinLossAsync(pipeline, period, new WinLossOptions { Owner = request.Owner }, token));
        var accountRowsRead = parallel.Start(async token => await AccountRowsAsync(
            await aggregates.AccountRevenueAsync(pipeline, period, asOf, request.Owner, token).ConfigureAwait(false), request, accounts, token).ConfigureAwait(false));

        // The detail sheet's rows: a streamed pass that stops once they are full, then their accounts' names, beside the rest.
        var detail = new DetailRows(pipeline, period, asOf, Math.Min(request.DetailRowLimit, WorkbookWriter.MaxDetailRows));
        var detailAccountsRead = parallel.Start(async token =>
        {
            if (AfterSnapshot is { } hook)
            {
                await Task.WhenAll(factsRead, winLossRead, accountRowsRead, cycleRead).ConfigureAwait(false);
                await hook(token).ConfigureAwait(false);
            }

            await aggregates.PassAsync(pipeline, request.Owner, [detail], period.HasStart ? period.Start : null, token).ConfigureAwait(false);
            return await accounts.NamesAsync(detail.Accounts, token).ConfigureAwait(false);
        });
        await parallel.WhenAllAsync().ConfigureAwait(false);
        var facts = await factsRead.ConfigureAwait(false);
        var open = facts.Open;
        var forecastReport = open.Forecast;
        var winLossReport = await winLossRead.ConfigureAwait(false);

        // The snapshot's closed deals are the period's win/loss (same owner, same close period): no deal needs reading again.
        var snapshot = PipelineAnalytics.SnapshotFrom(pipeline, asOf, open.Stages, winLossReport);
        var cycleReport = await cycleRead.ConfigureAwait(false);
        var stageExits = facts.TimeInStage ?? await aggregates.StageExitsAsync(pipeline, period, asOf, request.Owner, cancellationToken).ConfigureAwait(false);
        // Velocity is the snapshot's open deals with the period's win/loss and cycle: no deal needs reading for it.
        var velocity = PipelineAnalytics.VelocityFrom(snapshot, winLossReport, cycleReport);
        var detailAccounts = await detailAccountsRead.ConfigureAwait(false);
        var accountRows = await accountRowsRead.ConfigureAwait(false);
        var produced = clock.GetCurrentInstant();
        return [.. cultures.Select(Model)];

        ReportModel Model(string cultureName)
        {
            var culture = CultureInfo.GetCultureInfo(cultureName);
            var labels = Labels.For(cultureName);
            var filters = new List<(string, string)>();
            if (request.Owner is { } owner)
            {
                filters.Add((labels.Owner, owner.Value));
            }

            var reachedReport = facts.Funnel!;
            var yearReport = facts.Periods[2];
            return new ReportModel(
                cultureName,
                pipeline.Name,
                request.From,
                request.To,
                asOf,
                produced,
                request.TimeZone,
                filters,
                Summary(snapshot, winLossReport, cycleReport, velocity),
                WinLossTables(pipeline, culture, labels, winLossReport),
                [.. forecastReport.Months.SelectMany(m => m.Values.Select(v => new ForecastRow(m.Month, v.Currency, v.Count, v.Value, v.WeightedValue)))],
                detail.Rows(culture, labels, request.TimeZone, detailAccounts),
                request.DetailRowLimit,
                request.Kind,
                Math.Max(0, facts.DetailDeals!.Value - detail.Kept))
            {
                Snapshot = SnapshotRows(pipeline, culture, snapshot),
                Cohort = [.. reachedReport.Stages.Select(r => new CohortStageRow(pipeline.Stage(r.Stage).NameIn(culture), r.Reached, r.ConversionFromPrevious, r.CumulativeConversion))],
                ThisPeriod = new ComparedPeriod(request.From, request.To, facts.Periods[0].Currencies),
                PreviousPeriod = new ComparedPeriod(previousFrom, previousTo, facts.Periods[1].Currencies),
                YearEarlier = yearReport.HasDeals ? new ComparedPeriod(yearFrom, yearTo, yearReport.Currencies) : null,
                TimeInStage = [.. stageExits.Select(e => new TimeInStageRow(
                    pipeline.Stage(e.Stage).NameIn(culture), e.Left, e.MeanDays, e.MedianDays, e.OpenNow, e.StaleAfter is { } limit ? (int)limit.TotalDays : null, e.StaleNow))],
                Accounts = accountRows,
                Ltv = request.Ltv,
                ForecastOverdue = [.. forecastReport.Overdue.Select(v => new ForecastRow(request.To.ToYearMonth(), v.Currency, v.Count, v.Value, v.WeightedValue))],
            };
        }
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
    /// The Opportunities sheet's rows: the deals open at the as-of instant or closed in the period, the first <c>limit</c> of
    /// them (in id order). The accumulator is complete once the rows are full, so the pass stops there; how many deals the
    /// sheet leaves out comes from the store's count of the deals in scope. Account names are looked up for the kept rows only.
    /// </summary>
    private sealed class DetailRows(PipelineDefinition pipeline, Interval period, Instant asOf, int limit) : IDealAccumulator
    {
        private readonly List<(OpportunityState Deal, StageDefinition Stage, Instant? ClosedAt)> _rows = [];

        public bool IsComplete => _rows.Count >= limit;

        /// <summary>Gets the number of rows kept.</summary>
        public int Kept => _rows.Count;

        /// <summary>Gets the accounts of the rows kept.</summary>
        public IEnumerable<AccountId> Accounts => _rows.Select(r => r.Deal.Account).OfType<AccountId>();

        public void Add(OpportunityState deal)
        {
            if (_rows.Count < limit && PipelineAggregates.DetailStage(deal, pipeline, asOf, period) is { } stage)
            {
                _rows.Add((deal, stage, stage.IsOpen ? null : deal.Outcome?.ClosedAt));
            }
        }

        /// <summary>The rows kept, in <paramref name="culture"/>, with the account names given.</summary>
        public List<OpportunityRow> Rows(CultureInfo culture, Labels labels, DateTimeZone zone, IReadOnlyDictionary<AccountId, string> names) =>
        [
            .. _rows.Select(r =>
            {
                var (deal, stage, closedAt) = r;
                var probability = DealProbability.Of(stage, deal.ProbabilityOverride);
                var status = stage.Kind switch
                {
                    StageKind.Won => labels.StatusWon,
                    StageKind.Lost => labels.StatusLost,
                    _ => labels.StatusOpen,
                };
                return new OpportunityRow(
                    deal.Name,
                    deal.Account is { } id ? names.GetValueOrDefault(id) : null,
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
                    stage.IsOpen ? null : deal.Outcome?.Comment);
            }),
        ];
    }
}
