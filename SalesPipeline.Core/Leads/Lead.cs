using System.Net.Mail;
using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Leads;

/// <summary>Identifies a lead by the id its source gave it (as in the imported file).</summary>
public readonly record struct LeadId
{
    /// <summary>Creates a lead id.</summary>
    /// <param name="value">The source's id; not empty, at most 100 characters.</param>
    /// <exception cref="ArgumentException">The value is empty or too long.</exception>
    public LeadId(string value) => Value = Text.Stored(value, "id", 100);

    /// <summary>Gets the source's id.</summary>
    public string Value { get; }

    /// <inheritdoc />
    public override string ToString() => Value ?? string.Empty;
}

/// <summary>Where a lead is in its life. Active leads (<see cref="Assigned"/>, <see cref="Working"/>) count toward their owner's limit.</summary>
public enum LeadStatus
{
    /// <summary>In the unassigned base.</summary>
    New,

    /// <summary>Handed to a salesperson who has not started on it.</summary>
    Assigned,

    /// <summary>Being worked on by its owner.</summary>
    Working,

    /// <summary>Turned into an account, a contact and an opportunity.</summary>
    Converted,

    /// <summary>Dropped, with a reason.</summary>
    Disqualified,
}

/// <summary>One change of a lead's status: who made it, when, and who owned the lead afterwards.</summary>
/// <param name="From">The status before, or <see langword="null"/> for the import.</param>
/// <param name="To">The status after.</param>
/// <param name="At">When.</param>
/// <param name="By">Who made the change.</param>
/// <param name="Owner">The owner after the change, if any.</param>
/// <param name="Reason">The disqualification reason, or what else explains the change.</param>
public sealed record LeadStatusChange(LeadStatus? From, LeadStatus To, Instant At, UserId By, UserId? Owner, string? Reason = null);

/// <summary>A lead to import: the fields a source file gives.</summary>
/// <param name="Id">The source's id.</param>
/// <param name="Company">The company's name.</param>
/// <param name="Segment">Its market segment.</param>
/// <param name="ContactPerson">Who to talk to.</param>
/// <param name="Phone">Their phone number.</param>
/// <param name="Email">Their e-mail address.</param>
/// <param name="Source">Where the lead came from.</param>
/// <param name="Notes">Free notes.</param>
/// <param name="Owner">The salesperson it is assigned to at once, if any.</param>
public sealed record NewLead(LeadId Id, string Company, string? Segment = null, string? ContactPerson = null, string? Phone = null, string? Email = null, string? Source = null, string? Notes = null, UserId? Owner = null);

/// <summary>A lead: a potential client from a chosen segment, with its status history. Changed only by the lead service's rules.</summary>
/// <param name="Id">The source's id.</param>
/// <param name="Company">The company's name.</param>
/// <param name="Segment">Its market segment.</param>
/// <param name="ContactPerson">Who to talk to.</param>
/// <param name="Phone">Their phone number.</param>
/// <param name="Email">Their e-mail address.</param>
/// <param name="Source">Where the lead came from.</param>
/// <param name="Notes">Free notes.</param>
/// <param name="Status">Where it is in its life.</param>
/// <param name="Owner">Who holds it, if anyone.</param>
/// <param name="DisqualifyReason">Why it was disqualified, if it was.</param>
/// <param name="Opportunity">The deal it became, if converted.</param>
/// <param name="History">Every status change, oldest first.</param>
/// <param name="Version">The stored version, used for optimistic concurrency; 0 until first saved.</param>
public sealed record Lead(
    LeadId Id,
    string Company,
    string? Segment,
    string? ContactPerson,
    string? Phone,
    string? Email,
    string? Source,
    string? Notes,
    LeadStatus Status,
    UserId? Owner,
    string? DisqualifyReason,
    OpportunityId? Opportunity,
    IReadOnlyList<LeadStatusChange> History,
    int Version = 0)
{
    /// <summary>Gets whether the lead counts toward its owner's limit (assigned or working).</summary>
    public bool IsActive => Status is LeadStatus.Assigned or LeadStatus.Working;

    /// <inheritdoc />
    public bool Equals(Lead? other) =>
        other is not null && Id == other.Id && Company == other.Company && Segment == other.Segment && ContactPerson == other.ContactPerson
        && Phone == other.Phone && Email == other.Email && Source == other.Source && Notes == other.Notes && Status == other.Status
        && Owner == other.Owner && DisqualifyReason == other.DisqualifyReason && Opportunity == other.Opportunity
        && History.SequenceEqual(other.History) && Version == other.Version;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, Status, Owner, Version);

    /// <summary>Creates a lead from imported fields, checking each; with an owner it starts <see cref="LeadStatus.Assigned"/>.</summary>
    /// <param name="data">The fields.</param>
    /// <param name="by">Who imports it.</param>
    /// <param name="at">When.</param>
    /// <returns>The lead, not yet stored.</returns>
    /// <exception cref="ArgumentException">A field is invalid; the message names it.</exception>
    public static Lead Create(NewLead data, UserId by, Instant at)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Id.Value is null)
        {
            throw new ArgumentException("'id' must not be empty.", nameof(data));
        }

        // A lead id is read back through its constructor, which applies the rule ids were stored under; a new one keeps the whole rule.
        Text.Required(data.Id.Value, "id", 100);
        if (data.Owner is { } owner)
        {
            Text.NewUser(owner, "owner");
        }

        var email = Text.Optional(data.Email, "email", 300);
        if (email is not null && (!MailAddress.TryCreate(email, out var parsed) || parsed.Address != email || !email.Contains('.', StringComparison.Ordinal)))
        {
            throw new ArgumentException($"'email' is not an e-mail address: '{email}'. Use the form name@example.com, or leave it empty.", nameof(data));
        }

        var status = data.Owner is null ? LeadStatus.New : LeadStatus.Assigned;
        return new Lead(
            data.Id,
            Text.Required(data.Company, "company", 300),
            Text.Optional(data.Segment, "segment", 200),
            Text.Optional(data.ContactPerson, "contact", 200),
            Text.Optional(data.Phone, "phone", 50),
            email,
            Text.Optional(data.Source, "source", 200),
            Text.Optional(data.Notes, "notes", 2000),
            status,
            data.Owner,
            null,
            null,
            [new LeadStatusChange(null, status, at, by, data.Owner)]);
    }

    /// <summary>
    /// The lead after a status change, with the change appended to its history. It records what happened; the rules
    /// (who may, limits, which status may follow which) are the lead service's.
    /// </summary>
    /// <param name="status">The new status.</param>
    /// <param name="owner">The owner afterwards.</param>
    /// <param name="by">Who made the change.</param>
    /// <param name="at">When.</param>
    /// <param name="reason">The disqualification reason, or what else explains the change.</param>
    /// <returns>The changed lead.</returns>
    public Lead ChangeTo(LeadStatus status, UserId? owner, UserId by, Instant at, string? reason = null) =>
        this with { Status = status, Owner = owner, History = [.. History, new LeadStatusChange(Status, status, at, by, owner, reason)] };
}
