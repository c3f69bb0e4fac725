using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Postgres;

// Row records: the exact shapes of the tables in the types Npgsql reads and writes natively (uuid → Guid,
// timestamptz → UTC DateTime, numeric → decimal, date → DateOnly), so Dapper needs no global type handler.
#pragma warning disable CA1812 // Instantiated by Dapper.

internal sealed class OpportunityRow
{
    public const string Columns =
        "id AS Id, pipeline_id AS PipelineId, name AS Name, currency AS Currency, amount AS Amount, expected_close AS ExpectedClose, " +
        "account_id AS AccountId, owner AS Owner, stage AS Stage, probability_override AS ProbabilityOverride, next_contact AS NextContact, " +
        "has_qualification AS HasQualification, q_needs AS QNeeds, q_pains AS QPains, q_budget_currency AS QBudgetCurrency, q_budget_amount AS QBudgetAmount, " +
        "q_offer_must_contain AS QOfferMustContain, outcome_kind AS OutcomeKind, outcome_reason AS OutcomeReason, outcome_comment AS OutcomeComment, " +
        "closed_at AS ClosedAt, created_at AS CreatedAt, created_by AS CreatedBy, last_changed_at AS LastChangedAt, last_changed_by AS LastChangedBy, " +
        "external_id AS ExternalId, version AS Version, last_touched_at AS LastTouchedAt";

    public Guid Id { get; set; }
    public string PipelineId { get; set; } = string.Empty;
    public string Name { get; set; } = string.Empty;
    public string Currency { get; set; } = string.Empty;
    public decimal Amount { get; set; }
    public DateOnly ExpectedClose { get; set; }
    public Guid? AccountId { get; set; }
    public string Owner { get; set; } = string.Empty;
    public string Stage { get; set; } = string.Empty;
    public int? ProbabilityOverride { get; set; }
    public DateTime? NextContact { get; set; }
    public bool HasQualification { get; set; }
    public string? QNeeds { get; set; }
    public string? QPains { get; set; }
    public string? QBudgetCurrency { get; set; }
    public decimal? QBudgetAmount { get; set; }
    public string? QOfferMustContain { get; set; }
    public string? OutcomeKind { get; set; }
    public string? OutcomeReason { get; set; }
    public string? OutcomeComment { get; set; }
    public DateTime? ClosedAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public string CreatedBy { get; set; } = string.Empty;
    public DateTime LastChangedAt { get; set; }
    public string LastChangedBy { get; set; } = string.Empty;
    public string? ExternalId { get; set; }
    public int Version { get; set; }
    public DateTime LastTouchedAt { get; set; }
}

internal sealed class StageChangeRow
{
    public const string Columns =
        "opportunity_id AS OpportunityId, seq AS Seq, from_stage AS FromStage, to_stage AS ToStage, at AS At, by_user AS ByUser, kind AS Kind, comment AS Comment";

    public Guid OpportunityId { get; set; }
    public int Seq { get; set; }
    public string? FromStage { get; set; }
    public string ToStage { get; set; } = string.Empty;
    public DateTime At { get; set; }
    public string ByUser { get; set; } = string.Empty;
    public string Kind { get; set; } = string.Empty;
    public string? Comment { get; set; }
}

internal class ActivityRow
{
    public const string Columns =
        "id AS Id, opportunity_id AS OpportunityId, seq AS Seq, kind AS Kind, subject AS Subject, author AS Author, recorded_at AS RecordedAt, " +
        "happened_at AS HappenedAt, due AS Due, done AS Done";

    public Guid Id { get; set; }
    public Guid OpportunityId { get; set; }
    public int Seq { get; set; }
    public string Kind { get; set; } = string.Empty;
    public string Subject { get; set; } = string.Empty;
    public string Author { get; set; } = string.Empty;
    public DateTime RecordedAt { get; set; }
    public DateTime? HappenedAt { get; set; }
    public DateTime? Due { get; set; }
    public bool Done { get; set; }
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

    public Guid OpportunityId { get; set; }
    public int Seq { get; set; }
    public string Title { get; set; } = string.Empty;
    public string DocumentId { get; set; } = string.Empty;
    public string AttachedBy { get; set; } = string.Empty;
    public DateTime AttachedAt { get; set; }
}

internal sealed class AccountRow
{
    public const string Columns =
        "id AS Id, name AS Name, name_folded AS NameFolded, segment AS Segment, created_at AS CreatedAt, created_by AS CreatedBy, version AS Version";

