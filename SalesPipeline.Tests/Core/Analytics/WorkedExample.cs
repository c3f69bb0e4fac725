using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Tests.Core.Analytics;

/// <summary>
/// A small pipeline on the default process (identification 10 %, qualification 25 %, offer 50 %, negotiation 75 %, won, lost),
/// worked by hand. Days count from 2026-01-01; the as-of instant is day 30. Every expected number in the worked-example tests
/// follows from this table:
/// <code>
/// deal value        owner path (stage@day)                                              at day 30        expected close
/// D1   10,000 PLN   anna  identification@0                                              identification  2026-02-15
/// D2   20,000 PLN   anna  identification@0 qualification@5                              qualification   2026-02-28
/// D3   40,000 PLN   bob   identification@1 qualification@3 offer@10   (override 60 %)   offer           2026-03-10
/// D4   80,000 PLN   bob   identification@2 qualification@4 offer@8 negotiation@15      negotiation     2026-02-05
/// D5   50,000 PLN   anna  identification@0 qualification@2 offer@6 negotiation@12 won@20          won
/// D6   30,000 PLN   bob   identification@0 qualification@5 lost@9 ("Price")            lost
/// D7   25,000 PLN   anna  identification@3 qualification@6 offer@9 qualification@11 offer@14 won@25   won (moved back once, skipped negotiation)
/// D8   15,000 PLN   bob   identification@4 lost@7 ("No budget")                        lost
/// D9   60,000 PLN   anna  identification@10 qualification@12 offer@20 negotiation@40   offer           2026-03-31
/// D10   5,000 EUR   anna  identification@5 qualification@8                             qualification   2026-03-15
/// D11  12,000 PLN   bob   identification@35                                            (not yet created)
/// </code>
/// </summary>
internal static class WorkedExample
{
    public static Instant AsOf { get; } = TestDeals.Day(30);

    /// <summary>Days 0–30: the cohort of D1–D10 and the close period of D5–D8.</summary>
    public static Interval Month { get; } = TestDeals.Days(0, 30);

    public static IReadOnlyList<OpportunityState> Deals { get; } =
    [
        TestDeals.Deal("D1", 10_000m, "anna", [("identification", 0)], expectedClose: new LocalDate(2026, 2, 15)),
        TestDeals.Deal("D2", 20_000m, "anna", [("identification", 0), ("qualification", 5)], expectedClose: new LocalDate(2026, 2, 28)),
        TestDeals.Deal("D3", 40_000m, "bob", [("identification", 1), ("qualification", 3), ("offer", 10)], probabilityOverride: 60, expectedClose: new LocalDate(2026, 3, 10)),
        TestDeals.Deal("D4", 80_000m, "bob", [("identification", 2), ("qualification", 4), ("offer", 8), ("negotiation", 15)], expectedClose: new LocalDate(2026, 2, 5)),
        TestDeals.Deal("D5", 50_000m, "anna", [("identification", 0), ("qualification", 2), ("offer", 6), ("negotiation", 12), ("won", 20)]),
        TestDeals.Deal("D6", 30_000m, "bob", [("identification", 0), ("qualification", 5), ("lost", 9)], lossReason: "Price"),
        TestDeals.Deal("D7", 25_000m, "anna", [("identification", 3), ("qualification", 6), ("offer", 9), ("qualification", 11), ("offer", 14), ("won", 25)]),
        TestDeals.Deal("D8", 15_000m, "bob", [("identification", 4), ("lost", 7)], lossReason: "No budget"),
        TestDeals.Deal("D9", 60_000m, "anna", [("identification", 10), ("qualification", 12), ("offer", 20), ("negotiation", 40)], expectedClose: new LocalDate(2026, 3, 31)),
        TestDeals.Deal("D10", 5_000m, "anna", [("identification", 5), ("qualification", 8)], expectedClose: new LocalDate(2026, 3, 15), currency: "EUR"),
        TestDeals.Deal("D11", 12_000m, "bob", [("identification", 35)]),
    ];
}
