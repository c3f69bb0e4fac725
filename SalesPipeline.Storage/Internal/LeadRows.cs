using SalesPipeline.Domain;
using SalesPipeline.Leads;
using SalesPipeline.People;

namespace SalesPipeline.Storage.Internal;

/// <summary>A row of <c>people</c>; the same columns on SQLite and PostgreSQL.</summary>
internal sealed class PersonRow
{
    public const string Columns =
        "id AS Id, display_name AS DisplayName, role AS Role, member_of AS MemberOf, manager AS Manager, lead_limit AS LeadLimit, active AS Active, version AS Version";

    public const string Insert =
        "INSERT INTO people (id, display_name, role, member_of, manager, lead_limit, active, version) " +
        "VALUES (@Id, @DisplayName, @Role, @MemberOf, @Manager, @LeadLimit, @Active, @Version) ON CONFLICT (id) DO NOTHING";

    public const string InsertFirst =
        "INSERT INTO people (id, display_name, role, member_of, manager, lead_limit, active, version) " +
        "SELECT @Id, @DisplayName, @Role, @MemberOf, @Manager, @LeadLimit, @Active, @Version WHERE NOT EXISTS (SELECT 1 FROM people)";

    public const string Update =
        "UPDATE people SET display_name = @DisplayName, role = @Role, member_of = @MemberOf, manager = @Manager, lead_limit = @LeadLimit, " +
        "active = @Active, version = @Version WHERE id = @Id AND version = @Version - 1";

    /// <summary>How many people other than <c>@Id</c> are active admins (<see cref="Person.IsActiveAdmin"/>).</summary>
    public const string CountOtherActiveAdmins = "SELECT COUNT(*) FROM people WHERE id <> @Id AND role = @Admin AND active = 1";

    /// <summary>The ids of the active people other than <c>@Id</c> whose manager is <c>@Id</c>.</summary>
    public const string ActivePeopleManaged = "SELECT id FROM people WHERE manager = @Id AND id <> @Id AND active = 1";

    /// <summary>How many active people have id <c>@Id</c> (1 or 0).</summary>
    public const string CountActive = "SELECT COUNT(*) FROM people WHERE id = @Id AND active = 1";

    public string Id { get; set; } = string.Empty;
    public string DisplayName { get; set; } = string.Empty;
    public string Role { get; set; } = string.Empty;
    public string MemberOf { get; set; } = string.Empty;
    public string? Manager { get; set; }
    public long LeadLimit { get; set; }
    public long Active { get; set; }
    public long Version { get; set; }

    public static PersonRow From(Person p, int version) => new()
    {
        Id = p.Id.Value,
        DisplayName = p.DisplayName,
        Role = Roles.Name(p.Role),
        MemberOf = string.Join(',', p.Groups),
        Manager = p.Manager?.Value,
        LeadLimit = p.LeadLimit,
        Active = p.Active ? 1 : 0,
        Version = version,
    };

    public Person ToPerson() => new(
        new UserId(Id), DisplayName, Roles.Parse(Role), MemberOf.Split(',', StringSplitOptions.RemoveEmptyEntries), Manager is null ? null : new UserId(Manager), (int)LeadLimit, Active != 0, (int)Version);
}

/// <summary>A row of <c>leads</c>; the same columns on SQLite and PostgreSQL.</summary>
internal sealed class LeadRow
{
    public const string Columns =
        "id AS Id, company AS Company, segment AS Segment, contact_person AS ContactPerson, phone AS Phone, email AS Email, source AS Source, " +
        "notes AS Notes, status AS Status, owner AS Owner, disqualify_reason AS DisqualifyReason, opportunity_id AS OpportunityId, version AS Version";

    public const string Insert =
        "INSERT INTO leads (id, company, segment, contact_person, phone, email, source, notes, status, owner, disqualify_reason, opportunity_id, version) " +
        "VALUES (@Id, @Company, @Segment, @ContactPerson, @Phone, @Email, @Source, @Notes, @Status, @Owner, @DisqualifyReason, @OpportunityId, @Version) ON CONFLICT (id) DO NOTHING";

