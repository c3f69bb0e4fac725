using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Sqlite;

// Row records: the exact shapes of the tables, so Dapper maps plain columns and needs no global type handler for
// NodaTime or the domain's value types. Conversions live in SqliteMap.
#pragma warning disable CA1812 // Instantiated by Dapper.

internal sealed class OpportunityRow
{
    public const string Columns =
        "id AS Id, pipeline_id AS PipelineId, name AS Name, currency AS Currency, amount_minor AS AmountMinor, expected_close AS ExpectedClose, " +
        "account_id AS AccountId, owner AS Owner, stage AS Stage, probability_override AS ProbabilityOverride, next_contact AS NextContact, " +
        "has_qualification AS HasQualification, q_needs AS QNeeds, q_pains AS QPains, q_budget_currency AS QBudgetCurrency, q_budget_minor AS QBudgetMinor, " +
        "q_offer_must_contain AS QOfferMustContain, outcome_kind AS OutcomeKind, outcome_reason AS OutcomeReason, outcome_comment AS OutcomeComment, " +
        "closed_at AS ClosedAt, created_at AS CreatedAt, created_by AS CreatedBy, last_changed_at AS LastChangedAt, last_changed_by AS LastChangedBy, " +
        "external_id AS ExternalId, version AS Version, last_touched_at AS LastTouchedAt";

    public string Id { get; set; } = string.Empty;
    public string PipelineId { get; set; } = string.Empty;
    public string Name { get; set; } = string.Empty;
    public string Currency { get; set; } = string.Empty;
    public long AmountMinor { get; set; }
    public string ExpectedClose { get; set; } = string.Empty;
    public string? AccountId { get; set; }
    public string Owner { get; set; } = string.Empty;
    public string Stage { get; set; } = string.Empty;
    public long? ProbabilityOverride { get; set; }
    public long? NextContact { get; set; }
    public long HasQualification { get; set; }
    public string? QNeeds { get; set; }
    public string? QPains { get; set; }
    public string? QBudgetCurrency { get; set; }
    public long? QBudgetMinor { get; set; }
    public string? QOfferMustContain { get; set; }
    public string? OutcomeKind { get; set; }
    public string? OutcomeReason { get; set; }
    public string? OutcomeComment { get; set; }
    public long? ClosedAt { get; set; }
    public long CreatedAt { get; set; }
    public string CreatedBy { get; set; } = string.Empty;
    public long LastChangedAt { get; set; }
    public string LastChangedBy { get; set; } = string.Empty;
    public string? ExternalId { get; set; }
    public long Version { get; set; }
    public long LastTouchedAt { get; set; }
}

internal sealed class StageChangeRow
{
    public const string Columns =
        "opportunity_id AS OpportunityId, seq AS Seq, from_stage AS FromStage, to_stage AS ToStage, at AS At, by_user AS ByUser, kind AS Kind, comment AS Comment";

    public string OpportunityId { get; set; } = string.Empty;
    public long Seq { get; set; }
    public string? FromStage { get; set; }
    public string ToStage { get; set; } = string.Empty;
    public long At { get; set; }
    public string ByUser { get; set; } = string.Empty;
    public string Kind { get; set; } = string.Empty;
    public string? Comment { get; set; }
}

internal class ActivityRow
{
    public const string Columns =
        "id AS Id, opportunity_id AS OpportunityId, seq AS Seq, kind AS Kind, subject AS Subject, author AS Author, recorded_at AS RecordedAt, " +
        "happened_at AS HappenedAt, due AS Due, done AS Done";

    public string Id { get; set; } = string.Empty;
    public string OpportunityId { get; set; } = string.Empty;
    public long Seq { get; set; }
    public string Kind { get; set; } = string.Empty;
    public string Subject { get; set; } = string.Empty;
    public string Author { get; set; } = string.Empty;
    public long RecordedAt { get; set; }
    public long? HappenedAt { get; set; }
    public long? Due { get; set; }
    public long Done { get; set; }
}

internal sealed class ScheduledActivityRow : ActivityRow
{
    public string OpportunityName { get; set; } = string.Empty;
    public string Owner { get; set; } = string.Empty;
}

internal sealed class OfferRow
{
    public const string Columns =
        "opportunity_id AS OpportunityId, seq AS Seq, title AS Title, document_id AS DocumentId, attached_by AS AttachedBy, attached_at AS AttachedAt";

