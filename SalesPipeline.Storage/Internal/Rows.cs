namespace SalesPipeline.Storage.Internal;

// Row records: the exact shapes of the tables, so Dapper maps plain columns and needs no global type handler for
// NodaTime or the domain's value types. A column whose type differs between providers (ids, instants, dates, money,
// flags) is held as the provider's own value (object); RowMap converts through the store's dialect.
#pragma warning disable CA1812 // Instantiated by Dapper.

internal sealed class OpportunityRow
{
    public object Id { get; set; } = string.Empty;
    public string PipelineId { get; set; } = string.Empty;
    public string Name { get; set; } = string.Empty;
    public string Currency { get; set; } = string.Empty;
    public object Amount { get; set; } = 0L;
    public object ExpectedClose { get; set; } = string.Empty;
    public object? AccountId { get; set; }
    public string Owner { get; set; } = string.Empty;
    public string Stage { get; set; } = string.Empty;
    public int? ProbabilityOverride { get; set; }
    public object? NextContact { get; set; }
    public object HasQualification { get; set; } = 0L;
    public string? QNeeds { get; set; }
    public string? QPains { get; set; }
    public string? QBudgetCurrency { get; set; }
    public object? QBudgetAmount { get; set; }
    public string? QOfferMustContain { get; set; }
    public string? OutcomeKind { get; set; }
    public string? OutcomeReason { get; set; }
    public string? OutcomeComment { get; set; }
    public object? ClosedAt { get; set; }
    public object CreatedAt { get; set; } = 0L;
    public string CreatedBy { get; set; } = string.Empty;
    public object LastChangedAt { get; set; } = 0L;
    public string LastChangedBy { get; set; } = string.Empty;
    public string? ExternalId { get; set; }
    public int Version { get; set; }
    public object LastTouchedAt { get; set; } = 0L;

    /// <summary>Gets or sets the stage a lost deal was lost at (<see cref="SalesPipeline.Domain.OpportunityState.StageLostAt"/>), kept for win/loss; written, never read back.</summary>
    public string? LostFrom { get; set; }
}

internal sealed class StageChangeRow
{
    public const string Columns =
        "opportunity_id AS OpportunityId, seq AS Seq, from_stage AS FromStage, to_stage AS ToStage, at AS At, by_user AS ByUser, kind AS Kind, comment AS Comment";

    public object OpportunityId { get; set; } = string.Empty;
    public int Seq { get; set; }
    public string? FromStage { get; set; }
    public string ToStage { get; set; } = string.Empty;
    public object At { get; set; } = 0L;
    public string ByUser { get; set; } = string.Empty;
    public string Kind { get; set; } = string.Empty;
    public string? Comment { get; set; }
}

internal class ActivityRow
{
    public const string Columns =
        "id AS Id, opportunity_id AS OpportunityId, seq AS Seq, kind AS Kind, subject AS Subject, author AS Author, recorded_at AS RecordedAt, " +
        "happened_at AS HappenedAt, due AS Due, done AS Done";

    public object Id { get; set; } = string.Empty;
    public object OpportunityId { get; set; } = string.Empty;
    public int Seq { get; set; }
    public string Kind { get; set; } = string.Empty;
    public string Subject { get; set; } = string.Empty;
    public string Author { get; set; } = string.Empty;
    public object RecordedAt { get; set; } = 0L;
    public object? HappenedAt { get; set; }
    public object? Due { get; set; }
    public object Done { get; set; } = 0L;
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

    public object OpportunityId { get; set; } = string.Empty;
    public int Seq { get; set; }
    public string Title { get; set; } = string.Empty;
    public string DocumentId { get; set; } = string.Empty;
    public string AttachedBy { get; set; } = string.Empty;
    public object AttachedAt { get; set; } = 0L;
}

internal sealed class AccountRow
{
    public const string Columns =
        "id AS Id, name AS Name, name_folded AS NameFolded, segment AS Segment, created_at AS CreatedAt, created_by AS CreatedBy, version AS Version";

    public object Id { get; set; } = string.Empty;
    public string Name { get; set; } = string.Empty;
    public string NameFolded { get; set; } = string.Empty;
    public string? Segment { get; set; }
    public object CreatedAt { get; set; } = 0L;
    public string CreatedBy { get; set; } = string.Empty;
    public int Version { get; set; }
}

internal sealed class ContactRow
{
    public const string Columns =
        "account_id AS AccountId, seq AS Seq, name AS Name, role AS Role, phone AS Phone, email AS Email, preferred_channel AS PreferredChannel";

    public object AccountId { get; set; } = string.Empty;
    public int Seq { get; set; }
    public string Name { get; set; } = string.Empty;
    public string? Role { get; set; }
    public string? Phone { get; set; }
    public string? Email { get; set; }
    public string PreferredChannel { get; set; } = string.Empty;
}

#pragma warning restore CA1812
