using NodaTime;
using SalesPipeline.Process;

namespace SalesPipeline.Domain;

/// <summary>What is needed to create an opportunity.</summary>
/// <param name="Name">The deal's name; not empty, at most 300 characters.</param>
/// <param name="Value">The potential value: not negative, at most the currency's minor-unit precision.</param>
/// <param name="Account">The client the deal belongs to.</param>
/// <param name="ExpectedClose">The expected decision date.</param>
/// <param name="Owner">The salesperson who owns it; whoever creates it when left out.</param>
/// <param name="Pipeline">The pipeline; the default pipeline when left out.</param>
/// <param name="ExternalId">The deal's id in another system, if it came from one.</param>
public sealed record NewOpportunity(
    string Name,
    Money Value,
    AccountId? Account,
    LocalDate ExpectedClose,
    UserId? Owner = null,
    PipelineId? Pipeline = null,
    string? ExternalId = null)
{
    /// <summary>
    /// Gets the id the deal is created with: a new random one when left out. A program that brings ids of its own (an
    /// importer giving time-ordered ids, so stored deals follow the order they were created in) sets it.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: a new random id.</value>
    public OpportunityId? Id { get; init; }
}

/// <summary>
/// An opportunity (a deal) moving through a pipeline. It changes only through its methods; every stage
/// change is appended to <see cref="History"/>, which is the source of truth for time-based metrics.
/// A method that refuses a change throws and leaves the opportunity exactly as it was. Every date and instant it takes
/// (the expected close, the instant of a change, an activity's times, the next contact) must lie in <see cref="PlausibleDates"/>;
/// one outside them is refused with an <see cref="ArgumentOutOfRangeException"/> naming it and the range.
/// </summary>
/// <remarks>Not thread-safe: load, change and save one instance per unit of work.</remarks>
public sealed class Opportunity
{
    /// <summary>The largest accepted value amount, in currency units.</summary>
    public const decimal MaxAmount = 1_000_000_000_000_000m;

    private readonly List<OfferDocument> _offers;
    private readonly List<Activity> _activities;
    private readonly List<StageChange> _history;
    private int _stageProbability;

    private Opportunity(OpportunityState s, int stageProbability)
    {
        Id = s.Id;
        PipelineId = s.PipelineId;
        Name = s.Name;
        Value = s.Value;
        ExpectedClose = s.ExpectedClose;
        Account = s.Account;
        Owner = s.Owner;
        Stage = s.Stage;
        ProbabilityOverride = s.ProbabilityOverride;
        NextContact = s.NextContact;
        Qualification = s.Qualification;
        _offers = [.. s.Offers];
        _activities = [.. s.Activities];
        _history = [.. s.History];
        Outcome = s.Outcome;
        CreatedAt = s.CreatedAt;
        CreatedBy = s.CreatedBy;
        LastChangedAt = s.LastChangedAt;
        LastChangedBy = s.LastChangedBy;
        LastTouchedAt = s.Touched;
        Version = s.Version;
        ExternalId = s.ExternalId;
        _stageProbability = stageProbability;
        PersistedHistoryCount = s.Version > 0 ? _history.Count : 0;
    }

    /// <summary>Gets the opportunity's id.</summary>
    public OpportunityId Id { get; }

    /// <summary>Gets the pipeline it belongs to.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>Gets its name.</summary>
    public string Name { get; private set; }

    /// <summary>Gets its potential value.</summary>
    public Money Value { get; private set; }

    /// <summary>Gets the expected decision date.</summary>
    public LocalDate ExpectedClose { get; private set; }

    /// <summary>Gets the client it belongs to, if known.</summary>
    public AccountId? Account { get; private set; }

    /// <summary>Gets the salesperson who owns it.</summary>
    public UserId Owner { get; private set; }

    /// <summary>Gets the current stage.</summary>
    public StageId Stage { get; private set; }

    /// <summary>Gets the owner's probability override in percent, if any. It survives moves between open stages until cleared.</summary>
    public int? ProbabilityOverride { get; private set; }