    public string OpportunityId { get; set; } = string.Empty;
    public long Seq { get; set; }
    public string Title { get; set; } = string.Empty;
    public string DocumentId { get; set; } = string.Empty;
    public string AttachedBy { get; set; } = string.Empty;
    public long AttachedAt { get; set; }
}

internal sealed class AccountRow
{
    public const string Columns =
        "id AS Id, name AS Name, name_folded AS NameFolded, segment AS Segment, created_at AS CreatedAt, created_by AS CreatedBy, version AS Version";

    public string Id { get; set; } = string.Empty;
    public string Name { get; set; } = string.Empty;
    public string NameFolded { get; set; } = string.Empty;
    public string? Segment { get; set; }
    public long CreatedAt { get; set; }
    public string CreatedBy { get; set; } = string.Empty;
    public long Version { get; set; }
}

internal sealed class ContactRow
{
    public const string Columns =
        "account_id AS AccountId, seq AS Seq, name AS Name, role AS Role, phone AS Phone, email AS Email, preferred_channel AS PreferredChannel";

    public string AccountId { get; set; } = string.Empty;
    public long Seq { get; set; }
    public string Name { get; set; } = string.Empty;
    public string? Role { get; set; }
    public string? Phone { get; set; }
    public string? Email { get; set; }
    public string PreferredChannel { get; set; } = string.Empty;
}

#pragma warning restore CA1812

/// <summary>Converts between domain values and SQLite rows.</summary>
internal static class SqliteMap
{
    public static string Id(Guid id) => id.ToString("D");

    public static OpportunityRow ToRow(OpportunityState s, int version)
    {
        var q = s.Qualification;
        return new OpportunityRow
        {
            Id = Id(s.Id.Value),
            PipelineId = s.PipelineId.Value,
            Name = s.Name,
            Currency = s.Value.Currency,
            AmountMinor = MinorUnits.From(s.Value, "value"),
            ExpectedClose = IsoDate.Format(s.ExpectedClose),
            AccountId = s.Account is { } account ? Id(account.Value) : null,
            Owner = s.Owner.Value,
            Stage = s.Stage.Value,
            ProbabilityOverride = s.ProbabilityOverride,
            NextContact = s.NextContact is { } next ? Micros.Floor(next) : null,
            HasQualification = q is null ? 0 : 1,
            QNeeds = q?.Needs,
            QPains = q?.Pains,
            QBudgetCurrency = q?.Budget?.Currency,
            QBudgetMinor = q?.Budget is { } budget ? MinorUnits.From(budget, "budget") : null,
            QOfferMustContain = q?.OfferMustContain,
            OutcomeKind = s.Outcome is { } o ? Codes.Of(o.Kind) : null,
            OutcomeReason = s.Outcome?.Reason,
            OutcomeComment = s.Outcome?.Comment,
            ClosedAt = s.Outcome is { } closed ? Micros.Floor(closed.ClosedAt) : null,
            CreatedAt = Micros.Floor(s.CreatedAt),
            CreatedBy = s.CreatedBy.Value,
            LastChangedAt = Micros.Floor(s.LastChangedAt),
            LastChangedBy = s.LastChangedBy.Value,
            ExternalId = s.ExternalId,
            Version = version,
            LastTouchedAt = Micros.Floor(s.Touched),
        };
    }

    public static StageChangeRow ToRow(OpportunityId id, int seq, StageChange c) => new()
    {
        OpportunityId = Id(id.Value),
        Seq = seq,
        FromStage = c.From?.Value,
        ToStage = c.To.Value,
        At = Micros.Floor(c.At),
        ByUser = c.By.Value,
        Kind = Codes.Of(c.Kind),
        Comment = c.Comment,
    };

    public static ActivityRow ToRow(OpportunityId id, int seq, Activity a) => new()
    {
        Id = Id(a.Id.Value),
        OpportunityId = Id(id.Value),
        Seq = seq,
        Kind = Codes.Of(a.Kind),
        Subject = a.Subject,
        Author = a.Author.Value,
        RecordedAt = Micros.Floor(a.RecordedAt),
        HappenedAt = a.HappenedAt is { } h ? Micros.Floor(h) : null,
        Due = a.Due is { } d ? Micros.Floor(d) : null,
        Done = a.Done ? 1 : 0,
    };

