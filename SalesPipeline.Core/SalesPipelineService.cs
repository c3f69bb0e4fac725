using System.Runtime.CompilerServices;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline;

/// <summary>
/// The <see cref="ISalesPipeline"/> implementation: loads a deal, changes it through the aggregate with the
/// instant from the injected clock, and saves it with optimistic concurrency. Usable without a container.
/// </summary>
/// <remarks>Thread-safe; holds no per-call state.</remarks>
public sealed class SalesPipelineService : ISalesPipeline
{
    private readonly IOpportunityStore _opportunities;
    private readonly IAccountStore _accounts;
    private readonly IClock _clock;

    /// <summary>Creates the service.</summary>
    /// <param name="opportunities">Where deals are stored.</param>
    /// <param name="accounts">Where accounts are stored.</param>
    /// <param name="pipelines">The pipelines deals can belong to.</param>
    /// <param name="clock">The source of every instant the service records.</param>
    public SalesPipelineService(IOpportunityStore opportunities, IAccountStore accounts, PipelineCatalog pipelines, IClock clock)
    {
        ArgumentNullException.ThrowIfNull(opportunities);
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(pipelines);
        ArgumentNullException.ThrowIfNull(clock);
        _opportunities = opportunities;
        _accounts = accounts;
        Pipelines = pipelines;
        _clock = clock;
    }

    /// <inheritdoc />
    public PipelineCatalog Pipelines { get; }

