using NodaTime;

namespace SalesPipeline.Domain;

/// <summary>What kind of activity was logged.</summary>
public enum ActivityKind
{
    /// <summary>A phone call.</summary>
    Call,

    /// <summary>An e-mail.</summary>
    Email,

    /// <summary>A meeting, in person or online.</summary>
    Meeting,

    /// <summary>A LinkedIn message.</summary>
    LinkedInMessage,

    /// <summary>A note; not a contact with the client.</summary>
    Note,

    /// <summary>A task to do by a due instant; not a contact with the client until it is done.</summary>
    Task,
}

/// <summary>Helpers for <see cref="ActivityKind"/>.</summary>
public static class ActivityKinds
{
    /// <summary>Tells whether an activity of this kind is a contact with the client (call, e-mail, meeting, LinkedIn message).</summary>
    /// <param name="kind">The kind.</param>
    /// <returns><see langword="true"/> for contacts.</returns>
    public static bool IsContact(this ActivityKind kind) =>
        kind is ActivityKind.Call or ActivityKind.Email or ActivityKind.Meeting or ActivityKind.LinkedInMessage;
}

/// <summary>An activity logged on an opportunity: a contact with the client, a note or a task.</summary>
/// <param name="Id">The activity's id.</param>
/// <param name="Kind">What kind of activity it is.</param>
/// <param name="Subject">A short description, such as "Intro call".</param>
/// <param name="Author">Who logged it.</param>
/// <param name="RecordedAt">When it was logged.</param>
/// <param name="HappenedAt">When it happened (contacts and done tasks), if it has.</param>
/// <param name="Due">When it is due (planned meetings, tasks), if planned.</param>
/// <param name="Done">Whether it is done; a contact that happened is done.</param>
public sealed record Activity(
    ActivityId Id,
    ActivityKind Kind,
    string Subject,
    UserId Author,
    Instant RecordedAt,
    Instant? HappenedAt,
    Instant? Due,
    bool Done)
{
    /// <summary>Gets whether this activity counts as a contact that took place.</summary>
    public bool IsCompletedContact => Kind.IsContact() && Done;
}

/// <summary>
/// An activity to log, before it is recorded. Create one with <see cref="Call"/>, <see cref="Email"/>,
/// <see cref="Meeting"/>, <see cref="LinkedInMessage"/>, <see cref="Note"/> or <see cref="Task"/>.
/// </summary>
/// <param name="Kind">What kind of activity it is.</param>
/// <param name="Subject">A short description, not empty, at most 500 characters.</param>
/// <param name="HappenedAt">When a contact happened; the logging instant when left out.</param>
/// <param name="Due">When a planned meeting or task is due.</param>
/// <param name="NextContact">When the next contact with the client is agreed; sets the opportunity's next-contact instant.</param>
public sealed record NewActivity(
    ActivityKind Kind,
    string Subject,
    Instant? HappenedAt = null,
    Instant? Due = null,
    Instant? NextContact = null)
{
    /// <summary>
    /// Gets the id the activity is recorded with: a new random one when left out. A program that brings ids of its own
    /// (time-ordered ones, say) sets it.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: a new random id.</value>
    public ActivityId? Id { get; init; }

    /// <summary>A call that happened (at <paramref name="happenedAt"/>, or now).</summary>
    /// <param name="subject">What it was about.</param>
    /// <param name="nextContact">The agreed next contact, if any.</param>
    /// <param name="happenedAt">When it happened; now when left out.</param>
    /// <returns>The activity to log.</returns>
    public static NewActivity Call(string subject, Instant? nextContact = null, Instant? happenedAt = null) =>
        new(ActivityKind.Call, subject, happenedAt, null, nextContact);

    /// <summary>An e-mail that was sent or received.</summary>
    /// <param name="subject">What it was about.</param>
    /// <param name="nextContact">The agreed next contact, if any.</param>
    /// <param name="happenedAt">When it happened; now when left out.</param>
    /// <returns>The activity to log.</returns>
    public static NewActivity Email(string subject, Instant? nextContact = null, Instant? happenedAt = null) =>
        new(ActivityKind.Email, subject, happenedAt, null, nextContact);

    /// <summary>A meeting: held when <paramref name="due"/> is left out, planned for <paramref name="due"/> otherwise.</summary>
    /// <param name="subject">What it is about.</param>
    /// <param name="due">When a planned meeting takes place.</param>
    /// <param name="nextContact">The agreed next contact, if any.</param>
    /// <returns>The activity to log.</returns>
    public static NewActivity Meeting(string subject, Instant? due = null, Instant? nextContact = null) =>
        new(ActivityKind.Meeting, subject, null, due, nextContact);

    /// <summary>A LinkedIn message that was sent or received.</summary>
    /// <param name="subject">What it was about.</param>
    /// <param name="nextContact">The agreed next contact, if any.</param>
    /// <returns>The activity to log.</returns>
    public static NewActivity LinkedInMessage(string subject, Instant? nextContact = null) =>
        new(ActivityKind.LinkedInMessage, subject, null, null, nextContact);

    /// <summary>A note.</summary>
    /// <param name="text">The note.</param>
    /// <returns>The activity to log.</returns>
    public static NewActivity Note(string text) => new(ActivityKind.Note, text);

    /// <summary>A task due at an instant.</summary>
    /// <param name="subject">What is to be done.</param>
    /// <param name="due">When it is due.</param>
    /// <returns>The activity to log.</returns>
    public static NewActivity Task(string subject, Instant due) => new(ActivityKind.Task, subject, null, due);
}
