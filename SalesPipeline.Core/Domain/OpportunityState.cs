using NodaTime;

namespace SalesPipeline.Domain;

/// <summary>
/// Everything recorded about an opportunity, as plain data: what stores save and load, and what importers
/// build from another system's history. Turn it into an <see cref="Opportunity"/> with
/// <see cref="Opportunity.Restore(OpportunityState, Process.PipelineDefinition)"/>, which checks it.
/// Two states are equal when every field and every list element is equal.
/// </summary>
/// <param name="Id">The opportunity's id.</param>
/// <param name="PipelineId">The pipeline it belongs to.</param>
/// <param name="Name">Its name.</param>
/// <param name="Value">Its potential value.</param>
/// <param name="ExpectedClose">The expected decision date.</param>
/// <param name="Account">The client, if known.</param>
/// <param name="Owner">The salesperson who owns it.</param>
/// <param name="Stage">The current stage; equals the last history entry's target.</param>
/// <param name="ProbabilityOverride">The owner's probability override in percent, if any.</param>
/// <param name="NextContact">When the next contact is agreed, if any.</param>
/// <param name="Qualification">What was learnt in qualification, if anything.</param>
/// <param name="Offers">Attached offer documents.</param>
/// <param name="Activities">Logged activities, oldest first.</param>
/// <param name="History">The stage history, oldest first; never empty.</param>
/// <param name="Outcome">How it ended, when closed.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="CreatedBy">Who created it.</param>
/// <param name="LastChangedAt">When it last changed.</param>
/// <param name="LastChangedBy">Who changed it last.</param>
/// <param name="Version">The stored version, for optimistic concurrency; 0 when never stored.</param>
/// <param name="ExternalId">The id in the system it was imported from, if any.</param>
/// <param name="LastTouchedAt">
/// When something last happened on it (a stage change, an activity logged or completed, an edit); when left out (data from
/// another system), <see cref="Touched"/> takes the latest of its stage entries and activities.
/// </param>
public sealed record OpportunityState(
    OpportunityId Id,
    PipelineId PipelineId,
    string Name,
    Money Value,
    LocalDate ExpectedClose,
    AccountId? Account,
    UserId Owner,
    StageId Stage,
    int? ProbabilityOverride,
    Instant? NextContact,
    QualificationData? Qualification,
    IReadOnlyList<OfferDocument> Offers,
    IReadOnlyList<Activity> Activities,
    IReadOnlyList<StageChange> History,
    Outcome? Outcome,
    Instant CreatedAt,
    UserId CreatedBy,
    Instant LastChangedAt,
    UserId LastChangedBy,
    int Version,
    string? ExternalId = null,
    Instant? LastTouchedAt = null)
{
    /// <summary>
    /// Gets when something last happened on the deal, which staleness is judged from: <see cref="LastTouchedAt"/> when it is
    /// recorded, else the latest of its stage entries and of its activities' logged and happened instants.
    /// </summary>
    public Instant Touched => LastTouchedAt ?? TouchedBy(History, Activities);

    /// <summary>
    /// Gets the stage a lost deal was lost at: the one it was in just before its last move (to the lost stage), which
    /// win/loss groups the losses by; <see langword="null"/> unless the deal is lost, and for a lost deal with no history or
    /// whose last move came from no stage (created lost).
    /// </summary>
    public StageId? StageLostAt => Outcome?.Kind == OutcomeKind.Lost && History.Count > 0 ? History[^1].From : null;

    /// <summary>The latest stage entry or activity (logged or happened): when a deal was last touched, as far as its records tell.</summary>
    private static Instant TouchedBy(IReadOnlyList<StageChange> history, IReadOnlyList<Activity> activities)
    {
        var latest = history.Count == 0 ? Instant.MinValue : history.Max(h => h.At);
        foreach (var a in activities)
        {
            latest = Instant.Max(latest, a.HappenedAt is { } h ? Instant.Max(a.RecordedAt, h) : a.RecordedAt);
        }

        return latest;
    }

    /// <inheritdoc />
    public bool Equals(OpportunityState? other) =>
        other is not null
        && Id == other.Id
        && PipelineId == other.PipelineId
        && Name == other.Name
        && Value == other.Value
        && ExpectedClose == other.ExpectedClose
        && Account == other.Account
        && Owner == other.Owner
        && Stage == other.Stage
        && ProbabilityOverride == other.ProbabilityOverride
        && NextContact == other.NextContact
        && Equals(Qualification, other.Qualification)
        && Offers.SequenceEqual(other.Offers)
        && Activities.SequenceEqual(other.Activities)
        && History.SequenceEqual(other.History)
        && Equals(Outcome, other.Outcome)
        && CreatedAt == other.CreatedAt
        && CreatedBy == other.CreatedBy
        && LastChangedAt == other.LastChangedAt
        && LastChangedBy == other.LastChangedBy
        && Version == other.Version
        && ExternalId == other.ExternalId
        && Touched == other.Touched;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, Stage, Version, History.Count, Activities.Count);
}