    public static OfferRow ToRow(OpportunityId id, int seq, OfferDocument o) => new()
    {
        OpportunityId = Id(id.Value),
        Seq = seq,
        Title = o.Title,
        DocumentId = o.Document.ToString(),
        AttachedBy = o.AttachedBy.Value,
        AttachedAt = Micros.Floor(o.AttachedAt),
    };

    public static OpportunityState ToState(OpportunityRow r, IEnumerable<StageChangeRow> history, IEnumerable<ActivityRow> activities, IEnumerable<OfferRow> offers) => new(
        new OpportunityId(Guid.Parse(r.Id)),
        new PipelineId(r.PipelineId),
        r.Name,
        MinorUnits.ToMoney(r.AmountMinor, r.Currency),
        IsoDate.Parse(r.ExpectedClose),
        r.AccountId is null ? null : new AccountId(Guid.Parse(r.AccountId)),
        new UserId(r.Owner),
        new StageId(r.Stage),
        r.ProbabilityOverride is { } p ? (int)p : null,
        r.NextContact is { } next ? Micros.ToInstant(next) : null,
        r.HasQualification == 0
            ? null
            : new QualificationData(r.QNeeds, r.QPains, r.QBudgetMinor is { } b ? MinorUnits.ToMoney(b, r.QBudgetCurrency!) : null, r.QOfferMustContain),
        [.. offers.Select(ToOffer)],
        [.. activities.Select(ToActivity)],
        [.. history.Select(ToChange)],
        r.OutcomeKind is null ? null : new Outcome(Codes.Parse<OutcomeKind>(r.OutcomeKind), r.OutcomeReason, r.OutcomeComment, Micros.ToInstant(r.ClosedAt!.Value)),
        Micros.ToInstant(r.CreatedAt),
        new UserId(r.CreatedBy),
        Micros.ToInstant(r.LastChangedAt),
        new UserId(r.LastChangedBy),
        (int)r.Version,
        r.ExternalId,
        Micros.ToInstant(r.LastTouchedAt));

    public static StageChange ToChange(StageChangeRow r) => new(
        r.FromStage is null ? null : new StageId(r.FromStage),
        new StageId(r.ToStage),
        Micros.ToInstant(r.At),
        new UserId(r.ByUser),
        Codes.Parse<StageChangeKind>(r.Kind),
        r.Comment);

    public static Activity ToActivity(ActivityRow r) => new(
        new ActivityId(Guid.Parse(r.Id)),
        Codes.Parse<ActivityKind>(r.Kind),
        r.Subject,
        new UserId(r.Author),
        Micros.ToInstant(r.RecordedAt),
        r.HappenedAt is { } h ? Micros.ToInstant(h) : null,
        r.Due is { } d ? Micros.ToInstant(d) : null,
        r.Done != 0);

    public static OfferDocument ToOffer(OfferRow r) => new(new DocumentId(Guid.Parse(r.DocumentId)), r.Title, new UserId(r.AttachedBy), Micros.ToInstant(r.AttachedAt));

    public static AccountRow ToRow(Account a, int version) => new()
    {
        Id = Id(a.Id.Value),
        Name = a.Name,
        NameFolded = a.Name.ToUpperInvariant(),
        Segment = a.Segment,
        CreatedAt = Micros.Floor(a.CreatedAt),
        CreatedBy = a.CreatedBy.Value,
        Version = version,
    };

    public static ContactRow ToRow(AccountId id, int seq, Contact c) => new()
    {
        AccountId = Id(id.Value),
        Seq = seq,
        Name = c.Name,
        Role = c.Role,
        Phone = c.Phone,
        Email = c.Email,
        PreferredChannel = Codes.Of(c.PreferredChannel),
    };

    public static Account ToAccount(AccountRow r, IEnumerable<ContactRow> contacts) => Account.Restore(
        new AccountId(Guid.Parse(r.Id)),
        r.Name,
        r.Segment,
        contacts.Select(c => new Contact(c.Name, c.Role, c.Phone, c.Email, Codes.Parse<ContactChannel>(c.PreferredChannel))),
        Micros.ToInstant(r.CreatedAt),
        new UserId(r.CreatedBy),
        (int)r.Version);
}
