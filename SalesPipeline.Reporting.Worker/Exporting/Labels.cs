using System.Globalization;

namespace SalesPipeline.Reporting.Worker.Exporting;

/// <summary>
/// The fixed texts of a workbook in one language. Sheet names are not here: they stay English in every
/// culture so that links, macros and tests that open a sheet by name keep working.
/// </summary>
internal sealed class Labels
{
    public static readonly Labels English = new()
    {
        ReportTitle = "Sales pipeline report",
        Pipeline = "Pipeline",
        PeriodFrom = "Period from",
        PeriodTo = "Period to",
        AsOf = "As of",
        GeneratedAt = "Generated at",
        TimeZone = "Time zone",
        Filters = "Filters",
        NoFilters = "none",
        KeyFigures = "Key figures",
        NoDeals = "No deals in scope.",
        None = "(none)",
        OpenDeals = "Open deals",
        OpenValue = "Open value",
        WeightedValue = "Weighted value",
        Won = "Won",
        Lost = "Lost",
        WinRateByCount = "Win rate (count)",
        WinRateByValue = "Win rate (value)",
        AverageCycleDays = "Average cycle (days)",
        SalesVelocity = "Sales velocity (per day)",
        PerDay = "day",
        Stage = "Stage",
        Currency = "Currency",
        Deals = "Deals",
        Value = "Value",
        Share = "Share",
        Reached = "Reached",
        Conversion = "Conversion",
        CumulativeConversion = "Cumulative conversion",
        Breakdown = "Breakdown",
        Total = "Total",
        ByOwner = "By owner",
        ByLossReason = "By loss reason",
        ByStageLostAt = "By stage lost at",
        WonValue = "Won value",
        LostValue = "Lost value",
        Month = "Month",
        Name = "Name",
        Account = "Account",
        Owner = "Owner",
        Status = "Status",
        Probability = "Probability",
        Created = "Created",
        ExpectedClose = "Expected close",
        Closed = "Closed",
        LossReason = "Loss reason",
        Comment = "Comment",
        StatusOpen = "Open",
        StatusWon = "Won",
        StatusLost = "Lost",
        PipelineCaptionFormat = "Pipeline on {0}",
        CohortCaptionFormat = "Deals created {0}–{1}: how far they got",
        ChartFunnel = "Open deals and weighted value by stage ({0})",
        ChartConversion = "Conversion of the deals created in the period, by stage",
        ChartWinRate = "Win rate by owner (count)",
        ChartForecast = "Forecast by expected close month: value and weighted value ({0})",
        Comparison = "Compared with earlier periods",
        ThisPeriod = "This period",
        PreviousPeriod = "Previous period",
        YearEarlier = "A year earlier",
        Change = "Change",
        NewDeals = "New pipeline created (deals)",
        NewValue = "New pipeline created (value)",
        OpenAtEnd = "Open deals at the end",
        OpenValueAtEnd = "Open value at the end",
        WeightedAtEnd = "Weighted value at the end",
        TimeInStageCaptionFormat = "Stays in each stage that ended {0}–{1}; open deals on {2}",
        LeftInPeriod = "Left in period",
        MeanDays = "Mean (days)",
        MedianDays = "Median (days)",
        OpenNow = "Open at the end",
        StaleAfterDays = "Stale after (days)",
        StaleNow = "Stale at the end",
        AccountsCaptionFormat = "Revenue won by account, {0}–{1} and all time up to {2}, with lifetime value",
        WonInPeriod = "Won in period",
        WonAllTime = "Won all time",
        DealsWon = "Deals won",
        FirstWin = "First win",
        LastWin = "Last win",
        MarginPerYear = "Margin per year",
        LifetimeValue = "Lifetime value",
        ValueAfterAcquisition = "Value after acquisition cost",
        WorthIt = "Worth it",
        Yes = "yes",
        No = "no",
        LtvInputsTitle = "Lifetime value inputs",
        LtvMargin = "Margin (share of revenue)",
        LtvRetention = "Retention (per year)",
        LtvDiscountRate = "Discount rate (per year)",
        LtvHorizon = "Horizon (years after the current one)",
        AcquisitionCost = "Acquisition cost",
        NotGiven = "not given",
        LtvFormula = "Margin per year = margin × revenue won per year as a client (since the first win, at least one year); lifetime value = Σ over t = 0…horizon of margin per year × retention^t ÷ (1 + discount rate)^t.",
        Overdue = "Overdue",
        WinRateByOwnerAll = "Win rate by owner (all currencies)",
        PageFooter = "Page &P of &N",
        DateFormat = "yyyy-mm-dd",
        DateTimeFormat = "yyyy-mm-dd hh:mm",
        MonthFormat = "yyyy-mm",
        TextDatePattern = "yyyy-MM-dd",
        NumberCulture = CultureInfo.InvariantCulture,
        AllDealsShownFormat = "All {0:N0} deals shown.",
        MoreDealsNotShownFormat = "{0:N0} more deals not shown (limit {1:N0}).",
    };

