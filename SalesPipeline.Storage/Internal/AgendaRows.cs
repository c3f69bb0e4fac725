using SalesPipeline.Abstractions;
using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

// Row records of the agenda's queries. A column whose type differs between providers is held as the provider's own value
// (object) and converted through the store's dialect, as Rows.cs does.
#pragma warning disable CA1812 // Instantiated by Dapper.

internal sealed class AgendaDealRow
{
    public object Id { get; set; } = string.Empty;
    public string Name { get; set; } = string.Empty;
    public string Owner { get; set; } = string.Empty;
    public string PipelineId { get; set; } = string.Empty;
    public string Stage { get; set; } = string.Empty;
    public string Currency { get; set; } = string.Empty;
    public object Amount { get; set; } = 0L;
    public object ExpectedClose { get; set; } = string.Empty;
    public object? NextContact { get; set; }
    public object LastTouchedAt { get; set; } = 0L;

    public AgendaDeal ToDeal(IStoreDialect d) => new(
        new OpportunityId(d.ToGuid(Id)),
        Name,
        new UserId(Owner),
        new PipelineId(PipelineId),
        new StageId(Stage),
        Money.Of(d.ToAmount(Amount, Currency), Currency),
        d.ToDate(ExpectedClose),
        NextContact is { } next ? d.ToInstant(next) : null,
        d.ToInstant(LastTouchedAt));
}

internal sealed class PlannedActivityRow
{
    public object Id { get; set; } = string.Empty;
    public object OpportunityId { get; set; } = string.Empty;
    public string OpportunityName { get; set; } = string.Empty;
    public string Owner { get; set; } = string.Empty;
    public string Kind { get; set; } = string.Empty;
    public string Subject { get; set; } = string.Empty;
    public string Author { get; set; } = string.Empty;
    public object RecordedAt { get; set; } = 0L;
    public object? HappenedAt { get; set; }
    public object Due { get; set; } = 0L;

    public ScheduledActivity ToScheduled(IStoreDialect d) => new(
        new OpportunityId(d.ToGuid(OpportunityId)),
        OpportunityName,
        new UserId(Owner),
        new Activity(
            new ActivityId(d.ToGuid(Id)),
            Codes.Parse<ActivityKind>(Kind),
            Subject,
            new UserId(Author),
            d.ToInstant(RecordedAt),
            HappenedAt is { } h ? d.ToInstant(h) : null,
            d.ToInstant(Due),
            Done: false));
}

internal sealed class OpenStageRow
{
    public string PipelineId { get; set; } = string.Empty;
    public string Stage { get; set; } = string.Empty;
    public string Currency { get; set; } = string.Empty;
    public long Count { get; set; }
    public object Amount { get; set; } = 0L;
}

#pragma warning restore CA1812