    public Guid Id { get; set; }
    public string Name { get; set; } = string.Empty;
    public string NameFolded { get; set; } = string.Empty;
    public string? Segment { get; set; }
    public DateTime CreatedAt { get; set; }
    public string CreatedBy { get; set; } = string.Empty;
    public int Version { get; set; }
}

internal sealed class ContactRow
{
    public const string Columns =
        "account_id AS AccountId, seq AS Seq, name AS Name, role AS Role, phone AS Phone, email AS Email, preferred_channel AS PreferredChannel";

    public Guid AccountId { get; set; }
    public int Seq { get; set; }
    public string Name { get; set; } = string.Empty;
    public string? Role { get; set; }
    public string? Phone { get; set; }
    public string? Email { get; set; }
    public string PreferredChannel { get; set; } = string.Empty;
}

#pragma warning restore CA1812

/// <summary>Instants as PostgreSQL timestamptz values (UTC <see cref="DateTime"/>, microsecond precision).</summary>
internal static class PgTime
{
    private static readonly long MinMicros = Micros.Floor(Instant.FromDateTimeUtc(DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc)));
    private static readonly long MaxMicros = Micros.Floor(Instant.FromDateTimeUtc(DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc)));

    /// <summary>A value to store: truncated to the microsecond.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The instant is outside the years 1–9999.</exception>
    public static DateTime Of(Instant instant)
    {
        var micros = Micros.Floor(instant);
        return micros < MinMicros || micros > MaxMicros
            ? throw new ArgumentOutOfRangeException(nameof(instant), instant, $"The instant {instant} cannot be stored: instants must fall in the years 1 to 9999.")
            : DateTime.UnixEpoch.AddTicks(micros * 10);
    }

    public static DateTime? Of(Instant? instant) => instant is { } i ? Of(i) : null;

    /// <summary>A query bound in whole microseconds, clamped to the storable range (beyond it every stored value compares the same way).</summary>
    public static DateTime Bound(long micros) => DateTime.UnixEpoch.AddTicks(Math.Clamp(micros, MinMicros, MaxMicros) * 10);

    public static Instant ToInstant(DateTime value) => Instant.FromDateTimeUtc(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public static Instant? ToInstant(DateTime? value) => value is { } v ? ToInstant(v) : null;
}

/// <summary>Converts between domain values and PostgreSQL rows.</summary>
internal static class PostgresMap
{
    public static OpportunityRow ToRow(OpportunityState s, int version)
    {
        var q = s.Qualification;
        return new OpportunityRow
        {
            Id = s.Id.Value,
            PipelineId = s.PipelineId.Value,
            Name = s.Name,
            Currency = s.Value.Currency ?? throw new ArgumentException("The value has no currency: create it with Money.Of(amount, \"PLN\").", nameof(s)),
            Amount = s.Value.Amount,
            ExpectedClose = ToDate(s.ExpectedClose),
            AccountId = s.Account?.Value,
            Owner = s.Owner.Value,
            Stage = s.Stage.Value,
            ProbabilityOverride = s.ProbabilityOverride,
            NextContact = PgTime.Of(s.NextContact),
            HasQualification = q is not null,
            QNeeds = q?.Needs,
            QPains = q?.Pains,
            QBudgetCurrency = q?.Budget?.Currency,
            QBudgetAmount = q?.Budget?.Amount,
            QOfferMustContain = q?.OfferMustContain,
            OutcomeKind = s.Outcome is { } o ? Codes.Of(o.Kind) : null,
            OutcomeReason = s.Outcome?.Reason,
            OutcomeComment = s.Outcome?.Comment,
            ClosedAt = PgTime.Of(s.Outcome?.ClosedAt),
            CreatedAt = PgTime.Of(s.CreatedAt),
            CreatedBy = s.CreatedBy.Value,
            LastChangedAt = PgTime.Of(s.LastChangedAt),
            LastChangedBy = s.LastChangedBy.Value,
            ExternalId = s.ExternalId,
            LastTouchedAt = PgTime.Of(s.Touched),
            Version = version,
        };
    }

    public static DateOnly ToDate(LocalDate date) => date.Year is >= 1 and <= 9999
        ? date.ToDateOnly()
        : throw new ArgumentOutOfRangeException(nameof(date), date, $"The date {date} cannot be stored: dates must fall in the years 1 to 9999.");

    public static StageChangeRow ToRow(OpportunityId id, int seq, StageChange c) => new()
    {
        OpportunityId = id.Value,
        Seq = seq,
        FromStage = c.From?.Value,
        ToStage = c.To.Value,
        At = PgTime.Of(c.At),
        ByUser = c.By.Value,
        Kind = Codes.Of(c.Kind),
        Comment = c.Comment,
    };

