using System.Runtime.CompilerServices;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Access;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline;

/// <summary>
/// The <see cref="ISalesPipeline"/> implementation: loads a deal, changes it through the aggregate with the
/// instant from the injected clock, and saves it with optimistic concurrency; a save that finds the deal changed by
/// someone else since the load loads it again and applies the command to what is stored now, three times in all.
/// Usable without a container.
/// </summary>
/// <remarks>
/// Thread-safe; holds no per-call state. Every command that names an acting user checks the access rules first (unless
/// <see cref="AccessOptions.SkipAccessChecks"/> is on): the user must be a stored, active person; a salesperson changes
/// only their own deals, a manager those of the people in their groups, an admin everything. A refusal throws
/// <see cref="AccessDeniedException"/> and changes nothing. Reading a deal and listing follow the same rule: a salesperson
/// sees their own deals, a manager those of the people in their groups, an admin all.
/// </remarks>
public sealed class SalesPipelineService : ISalesPipeline
{
    private const string CheckPeople = "check the id against the stored people.";

    private readonly IOpportunityStore _opportunities;
    private readonly IAccountStore _accounts;
    private readonly IAgendaStore _agenda;
    private readonly IClock _clock;
    private readonly AccessGate _access;
    private readonly IPersonStore _people;

    /// <summary>Creates the service.</summary>
    /// <param name="opportunities">Where deals are stored.</param>
    /// <param name="accounts">Where accounts are stored.</param>
    /// <param name="people">Who may act, and in which role and groups.</param>
    /// <param name="agenda">Finds overdue follow-ups and stale deals with indexed queries.</param>
    /// <param name="pipelines">The pipelines deals can belong to.</param>
    /// <param name="clock">The source of every instant the service records.</param>
    /// <param name="access">The access options; checks are on when left out.</param>
    public SalesPipelineService(IOpportunityStore opportunities, IAccountStore accounts, IPersonStore people, IAgendaStore agenda, PipelineCatalog pipelines, IClock clock, AccessOptions? access = null)
    {
        ArgumentNullException.ThrowIfNull(opportunities);
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(people);
        ArgumentNullException.ThrowIfNull(agenda);
        ArgumentNullException.ThrowIfNull(pipelines);
        ArgumentNullException.ThrowIfNull(clock);
        _opportunities = opportunities;
        _accounts = accounts;
        _agenda = agenda;
        Pipelines = pipelines;
        _clock = clock;
        _people = people;
        _access = new AccessGate(people, access ?? new AccessOptions());
    }

    /// <inheritdoc />
    public PipelineCatalog Pipelines { get; }

