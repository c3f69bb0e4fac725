using Microsoft.Extensions.Logging;
using NodaTime;

namespace SalesPipeline.Reporting.Worker.Scheduling;

/// <summary>The scheduler's log messages (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Schedule {Schedule} period {First:uuuu-MM-dd}..{Last:uuuu-MM-dd}: {Outcome} in {DurationMs} ms; file {File}; delivered to {Recipients}; failed {Failed}")]
    public static partial void Run(ILogger logger, string schedule, LocalDate first, LocalDate last, string outcome, long durationMs, string file, IReadOnlyList<string> recipients, IReadOnlyList<string> failed);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "Schedule {Schedule} period {First:uuuu-MM-dd}..{Last:uuuu-MM-dd} (due {DueAt}) skipped: it is older than the LookBack of {LookBack} periods")]
    public static partial void Skipped(ILogger logger, string schedule, LocalDate first, LocalDate last, Instant dueAt, int lookBack);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information,
        Message = "Schedule {Schedule} period {First:uuuu-MM-dd}..{Last:uuuu-MM-dd} is claimed by worker {Holder} until {ClaimedUntil}; left to it")]
    public static partial void ClaimedElsewhere(ILogger logger, string schedule, LocalDate first, LocalDate last, string holder, string claimedUntil);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error,
        Message = "Schedule {Schedule} period {First:uuuu-MM-dd}..{Last:uuuu-MM-dd} failed: {Error}; it will be retried")]
    public static partial void Failed(ILogger logger, string schedule, LocalDate first, LocalDate last, string error);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Worker {Holder} sleeps until {WakeAt}")]
    public static partial void Sleeping(ILogger logger, string holder, Instant wakeAt);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning,
        Message = "Schedule {Schedule} period {First:uuuu-MM-dd}..{Last:uuuu-MM-dd} was not delivered to {Target}, which the schedule no longer names; it is not sent there unless the schedule names it again")]
    public static partial void NoLongerConfigured(ILogger logger, string schedule, LocalDate first, LocalDate last, string target);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Worker pass failed: {Error}; trying again at the next wake-up")]
    public static partial void PassFailed(ILogger logger, string error);
}
