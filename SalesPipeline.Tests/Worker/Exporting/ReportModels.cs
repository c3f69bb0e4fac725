using NodaTime;
using SalesPipeline.Reporting.Worker.Exporting;

namespace SalesPipeline.Tests.Worker.Exporting;

/// <summary>Report models built by hand, so every figure a test expects is written right here.</summary>
internal static class ReportModels
{
    /// <summary>Text a user might type that a careless writer turns into a formula, a number or a date.</summary>
    public static readonly string[] HostileTexts =
    [
        "=HYPERLINK(\"http://x\",\"y\")",
        "+1",
        "-2",
        "@SUM(A1)",
        "=1+1",
        "0042",
        "1e5",
        "2026-01-01",
        "TRUE",
        "'quoted",
        "50%",
    ];

    public const string HostileName = "=HYPERLINK(\"http://x\",\"y\")";

    public static readonly DateTimeZone Warsaw = DateTimeZoneProviders.Tzdb["Europe/Warsaw"];

    /// <summary>The end of 2026-03-31 in Warsaw (CEST, UTC+2): 21:59:59 UTC.</summary>
    public static readonly Instant AsOf = Instant.FromUtc(2026, 3, 31, 21, 59, 59);

    /// <summary>Monday 2026-04-06 08:00 in Warsaw.</summary>
    public static readonly Instant GeneratedAt = Instant.FromUtc(2026, 4, 6, 6, 0);

    /// <summary>The stage names the models carry (data, the same in every culture).</summary>
    public static readonly IReadOnlySet<string> StageNames = new HashSet<string>(StringComparer.Ordinal) { "Identification", "=Qualification", "Offer", "Negotiation", "Won", "Lost" };

    /// <summary>A quarter's report: three open stages plus won and lost, two currencies, undefined rates, hostile names.</summary>
    public static ReportModel Quarter(string culture = "en", IEnumerable<OpportunityRow>? opportunities = null, int detailRowLimit = 10_000) =>
        new(
            Culture: culture,
            PipelineName: "B2B =default",
            PeriodStart: new LocalDate(2026, 1, 1),
            PeriodEnd: new LocalDate(2026, 3, 31),
            AsOf: AsOf,
            GeneratedAt: GeneratedAt,
            TimeZone: Warsaw,
            Filters: [("Owner", "+48 Anna")],
            Summary:
            [
                new SummaryFigures("PLN", OpenDeals: 12, OpenValue: 1_234_567.89m, WeightedValue: 345_678.5m, Won: 3, Lost: 1,
                    WinRateByCount: 0.75m, WinRateByValue: 0.8125m, AverageCycleDays: 41.5m, SalesVelocityPerDay: 1_520.25m),
                new SummaryFigures("EUR", OpenDeals: 2, OpenValue: 50_000m, WeightedValue: 12_500m, Won: 0, Lost: 0,
                    WinRateByCount: null, WinRateByValue: null, AverageCycleDays: null, SalesVelocityPerDay: null),
            ],
            WinLoss: new WinLossSection(
                Totals:
                [
                    new WinLossRow("Total", "PLN", 3, 1, 300_000m, 69_230.77m, 0.75m, 0.8125m),
                    new WinLossRow("Total", "EUR", 0, 0, 0m, 0m, null, null),
                ],
                ByOwner:
                [
                    new WinLossRow("+48 Anna", "PLN", 2, 1, 200_000m, 69_230.77m, 0.6667m, 0.7429m),
                    new WinLossRow("@Piotr", "PLN", 1, 0, 100_000m, 0m, 1m, 1m),
                ],
                ByLossReason: [new WinLossRow("=Price", "PLN", 0, 1, 0m, 69_230.77m, 0m, 0m)],
                ByStageLostAt: []),
            Forecast:
            [
                new ForecastRow(new YearMonth(2026, 4), "PLN", 4, 400_000m, 150_000m),
                new ForecastRow(new YearMonth(2026, 5), "PLN", 8, 834_567.89m, 195_678.5m),
                new ForecastRow(new YearMonth(2026, 4), "EUR", 2, 50_000m, 12_500m),
            ],
            Opportunities: opportunities ?? Deals(3),
            DetailRowLimit: detailRowLimit)
        {
            Snapshot =
            [
                new SnapshotStageRow("Identification", "PLN", 5, 500_000m, 50_000m, 0.4166m),
                new SnapshotStageRow("=Qualification", "PLN", 4, 400_000m, 100_000m, 0.3333m),
                new SnapshotStageRow("Offer", "PLN", 3, 334_567.89m, 195_678.5m, 0.25m),
                new SnapshotStageRow("Identification", "EUR", 2, 50_000m, 12_500m, 1m),
                new SnapshotStageRow("=Qualification", "EUR", 0, 0m, 0m, 0m),
                new SnapshotStageRow("Offer", "EUR", 0, 0m, 0m, 0m),
            ],
            Cohort =
            [
                new CohortStageRow("Identification", 16, null, 1m),
                new CohortStageRow("=Qualification", 11, 0.6875m, 0.6875m),
                new CohortStageRow("Offer", 6, 0.5454m, 0.375m),
                new CohortStageRow("Won", 3, 0.5m, 0.1875m),
            ],
            ForecastOverdue = [new ForecastRow(new YearMonth(2026, 3), "PLN", 2, 30_000m, 15_000m)],
            TimeInStage =
            [
                new TimeInStageRow("Identification", 14, 6.5m, 6m, 5, 14, 1),
                new TimeInStageRow("=Qualification", 0, null, null, 4, null, 0),
            ],
            Accounts =
            [
                new AccountRow("=Acme", "PLN", 100_000m, 250_000m, 3, new LocalDate(2025, 2, 1), new LocalDate(2026, 3, 2), 75_000m, 250_000m, null, null),
            ],
        };

