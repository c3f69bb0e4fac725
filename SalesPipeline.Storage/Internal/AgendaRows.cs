using SalesPipeline.Abstractions;
using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

// Row records of the agenda's queries in provider-neutral shapes (see IAgendaDialect), so one mapping serves every provider.
#pragma warning disable CA1812 // Instantiated by Dapper.

internal sealed class AgendaDealRow
{
    public string Id { get; set; } = string.Empty;
    public string Name { get; set; } = string.Empty;
    public string Owner { get; set; } = string.Empty;
    public string PipelineId { get; set; } = string.Empty;
    public string Stage { get; set; } = string.Empty;
    public string Currency { get; set; } = string.Empty;
    public object Amount { get; set; } = 0L;
    public string ExpectedClose { get; set; } = string.Empty;
    public long? NextContact { get; set; }
    public long LastTouchedAt { get; set; }

    public AgendaDeal ToDeal(IAgendaDialect dialect) => new(
        new OpportunityId(Guid.Parse(Id)),
        Name,
        new UserId(Owner),
        new PipelineId(PipelineId),
        new StageId(Stage),
        dialect.Money(Amount, Currency),
        IsoDate.Parse(ExpectedClose),
        NextContact is { } next ? Micros.ToInstant(next) : null,
        Micros.ToInstant(LastTouchedAt));
}

internal sealed class PlannedActivityRow
{
    public string Id { get; set; } = string.Empty;
    public string OpportunityId { get; set; } = string.Empty;
    public string OpportunityName { get; set; } = string.Empty;
    public string Owner { get; set; } = string.Empty;
    public string Kind { get; set; } = string.Empty;
    public string Subject { get; set; } = string.Empty;
    public string Author { get; set; } = string.Empty;
    public long RecordedAt { get; set; }
    public long? HappenedAt { get; set; }
    public long Due { get; set; }

    public ScheduledActivity ToScheduled() => new(
        new OpportunityId(Guid.Parse(OpportunityId)),
        OpportunityName,
        new UserId(Owner),
        new Activity(
            new ActivityId(Guid.Parse(Id)),
            Codes.Parse<ActivityKind>(Kind),
            Subject,
            new UserId(Author),
            Micros.ToInstant(RecordedAt),
            HappenedAt is { } h ? Micros.ToInstant(h) : null,
            Micros.ToInstant(Due),
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
