namespace SalesPipeline.Scheduling;

/// <summary>Which days a scheduled report covers, counted from the local date of the occurrence that produces it.</summary>
public enum ReportPeriod
{
    /// <summary>The day before the occurrence.</summary>
    PreviousDay,

    /// <summary>The ISO week (Monday to Sunday) before the occurrence's week.</summary>
    PreviousWeek,

    /// <summary>The calendar month before the occurrence's month.</summary>
    PreviousMonth,

    /// <summary>The calendar quarter before the occurrence's quarter.</summary>
    PreviousQuarter,

    /// <summary>The calendar year before the occurrence's year.</summary>
    PreviousYear,

    /// <summary>From the first day of the month of the day before the occurrence to that day: the completed days of the month
    /// (on the 1st, the whole previous month).</summary>
    MonthToDate,

    /// <summary>From the first day of the quarter of the day before the occurrence to that day: the completed days of the quarter.</summary>
    QuarterToDate,
}