    /// <summary>Gets the probability in percent: 100 when won, 0 when lost, else the override or the stage's default.</summary>
    public int Probability => DealProbability.Of(
        Outcome?.Kind switch { OutcomeKind.Won => StageKind.Won, OutcomeKind.Lost => StageKind.Lost, _ => StageKind.Open },
        _stageProbability,
        ProbabilityOverride);

    /// <summary>Gets when the next contact with the client is agreed, if it is.</summary>
    public Instant? NextContact { get; private set; }

    /// <summary>Gets what was learnt in qualification, if anything.</summary>
    public QualificationData? Qualification { get; private set; }

    /// <summary>Gets the attached offer documents.</summary>
    public IReadOnlyList<OfferDocument> Offers => _offers;

    /// <summary>Gets the logged activities, oldest first.</summary>
    public IReadOnlyList<Activity> Activities => _activities;

    /// <summary>Gets the stage history, oldest first: a chain from creation to the current stage.</summary>
    public IReadOnlyList<StageChange> History => _history;

    /// <summary>Gets how the deal ended, when it is closed.</summary>
    public Outcome? Outcome { get; private set; }

    /// <summary>Gets whether the deal is closed (won or lost).</summary>
    public bool IsClosed => Outcome is not null;

    /// <summary>Gets when it was created.</summary>
    public Instant CreatedAt { get; }

    /// <summary>Gets who created it.</summary>
    public UserId CreatedBy { get; }

    /// <summary>Gets when it last changed.</summary>
    public Instant LastChangedAt { get; private set; }

    /// <summary>Gets who changed it last.</summary>
    public UserId LastChangedBy { get; private set; }

    /// <summary>
    /// Gets when something last happened on the deal: it was created, moved, edited, or an activity was logged or completed on
    /// it. A deal is stale when this is longer ago than its stage's stale-after limit.
    /// </summary>
    public Instant LastTouchedAt { get; private set; }

    /// <summary>Gets the stored version, for optimistic concurrency; 0 until first saved.</summary>
    public int Version { get; private set; }

    /// <summary>Gets the deal's id in the system it was imported from, if any.</summary>
    public string? ExternalId { get; }

    /// <summary>Gets when the deal entered its current stage.</summary>
    public Instant EnteredStageAt => _history[^1].At;

    /// <summary>Gets the value weighted by the probability.</summary>
    public Money WeightedValue => Money.Of(DealProbability.Weighted(Value.Amount, Probability), Value.Currency);

    /// <summary>Gets how many history entries are already stored.</summary>
    internal int PersistedHistoryCount { get; private set; }

    /// <summary>Creates an opportunity in the pipeline's initial stage.</summary>
    /// <param name="data">What the deal is.</param>
    /// <param name="pipeline">The pipeline; must match <see cref="NewOpportunity.Pipeline"/> when that is given.</param>
    /// <param name="by">Who creates it.</param>
    /// <param name="at">When.</param>
    /// <returns>The new opportunity.</returns>
    /// <exception cref="ArgumentException">A field is invalid, or a date is outside <see cref="PlausibleDates"/>; the message names it and says what is expected.</exception>
    public static Opportunity Create(NewOpportunity data, PipelineDefinition pipeline, UserId by, Instant at)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(pipeline);
        RequireUser(by, nameof(by));
        if (data.Pipeline is { } requested && requested != pipeline.Id)
        {
            throw new ArgumentException($"The opportunity asks for pipeline '{requested}' but was given pipeline '{pipeline.Id}'.", nameof(pipeline));
        }

        var name = Text.Required(data.Name, "name", 300);
        var id = data.Id ?? OpportunityId.New();
        if (id.Value == Guid.Empty)
        {
            throw new ArgumentException("The opportunity's id is empty: give a non-empty id, or leave it out to get a new one.", nameof(data));
        }

