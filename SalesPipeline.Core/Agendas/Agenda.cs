using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Agendas;

/// <summary>What an agenda entry is.</summary>
public enum AgendaItemKind
{
    /// <summary>A planned meeting.</summary>
    Meeting,

    /// <summary>A planned task (or another planned activity that is not a meeting).</summary>
    Task,

    /// <summary>The agreed next contact with the client.</summary>
    NextContact,

    /// <summary>The deal's expected decision date.</summary>
    ExpectedClose,
}

/// <summary>One entry of an agenda: something due on a deal.</summary>
/// <param name="Kind">What is due.</param>
/// <param name="Day">The day it is due, in the agenda's time zone.</param>
/// <param name="Due">The instant it is due; <see langword="null"/> for an expected close, which has a day only.</param>
/// <param name="Subject">What is due: the activity's subject, or the deal's name for a next contact or expected close.</param>
/// <param name="OpportunityId">The deal.</param>
/// <param name="OpportunityName">The deal's name.</param>
/// <param name="Owner">The deal's owner.</param>
/// <param name="ActivityId">The planned activity, for meetings and tasks.</param>
/// <param name="Overdue">How long ago it was due, as of the agenda's instant; zero when it is not overdue.</param>
public sealed record AgendaItem(
    AgendaItemKind Kind,
    LocalDate Day,
    Instant? Due,
    string Subject,
    OpportunityId OpportunityId,
    string OpportunityName,
    UserId Owner,
    ActivityId? ActivityId,
    Duration Overdue)
{
    /// <summary>Gets whether it was due before the agenda's instant.</summary>
    public bool IsOverdue => Overdue > Duration.Zero;
}

/// <summary>Whose agenda, for which days.</summary>
/// <param name="From">The first day; not before <see cref="EarliestDay"/>.</param>
/// <param name="To">The last day (inclusive), not after <see cref="LatestDay"/>; <paramref name="From"/> to it, both counted, spans at most <see cref="MaxDays"/> days.</param>
/// <param name="Owner">One person's agenda; the acting user's own when left out (and <paramref name="Team"/> is off).</param>
/// <param name="Team">The agenda of everyone in the acting manager's groups (an admin's: every deal owner's, a stored person or not).</param>
public sealed record AgendaRequest(LocalDate From, LocalDate To, UserId? Owner = null, bool Team = false)
{
    /// <summary>The longest range an agenda covers, in days.</summary>
    public const int MaxDays = 366;

    /// <summary>Gets the earliest day an agenda covers: the first of <see cref="PlausibleDates"/>, 1900-01-01.</summary>
    public static LocalDate EarliestDay => PlausibleDates.First;

    /// <summary>Gets the latest day an agenda covers: the last of <see cref="PlausibleDates"/>, 2200-12-31.</summary>
    public static LocalDate LatestDay => PlausibleDates.Last;

    /// <summary>Gets the time zone the days are in.</summary>
    /// <value>The default value is UTC.</value>
    public DateTimeZone Zone { get; init; } = DateTimeZone.Utc;
}

/// <summary>A person's (or a team's) agenda for a range of days, as of an instant.</summary>
/// <param name="Owners">Whose deals it covers, by user id.</param>
/// <param name="From">The first day.</param>
/// <param name="To">The last day.</param>
/// <param name="Zone">The time zone the days are in.</param>
/// <param name="AsOf">The instant it was taken.</param>
/// <param name="Overdue">Planned meetings, tasks and next contacts due before <paramref name="AsOf"/>, the most overdue first.</param>
/// <param name="Upcoming">Meetings, tasks and next contacts due from <paramref name="AsOf"/> to the end of the range, and the deals
/// expected to close in the range: by day, then due instant (expected closes last), then deal name.</param>
/// <param name="Stale">Open deals on which nothing has happened for longer than their stage's stale-after limit, the longest idle first.</param>
/// <param name="OpenByStage">Open deals per pipeline, stage (in pipeline order) and currency, with their value.</param>
public sealed record Agenda(
    IReadOnlyList<UserId> Owners,
    LocalDate From,
    LocalDate To,
    DateTimeZone Zone,
    Instant AsOf,
    IReadOnlyList<AgendaItem> Overdue,
    IReadOnlyList<AgendaItem> Upcoming,
    IReadOnlyList<StaleDeal> Stale,
    IReadOnlyList<OpenStageTotal> OpenByStage);
