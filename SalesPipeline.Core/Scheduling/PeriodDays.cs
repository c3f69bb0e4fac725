using System.Globalization;
using NodaTime;

namespace SalesPipeline.Scheduling;

/// <summary>The days a report covers: local dates from <see cref="First"/> to <see cref="Last"/>, both included.</summary>
/// <param name="First">The first day.</param>
/// <param name="Last">The last day (inclusive).</param>
public readonly record struct PeriodDays(LocalDate First, LocalDate Last)
{
    /// <summary>Gets the days <paramref name="period"/> covers for an occurrence on <paramref name="occurrenceDay"/>.</summary>
    /// <param name="period">The kind of period.</param>
    /// <param name="occurrenceDay">The local date (in the schedule's zone) the occurrence falls on.</param>
    /// <returns>The first and last day, as <c>report --from/--to</c> takes them.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="period"/> is not a defined value.</exception>
    public static PeriodDays Of(ReportPeriod period, LocalDate occurrenceDay)
    {
        var yesterday = occurrenceDay.PlusDays(-1);
        switch (period)
        {
            case ReportPeriod.PreviousDay:
                return new(yesterday, yesterday);
            case ReportPeriod.PreviousWeek:
                var monday = occurrenceDay.PlusDays(1 - (int)occurrenceDay.DayOfWeek).PlusWeeks(-1);
                return new(monday, monday.PlusDays(6));
            case ReportPeriod.PreviousMonth:
                var month = new LocalDate(occurrenceDay.Year, occurrenceDay.Month, 1).PlusMonths(-1);
                return new(month, month.PlusMonths(1).PlusDays(-1));
            case ReportPeriod.PreviousQuarter:
                var quarter = QuarterStart(occurrenceDay).PlusMonths(-3);
                return new(quarter, quarter.PlusMonths(3).PlusDays(-1));
            case ReportPeriod.PreviousYear:
                return new(new LocalDate(occurrenceDay.Year - 1, 1, 1), new LocalDate(occurrenceDay.Year - 1, 12, 31));
            case ReportPeriod.MonthToDate:
                return new(new LocalDate(yesterday.Year, yesterday.Month, 1), yesterday);
            case ReportPeriod.QuarterToDate:
                return new(QuarterStart(yesterday), yesterday);
            default:
                throw new ArgumentOutOfRangeException(nameof(period), period, "Not a report period.");
        }
    }

    /// <summary>Gets the period as file names and messages show it: <c>2026-10-01_2026-10-31</c>.</summary>
    /// <returns>The first and last day, ISO dates joined by an underscore.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{First:uuuu-MM-dd}_{Last:uuuu-MM-dd}");

    private static LocalDate QuarterStart(LocalDate day) => new(day.Year, ((day.Month - 1) / 3 * 3) + 1, 1);
}
