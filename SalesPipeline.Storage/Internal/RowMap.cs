using SalesPipeline.Abstractions;
using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

/// <summary>Converts between domain values and rows, each provider-typed column through the store's dialect.</summary>
internal static class RowMap
{
    public static OpportunityRow ToRow(this IStoreDialect d, OpportunityState s, int version)
    {
        var q = s.Qualification;
        return new OpportunityRow
        {
            Id = d.Key(s.Id.Value),
            PipelineId = s.PipelineId.Value,
            Name = s.Name,
            Currency = s.Value.Currency ?? throw new ArgumentException("The value has no currency: create it with Money.Of(amount, \"PLN\").", nameof(s)),
            Amount = d.Amount(s.Value, "value"),
            ExpectedClose = d.Date(s.ExpectedClose),
            AccountId = s.Account is { } account ? d.Key(account.Value) : null,
            Owner = s.Owner.Value,
            Stage = s.Stage.Value,
            ProbabilityOverride = s.ProbabilityOverride,
            NextContact = s.NextContact is { } next ? d.Time(next) : null,
            HasQualification = d.Flag(q is not null),
            QNeeds = q?.Needs,
            QPains = q?.Pains,
            QBudgetCurrency = q?.Budget?.Currency,
            QBudgetAmount = q?.Budget is { } budget ? d.Amount(budget, "budget") : null,
            QOfferMustContain = q?.OfferMustContain,
            OutcomeKind = s.Outcome is { } o ? Codes.Of(o.Kind) : null,
            OutcomeReason = s.Outcome?.Reason,
            OutcomeComment = s.Outcome?.Comment,
            ClosedAt = s.Outcome is { } closed ? d.Time(closed.ClosedAt) : null,
            CreatedAt = d.Time(s.CreatedAt),
            CreatedBy = s.CreatedBy.Value,
            LastChangedAt = d.Time(s.LastChangedAt),
            LastChangedBy = s.LastChangedBy.Value,
            ExternalId = s.ExternalId,
            Version = version,
            LastTouchedAt = d.Time(s.Touched),
            LostFrom = s.StageLostAt?.Value,
        };
    }

    public static StageChangeRow ToRow(this IStoreDialect d, OpportunityId id, int seq, StageChange c) => new()
    {
        OpportunityId = d.Key(id.Value),
        Seq = seq,
        FromStage = c.From?.Value,
        ToStage = c.To.Value,
        At = d.Time(c.At),
        ByUser = c.By.Value,
        Kind = Codes.Of(c.Kind),
        Comment = c.Comment,
    };

    public static ActivityRow ToRow(this IStoreDialect d, OpportunityId id, int seq, Activity a) => new()
    {
        Id = d.Key(a.Id.Value),
        OpportunityId = d.Key(id.Value),
        Seq = seq,
        Kind = Codes.Of(a.Kind),
        Subject = a.Subject,
        Author = a.Author.Value,
        RecordedAt = d.Time(a.RecordedAt),
        HappenedAt = a.HappenedAt is { } h ? d.Time(h) : null,
        Due = a.Due is { } due ? d.Time(due) : null,
        Done = d.Flag(a.Done),
    };

    public static OfferRow ToRow(this IStoreDialect d, OpportunityId id, int seq, OfferDocument o) => new()
    {
        OpportunityId = d.Key(id.Value),
        Seq = seq,
        Title = o.Title,
        DocumentId = o.Document.ToString(),
        AttachedBy = o.AttachedBy.Value,
        AttachedAt = d.Time(o.AttachedAt),
    };

    public static AccountRow ToRow(this IStoreDialect d, Account a, int version) => new()
    {
        Id = d.Key(a.Id.Value),
        Name = a.Name,
        NameFolded = a.Name.ToUpperInvariant(),
        Segment = a.Segment,
        CreatedAt = d.Time(a.CreatedAt),
        CreatedBy = a.CreatedBy.Value,
        Version = version,
    };

    public static ContactRow ToRow(this IStoreDialect d, AccountId id, int seq, Contact c) => new()
    {
        AccountId = d.Key(id.Value),
        Seq = seq,
        Name = c.Name,
        Role = c.Role,
        Phone = c.Phone,
        Email = c.Email,
        PreferredChannel = Codes.Of(c.PreferredChannel),
    };

    public static OpportunityState ToState(this IStoreDialect d, OpportunityRow r, IEnumerable<StageChangeRow> history, IEnumerable<ActivityRow> activities, IEnumerable<OfferRow> offers) => new(
        new OpportunityId(d.ToGuid(r.Id)),
        new PipelineId(r.PipelineId),
        r.Name,
        Money.Of(d.ToAmount(r.Amount, r.Currency), r.Currency),
        d.ToDate(r.ExpectedClose),
        r.AccountId is null ? null : new AccountId(d.ToGuid(r.AccountId)),
        new UserId(r.Owner),
        new StageId(r.Stage),
        r.ProbabilityOverride,
        r.NextContact is null ? null : d.ToInstant(r.NextContact),
        d.ToFlag(r.HasQualification)
            ? new QualificationData(r.QNeeds, r.QPains, r.QBudgetAmount is null ? null : Money.Of(d.ToAmount(r.QBudgetAmount, r.QBudgetCurrency!), r.QBudgetCurrency!), r.QOfferMustContain)
            : null,
        [.. offers.Select(d.ToOffer)],
        [.. activities.Select(d.ToActivity)],
        [.. history.Select(d.ToChange)],
        r.OutcomeKind is null ? null : new Outcome(Codes.Parse<OutcomeKind>(r.OutcomeKind), r.OutcomeReason, r.OutcomeComment, d.ToInstant(r.ClosedAt!)),
        d.ToInstant(r.CreatedAt),
        new UserId(r.CreatedBy),
        d.ToInstant(r.LastChangedAt),
        new UserId(r.LastChangedBy),
        r.Version,
        r.ExternalId,
        d.ToInstant(r.LastTouchedAt));

    public static StageChange ToChange(this IStoreDialect d, StageChangeRow r) => new(
        r.FromStage is null ? null : new StageId(r.FromStage),
        new StageId(r.ToStage),
        d.ToInstant(r.At),
        new UserId(r.ByUser),
        Codes.Parse<StageChangeKind>(r.Kind),
        r.Comment);

    public static Activity ToActivity(this IStoreDialect d, ActivityRow r) => new(
        new ActivityId(d.ToGuid(r.Id)),
        Codes.Parse<ActivityKind>(r.Kind),
        r.Subject,
        new UserId(r.Author),
        d.ToInstant(r.RecordedAt),
        r.HappenedAt is null ? null : d.ToInstant(r.HappenedAt),
        r.Due is null ? null : d.ToInstant(r.Due),
        d.ToFlag(r.Done));

    public static OfferDocument ToOffer(this IStoreDialect d, OfferRow r) => new(new DocumentId(Guid.Parse(r.DocumentId)), r.Title, new UserId(r.AttachedBy), d.ToInstant(r.AttachedAt));

    public static Account ToAccount(this IStoreDialect d, AccountRow r, IEnumerable<ContactRow> contacts) => Account.Restore(
        new AccountId(d.ToGuid(r.Id)),
        r.Name,
        r.Segment,
        contacts.Select(c => new Contact(c.Name, c.Role, c.Phone, c.Email, Codes.Parse<ContactChannel>(c.PreferredChannel))),
        d.ToInstant(r.CreatedAt),
        new UserId(r.CreatedBy),
        r.Version);
}