        CheckValue(data.Value, "value");
        CheckDate(data.ExpectedClose, "expectedClose");
        CheckInstant(at, "The creation instant", nameof(at));
        var owner = data.Owner is { Value: not null } o ? Text.NewUser(o, "owner") : by;
        var initial = pipeline.Stage(pipeline.InitialStage);
        var state = new OpportunityState(
            id, pipeline.Id, name, data.Value, data.ExpectedClose, data.Account, owner, initial.Id,
            null, null, null, [], [], [new StageChange(null, initial.Id, at, by, StageChangeKind.Created)], null,
            at, by, at, by, 0, Text.Optional(data.ExternalId, "externalId", 200), at);
        return new Opportunity(state, initial.DefaultProbability);
    }

    /// <summary>
    /// Rebuilds an opportunity from recorded data (a store, or another system's history). Past stage changes are
    /// facts: they are checked for consistency, not against the pipeline's requirements.
    /// </summary>
    /// <param name="state">The recorded data.</param>
    /// <param name="pipeline">The pipeline it belongs to.</param>
    /// <returns>The opportunity.</returns>
    /// <exception cref="ArgumentException">The data is inconsistent, or its expected close, creation, history or close lies outside
    /// <see cref="PlausibleDates"/>; the message says how.</exception>
    public static Opportunity Restore(OpportunityState state, PipelineDefinition pipeline)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(pipeline);
        if (state.PipelineId != pipeline.Id)
        {
            throw new ArgumentException($"Opportunity {state.Id} belongs to pipeline '{state.PipelineId}', not '{pipeline.Id}'.", nameof(pipeline));
        }

        Text.Stored(state.Name, "name", 300);
        CheckValue(state.Value, "value");
        CheckDate(state.ExpectedClose, "expectedClose");
        CheckInstant(state.CreatedAt, $"Opportunity {state.Id}: the creation instant", nameof(state));
        RequireUser(state.Owner, "owner");
        ArgumentOutOfRangeException.ThrowIfNegative(state.Version);
        if (state.History is null || state.History.Count == 0)
        {
            throw new ArgumentException($"Opportunity {state.Id} has no stage history: at least the entry into its first stage is needed.", nameof(state));
        }

        StageId? previous = null;
        var previousAt = Instant.MinValue;
        for (var i = 0; i < state.History.Count; i++)
        {
            var change = state.History[i];
            if (change.From != previous)
            {
                throw new ArgumentException($"Opportunity {state.Id}: history entry {i + 1} leaves '{change.From}' but the deal was in '{previous}': the history must be a chain.", nameof(state));
            }

            if (change.At < previousAt)
            {
                throw new ArgumentException($"Opportunity {state.Id}: history entry {i + 1} at {change.At} is earlier than the entry before it ({previousAt}).", nameof(state));
            }

            CheckInstant(change.At, $"Opportunity {state.Id}: history entry {i + 1}", nameof(state));

            pipeline.Stage(change.To);
            previous = change.To;
            previousAt = change.At;
        }

        if (previous != state.Stage)
        {
            throw new ArgumentException($"Opportunity {state.Id} is in stage '{state.Stage}' but its history ends in '{previous}'.", nameof(state));
        }

        var stage = pipeline.Stage(state.Stage);
        var expected = stage.Kind switch { StageKind.Won => OutcomeKind.Won, StageKind.Lost => OutcomeKind.Lost, _ => (OutcomeKind?)null };
        if (state.Outcome?.Kind != expected)
        {
            throw new ArgumentException(
                expected is null
                    ? $"Opportunity {state.Id} is in open stage '{stage.Id}' but has an outcome."
                    : $"Opportunity {state.Id} is in {expected.ToString()!.ToLowerInvariant()} stage '{stage.Id}' but has no matching outcome (kind and close instant).",
                nameof(state));
        }

        if (state.Outcome is { } outcome)
        {
            CheckInstant(outcome.ClosedAt, $"Opportunity {state.Id}: the close instant", nameof(state));
        }

        if (state.ProbabilityOverride is < 0 or > 100)
        {
            throw new ArgumentException($"Opportunity {state.Id}: probability override must be between 0 and 100, was {state.ProbabilityOverride}.", nameof(state));
        }

        return new Opportunity(state, stage.DefaultProbability);
    }

    /// <summary>Takes a snapshot of everything recorded about the deal.</summary>
    /// <returns>The state.</returns>
    public OpportunityState ToState() => new(
        Id, PipelineId, Name, Value, ExpectedClose, Account, Owner, Stage, ProbabilityOverride, NextContact, Qualification,
        [.. _offers], [.. _activities], [.. _history], Outcome, CreatedAt, CreatedBy, LastChangedAt, LastChangedBy, Version, ExternalId, LastTouchedAt);

    /// <summary>Moves the deal to another stage the pipeline allows, if the deal meets every requirement of that stage.</summary>
    /// <param name="pipeline">The deal's pipeline.</param>
    /// <param name="target">The stage to enter; a won stage wins the deal. Use <see cref="Lose"/> for lost stages.</param>
    /// <param name="by">Who moves it.</param>
    /// <param name="at">When; not earlier than the last stage change.</param>
    /// <param name="comment">An optional comment, recorded in the history.</param>
    /// <exception cref="StageTransitionRejectedException">The move is not allowed, the deal is closed, or requirements are unmet.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="at"/> is outside <see cref="PlausibleDates"/>.</exception>
    /// <exception cref="UnknownStageException">The pipeline has no such stage.</exception>
    public void MoveTo(PipelineDefinition pipeline, StageId target, UserId by, Instant at, string? comment = null) =>
        Change(pipeline, target, by, at, comment, reason: null);

    /// <summary>Wins the deal: moves it to the pipeline's won stage.</summary>
    /// <param name="pipeline">The deal's pipeline.</param>
    /// <param name="by">Who closes it.</param>
    /// <param name="at">When.</param>
    /// <param name="comment">What decided it (asked for, not required by default).</param>
    /// <exception cref="StageTransitionRejectedException">The move is not allowed or requirements (an attached offer) are unmet.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="at"/> is outside <see cref="PlausibleDates"/>.</exception>
    public void Win(PipelineDefinition pipeline, UserId by, Instant at, string? comment = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        Change(pipeline, pipeline.WonStage, by, at, comment, reason: null);
    }

    /// <summary>Loses the deal: moves it to a lost stage with a reason from the pipeline's list.</summary>
    /// <param name="pipeline">The deal's pipeline.</param>
    /// <param name="reason">A loss reason from <see cref="PipelineDefinition.LossReasons"/> (case-insensitive).</param>
    /// <param name="comment">What decided it and what to learn.</param>
    /// <param name="by">Who closes it.</param>
    /// <param name="at">When.</param>
    /// <param name="lostStage">Which lost stage; the pipeline's first when left out.</param>
    /// <exception cref="StageTransitionRejectedException">The move is not allowed or requirements (reason, comment) are unmet.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="at"/> is outside <see cref="PlausibleDates"/>.</exception>
    public void Lose(PipelineDefinition pipeline, string? reason, string? comment, UserId by, Instant at, StageId? lostStage = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var target = lostStage ?? pipeline.LostStages[0];
        if (pipeline.Stage(target).Kind != StageKind.Lost)
        {
            throw new ArgumentException($"Stage '{target}' is not a lost stage; lost stages of '{pipeline.Id}': {string.Join(", ", pipeline.LostStages)}.", nameof(lostStage));
        }

        Change(pipeline, target, by, at, comment, reason);
    }

    /// <summary>Reopens a closed deal into an open stage; recorded in the history and clears the outcome.</summary>
    /// <param name="pipeline">The deal's pipeline.</param>
    /// <param name="comment">Why it is reopened; required.</param>
    /// <param name="by">Who reopens it.</param>
    /// <param name="at">When.</param>
    /// <param name="target">The open stage to reopen into; the stage it was closed from when left out.</param>
    /// <exception cref="StageTransitionRejectedException">The deal is not closed or the target is not open.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="at"/> is outside <see cref="PlausibleDates"/>.</exception>
    public void Reopen(PipelineDefinition pipeline, string comment, UserId by, Instant at, StageId? target = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        pipeline.EnsureOwns(this);
        var why = Text.Required(comment, nameof(comment), 2000);
        RequireUser(by, nameof(by));
        CheckAt(at);
        RequireNotBefore(at);
        // An open deal has nothing to go back to: the refusal then names the stage it is in.
        var into = target ?? (IsClosed ? _history[^1].From : Stage) ?? pipeline.InitialStage;
        var entered = pipeline.Engine.Reopen(new MoveContext(this, pipeline, into, null, why));
        Apply(pipeline, new StageChange(Stage, entered, at, by, StageChangeKind.Reopened, why), outcome: null);
    }

    /// <summary>Logs an activity; a contact may set the next-contact instant in the same call.</summary>
    /// <param name="activity">The activity.</param>
    /// <param name="by">Who logs it.</param>
    /// <param name="at">When it is logged.</param>
    /// <returns>The recorded activity.</returns>
    /// <exception cref="ArgumentException">The activity is invalid (empty subject, a task without a due instant, a contact in the future, a next contact in the past,
    /// an instant outside <see cref="PlausibleDates"/>).</exception>
    public Activity LogActivity(NewActivity activity, UserId by, Instant at)
    {
        ArgumentNullException.ThrowIfNull(activity);
        RequireUser(by, nameof(by));
        if (!Enum.IsDefined(activity.Kind))
        {
            throw new ArgumentException($"Activity kind {(int)activity.Kind} is not one of: {string.Join(", ", Enum.GetNames<ActivityKind>())}.", nameof(activity));
        }

        var subject = Text.Required(activity.Subject, "subject", 500);
        CheckAt(at);
        CheckInstant(activity.HappenedAt, $"The instant the {activity.Kind} happened", nameof(activity));
        CheckInstant(activity.Due, $"The {activity.Kind}'s due instant", nameof(activity));
        CheckInstant(activity.NextContact, "The next contact", nameof(activity));
        if (activity.HappenedAt > at)
        {
            throw new ArgumentException($"The {activity.Kind} cannot have happened at {activity.HappenedAt}, after it is logged ({at}); plan it with a due instant instead.", nameof(activity));
        }

        if (activity.Kind == ActivityKind.Task && activity.Due is null)
        {
            throw new ArgumentException("A task needs a due instant.", nameof(activity));
        }

        if (activity.NextContact is { } next && next < at)
        {
            throw new ArgumentException($"The next contact ({next}) must not be in the past (now {at}).", nameof(activity));
        }

        if (activity.Id is { Value: var given } && given == Guid.Empty)
        {
            throw new ArgumentException("The activity's id is empty: give a non-empty id, or leave it out to get a new one.", nameof(activity));
        }

        var planned = activity.Due is not null && activity.HappenedAt is null;
        var recorded = new Activity(
            activity.Id ?? ActivityId.New(), activity.Kind, subject, by, at,
            planned ? null : activity.HappenedAt ?? at,
            activity.Due,
            Done: !planned);
        _activities.Add(recorded);
        if (activity.NextContact is not null)
        {
            NextContact = activity.NextContact;
        }

        Touch(by, at);
        return recorded;
    }

    /// <summary>Marks a planned meeting or task as done.</summary>
    /// <param name="activityId">The activity.</param>
    /// <param name="by">Who completes it.</param>
    /// <param name="at">When it was done.</param>
    /// <exception cref="ArgumentException">The deal has no such activity.</exception>
    /// <exception cref="InvalidOperationException">The activity is already done.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="at"/> is outside <see cref="PlausibleDates"/>.</exception>
    public void CompleteActivity(ActivityId activityId, UserId by, Instant at)
    {
        RequireUser(by, nameof(by));
        CheckAt(at);
        var index = _activities.FindIndex(a => a.Id == activityId);
        if (index < 0)
        {
            throw new ArgumentException($"Opportunity '{Name}' has no activity {activityId}.", nameof(activityId));
        }

        if (_activities[index].Done)
        {
            throw new InvalidOperationException($"Activity '{_activities[index].Subject}' is already done.");
        }

        _activities[index] = _activities[index] with { Done = true, HappenedAt = at };
        Touch(by, at);
    }

    /// <summary>Sets (or clears) when the next contact with the client is agreed.</summary>
    /// <param name="when">The instant, or <see langword="null"/> to clear it.</param>
    /// <param name="by">Who sets it.</param>
    /// <param name="at">When.</param>
    /// <exception cref="ArgumentException"><paramref name="when"/> is in the past, or it or <paramref name="at"/> is outside <see cref="PlausibleDates"/>.</exception>
    public void ScheduleNextContact(Instant? when, UserId by, Instant at)
    {
        RequireUser(by, nameof(by));
        CheckAt(at);
        CheckInstant(when, "The next contact", nameof(when));
        if (when is { } next && next < at)
        {
            throw new ArgumentException($"The next contact ({next}) must not be in the past (now {at}).", nameof(when));
        }

        NextContact = when;
        Touch(by, at);
    }

    /// <summary>Records what was learnt in qualification (replacing what was recorded before).</summary>
    /// <param name="data">Needs, pains, budget and what the offer must contain.</param>
    /// <param name="by">Who records it.</param>
    /// <param name="at">When.</param>
    /// <exception cref="ArgumentException">The budget is negative or a text is too long.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="at"/> is outside <see cref="PlausibleDates"/>.</exception>
    public void RecordQualification(QualificationData data, UserId by, Instant at)
    {
        ArgumentNullException.ThrowIfNull(data);
        RequireUser(by, nameof(by));
        CheckAt(at);
        if (data.Budget is { } budget)
        {
            CheckValue(budget, "budget");
        }

        Qualification = data with
        {
            Needs = Text.Optional(data.Needs, "needs", 4000),
            Pains = Text.Optional(data.Pains, "pains", 4000),
            OfferMustContain = Text.Optional(data.OfferMustContain, "offerMustContain", 4000),
        };
        Touch(by, at);
    }

    /// <summary>Attaches a stored offer document; this meets the <c>offer-attached</c> requirement.</summary>
    /// <param name="document">The stored document's id.</param>
    /// <param name="title">The document's title.</param>
    /// <param name="by">Who attaches it.</param>
    /// <param name="at">When.</param>
    /// <returns>The attached offer.</returns>
    /// <exception cref="ArgumentException">The title is empty, or the document is attached already.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="at"/> is outside <see cref="PlausibleDates"/>.</exception>
    public OfferDocument AttachOffer(DocumentId document, string title, UserId by, Instant at)
    {
        RequireUser(by, nameof(by));
        CheckAt(at);
        if (_offers.Any(o => o.Document == document))
        {
            throw new ArgumentException($"Document {document} is already attached to deal {Id}.", nameof(document));
        }

        var offer = new OfferDocument(document, Text.Required(title, nameof(title), 300), by, at);
        _offers.Add(offer);
        Touch(by, at);
        return offer;
    }

    /// <summary>Overrides the stage's default probability, or clears the override.</summary>
    /// <param name="percent">0–100, or <see langword="null"/> to return to the stage default.</param>
    /// <param name="by">Who overrides it.</param>
    /// <param name="at">When.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percent"/> is outside 0–100.</exception>
    /// <exception cref="InvalidOperationException">The deal is closed: its probability is fixed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="at"/> is outside <see cref="PlausibleDates"/>.</exception>
    public void OverrideProbability(int? percent, UserId by, Instant at)
    {
        RequireUser(by, nameof(by));
        CheckAt(at);
        if (percent is { } p)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(p, nameof(percent));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 100, nameof(percent));
        }

        if (IsClosed)
        {
            throw new InvalidOperationException($"Opportunity '{Name}' is closed: its probability is {Probability} % and cannot be overridden. Reopen it first.");
        }

        ProbabilityOverride = percent;
        Touch(by, at);
    }

    /// <summary>Changes the deal's name, value, expected close date or owner; <see langword="null"/> leaves a field as it is.</summary>
    /// <param name="by">Who edits it.</param>
    /// <param name="at">When.</param>
    /// <param name="name">A new name.</param>
    /// <param name="value">A new value.</param>
    /// <param name="expectedClose">A new expected decision date.</param>
    /// <param name="owner">A new owner.</param>
    /// <exception cref="ArgumentException">A field is invalid, or a date is outside <see cref="PlausibleDates"/>; nothing is changed.</exception>
    public void Edit(UserId by, Instant at, string? name = null, Money? value = null, LocalDate? expectedClose = null, UserId? owner = null)
    {
        RequireUser(by, nameof(by));
        CheckAt(at);
        var newName = name is null ? Name : Text.Required(name, nameof(name), 300);
        if (value is { } v)
        {
            CheckValue(v, nameof(value));
        }

        if (expectedClose is { } d)
        {
            CheckDate(d, nameof(expectedClose));
        }

        if (owner is { } o)
        {
            RequireUser(o, nameof(owner));
            Text.NewUser(o, nameof(owner));
        }

        Name = newName;
        Value = value ?? Value;
        ExpectedClose = expectedClose ?? ExpectedClose;
        Owner = owner ?? Owner;
        Touch(by, at);
    }

    /// <summary>Records that the deal was stored with a new version.</summary>
    internal void MarkPersisted(int version)
    {
        Version = version;
        PersistedHistoryCount = _history.Count;
    }

    private void Change(PipelineDefinition pipeline, StageId target, UserId by, Instant at, string? comment, string? reason)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        pipeline.EnsureOwns(this);
        RequireUser(by, nameof(by));
        CheckAt(at);
        RequireNotBefore(at);
        var note = Text.Optional(comment, nameof(comment), 2000);
        var entered = pipeline.Engine.Fire(new MoveContext(this, pipeline, target, reason, note));
        var kind = pipeline.Stage(entered).Kind;
        var outcome = kind switch
        {
            StageKind.Won => new Outcome(OutcomeKind.Won, null, note, at),
            StageKind.Lost => new Outcome(OutcomeKind.Lost, pipeline.FindLossReason(reason) ?? Text.Optional(reason, nameof(reason), 300), note, at),
            _ => null,
        };
        Apply(pipeline, new StageChange(Stage, entered, at, by, StageChangeKind.Moved, note), outcome);
    }

    private void Apply(PipelineDefinition pipeline, StageChange change, Outcome? outcome)
    {
        _history.Add(change);
        Stage = change.To;
        _stageProbability = pipeline.Stage(change.To).DefaultProbability;
        Outcome = outcome;
        Touch(change.By, change.At);
    }

    private void Touch(UserId by, Instant at)
    {
        LastChangedBy = by;
        LastChangedAt = at > LastChangedAt ? at : LastChangedAt;
        LastTouchedAt = at > LastTouchedAt ? at : LastTouchedAt;
    }

    private void RequireNotBefore(Instant at)
    {
        if (at < _history[^1].At)
        {
            throw new ArgumentOutOfRangeException(nameof(at), at, $"A stage change at {at} would be earlier than the last one ({_history[^1].At}); the history must not go back in time.");
        }
    }

    private static void RequireUser(UserId user, string paramName)
    {
        if (user.Value is null)
        {
            throw new ArgumentException($"'{paramName}' must name a user.", paramName);
        }
    }

    private static void CheckValue(Money value, string paramName)
    {
        if (value.Currency is null)
        {
            throw new ArgumentException($"'{paramName}' has no currency: create it with Money.Of(amount, \"PLN\").", paramName);
        }

        if (value.Amount < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, value.Amount, $"'{paramName}' must not be negative, was {value}.");
        }

        if (value.Amount > MaxAmount)
        {
            throw new ArgumentOutOfRangeException(paramName, value.Amount, $"'{paramName}' must be at most {MaxAmount:N0}, was {value}.");
        }

        if (value.Amount.Scale > value.MinorUnitDigits && decimal.Round(value.Amount, value.MinorUnitDigits) != value.Amount)
        {
            throw new ArgumentException($"'{paramName}' {value} has more decimal places than {value.Currency} has ({value.MinorUnitDigits}).", paramName);
        }
    }

    private static void CheckDate(LocalDate date, string paramName)
    {
        if (!PlausibleDates.Contains(date))
        {
            throw new ArgumentOutOfRangeException(paramName, date, $"'{paramName}' {date:uuuu-MM-dd} is not a plausible date: expected {PlausibleDates.Description}.");
        }
    }

    /// <summary>Refuses an instant outside <see cref="PlausibleDates"/>, such as one read from a mistyped date.</summary>
    /// <param name="instant">The instant; nothing to check when <see langword="null"/>.</param>
    /// <param name="what">What it is, as the message begins, such as "The next contact".</param>
    /// <param name="paramName">The parameter it came in.</param>
    private static void CheckInstant(Instant? instant, string what, string paramName)
    {
        if (instant is { } value && !PlausibleDates.Contains(value))
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{what} {value} is not a plausible date: expected {PlausibleDates.Description}.");
        }
    }

    private static void CheckAt(Instant at) => CheckInstant(at, "The instant of the change", nameof(at));
}