    public const string Update =
        "UPDATE leads SET company = @Company, segment = @Segment, contact_person = @ContactPerson, phone = @Phone, email = @Email, source = @Source, " +
        "notes = @Notes, status = @Status, owner = @Owner, disqualify_reason = @DisqualifyReason, opportunity_id = @OpportunityId, version = @Version " +
        "WHERE id = @Id AND version = @Version - 1";

    public string Id { get; set; } = string.Empty;
    public string Company { get; set; } = string.Empty;
    public string? Segment { get; set; }
    public string? ContactPerson { get; set; }
    public string? Phone { get; set; }
    public string? Email { get; set; }
    public string? Source { get; set; }
    public string? Notes { get; set; }
    public string Status { get; set; } = string.Empty;
    public string? Owner { get; set; }
    public string? DisqualifyReason { get; set; }
    public string? OpportunityId { get; set; }
    public long Version { get; set; }

    public static LeadRow From(Lead l, int version) => new()
    {
        Id = l.Id.Value,
        Company = l.Company,
        Segment = l.Segment,
        ContactPerson = l.ContactPerson,
        Phone = l.Phone,
        Email = l.Email,
        Source = l.Source,
        Notes = l.Notes,
        Status = LeadStatusNames.Name(l.Status),
        Owner = l.Owner?.Value,
        DisqualifyReason = l.DisqualifyReason,
        OpportunityId = l.Opportunity?.ToString(),
        Version = version,
    };

    public Lead ToLead(IEnumerable<LeadHistoryRow> history) => new(
        new LeadId(Id), Company, Segment, ContactPerson, Phone, Email, Source, Notes, LeadStatusNames.Parse(Status),
        Owner is null ? null : new UserId(Owner), DisqualifyReason, OpportunityId is null ? null : new OpportunityId(Guid.Parse(OpportunityId)),
        [.. history.OrderBy(h => h.Seq).Select(h => h.ToChange())], (int)Version);
}

/// <summary>A row of <c>lead_history</c>; the same columns on SQLite and PostgreSQL.</summary>
internal sealed class LeadHistoryRow
{
    public const string Columns =
        "lead_id AS LeadId, seq AS Seq, from_status AS FromStatus, to_status AS ToStatus, at AS At, by_user AS ByUser, owner AS Owner, reason AS Reason";

    public const string Insert =
        "INSERT INTO lead_history (lead_id, seq, from_status, to_status, at, by_user, owner, reason) " +
        "VALUES (@LeadId, @Seq, @FromStatus, @ToStatus, @At, @ByUser, @Owner, @Reason)";

    public string LeadId { get; set; } = string.Empty;
    public long Seq { get; set; }
    public string? FromStatus { get; set; }
    public string ToStatus { get; set; } = string.Empty;
    public long At { get; set; }
    public string ByUser { get; set; } = string.Empty;
    public string? Owner { get; set; }
    public string? Reason { get; set; }

    public static LeadHistoryRow From(LeadId lead, int seq, LeadStatusChange c) => new()
    {
        LeadId = lead.Value,
        Seq = seq,
        FromStatus = c.From is { } from ? LeadStatusNames.Name(from) : null,
        ToStatus = LeadStatusNames.Name(c.To),
        At = Micros.Floor(c.At),
        ByUser = c.By.Value,
        Owner = c.Owner?.Value,
        Reason = c.Reason,
    };

    public LeadStatusChange ToChange() => new(
        FromStatus is null ? null : LeadStatusNames.Parse(FromStatus), LeadStatusNames.Parse(ToStatus), Micros.ToInstant(At), new UserId(ByUser),
        Owner is null ? null : new UserId(Owner), Reason);
}

/// <summary>Lead statuses as stored: lower-case names.</summary>
internal static class LeadStatusNames
{
    public static string Name(LeadStatus status) => status.ToString().ToLowerInvariant();

    public static LeadStatus Parse(string name) => Enum.Parse<LeadStatus>(name, ignoreCase: true);
}
