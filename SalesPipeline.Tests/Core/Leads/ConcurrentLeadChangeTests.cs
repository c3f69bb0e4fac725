using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.Leads;
using Xunit;
using static SalesPipeline.Tests.Core.Leads.LeadTeam;

namespace SalesPipeline.Tests.Core.Leads;

/// <summary>
/// Two people acting on one lead at once: a command whose save finds the lead changed since its load is applied again to
/// what is stored now, so the second of two salespeople taking the same lead hears that it is taken, not "run it again".
/// </summary>
public sealed class ConcurrentLeadChangeTests
{
    private readonly InMemoryStore _store = new();
    private readonly RacingLeads _racing;
    private readonly LeadTeam _team;

    // Another session, straight on the store.
    private readonly LeadTeam _other;

    public ConcurrentLeadChangeTests()
    {
        _racing = new RacingLeads(_store);
        _team = new LeadTeam(_store, _racing, _store, _store);
        _other = new LeadTeam(_store, _store, _store, _store);
    }

    [Fact]
    public async Task TakeAsync_SomeoneElseTakesTheLeadMeanwhile_IsRefusedAsTakenAndLeavesItWithThem()
    {
        await _team.SeedAsync();
        await _team.ImportAsync(NewLead("L1"));
        _racing.BeforeWrite(1, () => _other.Service.TakeAsync(new LeadId("L1"), Sue));

        var e = await Assert.ThrowsAsync<LeadRuleException>(() => _team.Service.TakeAsync(new LeadId("L1"), Sam));

        Assert.Contains("already held by 'sue'", e.Message, StringComparison.Ordinal);
        Assert.Equal(Sue, (await _store.FindAsync(new LeadId("L1")))!.Owner);
    }

    [Fact]
    public async Task DisqualifyAsync_SomeoneElseStartsWorkMeanwhile_DisqualifiesTheStoredLead()
    {
        await _team.SeedAsync();
        await _team.ImportAsync(NewLead("L1", Sam));
        _racing.BeforeWrite(1, () => _other.Service.StartWorkAsync(new LeadId("L1"), Sam));

        var lead = await _team.Service.DisqualifyAsync(new LeadId("L1"), "no-budget", Mona);

        var stored = (await _store.FindAsync(new LeadId("L1")))!;
        Assert.Equal((LeadStatus.Disqualified, LeadStatus.Working), (stored.Status, stored.History[^2].To));
        Assert.Equal(stored.Version, lead.Version);
    }

    [Fact]
    public async Task AssignAsync_SomeoneElseChangesTheLeadBeforeEveryWrite_FailsWithTheConflictAfterThreeAttempts()
    {
        await _team.SeedAsync();
        await _team.ImportAsync(NewLead("L1"));
        var races = 0;
        _racing.BeforeWrite(int.MaxValue, async () =>
        {
            races++;
            await _other.Service.AssignAsync(new LeadId("L1"), races % 2 == 1 ? Sam : Sue, Ada);
        });

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _team.Service.AssignAsync(new LeadId("L1"), Tom, Ada));

        Assert.Equal(3, races);
        Assert.Equal(Sam, (await _store.FindAsync(new LeadId("L1")))!.Owner);
    }

    /// <summary>A lead store where, before each of the next writes of one lead, someone else writes it first.</summary>
    private sealed class RacingLeads(ILeadStore inner) : ILeadStore
    {
        private int _races;
        private Func<Task>? _other;

        public void BeforeWrite(int races, Func<Task> other) => (_races, _other) = (races, other);

        public Task<Lead?> FindAsync(LeadId id, CancellationToken cancellationToken = default) => inner.FindAsync(id, cancellationToken);

        public Task<IReadOnlyList<Lead>> QueryAsync(LeadQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);

        public Task<IReadOnlyDictionary<UserId, int>> ActiveCountsAsync(CancellationToken cancellationToken = default) => inner.ActiveCountsAsync(cancellationToken);

        public Task<IReadOnlyDictionary<UserId, int>> AddAsync(IReadOnlyList<Lead> leads, IReadOnlyDictionary<UserId, int>? limits = null, CancellationToken cancellationToken = default) =>
            inner.AddAsync(leads, limits, cancellationToken);

        public async Task<int> SaveAsync(Lead lead, CancellationToken cancellationToken = default)
        {
            await RaceAsync();
            return await inner.SaveAsync(lead, cancellationToken);
        }

        public async Task<int?> AssignAsync(Lead lead, int limit, CancellationToken cancellationToken = default)
        {
            await RaceAsync();
            return await inner.AssignAsync(lead, limit, cancellationToken);
        }

        public async Task ConvertAsync(LeadConversion conversion, CancellationToken cancellationToken = default)
        {
            await RaceAsync();
            await inner.ConvertAsync(conversion, cancellationToken);
        }

        private async Task RaceAsync()
        {
            if (_races > 0 && _other is not null)
            {
                _races--;
                await _other();
            }
        }
    }
}