    public static readonly Labels Polish = new()
    {
        ReportTitle = "Raport lejka sprzedaży",
        Pipeline = "Lejek sprzedaży",
        PeriodFrom = "Okres od",
        PeriodTo = "Okres do",
        AsOf = "Stan na",
        GeneratedAt = "Wygenerowano",
        TimeZone = "Strefa czasowa",
        Filters = "Filtry",
        NoFilters = "brak",
        KeyFigures = "Kluczowe wskaźniki",
        NoDeals = "Brak transakcji w zakresie raportu.",
        None = "(brak)",
        OpenDeals = "Otwarte transakcje",
        OpenValue = "Wartość otwartych",
        WeightedValue = "Wartość ważona",
        Won = "Wygrane",
        Lost = "Przegrane",
        WinRateByCount = "Współczynnik wygranych (liczba)",
        WinRateByValue = "Współczynnik wygranych (wartość)",
        AverageCycleDays = "Średni cykl sprzedaży (dni)",
        SalesVelocity = "Tempo sprzedaży (na dzień)",
        PerDay = "dzień",
        Stage = "Etap",
        Currency = "Waluta",
        Deals = "Transakcje",
        Value = "Wartość",
        Share = "Udział",
        Reached = "Osiągnęło",
        Conversion = "Konwersja",
        CumulativeConversion = "Konwersja skumulowana",
        Breakdown = "Podział",
        Total = "Suma",
        ByOwner = "Według handlowca",
        ByLossReason = "Według powodu przegranej",
        ByStageLostAt = "Według etapu przegranej",
        WonValue = "Wartość wygranych",
        LostValue = "Wartość przegranych",
        Month = "Miesiąc",
        Name = "Nazwa",
        Account = "Klient",
        Owner = "Handlowiec",
        Status = "Status",
        Probability = "Prawdopodobieństwo",
        Created = "Utworzono",
        ExpectedClose = "Planowane zamknięcie",
        Closed = "Zamknięto",
        LossReason = "Powód przegranej",
        Comment = "Komentarz",
        StatusOpen = "Otwarta",
        StatusWon = "Wygrana",
        StatusLost = "Przegrana",
        PipelineCaptionFormat = "Lejek na dzień {0}",
        CohortCaptionFormat = "Transakcje utworzone {0}–{1}: jak daleko doszły",
        ChartFunnel = "Otwarte transakcje i wartość ważona według etapu ({0})",
        ChartConversion = "Konwersja transakcji utworzonych w okresie, według etapu",
        ChartWinRate = "Współczynnik wygranych według handlowca (liczba)",
        ChartForecast = "Prognoza według miesiąca planowanego zamknięcia: wartość i wartość ważona ({0})",
        Comparison = "Porównanie z wcześniejszymi okresami",
        ThisPeriod = "Ten okres",
        PreviousPeriod = "Poprzedni okres",
        YearEarlier = "Rok wcześniej",
        Change = "Zmiana",
        NewDeals = "Nowe transakcje w lejku (liczba)",
        NewValue = "Nowe transakcje w lejku (wartość)",
        OpenAtEnd = "Otwarte transakcje na koniec",
        OpenValueAtEnd = "Wartość otwartych na koniec",
        WeightedAtEnd = "Wartość ważona na koniec",
        TimeInStageCaptionFormat = "Pobyty na etapach zakończone {0}–{1}; otwarte transakcje na dzień {2}",
        LeftInPeriod = "Opuściły etap w okresie",
        MeanDays = "Średnio (dni)",
        MedianDays = "Mediana (dni)",
        OpenNow = "Otwarte na koniec",
        StaleAfterDays = "Zastój po (dniach)",
        StaleNow = "W zastoju na koniec",
        AccountsCaptionFormat = "Przychód z wygranych według klienta, {0}–{1} i łącznie do {2}, z wartością klienta (LTV)",
        WonInPeriod = "Wygrane w okresie",
        WonAllTime = "Wygrane łącznie",
        DealsWon = "Wygrane transakcje",
        FirstWin = "Pierwsza wygrana",
        LastWin = "Ostatnia wygrana",
        MarginPerYear = "Marża na rok",
        LifetimeValue = "Wartość klienta (LTV)",
        ValueAfterAcquisition = "Wartość po koszcie pozyskania",
        WorthIt = "Opłaca się",
        Yes = "tak",
        No = "nie",
        LtvInputsTitle = "Założenia wartości klienta (LTV)",
        LtvMargin = "Marża (udział w przychodzie)",
        LtvRetention = "Retencja (na rok)",
        LtvDiscountRate = "Stopa dyskontowa (na rok)",
        LtvHorizon = "Horyzont (lata po bieżącym)",
        AcquisitionCost = "Koszt pozyskania",
        NotGiven = "nie podano",
        LtvFormula = "Marża na rok = marża × przychód z wygranych na rok współpracy (od pierwszej wygranej, co najmniej rok); wartość klienta = Σ dla t = 0…horyzont z marży na rok × retencja^t ÷ (1 + stopa dyskontowa)^t.",
        Overdue = "Zaległe",
        WinRateByOwnerAll = "Współczynnik wygranych według handlowca (wszystkie waluty)",
        PageFooter = "Strona &P z &N",
        DateFormat = "dd.mm.yyyy",
        DateTimeFormat = "dd.mm.yyyy hh:mm",
        MonthFormat = "mm.yyyy",
        TextDatePattern = "dd.MM.yyyy",
        NumberCulture = CultureInfo.GetCultureInfo("pl-PL"),
        AllDealsShownFormat = "Pokazano wszystkie transakcje: {0:N0}.",
        MoreDealsNotShownFormat = "Nie pokazano kolejnych {0:N0} transakcji (limit {1:N0}).",
    };

