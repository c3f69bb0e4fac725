using NodaTime;

namespace SalesPipeline.Scheduling;

/// <summary>One period a schedule's occurrence asks for.</summary>
/// <param name="DueAt">The occurrence that asked for it (the first one, when several map to the same days).</param>
/// <param name="Days">The days it covers.</param>
public sealed record DuePeriod(Instant DueAt, PeriodDays Days);

/// <summary>What a schedule should produce now, oldest first, and what it skips because it lies beyond the look-back.</summary>
/// <param name="Produce">The periods to produce, oldest first.</param>
/// <param name="Skipped">The older due periods left out by the look-back, oldest first; they are never produced.</param>
public sealed record CatchUpPlan(IReadOnlyList<DuePeriod> Produce, IReadOnlyList<DuePeriod> Skipped)
{
    /// <summary>
    /// The catch-up rule. A schedule that has never produced anything produces only the latest due period. After that,
    /// every period asked for by an occurrence after the last recorded one is due, oldest first, at most
    /// <paramref name="lookBack"/> of them (at least one: the latest is always produced); older ones are skipped. A period
    /// already recorded — under any cron or period setting — is never due again, so editing a schedule re-sends nothing.
    /// </summary>
    /// <param name="period">The schedule's period.</param>
    /// <param name="zone">The schedule's time zone: an occurrence's local date picks its period.</param>
    /// <param name="occurrences">The occurrences due since the last recorded one (or, on a first run, at least the latest due one), in any order.</param>
    /// <param name="recorded">The periods the ledger already holds for the schedule.</param>
    /// <param name="firstRun">Whether the ledger holds nothing for the schedule yet.</param>
    /// <param name="lookBack">At most this many periods per catch-up; 0 behaves as 1.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lookBack"/> is negative.</exception>
    public static CatchUpPlan For(ReportPeriod period, DateTimeZone zone, IEnumerable<Instant> occurrences, IReadOnlySet<PeriodDays> recorded, bool firstRun, int lookBack)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(occurrences);
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentOutOfRangeException.ThrowIfNegative(lookBack);

        var due = new List<DuePeriod>();
        var seen = new HashSet<PeriodDays>();
        foreach (var at in occurrences.Distinct().Order())
        {
            var days = PeriodDays.Of(period, at.InZone(zone).Date);
            if (!recorded.Contains(days) && seen.Add(days))
            {
                due.Add(new DuePeriod(at, days));
            }
        }

        var keep = firstRun ? 1 : Math.Max(1, lookBack);
        var cut = Math.Max(0, due.Count - keep);
        return new CatchUpPlan(due[cut..], due[..cut]);
    }
}