    /// <inheritdoc />
    public async Task<Opportunity> CreateAsync(NewOpportunity opportunity, UserId by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(opportunity);
        var pipeline = opportunity.Pipeline is { } id ? Pipelines.Get(id) : Pipelines.Default;
        await _access.RequireMayActForAsync(by, opportunity.Owner ?? by, $"create a deal owned by '{opportunity.Owner ?? by}'", cancellationToken).ConfigureAwait(false);
        if (opportunity.Owner is { } owner)
        {
            await _access.RequireActiveOwnerAsync(owner, CheckPeople, nameof(opportunity), cancellationToken).ConfigureAwait(false);
        }
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
    public async Task<Opportunity> GetAsync(OpportunityId id, UserId by, CancellationToken cancellationToken = default)
    {
        var action = $"see deal {id}";
        var actor = await _access.ActorAsync(by, action, cancellationToken).ConfigureAwait(false);
        var opportunity = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (actor is not null)
        {
            await _access.RequireMayActForAsync(actor, opportunity.Owner, action, cancellationToken).ConfigureAwait(false);
        }

        return opportunity;
    }

    /// <inheritdoc />
    public Task<Opportunity> MoveAsync(OpportunityId id, StageId target, UserId by, string? comment = null, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, by, "move deal", (o, p, at) => o.MoveTo(p, target, by, at, comment), cancellationToken);

    /// <inheritdoc />
    public Task<Opportunity> WinAsync(OpportunityId id, UserId by, string? comment = null, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, by, "win deal", (o, p, at) => o.Win(p, by, at, comment), cancellationToken);

    /// <inheritdoc />
    public Task<Opportunity> LoseAsync(OpportunityId id, string reason, string comment, UserId by, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, by, "lose deal", (o, p, at) => o.Lose(p, reason, comment, by, at), cancellationToken);

    /// <inheritdoc />
    public Task<Opportunity> ReopenAsync(OpportunityId id, string comment, UserId by, StageId? target = null, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, by, "reopen deal", (o, p, at) => o.Reopen(p, comment, by, at, target), cancellationToken);

    /// <inheritdoc />
    public Task<Opportunity> ReassignAsync(OpportunityId id, UserId newOwner, UserId by, CancellationToken cancellationToken = default) =>
        ConflictRetry.RunAsync(() => ReassignOnceAsync(id, newOwner, by, cancellationToken));

    private async Task<Opportunity> ReassignOnceAsync(OpportunityId id, UserId newOwner, UserId by, CancellationToken cancellationToken)
    {
        var to = newOwner;
        var action = $"reassign deal {id} to '{to}'";
        var opportunity = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        var actor = await _access.ActorAsync(by, action, cancellationToken).ConfigureAwait(false);
        if (actor is { Role: People.Role.Salesperson })
        {
            throw new AccessDeniedException(by, action, "only a manager (within their groups) or an admin reassigns deals");
        }

        var receiver = await _access.RequireActiveOwnerAsync(to, CheckPeople, nameof(newOwner), cancellationToken).ConfigureAwait(false);

        if (actor is { Role: People.Role.Manager })
        {
            await _access.RequireMayActForAsync(actor, opportunity.Owner, action, cancellationToken).ConfigureAwait(false);
            if (!actor.SharesGroupWith(receiver!))
            {
                throw new AccessDeniedException(by, action, $"'{to}' is not in any of their groups ({string.Join(", ", actor.Groups)})");
            }
        }

        if (opportunity.Owner == to)
        {
            return opportunity;
        }

        opportunity.Edit(by, _clock.GetCurrentInstant(), owner: to);
        await SaveAsync(opportunity, cancellationToken).ConfigureAwait(false);
        return opportunity;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<OpportunityState> ListAsync(OpportunityQuery query, UserId by, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var action = query.Owner is { } owner ? $"list the deals of '{owner}'" : "list deals";
        var actor = await _access.ActorAsync(by, action, cancellationToken).ConfigureAwait(false);
        RequireKnownPipelineAndStage(query);
        var asked = query;
        IReadOnlySet<UserId>? owners = null;
        if (actor is not null && query.Owner is { } one)
        {
            // One owner, whom the store filters on.
            await _access.RequireMayActForAsync(actor, one, action, cancellationToken).ConfigureAwait(false);
        }
        else if (await _access.VisibleOwnersAsync(actor, cancellationToken).ConfigureAwait(false) is { } visible)
        {
            owners = visible;
            if (visible.Count == 1)
            {
                query = query with { Owner = visible.Single() };
            }
        }

        await RequireKnownOwnerAsync(asked, cancellationToken).ConfigureAwait(false);
        await foreach (var state in _opportunities.QueryAsync(query, cancellationToken).ConfigureAwait(false))
        {
            if (owners is null || owners.Contains(state.Owner))
            {
                yield return state;
            }
        }
    }

    /// <inheritdoc />
    public async Task<Activity> LogActivityAsync(OpportunityId id, NewActivity activity, UserId by, CancellationToken cancellationToken = default)
    {
        Activity? logged = null;
        await ChangeAsync(id, by, "log an activity on deal", (o, _, at) => logged = o.LogActivity(activity, by, at), cancellationToken).ConfigureAwait(false);
        return logged!;
    }

    /// <inheritdoc />
    public Task CompleteActivityAsync(OpportunityId id, ActivityId activityId, UserId by, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, by, "complete an activity on deal", (o, _, at) => o.CompleteActivity(activityId, by, at), cancellationToken);

    /// <inheritdoc />
    public Task ScheduleNextContactAsync(OpportunityId id, Instant? nextContact, UserId by, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, by, "schedule the next contact of deal", (o, _, at) => o.ScheduleNextContact(nextContact, by, at), cancellationToken);

    /// <inheritdoc />
    public Task RecordQualificationAsync(OpportunityId id, QualificationData data, UserId by, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, by, "record qualification data on deal", (o, _, at) => o.RecordQualification(data, by, at), cancellationToken);

    /// <inheritdoc />
    public Task OverrideProbabilityAsync(OpportunityId id, int? percent, UserId by, CancellationToken cancellationToken = default) =>
        ChangeAsync(id, by, "override the probability of deal", (o, _, at) => o.OverrideProbability(percent, by, at), cancellationToken);

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
        await _access.ActorAsync(by, $"create account '{account.Name}'", cancellationToken).ConfigureAwait(false);
        account.MarkPersisted(await _accounts.SaveAsync(account, cancellationToken).ConfigureAwait(false));
        return account;
    }

    /// <inheritdoc />
    public async Task<Account> AddContactAsync(AccountId accountId, Contact contact, UserId by, CancellationToken cancellationToken = default)
    {
        await _access.ActorAsync(by, $"add a contact to account {accountId}", cancellationToken).ConfigureAwait(false);
        return await ConflictRetry.RunAsync(async () =>
        {
            var account = await _accounts.FindAsync(accountId, cancellationToken).ConfigureAwait(false)
                ?? throw new KeyNotFoundException($"No account has id {accountId}.");
            account.AddContact(contact);
            account.MarkPersisted(await _accounts.SaveAsync(account, cancellationToken).ConfigureAwait(false));
            return account;
        }).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FollowUp>> OverdueFollowUpsAsync(Instant asOf, UserId? owner = null, CancellationToken cancellationToken = default)
    {
        var found = await _agenda.ReadAgendaAsync(Attending(owner, asOf, [], AgendaParts.Planned | AgendaParts.NextContacts), cancellationToken).ConfigureAwait(false);
        return Attention.OverdueFollowUps(found, asOf);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StaleDeal>> StaleDealsAsync(Instant asOf, UserId? owner = null, CancellationToken cancellationToken = default)
    {
        var found = await _agenda.ReadAgendaAsync(Attending(owner, asOf, Attention.StaleCutoffs(Pipelines, asOf), AgendaParts.Stale), cancellationToken).ConfigureAwait(false);
        return Attention.StaleDeals(found.Stale, Pipelines, asOf);
    }

    /// <summary>Refuses a query for a pipeline or stage there is not, which could only ever match nothing.</summary>
    private void RequireKnownPipelineAndStage(OpportunityQuery query)
    {
        if (query.Pipeline is { } pipeline)
        {
            var definition = Pipelines.Get(pipeline);
            if (query.Stage is { } stage)
            {
                definition.Stage(stage);
            }
        }
        else if (query.Stage is { } stage && !Pipelines.All.Any(p => p.Stages.Any(s => s.Id == stage)))
        {
            throw new ArgumentException(
                $"No pipeline has a stage '{stage}'; the stages are: {string.Join(", ", Pipelines.All.SelectMany(p => p.Stages).Select(s => s.Id).Distinct())}.", nameof(query));
        }
    }

    /// <summary>
    /// Refuses a query for an owner who is no person and owns no deal, which could only ever match nothing (a misspelt or differently
    /// cased user id). An owner of deals who is no person, such as a salesperson named in an imported file, is known.
    /// </summary>
    private async Task RequireKnownOwnerAsync(OpportunityQuery query, CancellationToken cancellationToken)
    {
        if (query.Owner is not { } owner || await _people.FindAsync(owner, cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        await foreach (var _ in _opportunities.QueryAsync(new OpportunityQuery(Owner: owner), cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        throw new ArgumentException($"No person has user id '{owner}', and no deal is owned by '{owner}': name a stored person or the owner of a deal (user ids match exactly, case included).", nameof(query));
    }

    /// <summary>The agenda store's selection of what needs attention at <paramref name="asOf"/>: follow-ups due before it, stale deals.</summary>
    private static AgendaSelection Attending(UserId? owner, Instant asOf, IReadOnlyList<StaleCutoff> stale, AgendaParts parts)
    {
        var day = asOf.InUtc().Date;
        return new AgendaSelection(owner is { } one ? [one] : null, asOf, day, day, stale) { Parts = parts };
    }

    /// <summary>
    /// Loads the deal, checks that <paramref name="by"/> may change it, applies the change at the clock's instant and saves
    /// it; when someone else saved the deal in between, all of it again on what is stored now (<see cref="ConflictRetry"/>).
    /// </summary>
    private Task<Opportunity> ChangeAsync(OpportunityId id, UserId by, string action, Action<Opportunity, PipelineDefinition, Instant> change, CancellationToken cancellationToken) =>
        ConflictRetry.RunAsync(() => ChangeOnceAsync(id, by, action, change, cancellationToken));

    private async Task<Opportunity> ChangeOnceAsync(OpportunityId id, UserId by, string action, Action<Opportunity, PipelineDefinition, Instant> change, CancellationToken cancellationToken)
    {
        var opportunity = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        await _access.RequireMayActForAsync(by, opportunity.Owner, $"{action} {id}", cancellationToken).ConfigureAwait(false);
        change(opportunity, Pipelines.Get(opportunity.PipelineId), _clock.GetCurrentInstant());
        await SaveAsync(opportunity, cancellationToken).ConfigureAwait(false);
        return opportunity;
    }

    private async Task SaveAsync(Opportunity opportunity, CancellationToken cancellationToken) =>
        opportunity.MarkPersisted(await _opportunities.SaveAsync(opportunity.ToState(), cancellationToken).ConfigureAwait(false));
}
