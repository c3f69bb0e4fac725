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
        NumberCulture = CultureInfo.InvariantCulture,
        AllDealsShownFormat = "All {0:N0} deals shown.",
        MoreDealsNotShownFormat = "{0:N0} more deals not shown (limit {1:N0}).",
        ScheduledSubjectFormat = "{0}: sales report {1:uuuu-MM-dd} – {2:uuuu-MM-dd}",
        WorkbookAttached = "The workbook with the funnel, win/loss, forecast and deals is attached.",
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
        NumberCulture = CultureInfo.GetCultureInfo("pl-PL"),
        AllDealsShownFormat = "Pokazano wszystkie transakcje: {0:N0}.",
        MoreDealsNotShownFormat = "Nie pokazano kolejnych {0:N0} transakcji (limit {1:N0}).",
        ScheduledSubjectFormat = "{0}: raport sprzedaży {1:uuuu-MM-dd} – {2:uuuu-MM-dd}",
        WorkbookAttached = "W załączniku skoroszyt z lejkiem, wygranymi i przegranymi, prognozą i transakcjami.",
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

    /// <summary>The culture counts in the notes are written in (thousands separators).</summary>
    public required CultureInfo NumberCulture { get; init; }

    /// <summary>{0} = the number of deals.</summary>
    public required string AllDealsShownFormat { get; init; }

    /// <summary>{0} = the deals left off, {1} = the row limit.</summary>
    public required string MoreDealsNotShownFormat { get; init; }

    /// <summary>The subject of a scheduled report's e-mail: {0} = the schedule, {1} and {2} = the period's first and last day.</summary>
    public required string ScheduledSubjectFormat { get; init; }

    /// <summary>The line under the key figures of a scheduled report's e-mail.</summary>
    public required string WorkbookAttached { get; init; }

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