    /// <summary>An empty store: no figures at all.</summary>
    public static ReportModel Empty(string culture = "en") =>
        Quarter(culture, []) with
        {
            Filters = [],
            Summary = [],
            WinLoss = new WinLossSection([], [], [], []),
            Forecast = [],
            Snapshot = [],
            Cohort = [],
            ForecastOverdue = [],
            TimeInStage = [],
            Accounts = [],
        };

    /// <summary>
    /// <paramref name="count"/> deals produced lazily: deal i is named "Deal i" except that the first ones carry the
    /// <see cref="HostileTexts"/> in every text field.
    /// </summary>
    public static IEnumerable<OpportunityRow> Deals(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return Deal(i);
        }
    }

    public static OpportunityRow Deal(int i)
    {
        var hostile = i < HostileTexts.Length ? HostileTexts[i] : null;
        var lost = i % 3 == 2;
        return new OpportunityRow(
            Name: hostile ?? $"Deal {i}",
            Account: i % 5 == 4 ? null : hostile ?? $"Account {i % 7}",
            Owner: hostile ?? (i % 2 == 0 ? "Anna" : "Piotr"),
            StageName: lost ? "Lost" : hostile ?? "Offer",
            Status: lost ? "lost" : "open",
            Currency: i % 4 == 3 ? "EUR" : "PLN",
            Value: 1_000m + i,
            Probability: lost ? 0 : 50,
            WeightedValue: lost ? 0m : (1_000m + i) / 2m,
            Created: new LocalDate(2026, 1, 1).PlusDays(i % 60),
            ExpectedClose: new LocalDate(2026, 4, 30),
            Closed: lost ? new LocalDate(2026, 3, 15) : null,
            LossReason: lost ? hostile ?? "Price" : null,
            Comment: hostile ?? (lost ? "Chose a cheaper offer" : null));
    }

    /// <summary>Yields <paramref name="before"/> deals, then throws, as a database reader that loses its connection would.</summary>
    public static IEnumerable<OpportunityRow> FailingAfter(int before)
    {
        foreach (var deal in Deals(before))
        {
            yield return deal;
        }

        throw new InvalidOperationException("The connection to the store was lost.");
    }
}

/// <summary>A sequence that can be walked only once and counts what was taken: a stand-in for a streamed query.</summary>
internal sealed class OnceOnlyDeals(IEnumerable<OpportunityRow> deals) : IEnumerable<OpportunityRow>
{
    private bool _enumerated;

    public int Taken { get; private set; }

    public IEnumerator<OpportunityRow> GetEnumerator()
    {
        if (_enumerated)
        {
            throw new InvalidOperationException("The deals were enumerated twice; a database reader can be read only once.");
        }

        _enumerated = true;
        return Walk();
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private IEnumerator<OpportunityRow> Walk()
    {
        foreach (var deal in deals)
        {
            Taken++;
            yield return deal;
        }
    }
}