    public required string ReportTitle { get; init; }
    public required string Pipeline { get; init; }
    public required string PeriodFrom { get; init; }
    public required string PeriodTo { get; init; }
    public required string AsOf { get; init; }
    public required string GeneratedAt { get; init; }
    public required string TimeZone { get; init; }
    public required string Filters { get; init; }
    public required string NoFilters { get; init; }
    public required string KeyFigures { get; init; }
    public required string NoDeals { get; init; }
    public required string None { get; init; }
    public required string OpenDeals { get; init; }
    public required string OpenValue { get; init; }
    public required string WeightedValue { get; init; }
    public required string Won { get; init; }
    public required string Lost { get; init; }
    public required string WinRateByCount { get; init; }
    public required string WinRateByValue { get; init; }
    public required string AverageCycleDays { get; init; }
    public required string SalesVelocity { get; init; }

    /// <summary>The unit after the currency in the sales-velocity number format ("PLN/day").</summary>
    public required string PerDay { get; init; }

    public required string Stage { get; init; }
    public required string Currency { get; init; }
    public required string Deals { get; init; }
    public required string Value { get; init; }
    public required string Share { get; init; }
    public required string Reached { get; init; }
    public required string Conversion { get; init; }
    public required string CumulativeConversion { get; init; }
    public required string Breakdown { get; init; }
    public required string Total { get; init; }
    public required string ByOwner { get; init; }
    public required string ByLossReason { get; init; }
    public required string ByStageLostAt { get; init; }
    public required string WonValue { get; init; }
    public required string LostValue { get; init; }
    public required string Month { get; init; }
    public required string Name { get; init; }
    public required string Account { get; init; }
    public required string Owner { get; init; }
    public required string Status { get; init; }
    public required string Probability { get; init; }
    public required string Created { get; init; }
    public required string ExpectedClose { get; init; }
    public required string Closed { get; init; }
    public required string LossReason { get; init; }
    public required string Comment { get; init; }

