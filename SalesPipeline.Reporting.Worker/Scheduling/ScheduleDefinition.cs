using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Reporting.Worker.Exporting;
using SalesPipeline.Scheduling;

namespace SalesPipeline.Reporting.Worker.Scheduling;

/// <summary>One validated schedule from configuration.</summary>
/// <param name="Name">Its name: the ledger key and the start of its file names.</param>
/// <param name="Cron">When it runs, in its time zone.</param>
/// <param name="Period">Which days each run covers.</param>
/// <param name="Kind">Which sheets besides Summary and Opportunities.</param>
/// <param name="Pipeline">The pipeline id, or <see langword="null"/> for the default pipeline.</param>
/// <param name="Owner">Only this salesperson's deals, or everyone's.</param>
/// <param name="Culture">The language of the workbook and the e-mail.</param>
/// <param name="Folder">The folder the workbook is written to (full path), or <see langword="null"/>.</param>
/// <param name="Email">The recipients.</param>
/// <param name="LookBack">At most this many missed periods are caught up.</param>
/// <param name="SkipWhenEmpty">Whether a period without deals in scope is recorded but not delivered.</param>
internal sealed record ScheduleDefinition(
    string Name,
    CronSchedule Cron,
    ReportPeriod Period,
    ReportKind Kind,
    string? Pipeline,
    UserId? Owner,
    string Culture,
    string? Folder,
    IReadOnlyList<string> Email,
    int LookBack,
    bool SkipWhenEmpty)
{
    /// <summary>Gets the delivery targets, the folder first.</summary>
    public IReadOnlyList<string> Targets =>
        [.. (Folder is null ? Array.Empty<string>() : [ScheduleDelivery.FolderTarget]).Concat(Email.Select(ScheduleDelivery.EmailTarget))];

    /// <summary>
    /// Tells whether the schedule, as configured now, delivers to <paramref name="target"/>. A target the ledger still owes
    /// a period but that was removed from the schedule (a recipient who left, a folder no longer written) is never
    /// delivered to; it is delivered again only if the schedule names it again. Addresses are compared ignoring case, as
    /// the configuration compares them.
    /// </summary>
    public bool Delivers(string target) => Targets.Contains(target, StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the workbook's file name for a period: <c>&lt;schedule&gt;_&lt;first day&gt;_&lt;last day&gt;.xlsx</c>.</summary>
    public string FileName(PeriodDays days) => $"{Name}_{days}.xlsx";

    /// <summary>
    /// Tells whether the folder delivery may write (or clear) a file of this name in <see cref="Folder"/> for some period:
    /// a workbook <c>&lt;schedule&gt;_….xlsx</c> or its hidden temporary <c>.&lt;schedule&gt;_….tmp</c>.
    /// </summary>
    public bool MayWriteFile(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        return (fileName.StartsWith($"{Name}_", StringComparison.Ordinal) && fileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase))
            || (fileName.StartsWith($".{Name}_", StringComparison.Ordinal) && fileName.EndsWith(".tmp", StringComparison.Ordinal));
    }
}

/// <summary>How <c>Smtp:Security</c> protects the connection (MailKit's choices).</summary>
internal enum SmtpSecurity
{
    /// <summary>Plain text.</summary>
    None,

    /// <summary>Upgrade with STARTTLS; fail when the server does not offer it.</summary>
    StartTls,

    /// <summary>TLS from the first byte (usually port 465).</summary>
    SslOnConnect,

    /// <summary>TLS on port 465, STARTTLS when offered elsewhere, else plain.</summary>
    Auto,
}

/// <summary>The SMTP server scheduled e-mail goes through.</summary>
internal sealed record SmtpSettings(string Host, int Port, SmtpSecurity Security, string? UserName, string? Password, string From);

/// <summary>The database named in configuration (before <c>--db</c>/<c>--provider</c> override it).</summary>
internal sealed record DatabaseSettings(string? Provider, string? ConnectionString);

/// <summary>Everything the scheduler reads from configuration, validated.</summary>
internal sealed record SchedulerSettings(DatabaseSettings Database, SmtpSettings? Smtp, IReadOnlyList<ScheduleDefinition> Schedules);
