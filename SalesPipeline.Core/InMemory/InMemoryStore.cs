using System.Runtime.CompilerServices;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Leads;
using SalesPipeline.People;

namespace SalesPipeline.InMemory;

/// <summary>
/// Keeps opportunities and accounts in process memory: for tests, demos and applications that persist
/// elsewhere. Same contract as the database stores, including optimistic concurrency; nothing survives the process.
/// </summary>
/// <remarks>Thread-safe.</remarks>
// The import gate is a SemaphoreSlim whose wait handle is never used, so it holds nothing that needs disposing.
#pragma warning disable CA1001 // Types that own disposable fields should be disposable
public sealed partial class InMemoryStore : IOpportunityStore, IAccountStore, IActivityStore, IPipelineAggregates, IImportTarget, IPipelineDefinitionStore, IPersonStore, ILeadStore, IDocumentStore, IAgendaStore
#pragma warning restore CA1001
{
    private readonly Lock _gate = new();

    /// <summary>One import session at a time, as a database's write transaction: a definition checked in one holds at its commit.</summary>
    private readonly SemaphoreSlim _importGate = new(1, 1);
    private readonly Dictionary<OpportunityId, OpportunityState> _opportunities = [];

    /// <summary>Which deal holds each external id in each pipeline: an external id is unique per pipeline, as in the SQL stores.</summary>
    private readonly Dictionary<(PipelineId Pipeline, string ExternalId), OpportunityId> _externalIds = [];
    private readonly Dictionary<AccountId, AccountRecord> _accounts = [];
    private readonly Dictionary<PipelineId, string> _pipelines = [];
    private readonly Dictionary<UserId, Person> _people = [];
    private readonly SortedDictionary<string, Lead> _leads = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<OpportunityState?> FindAsync(OpportunityId id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_opportunities.GetValueOrDefault(id));
        }
    }

    /// <inheritdoc />
    public Task<int> SaveAsync(OpportunityState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var stored = _opportunities.GetValueOrDefault(state.Id);
            if (stored?.Version != (state.Version == 0 ? null : state.Version))
            {
                throw new ConcurrencyConflictException("opportunity", state.Id.ToString(), state.Version, stored?.Version);
            }

            if (state.ExternalId is { } external && _externalIds.TryGetValue((state.PipelineId, external), out var holder) && holder != state.Id)
            {
                throw new InvalidOperationException($"Another opportunity in pipeline '{state.PipelineId}' already has external id '{external}'; opportunity {state.Id} was not saved.");
            }

            var version = state.Version + 1;
            Index(stored, state);

            // States are immutable records whose lists are copies, so keeping one shares nothing with the caller.
            _opportunities[state.Id] = state with
            {
                Version = version,
                Offers = [.. state.Offers],
                Activities = [.. state.Activities],
                History = [.. state.History],
            };
            return Task.FromResult(version);
        }
    }

    /// <summary>Keeps <see cref="_externalIds"/> up with a deal written over <paramref name="before"/>; called under the gate.</summary>
    private void Index(OpportunityState? before, OpportunityState after)
    {
        if (before?.ExternalId is { } old && (old != after.ExternalId || before.PipelineId != after.PipelineId))
        {
            _externalIds.Remove((before.PipelineId, old));
        }

        if (after.ExternalId is { } external)
        {
            _externalIds[(after.PipelineId, external)] = after.Id;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<OpportunityState> QueryAsync(OpportunityQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        List<OpportunityState> matches;
        lock (_gate)
        {
            matches = [.. _opportunities.Values.Where(query.Matches)];
        }

        foreach (var state in matches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return state;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    Task<Account?> IAccountStore.FindAsync(AccountId id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_accounts.TryGetValue(id, out var record) ? record.ToAccount() : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<AccountId, string>> NamesAsync(IEnumerable<AccountId> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        cancellationToken.ThrowIfCancellationRequested();
        var names = new Dictionary<AccountId, string>();
        lock (_gate)
        {
            foreach (var id in ids)
            {
                if (_accounts.TryGetValue(id, out var record))
                {
                    names.TryAdd(id, record.Name);
                }
            }
        }

        return Task.FromResult<IReadOnlyDictionary<AccountId, string>>(names);
    }

    /// <inheritdoc />
    public Task<Account?> FindByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var record = _accounts.Values.FirstOrDefault(a => string.Equals(a.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));
            return Task.FromResult(record?.ToAccount());
        }
    }

    /// <inheritdoc />
    public Task<int> SaveAsync(Account account, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var stored = _accounts.GetValueOrDefault(account.Id);
            if (stored?.Version != (account.Version == 0 ? null : account.Version))
            {
                throw new ConcurrencyConflictException("account", account.Id.ToString(), account.Version, stored?.Version);
            }

            var version = account.Version + 1;
            _accounts[account.Id] = new AccountRecord(account.Id, account.Name, account.Segment, [.. account.Contacts], account.CreatedAt, account.CreatedBy, version);
            return Task.FromResult(version);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<Account> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<AccountRecord> all;
        lock (_gate)
        {
            all = [.. _accounts.Values.OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase)];
        }

        foreach (var record in all)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record.ToAccount();
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ScheduledActivity>> PlannedAsync(UserId? owner, Instant windowStart, Instant windowEnd, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<ScheduledActivity> planned =
            [
                .. _opportunities.Values
                    .Where(o => owner is null || o.Owner == owner)
                    .SelectMany(o => o.Activities
                        .Where(a => !a.Done && a.Due is { } due && due >= windowStart && due < windowEnd)
                        .Select(a => new ScheduledActivity(o.Id, o.Name, o.Owner, a)))
                    .OrderBy(s => s.Activity.Due),
            ];
            return Task.FromResult(planned);
        }
    }

    /// <inheritdoc />
    public Task<AgendaRecords> ReadAgendaAsync(AgendaSelection selection, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(InMemoryAgenda.Read(_opportunities.Values, selection));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StageTotals>> SnapshotAsync(Process.PipelineDefinition pipeline, Instant asOf, UserId? owner = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(PipelineAggregates.Snapshot(_opportunities.Values, pipeline, asOf, owner));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ClosedTotals>> ClosedAsync(Process.PipelineDefinition pipeline, Instant periodStart, Instant periodEnd, UserId? owner = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(PipelineAggregates.Closed(_opportunities.Values, pipeline, periodStart, periodEnd, owner));
        }
    }

    /// <inheritdoc />
    public Task<Analytics.WinLossReport> WinLossAsync(Process.PipelineDefinition pipeline, Interval period, Analytics.WinLossOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(Analytics.PipelineAnalytics.WinLoss(_opportunities.Values, pipeline, period, options));
        }
    }

    /// <inheritdoc />
    public Task<Analytics.SalesCycleReport> SalesCycleAsync(Process.PipelineDefinition pipeline, Interval period, Analytics.SalesCycleOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(Analytics.PipelineAnalytics.SalesCycle(_opportunities.Values, pipeline, period, options));
        }
    }

    /// <inheritdoc />
    public Task PassAsync(Process.PipelineDefinition pipeline, UserId? owner, IReadOnlyList<Analytics.IDealAccumulator> accumulators, Instant? closedSince = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        cancellationToken.ThrowIfCancellationRequested();
        var query = new OpportunityQuery(pipeline.Id, owner);
        lock (_gate)
        {
            // In id order, as a database store reads them (a Guid compares as its text does), so a pass that stops early
            // has fed the same first deals on every store.
            var deals = _opportunities.Values.Where(query.Matches);
            if (closedSince is { } since)
            {
                deals = deals.Where(d => d.Outcome is not { } outcome || outcome.ClosedAt >= since);
            }

            Analytics.DealPass.Run(deals.OrderBy(d => d.Id.Value), accumulators);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<Analytics.ForecastReport> ForecastAsync(Process.PipelineDefinition pipeline, Instant asOf, Analytics.ForecastOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(Analytics.PipelineAnalytics.Forecast(_opportunities.Values, pipeline, asOf, options));
        }
    }

    /// <inheritdoc />
    public Task<OpenDealFigures> OpenDealsAsync(Process.PipelineDefinition pipeline, Instant asOf, Analytics.ForecastOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(new OpenDealFigures(
                PipelineAggregates.Snapshot(_opportunities.Values, pipeline, asOf, options?.Owner),
                Analytics.PipelineAnalytics.Forecast(_opportunities.Values, pipeline, asOf, options)));
        }
    }

    /// <inheritdoc />
    public Task<HistoryFacts> HistoryFactsAsync(Process.PipelineDefinition pipeline, HistoryFactsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();

        // The reference: each figure by its own per-deal calculator, in one pass.
        var forecast = Analytics.DealPass.Forecast(pipeline, request.AsOf, request.ForecastOptions);
        var periods = request.Periods.Select(p => Analytics.DealPass.PeriodFigures(pipeline, p, request.Owner)).ToList();
        var funnel = request.Cohort is { } cohort ? Analytics.DealPass.ReachedStages(pipeline, cohort, request.AsOf, request.FunnelOptions) : null;
        var detail = request.DetailPeriod is { } detailPeriod ? new Analytics.Internal.DetailCountAccumulator(pipeline, request.AsOf, detailPeriod, request.Owner) : null;
        var stays = request.TimeInStagePeriod is { } stayPeriod ? Analytics.DealPass.StageExits(pipeline, stayPeriod, request.AsOf, request.Owner) : null;
        var accumulators = new List<Analytics.IDealAccumulator> { forecast };
        accumulators.AddRange(periods);
        accumulators.AddRange(new Analytics.IDealAccumulator?[] { funnel, detail, stays }.OfType<Analytics.IDealAccumulator>());
        lock (_gate)
        {
            var stages = PipelineAggregates.Snapshot(_opportunities.Values, pipeline, request.AsOf, request.Owner);
            Analytics.DealPass.Run(_opportunities.Values, accumulators);
            return Task.FromResult(new HistoryFacts(
                new OpenDealFigures(stages, forecast.Result()), [.. periods.Select(p => p.Result())], funnel?.Result(), detail?.Result())
            {
                TimeInStage = stays?.Result(),
            });
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Analytics.StageExits>> StageExitsAsync(Process.PipelineDefinition pipeline, Interval period, Instant asOf, UserId? owner = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(Analytics.Internal.DealAccumulator.Run(Analytics.DealPass.StageExits(pipeline, period, asOf, owner), _opportunities.Values));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<PipelineDeals>> DealCountsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<PipelineDeals>>(
            [
                .. _opportunities.Values
                    .GroupBy(d => d.PipelineId.Value, StringComparer.Ordinal)
                    .OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => new PipelineDeals(new PipelineId(g.Key), g.LongCount())),
            ]);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Analytics.AccountRevenue>> AccountRevenueAsync(Process.PipelineDefinition pipeline, Interval period, Instant asOf, UserId? owner = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(Analytics.Internal.DealAccumulator.Run(Analytics.DealPass.AccountRevenue(pipeline, period, asOf, owner), _opportunities.Values));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<PipelineId, string>> LoadAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyDictionary<PipelineId, string>>(new Dictionary<PipelineId, string>(_pipelines));
        }
    }

    /// <inheritdoc />
    public Task SaveAsync(PipelineId id, string json, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(json);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _pipelines[id] = json;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<IImportSession> BeginImportAsync(CancellationToken cancellationToken = default)
    {
        await _importGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new ImportSession(this);
    }

    /// <inheritdoc />
    public Task<Person?> FindAsync(UserId id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_people.GetValueOrDefault(id));
        }
    }

    /// <inheritdoc />
    Task<IReadOnlyList<Person>> IPersonStore.ListAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<Person>>([.. _people.Values.OrderBy(p => p.Id.Value, StringComparer.Ordinal)]);
        }
    }

    /// <inheritdoc />
    public Task<int> SaveAsync(Person person, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(person);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(SavePerson(person));
        }
    }

    /// <inheritdoc />
    public Task<int?> SaveIfAnotherActiveAdminAsync(Person person, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(person);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_people.Values.Any(p => p.Id != person.Id && p.IsActiveAdmin) ? SavePerson(person) : (int?)null);
        }
    }

    /// <inheritdoc />
    public Task<PersonSaveResult> SaveIfAsync(Person person, PersonChecks checks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(person);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var failed = PersonChecks.None;
            if (checks.HasFlag(PersonChecks.AnotherActiveAdmin) && !_people.Values.Any(p => p.Id != person.Id && p.IsActiveAdmin))
            {
                failed |= PersonChecks.AnotherActiveAdmin;
            }

            List<UserId> managed = checks.HasFlag(PersonChecks.ManagesNoActivePeople)
                ? [.. _people.Values.Where(p => p.Active && p.Manager == person.Id && p.Id != person.Id).Select(p => p.Id).OrderBy(id => id.Value, StringComparer.Ordinal)]
                : [];
            if (managed.Count > 0)
            {
                failed |= PersonChecks.ManagesNoActivePeople;
            }

            if (checks.HasFlag(PersonChecks.ManagerActive) && person.Manager is { } manager && _people.GetValueOrDefault(manager) is not { Active: true })
            {
                failed |= PersonChecks.ManagerActive;
            }

            return Task.FromResult(failed == PersonChecks.None ? new PersonSaveResult(SavePerson(person), failed, []) : new PersonSaveResult(null, failed, managed));
        }
    }

    /// <summary>Saves a person at the version read (0: new); the caller holds the gate.</summary>
    private int SavePerson(Person person)
    {
        var stored = _people.GetValueOrDefault(person.Id);
        if (stored?.Version != (person.Version == 0 ? null : person.Version))
        {
            throw new ConcurrencyConflictException("person", person.Id.ToString(), person.Version, stored?.Version);
        }

        var version = person.Version + 1;
        _people[person.Id] = person with { Groups = [.. person.Groups], Version = version };
        return version;
    }

    /// <inheritdoc />
    public Task<bool> AddFirstAsync(Person person, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(person);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_people.Count > 0)
            {
                return Task.FromResult(false);
            }

            _people[person.Id] = person with { Groups = [.. person.Groups], Version = 1 };
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<Lead?> FindAsync(LeadId id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_leads.GetValueOrDefault(id.Value));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Lead>> QueryAsync(LeadQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<Lead>>([.. _leads.Values.Where(query.Matches)]);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<UserId, int>> ActiveCountsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyDictionary<UserId, int>>(ActiveCounts());
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<UserId, int>> AddAsync(IReadOnlyList<Lead> leads, IReadOnlyDictionary<UserId, int>? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(leads);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            if (leads.FirstOrDefault(l => l.Version != 0 || _leads.ContainsKey(l.Id.Value) || !ids.Add(l.Id.Value)) is { } clash)
            {
                throw new ConcurrencyConflictException("lead", clash.Id.ToString(), clash.Version, _leads.GetValueOrDefault(clash.Id.Value)?.Version);
            }

            var over = new Dictionary<UserId, int>();
            foreach (var owner in leads.Where(l => l.IsActive && l.Owner is not null).GroupBy(l => l.Owner!.Value))
            {
                var held = _leads.Values.Count(l => l.IsActive && l.Owner == owner.Key);
                if (limits?.TryGetValue(owner.Key, out var limit) == true && held + owner.Count() > limit)
                {
                    over[owner.Key] = held;
                }
            }

            if (over.Count > 0)
            {
                return Task.FromResult<IReadOnlyDictionary<UserId, int>>(over);
            }

            foreach (var lead in leads)
            {
                _leads[lead.Id.Value] = Stored(lead);
            }
        }

        return Task.FromResult<IReadOnlyDictionary<UserId, int>>(new Dictionary<UserId, int>());
    }

    /// <inheritdoc />
    public Task<int> SaveAsync(Lead lead, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lead);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            CheckLeadVersion(lead);
            _leads[lead.Id.Value] = Stored(lead);
            return Task.FromResult(lead.Version + 1);
        }
    }

    /// <inheritdoc />
    public Task<int?> AssignAsync(Lead lead, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lead);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            CheckLeadVersion(lead);
            var owner = lead.Owner ?? throw new ArgumentException("An assigned lead needs an owner.", nameof(lead));
            var others = _leads.Values.Count(l => l.IsActive && l.Owner == owner && l.Id != lead.Id);
            if (others >= limit)
            {
                return Task.FromResult<int?>(others);
            }

            _leads[lead.Id.Value] = Stored(lead);
            return Task.FromResult<int?>(null);
        }
    }

    /// <inheritdoc />
    public Task ConvertAsync(LeadConversion conversion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conversion);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            // Every check first, then every write: nothing is applied unless all of it can be.
            var account = conversion.Account;
            var storedAccount = _accounts.GetValueOrDefault(account.Id);
            if (storedAccount?.Version != (account.Version == 0 ? null : account.Version))
            {
                throw new ConcurrencyConflictException("account", account.Id.ToString(), account.Version, storedAccount?.Version);
            }

            var deal = conversion.Opportunity;
            if (deal.Version != 0 || _opportunities.ContainsKey(deal.Id))
            {
                throw new ConcurrencyConflictException("opportunity", deal.Id.ToString(), deal.Version, _opportunities.GetValueOrDefault(deal.Id)?.Version);
            }

            CheckLeadVersion(conversion.Lead);
            _accounts[account.Id] = new AccountRecord(account.Id, account.Name, account.Segment, [.. account.Contacts], account.CreatedAt, account.CreatedBy, account.Version + 1);
            Index(null, deal);
            _opportunities[deal.Id] = deal with { Version = 1, Offers = [.. deal.Offers], Activities = [.. deal.Activities], History = [.. deal.History] };
            _leads[conversion.Lead.Id.Value] = Stored(conversion.Lead);
        }

        return Task.CompletedTask;
    }

    private static Lead Stored(Lead lead) => lead with { History = [.. lead.History], Version = lead.Version + 1 };

    private Dictionary<UserId, int> ActiveCounts()
    {
        var counts = new Dictionary<UserId, int>();
        foreach (var lead in _leads.Values)
        {
            if (lead.IsActive && lead.Owner is { } owner)
            {
                counts[owner] = counts.GetValueOrDefault(owner) + 1;
            }
        }

        return counts;
    }

    private void CheckLeadVersion(Lead lead)
    {
        var stored = _leads.GetValueOrDefault(lead.Id.Value);
        if (lead.Version == 0 || stored?.Version != lead.Version)
        {
            throw new ConcurrencyConflictException("lead", lead.Id.ToString(), lead.Version, stored?.Version);
        }
    }

    /// <summary>Buffers an import and applies it under the store's lock at commit, so readers never see part of it.</summary>
    private sealed class ImportSession(InMemoryStore store) : IImportSession
    {
        private int _released;

        private readonly Dictionary<OpportunityId, OpportunityState> _opportunities = [];
        private readonly HashSet<(PipelineId, string)> _externalIds = [];
        private readonly Dictionary<string, AccountRecord> _accounts = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<PipelineId, string> _pipelines = [];
        private bool _done;

        /// <summary>The failure of an earlier batch (part of which may be buffered) or commit: the session may then only be disposed.</summary>
        private Exception? _failed;

        public Task<IReadOnlySet<string>> ExistingExternalIdsAsync(PipelineId pipeline, IReadOnlyCollection<string> externalIds, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(externalIds);
            ThrowIfFailed();
            var wanted = externalIds.ToHashSet(StringComparer.Ordinal);
            var found = new HashSet<string>(StringComparer.Ordinal);
            lock (store._gate)
            {
                foreach (var o in store._opportunities.Values)
                {
                    if (o.PipelineId == pipeline && o.ExternalId is { } id && wanted.Contains(id))
                    {
                        found.Add(id);
                    }
                }
            }

            found.UnionWith(wanted.Where(id => _externalIds.Contains((pipeline, id))));
            return Task.FromResult<IReadOnlySet<string>>(found);
        }

        public Task<AccountId> EnsureAccountAsync(string name, UserId by, Instant at, CancellationToken cancellationToken = default)
        {
            var trimmed = Text.Required(name, nameof(name), 300);
            ThrowIfFailed();
            if (_accounts.TryGetValue(trimmed, out var pending))
            {
                return Task.FromResult(pending.Id);
            }

            lock (store._gate)
            {
                var existing = store._accounts.Values.FirstOrDefault(a => string.Equals(a.Name, trimmed, StringComparison.OrdinalIgnoreCase));
                if (existing is not null)
                {
                    return Task.FromResult(existing.Id);
                }
            }

            var created = new AccountRecord(AccountId.New(), trimmed, null, [], at, by, 1);
            _accounts[trimmed] = created;
            return Task.FromResult(created.Id);
        }

        public Task AddAsync(IReadOnlyList<OpportunityState> batch, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(batch);
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfFailed();

            // Refused before anything is buffered, as a relational store refuses them before writing: the session stays usable.
            ImportSessionRules.CheckNewDeals(batch);

            foreach (var state in batch)
            {
                if (!_opportunities.TryAdd(state.Id, state with { Version = 1 }))
                {
                    // Part of the batch is buffered by now, as a relational store has written part of it.
                    _failed = new ConcurrencyConflictException("opportunity", state.Id.ToString(), 0, null);
                    throw _failed;
                }

                if (state.ExternalId is { } id)
                {
                    _externalIds.Add((state.PipelineId, id));
                }
            }

            return Task.CompletedTask;
        }

        public Task<IReadOnlyDictionary<PipelineId, string>> LoadPipelineDefinitionsAsync(CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_done, this);
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfFailed();
            Dictionary<PipelineId, string> definitions;
            lock (store._gate)
            {
                definitions = new(store._pipelines);
            }

            foreach (var (id, json) in _pipelines)
            {
                definitions[id] = json;
            }

            return Task.FromResult<IReadOnlyDictionary<PipelineId, string>>(definitions);
        }

        public Task SavePipelineDefinitionAsync(PipelineId id, string json, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_done, this);
            ArgumentException.ThrowIfNullOrWhiteSpace(json);
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfFailed();
            _pipelines[id] = json;
            return Task.CompletedTask;
        }

        private void ThrowIfFailed()
        {
            if (_failed is not null)
            {
                throw ImportSessionRules.FailedEarlier(_failed);
            }
        }

        public Task CommitAsync(CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ObjectDisposedException.ThrowIf(_done, this);
            ThrowIfFailed();
            lock (store._gate)
            {
                if (_opportunities.Keys.FirstOrDefault(store._opportunities.ContainsKey) is { Value: var clash } && clash != Guid.Empty)
                {
                    _failed = new ConcurrencyConflictException("opportunity", clash.ToString(), 0, 1);
                    throw _failed;
                }

                foreach (var (id, state) in _opportunities)
                {
                    store.Index(null, state);
                    store._opportunities[id] = state;
                }

                foreach (var account in _accounts.Values)
                {
                    store._accounts[account.Id] = account;
                }

                foreach (var (id, json) in _pipelines)
                {
                    store._pipelines[id] = json;
                }
            }

            _done = true;
            Release();
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            Release();
            _done = true;
            _opportunities.Clear();
            _accounts.Clear();
            _pipelines.Clear();
            return ValueTask.CompletedTask;
        }

        private void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                store._importGate.Release();
            }
        }
    }

    private sealed record AccountRecord(AccountId Id, string Name, string? Segment, IReadOnlyList<Contact> Contacts, Instant CreatedAt, UserId CreatedBy, int Version)
    {
        public Account ToAccount() => Account.Restore(Id, Name, Segment, Contacts, CreatedAt, CreatedBy, Version);
    }
}