    public required string StatusOpen { get; init; }
    public required string StatusWon { get; init; }
    public required string StatusLost { get; init; }
    public required string PipelineCaptionFormat { get; init; }
    public required string CohortCaptionFormat { get; init; }
    public required string ChartFunnel { get; init; }
    public required string ChartConversion { get; init; }
    public required string ChartWinRate { get; init; }
    public required string ChartForecast { get; init; }
    public required string Comparison { get; init; }
    public required string ThisPeriod { get; init; }
    public required string PreviousPeriod { get; init; }
    public required string YearEarlier { get; init; }
    public required string Change { get; init; }
    public required string NewDeals { get; init; }
    public required string NewValue { get; init; }
    public required string OpenAtEnd { get; init; }
    public required string OpenValueAtEnd { get; init; }
    public required string WeightedAtEnd { get; init; }
    public required string TimeInStageCaptionFormat { get; init; }
    public required string LeftInPeriod { get; init; }
    public required string MeanDays { get; init; }
    public required string MedianDays { get; init; }
    public required string OpenNow { get; init; }
    public required string StaleAfterDays { get; init; }
    public required string StaleNow { get; init; }
    public required string AccountsCaptionFormat { get; init; }
    public required string WonInPeriod { get; init; }
    public required string WonAllTime { get; init; }
    public required string DealsWon { get; init; }
    public required string FirstWin { get; init; }
    public required string LastWin { get; init; }
    public required string MarginPerYear { get; init; }
    public required string LifetimeValue { get; init; }
    public required string ValueAfterAcquisition { get; init; }
    public required string WorthIt { get; init; }
    public required string Yes { get; init; }
    public required string No { get; init; }
    public required string LtvInputsTitle { get; init; }
    public required string LtvMargin { get; init; }
    public required string LtvRetention { get; init; }
    public required string LtvDiscountRate { get; init; }
    public required string LtvHorizon { get; init; }
    public required string AcquisitionCost { get; init; }
    public required string NotGiven { get; init; }
    public required string LtvFormula { get; init; }
    public required string Overdue { get; init; }
    public required string WinRateByOwnerAll { get; init; }
    public required string PageFooter { get; init; }

    /// <summary>The Excel number format of dates.</summary>
    public required string DateFormat { get; init; }

    /// <summary>The Excel number format of dates with a time.</summary>
    public required string DateTimeFormat { get; init; }

    /// <summary>The Excel number format of months.</summary>
    public required string MonthFormat { get; init; }

    /// <summary>The .NET pattern of dates written inside text (captions, headers).</summary>
    public required string TextDatePattern { get; init; }

    /// <summary>The culture counts in the notes are written in (thousands separators).</summary>
    public required CultureInfo NumberCulture { get; init; }

    /// <summary>{0} = the number of deals.</summary>
    public required string AllDealsShownFormat { get; init; }

    /// <summary>{0} = the deals left off, {1} = the row limit.</summary>
    public required string MoreDealsNotShownFormat { get; init; }

    /// <summary>A date inside text, in the language's pattern.</summary>
    public string Date(NodaTime.LocalDate date) =>
        date.ToString(TextDatePattern, CultureInfo.InvariantCulture);

    /// <summary>"Pipeline on 2026-03-31".</summary>
    public string PipelineCaption(NodaTime.LocalDate asOf) =>
        string.Format(NumberCulture, PipelineCaptionFormat, Date(asOf));

    /// <summary>"Deals created 2026-01-01–2026-03-31: how far they got".</summary>
    public string CohortCaption(NodaTime.LocalDate from, NodaTime.LocalDate to) =>
        string.Format(NumberCulture, CohortCaptionFormat, Date(from), Date(to));

    /// <summary>The caption of the Time in Stage sheet.</summary>
    public string TimeInStageCaption(NodaTime.LocalDate from, NodaTime.LocalDate to, NodaTime.LocalDate asOf) =>
        string.Format(NumberCulture, TimeInStageCaptionFormat, Date(from), Date(to), Date(asOf));

    /// <summary>The caption of the Accounts sheet.</summary>
    public string AccountsCaption(NodaTime.LocalDate from, NodaTime.LocalDate to, NodaTime.LocalDate asOf) =>
        string.Format(NumberCulture, AccountsCaptionFormat, Date(from), Date(to), Date(asOf));

    /// <summary>"2026-01-01 – 2026-03-31".</summary>
    public string Span(NodaTime.LocalDate from, NodaTime.LocalDate to) => $"{Date(from)} – {Date(to)}";

    public string AllDealsShown(long shown) =>
        string.Format(NumberCulture, AllDealsShownFormat, shown);

    public string MoreDealsNotShown(long omitted, int limit) =>
        string.Format(NumberCulture, MoreDealsNotShownFormat, omitted, limit);

    /// <summary>The labels of <paramref name="culture"/>: <c>en</c> or <c>pl</c>, with or without a region (<c>pl-PL</c>).</summary>
    /// <exception cref="ArgumentException">The culture is neither English nor Polish.</exception>
    public static Labels For(string culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        var language = culture.Split('-', '_')[0];
        if (language.Equals("en", StringComparison.OrdinalIgnoreCase))
        {
            return English;
        }

        if (language.Equals("pl", StringComparison.OrdinalIgnoreCase))
        {
            return Polish;
        }

        throw new ArgumentException(
            $"The report culture '{culture}' is not supported; use 'en' or 'pl'.", nameof(culture));
    }
}
