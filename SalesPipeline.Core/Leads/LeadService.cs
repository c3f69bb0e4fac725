using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Access;
using SalesPipeline.Domain;
using SalesPipeline.People;
using SalesPipeline.Process;

namespace SalesPipeline.Leads;

/// <summary>The <see cref="ILeadService"/> implementation. Usable without a container.</summary>
/// <remarks>Thread-safe; holds no per-call state.</remarks>
public sealed class LeadService : ILeadService
{
    private readonly ILeadStore _leads;
    private readonly IPersonStore _people;
    private readonly IAccountStore _accounts;
    private readonly IOpportunityStore _opportunities;
    private readonly PipelineCatalog _pipelines;
    private readonly IClock _clock;
    private readonly LeadOptions _options;
    private readonly AccessGate _access;

    /// <summary>Creates the service.</summary>
    /// <param name="leads">Where leads are stored.</param>
    /// <param name="people">Who may act, and their limits.</param>
    /// <param name="accounts">Where converted leads' accounts are found.</param>
    /// <param name="opportunities">Where deals are stored (for the figures).</param>
    /// <param name="pipelines">The pipelines converted leads' deals can join.</param>
    /// <param name="clock">The source of every instant the service records.</param>
    /// <param name="options">The lead options; the defaults when left out.</param>
    /// <param name="access">The access options; checks are on when left out.</param>
    public LeadService(ILeadStore leads, IPersonStore people, IAccountStore accounts, IOpportunityStore opportunities, PipelineCatalog pipelines, IClock clock, LeadOptions? options = null, AccessOptions? access = null)
    {
        ArgumentNullException.ThrowIfNull(leads);
        ArgumentNullException.ThrowIfNull(people);
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(opportunities);
        ArgumentNullException.ThrowIfNull(pipelines);
        ArgumentNullException.ThrowIfNull(clock);
        _leads = leads;
        _people = people;
        _accounts = accounts;
        _opportunities = opportunities;
        _pipelines = pipelines;
        _clock = clock;
        _options = options ?? new LeadOptions();
        _access = new AccessGate(people, access ?? new AccessOptions());
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Lead>> ImportAsync(IReadOnlyList<NewLead> leads, UserId by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(leads);
        var actor = await _access.ActorAsync(by, "import leads", cancellationToken).ConfigureAwait(false);
        if (actor is { Role: Role.Salesperson })
        {
            throw new AccessDeniedException(by, "import leads", "only a manager or an admin may import leads");
        }

        var at = _clock.GetCurrentInstant();
        var errors = new List<LeadImportError>();
        var created = new List<Lead>();
        var seen = new HashSet<LeadId>();
        var people = (await _people.ListAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(p => p.Id);
        var active = new Dictionary<UserId, int>(await _leads.ActiveCountsAsync(cancellationToken).ConfigureAwait(false));
        for (var i = 0; i < leads.Count; i++)
        {
            try
            {
                var data = leads[i] ?? throw new ArgumentException("The lead is missing.");
                if (!seen.Add(data.Id))
                {
                    throw new ArgumentException($"Lead id '{data.Id}' appears more than once in this import; every lead needs its own id.");
                }

                var lead = Lead.Create(data, by, at);

                if (await _leads.FindAsync(lead.Id, cancellationToken).ConfigureAwait(false) is not null)
                {
                    throw new ArgumentException($"Lead id '{lead.Id}' is already stored; every lead needs its own id.");
                }

                if (lead.Owner is { } owner)
                {
                    CheckOwner(actor, owner, people, active);
                }

                created.Add(lead);
            }
            catch (ArgumentException e)
            {
                errors.Add(new LeadImportError(i, Text.WithoutParameter(e)));
            }
        }

        if (errors.Count > 0)
        {
            throw new LeadImportException(errors);
        }

        // Checked again where the leads are written, under each owner's lock: a concurrent import or assignment may have taken
        // the slots counted above.
        var limits = created.Where(l => l.Owner is not null).Select(l => l.Owner!.Value).Distinct().ToDictionary(o => o, o => people[o].LeadLimit);
        var over = await _leads.AddAsync(created, limits, cancellationToken).ConfigureAwait(false);
        if (over.Count > 0)
        {
            throw new LeadImportException([.. over.Select(o => OverLimit(leads, o.Key, limits[o.Key], o.Value))]);
        }

        return [.. created.Select(l => l with { Version = 1 })];
    }

    /// <inheritdoc />
    public async Task<Lead> GetAsync(LeadId id, CancellationToken cancellationToken = default) =>
        await _leads.FindAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new LeadNotFoundException(id);

    /// <inheritdoc />
    public Task<IReadOnlyList<Lead>> ListAsync(LeadQuery query, CancellationToken cancellationToken = default) => _leads.QueryAsync(query, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Lead>> ListAsync(LeadQuery query, UserId by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var action = query.Owner is { } owner ? $"list the leads of '{owner}'" : "list leads";
        var actor = await _access.ActorAsync(by, action, cancellationToken).ConfigureAwait(false);
        if (actor is not null && query.Owner is { } asked)
        {
            await _access.RequireMayActForAsync(actor, asked, action, cancellationToken).ConfigureAwait(false);
        }

        var owners = await _access.VisibleOwnersAsync(actor, cancellationToken).ConfigureAwait(false);
        var leads = await _leads.QueryAsync(query, cancellationToken).ConfigureAwait(false);
        // Without a status, the query just run already says whether the owner holds any lead.
        if (leads.Count == 0 && query.Owner is { } named && await _people.FindAsync(named, cancellationToken).ConfigureAwait(false) is null
            && (query.Status is null || (await _leads.QueryAsync(new LeadQuery(named), cancellationToken).ConfigureAwait(false)).Count == 0))
        {
            // Could only ever match nothing: a misspelt or differently cased user id.
            throw new ArgumentException($"No person has user id '{named}', and no lead is held by '{named}': name a stored person or the owner of a lead (user ids match exactly, case included).", nameof(query));
        }

        return owners is null ? leads : [.. leads.Where(l => AccessGate.MaySee(actor, owners, l, _options.SelfServiceOffGroups))];
    }

    /// <inheritdoc />
    public Task<Lead> AssignAsync(LeadId id, UserId receiver, UserId by, CancellationToken cancellationToken = default) =>
        ConflictRetry.RunAsync(() => AssignOnceAsync(id, receiver, by, cancellationToken));

    private async Task<Lead> AssignOnceAsync(LeadId id, UserId receiver, UserId by, CancellationToken cancellationToken)
    {
        var to = receiver;
        var action = $"assign lead '{id}' to '{to}'";
        var actor = await _access.ActorAsync(by, action, cancellationToken).ConfigureAwait(false);
        var lead = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        var person = await ReceiverAsync(to, cancellationToken).ConfigureAwait(false);
        if (actor is not null && actor.Role != Role.Admin)
        {
            if (actor.Role != Role.Manager)
            {
                throw new AccessDeniedException(by, action, "only a manager or an admin hands out leads; a salesperson takes one from the unassigned base instead");
            }

            if (!actor.SharesGroupWith(person))
            {
                throw new AccessDeniedException(by, action, $"'{to}' is not in any of their groups ({string.Join(", ", actor.Groups)})");
            }

            if (lead.Owner is { } current && current != to)
            {
                await _access.RequireMayActForAsync(actor, current, action, cancellationToken).ConfigureAwait(false);
            }
        }

        RequireOpen(lead, "assigned");
        if (lead.Owner == to && lead.IsActive)
        {
            return lead;
        }

        return await SaveAssignmentAsync(lead.ChangeTo(LeadStatus.Assigned, to, by, _clock.GetCurrentInstant()), person, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<Lead> TakeAsync(LeadId id, UserId by, CancellationToken cancellationToken = default) =>
        ConflictRetry.RunAsync(() => TakeOnceAsync(id, by, cancellationToken));

    private async Task<Lead> TakeOnceAsync(LeadId id, UserId by, CancellationToken cancellationToken)
    {
        var action = $"take lead '{id}'";
        var actor = await _access.ActorAsync(by, action, cancellationToken).ConfigureAwait(false);
        if (actor is not null && AccessGate.SelfServiceOffIn(actor, _options.SelfServiceOffGroups) is { } closed)
        {
            throw new AccessDeniedException(by, action, $"self-service is off in group '{closed}'; a manager hands out its leads");
        }

        var lead = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (lead.Status != LeadStatus.New)
        {
            RequireOpen(lead, "taken");
            throw new LeadRuleException(id, $"Lead '{id}' is already held by '{lead.Owner}'; only leads in the unassigned base can be taken. Nothing was changed.");
        }

        var receiver = actor ?? await ReceiverAsync(by, cancellationToken).ConfigureAwait(false);
        return await SaveAssignmentAsync(lead.ChangeTo(LeadStatus.Assigned, by, by, _clock.GetCurrentInstant()), receiver, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<Lead> StartWorkAsync(LeadId id, UserId by, CancellationToken cancellationToken = default) =>
        ConflictRetry.RunAsync(() => StartWorkOnceAsync(id, by, cancellationToken));

    private async Task<Lead> StartWorkOnceAsync(LeadId id, UserId by, CancellationToken cancellationToken)
    {
        var lead = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        await RequireMayWorkOnAsync(lead, by, $"start work on lead '{id}'", cancellationToken).ConfigureAwait(false);
        if (lead.Status != LeadStatus.Assigned)
        {
            throw new LeadRuleException(id, $"Lead '{id}' is {Name(lead.Status)}; only an assigned lead can be started. Nothing was changed.");
        }

        var changed = lead.ChangeTo(LeadStatus.Working, lead.Owner, by, _clock.GetCurrentInstant());
        return changed with { Version = await _leads.SaveAsync(changed, cancellationToken).ConfigureAwait(false) };
    }

    /// <inheritdoc />
    public async Task<DistributionPlan> DistributeAsync(string group, bool whatIf, UserId by, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        var action = $"distribute leads across group '{group}'";
        if (await _access.ActorAsync(by, action, cancellationToken).ConfigureAwait(false) is { } actor)
        {
            AccessGate.RequireManagerOf(actor, group, action);
        }

        var members = (await _people.ListAsync(cancellationToken).ConfigureAwait(false))
            .Where(p => p.Active && p.Role == Role.Salesperson && p.InGroup(group)).ToList();
        if (members.Count == 0)
        {
            throw new ArgumentException($"Group '{group}' has no active salespeople; check the group's name against the stored people.", nameof(group));
        }

        var active = await _leads.ActiveCountsAsync(cancellationToken).ConfigureAwait(false);
        var unassigned = await _leads.QueryAsync(new LeadQuery(Status: LeadStatus.New), cancellationToken).ConfigureAwait(false);
        var plan = LeadDistribution.Plan(
            [.. unassigned.Select(l => l.Id)],
            [.. members.Select(m => new LeadCapacity(m.Id, active.GetValueOrDefault(m.Id), m.LeadLimit))]);
        if (whatIf)
        {
            return plan;
        }

        // Each assignment is checked against the limit again in the store, so a concurrent change can only make a lead not fit.
        var done = new List<LeadAssignment>();
        var notPlaced = new List<LeadId>(plan.NotPlaced);
        var byId = unassigned.ToDictionary(l => l.Id);
        var people = members.ToDictionary(m => m.Id);
        foreach (var a in plan.Assignments)
        {
            try
            {
                await SaveAssignmentAsync(byId[a.Lead].ChangeTo(LeadStatus.Assigned, a.To, by, _clock.GetCurrentInstant()), people[a.To], cancellationToken).ConfigureAwait(false);
                done.Add(a);
            }
            catch (Exception e) when (e is LeadLimitReachedException or ConcurrencyConflictException)
            {
                notPlaced.Add(a.Lead);
            }
        }

        return new DistributionPlan(done, notPlaced);
    }

    /// <inheritdoc />
    public Task<OpportunityState> ConvertAsync(LeadId id, PipelineId? pipeline, Money? value, UserId by, CancellationToken cancellationToken = default) =>
        ConflictRetry.RunAsync(() => ConvertOnceAsync(id, pipeline, value, by, cancellationToken));

    private async Task<OpportunityState> ConvertOnceAsync(LeadId id, PipelineId? pipeline, Money? value, UserId by, CancellationToken cancellationToken)
    {
        var lead = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        await RequireMayWorkOnAsync(lead, by, $"convert lead '{id}'", cancellationToken).ConfigureAwait(false);
        RequireOpen(lead, "converted");
        if (lead.Owner is not { } owner)
        {
            throw new LeadRuleException(id, $"Lead '{id}' is in the unassigned base; assign it (or take it) before converting it. Nothing was changed.");
        }

        await _access.RequireActiveOwnerAsync(owner, "assign the lead to an active person first.", nameof(id), cancellationToken).ConfigureAwait(false);
        var definition = pipeline is { } p ? _pipelines.Get(p) : _pipelines.Default;
        var at = _clock.GetCurrentInstant();
        var account = await _accounts.FindByNameAsync(lead.Company, cancellationToken).ConfigureAwait(false)
            ?? Account.Create(lead.Company, lead.Segment, by, at);
        if (lead.ContactPerson is { } contact)
        {
            account.AddContact(new Contact(contact, null, lead.Phone, lead.Email));
        }

        var deal = Opportunity.Create(
            new NewOpportunity(lead.Company, value ?? Money.Zero(_options.DefaultCurrency), account.Id, at.InUtc().Date.PlusDays(_options.ExpectedCloseDays), owner, definition.Id),
            definition,
            by,
            at).ToState();
        deal = deal with { History = [deal.History[0] with { Comment = $"Converted from lead '{id}'." }] };
        var converted = lead.ChangeTo(LeadStatus.Converted, owner, by, at) with { Opportunity = deal.Id };
        await _leads.ConvertAsync(new LeadConversion(account, deal, converted), cancellationToken).ConfigureAwait(false);
        return deal with { Version = 1 };
    }

    /// <inheritdoc />
    public Task<Lead> DisqualifyAsync(LeadId id, string reason, UserId by, CancellationToken cancellationToken = default) =>
        ConflictRetry.RunAsync(() => DisqualifyOnceAsync(id, reason, by, cancellationToken));

    private async Task<Lead> DisqualifyOnceAsync(LeadId id, string reason, UserId by, CancellationToken cancellationToken)
    {
        var lead = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        await RequireMayWorkOnAsync(lead, by, $"disqualify lead '{id}'", cancellationToken).ConfigureAwait(false);
        var known = _options.DisqualifyReasons.FirstOrDefault(r => string.Equals(r, reason?.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"'{reason}' is not a disqualification reason; use one of {string.Join(", ", _options.DisqualifyReasons)}.", nameof(reason));
        RequireOpen(lead, "disqualified");
        var changed = lead.ChangeTo(LeadStatus.Disqualified, lead.Owner, by, _clock.GetCurrentInstant(), known) with { DisqualifyReason = known };
        return changed with { Version = await _leads.SaveAsync(changed, cancellationToken).ConfigureAwait(false) };
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<LeadFigures>> FiguresAsync(Instant periodStart, Instant periodEnd, CancellationToken cancellationToken = default)
    {
        var people = await _people.ListAsync(cancellationToken).ConfigureAwait(false);
        var leads = await _leads.QueryAsync(new LeadQuery(), cancellationToken).ConfigureAwait(false);
        var won = new HashSet<OpportunityId>();
        foreach (var lead in leads)
        {
            if (lead.Opportunity is { } deal && await _opportunities.FindAsync(deal, cancellationToken).ConfigureAwait(false) is { Outcome.Kind: OutcomeKind.Won })
            {
                won.Add(deal);
            }
        }

        return LeadStatistics.PerPerson(people, leads, won, periodStart, periodEnd);
    }

    private static string Name(LeadStatus status) => status.ToString().ToLowerInvariant();

    private static void RequireOpen(Lead lead, string what)
    {
        if (lead.Status == LeadStatus.Converted)
        {
            throw new LeadRuleException(lead.Id, $"Lead '{lead.Id}' was already converted into deal {lead.Opportunity}, so it cannot be {what}. Nothing was changed.");
        }

        if (lead.Status == LeadStatus.Disqualified)
        {
            throw new LeadRuleException(lead.Id, $"Lead '{lead.Id}' was disqualified ({lead.DisqualifyReason}), so it cannot be {what}. Nothing was changed.");
        }
    }

    private void CheckOwner(Person? actor, UserId owner, Dictionary<UserId, Person> people, Dictionary<UserId, int> active)
    {
        people.TryGetValue(owner, out var stored);
        if (Receiver(owner, stored) is not { } person)
        {
            throw new ArgumentException($"The owner '{owner}' is not an active person; add them first, or leave the owner empty.");
        }

        // Remembered, so that the import's further leads for an owner nobody stores count against the same stand-in's limit.
        people[owner] = person;

        if (actor is { Role: Role.Manager } && !actor.SharesGroupWith(person))
        {
            throw new AccessDeniedException(actor.Id, $"import a lead for '{owner}'", $"'{owner}' is not in any of their groups ({string.Join(", ", actor.Groups)})");
        }

        var count = active.GetValueOrDefault(owner);
        if (count >= person.LeadLimit)
        {
            throw new ArgumentException(OverLimitMessage(owner, person.LeadLimit, count));
        }

        active[owner] = count + 1;
    }

    private static string OverLimitMessage(UserId owner, int limit, int held) =>
        $"'{owner}' would go over their limit of {limit} active leads (they hold {held}); leave the owner empty or raise their limit.";

    /// <summary>The error of the first lead of the import that takes <paramref name="owner"/> over their limit, given what they hold now.</summary>
    private static LeadImportError OverLimit(IReadOnlyList<NewLead> leads, UserId owner, int limit, int held)
    {
        var index = Enumerable.Range(0, leads.Count).Where(i => leads[i].Owner == owner).Skip(Math.Max(0, limit - held)).First();
        return new LeadImportError(index, OverLimitMessage(owner, limit, held + Math.Max(0, limit - held)));
    }

    private async Task<Person> ReceiverAsync(UserId to, CancellationToken cancellationToken) =>
        Receiver(to, await _people.FindAsync(to, cancellationToken).ConfigureAwait(false))
            ?? throw new ArgumentException($"'{to}' is not an active person, so they cannot receive leads; check the id against the stored people.", nameof(to));

    /// <summary>
    /// Who receives leads given to <paramref name="to"/>: the stored person when active; with the checks skipped, someone
    /// nobody stores stands in as a salesperson with the default limit; otherwise (inactive, or unknown) nobody.
    /// </summary>
    private Person? Receiver(UserId to, Person? stored) => stored switch
    {
        { Active: true } => stored,
        null when _access.Skipped => new Person(to, to.Value, Role.Salesperson, ["all"], null, _options.DefaultLeadLimit, true),
        _ => null,
    };

    private async Task RequireMayWorkOnAsync(Lead lead, UserId by, string action, CancellationToken cancellationToken)
    {
        if (await _access.ActorAsync(by, action, cancellationToken).ConfigureAwait(false) is not { } actor)
        {
            return;
        }

        if (lead.Owner is { } owner)
        {
            await _access.RequireMayActForAsync(actor, owner, action, cancellationToken).ConfigureAwait(false);
        }
        else if (actor.Role == Role.Salesperson)
        {
            throw new AccessDeniedException(by, action, "it is in the unassigned base; take it first");
        }
    }

    private async Task<Lead> SaveAssignmentAsync(Lead lead, Person receiver, CancellationToken cancellationToken)
    {
        if (await _leads.AssignAsync(lead, receiver.LeadLimit, cancellationToken).ConfigureAwait(false) is { } count)
        {
            throw new LeadLimitReachedException(receiver.Id, lead.Id, receiver.LeadLimit, count);
        }

        return lead with { Version = lead.Version + 1 };
    }
}