    public static ActivityRow ToRow(OpportunityId id, int seq, Activity a) => new()
    {
        Id = a.Id.Value,
        OpportunityId = id.Value,
        Seq = seq,
        Kind = Codes.Of(a.Kind),
        Subject = a.Subject,
        Author = a.Author.Value,
        RecordedAt = PgTime.Of(a.RecordedAt),
        HappenedAt = PgTime.Of(a.HappenedAt),
        Due = PgTime.Of(a.Due),
        Done = a.Done,
    };

    public static OfferRow ToRow(OpportunityId id, int seq, OfferDocument o) => new()
    {
        OpportunityId = id.Value,
        Seq = seq,
        Title = o.Title,
        DocumentId = o.Document.ToString(),
        AttachedBy = o.AttachedBy.Value,
        AttachedAt = PgTime.Of(o.AttachedAt),
    };

    public static OpportunityState ToState(OpportunityRow r, IEnumerable<StageChangeRow> history, IEnumerable<ActivityRow> activities, IEnumerable<OfferRow> offers) => new(
        new OpportunityId(r.Id),
        new PipelineId(r.PipelineId),
        r.Name,
        Money.Of(r.Amount, r.Currency),
        LocalDate.FromDateOnly(r.ExpectedClose),
        r.AccountId is { } account ? new AccountId(account) : null,
        new UserId(r.Owner),
        new StageId(r.Stage),
        r.ProbabilityOverride,
        PgTime.ToInstant(r.NextContact),
        r.HasQualification
            ? new QualificationData(r.QNeeds, r.QPains, r.QBudgetAmount is { } b ? Money.Of(b, r.QBudgetCurrency!) : null, r.QOfferMustContain)
            : null,
        [.. offers.Select(ToOffer)],
        [.. activities.Select(ToActivity)],
        [.. history.Select(ToChange)],
        r.OutcomeKind is null ? null : new Outcome(Codes.Parse<OutcomeKind>(r.OutcomeKind), r.OutcomeReason, r.OutcomeComment, PgTime.ToInstant(r.ClosedAt!.Value)),
        PgTime.ToInstant(r.CreatedAt),
        new UserId(r.CreatedBy),
        PgTime.ToInstant(r.LastChangedAt),
        new UserId(r.LastChangedBy),
        r.Version,
        r.ExternalId,
        PgTime.ToInstant(r.LastTouchedAt));

    public static StageChange ToChange(StageChangeRow r) => new(
        r.FromStage is null ? null : new StageId(r.FromStage),
        new StageId(r.ToStage),
        PgTime.ToInstant(r.At),
        new UserId(r.ByUser),
        Codes.Parse<StageChangeKind>(r.Kind),
        r.Comment);

    public static Activity ToActivity(ActivityRow r) => new(
        new ActivityId(r.Id),
        Codes.Parse<ActivityKind>(r.Kind),
        r.Subject,
        new UserId(r.Author),
        PgTime.ToInstant(r.RecordedAt),
        PgTime.ToInstant(r.HappenedAt),
        PgTime.ToInstant(r.Due),
        r.Done);

    public static OfferDocument ToOffer(OfferRow r) => new(new DocumentId(Guid.Parse(r.DocumentId)), r.Title, new UserId(r.AttachedBy), PgTime.ToInstant(r.AttachedAt));

    public static AccountRow ToRow(Account a, int version) => new()
    {
        Id = a.Id.Value,
        Name = a.Name,
        NameFolded = a.Name.ToUpperInvariant(),
        Segment = a.Segment,
        CreatedAt = PgTime.Of(a.CreatedAt),
        CreatedBy = a.CreatedBy.Value,
        Version = version,
    };

    public static ContactRow ToRow(AccountId id, int seq, Contact c) => new()
    {
        AccountId = id.Value,
        Seq = seq,
        Name = c.Name,
        Role = c.Role,
        Phone = c.Phone,
        Email = c.Email,
        PreferredChannel = Codes.Of(c.PreferredChannel),
    };

    public static Account ToAccount(AccountRow r, IEnumerable<ContactRow> contacts) => Account.Restore(
        new AccountId(r.Id),
        r.Name,
        r.Segment,
        contacts.Select(c => new Contact(c.Name, c.Role, c.Phone, c.Email, Codes.Parse<ContactChannel>(c.PreferredChannel))),
        PgTime.ToInstant(r.CreatedAt),
        new UserId(r.CreatedBy),
        r.Version);
}