    /// <inheritdoc />
    public async Task<Opportunity> CreateAsync(NewOpportunity opportunity, UserId by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(opportunity);
        var pipeline = opportunity.Pipeline is { } id ? Pipelines.Get(id) : Pipelines.Default;
        if (opportunity.Account is { } accountId && await _accounts.FindAsync(accountId, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new ArgumentException($"No account has id {accountId}: create the account first.", nameof(opportunity));
        }

        var created = Opportunity.Create(opportunity, pipeline, by, _clock.GetCurrentInstant());
        await SaveAsync(created, cancellationToken).ConfigureAwait(false);
        return created;
    }

    /// <inheritdoc />
    public async Task<Opportunity> GetAsync(OpportunityId id, CancellationToken cancellationToken = default)
    {
        var state = await _opportunities.FindAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new OpportunityNotFoundException(id);
        return Opportunity.Restore(state, Pipelines.Get(state.PipelineId));
    }

    /// <inheritdoc />
    public Task<Opportunity> MoveAsync(OpportunityId id, StageId target, UserId by, string? comment = null, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, (o, p, at) => o.MoveTo(p, target, by, at, comment), cancellationToken);

    /// <inheritdoc />
    public Task<Opportunity> WinAsync(OpportunityId id, UserId by, string? comment = null, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, (o, p, at) => o.Win(p, by, at, comment), cancellationToken);

    /// <inheritdoc />
    public Task<Opportunity> LoseAsync(OpportunityId id, string reason, string comment, UserId by, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, (o, p, at) => o.Lose(p, reason, comment, by, at), cancellationToken);

    /// <inheritdoc />
    public Task<Opportunity> ReopenAsync(OpportunityId id, string comment, UserId by, StageId? target = null, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, (o, p, at) => o.Reopen(p, comment, by, at, target), cancellationToken);

    /// <inheritdoc />
    public async Task<Activity> LogActivityAsync(OpportunityId id, NewActivity activity, UserId by, CancellationToken cancellationToken = default)
    {
        Activity? logged = null;
        await ChangeAsync(id, (o, _, at) => logged = o.LogActivity(activity, by, at), cancellationToken).ConfigureAwait(false);
        return logged!;
    }

    /// <inheritdoc />
    public Task CompleteActivityAsync(OpportunityId id, ActivityId activityId, UserId by, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, (o, _, at) => o.CompleteActivity(activityId, by, at), cancellationToken);

    /// <inheritdoc />
    public Task ScheduleNextContactAsync(OpportunityId id, Instant? nextContact, UserId by, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, (o, _, at) => o.ScheduleNextContact(nextContact, by, at), cancellationToken);

    /// <inheritdoc />
    public Task RecordQualificationAsync(OpportunityId id, QualificationData data, UserId by, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, (o, _, at) => o.RecordQualification(data, by, at), cancellationToken);

    /// <inheritdoc />
    public async Task<OfferDocument> AttachOfferAsync(OpportunityId id, string title, string location, UserId by, CancellationToken cancellationToken = default)
    {
        OfferDocument? attached = null;
        await ChangeAsync(id, (o, _, at) => attached = o.AttachOffer(title, location, by, at), cancellationToken).ConfigureAwait(false);
        return attached!;
    }

    /// <inheritdoc />
    public Task OverrideProbabilityAsync(OpportunityId id, int? percent, UserId by, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, (o, _, at) => o.OverrideProbability(percent, by, at), cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<StageId>> PermittedMovesAsync(OpportunityId id, CancellationToken cancellationToken = default)
    {
        var opportunity = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        return Pipelines.Get(opportunity.PipelineId).PermittedMoves(opportunity);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<UnmetRequirement>> WhyNotAsync(OpportunityId id, StageId target, CancellationToken cancellationToken = default)
    {
        var opportunity = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        return Pipelines.Get(opportunity.PipelineId).WhyNot(opportunity, target);
    }

    /// <inheritdoc />
    public async Task<Account> CreateAccountAsync(string name, string? segment, UserId by, CancellationToken cancellationToken = default)
    {
        var account = Account.Create(name, segment, by, _clock.GetCurrentInstant());
        account.MarkPersisted(await _accounts.SaveAsync(account, cancellationToken).ConfigureAwait(false));
        return account;
    }

    /// <inheritdoc />
    public async Task<Account> AddContactAsync(AccountId accountId, Contact contact, CancellationToken cancellationToken = default)
    {
        var account = await _accounts.FindAsync(accountId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"No account has id {accountId}.");
        account.AddContact(contact);
        account.MarkPersisted(await _accounts.SaveAsync(account, cancellationToken).ConfigureAwait(false));
        return account;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FollowUp>> OverdueFollowUpsAsync(Instant asOf, UserId? owner = null, CancellationToken cancellationToken = default)
    {
        // One open deal at a time: memory holds the follow-ups found, not every open deal.
        var overdue = new List<FollowUp>();
        await foreach (var deal in OpenDealsAsync(owner, cancellationToken).ConfigureAwait(false))
        {
            Attention.AddOverdue(overdue, deal, asOf);
        }

        return Attention.Ordered(overdue);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StaleDeal>> StaleDealsAsync(Instant asOf, UserId? owner = null, CancellationToken cancellationToken = default)
    {
        var stale = new List<StaleDeal>();
        await foreach (var deal in OpenDealsAsync(owner, cancellationToken).ConfigureAwait(false))
        {
            Attention.AddStale(stale, deal, Pipelines, asOf);
        }

        return Attention.Ordered(stale);
    }

    private async IAsyncEnumerable<Opportunity> OpenDealsAsync(UserId? owner, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var state in _opportunities.QueryAsync(new OpportunityQuery(Owner: owner, Status: OpportunityStatus.Open), cancellationToken).ConfigureAwait(false))
        {
            yield return Opportunity.Restore(state, Pipelines.Get(state.PipelineId));
        }
    }

    private async Task<Opportunity> ChangeAsync(OpportunityId id, Action<Opportunity, PipelineDefinition, Instant> change, CancellationToken cancellationToken)
    {
        var opportunity = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        change(opportunity, Pipelines.Get(opportunity.PipelineId), _clock.GetCurrentInstant());
        await SaveAsync(opportunity, cancellationToken).ConfigureAwait(false);
        return opportunity;
    }

    private async Task SaveAsync(Opportunity opportunity, CancellationToken cancellationToken) =>
        opportunity.MarkPersisted(await _opportunities.SaveAsync(opportunity.ToState(), cancellationToken).ConfigureAwait(false));
}
