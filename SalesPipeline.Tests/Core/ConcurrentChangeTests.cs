using NodaTime.Testing;
using SalesPipeline.Abstractions;
using SalesPipeline.Access;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.Process;
using Xunit;
using static SalesPipeline.Tests.Core.DealKit;

namespace SalesPipeline.Tests.Core;

/// <summary>
/// Two people changing one deal at once: a command whose save finds the deal changed since its load is applied again to
/// what is stored now, with every rule checked on that state, instead of failing for a change the user never saw.
/// </summary>
public sealed class ConcurrentChangeTests
{
    private readonly FakeClock _clock = new(T0);
    private readonly InMemoryStore _store = StoreWithTeam();
    private readonly RacingStore _racing;
    private readonly SalesPipelineService _crm;

    // Bob, working on the same deal from another session, straight on the store.
    private readonly SalesPipelineService _colleague;

    public ConcurrentChangeTests()
    {
        var pipelines = new PipelineCatalog([PipelineDefinition.Default]);
        _racing = new RacingStore(_store);
        _crm = new SalesPipelineService(_racing, _store, _store, _store, pipelines, _clock);
        _colleague = new SalesPipelineService(_store, _store, _store, _store, pipelines, _clock);
    }

    [Fact]
    public async Task MoveAsync_SomeoneElseSavesTheDealBetweenItsLoadAndSave_MovesTheirVersionAndKeepsTheirChange()
    {
        var deal = await ContactedDealAsync();
        _racing.BeforeSave(1, () => _colleague.LogActivityAsync(deal.Id, NewActivity.Note("Budget confirmed by e-mail"), Bob));

        var moved = await _crm.MoveAsync(deal.Id, Stages.Qualification, Anna, "Qualified on the call");

        var stored = await _crm.GetAsync(deal.Id);
        Assert.Equal(Stages.Qualification, stored.Stage);
        Assert.Contains(stored.Activities, a => a.Subject == "Budget confirmed by e-mail");
        Assert.Equal(stored.ToState(), moved.ToState());
    }

    [Fact]
    public async Task LogActivityAsync_SomeoneElseSavesTheDealMeanwhile_BothActivitiesAreStored()
    {
        var deal = await ContactedDealAsync();
        _racing.BeforeSave(1, () => _colleague.LogActivityAsync(deal.Id, NewActivity.Note("Bob's note"), Bob));

        var logged = await _crm.LogActivityAsync(deal.Id, NewActivity.Email("Anna's e-mail"), Anna);

        var stored = await _crm.GetAsync(deal.Id);
        Assert.Equal(["Intro call", "Bob's note", "Anna's e-mail"], stored.Activities.Select(a => a.Subject));
        Assert.Equal(logged, stored.Activities[^1]);
    }

    [Fact]
    public async Task MoveAsync_SomeoneElseLosesTheDealMeanwhile_IsRefusedByTheProcessOnTheStoredState()
    {
        var deal = await ContactedDealAsync();
        _racing.BeforeSave(1, () => _colleague.LoseAsync(deal.Id, "Price", "They chose a cheaper vendor", Bob));

        var e = await Assert.ThrowsAsync<StageTransitionRejectedException>(() => _crm.MoveAsync(deal.Id, Stages.Qualification, Anna));

        Assert.Equal(Stages.Lost, e.From);
        Assert.Equal(Stages.Lost, (await _crm.GetAsync(deal.Id)).Stage);
    }

    [Fact]
    public async Task MoveAsync_TheDealIsReassignedMeanwhile_IsRefusedByTheAccessRulesOnTheStoredState()
    {
        var deal = await ContactedDealAsync();
        _racing.BeforeSave(1, () => _colleague.ReassignAsync(deal.Id, Bob, Bob));

        await Assert.ThrowsAsync<AccessDeniedException>(() => _crm.MoveAsync(deal.Id, Stages.Qualification, Anna));

        var stored = await _crm.GetAsync(deal.Id);
        Assert.Equal((Bob, Stages.Identification), (stored.Owner, stored.Stage));
    }

    [Fact]
    public async Task MoveAsync_SomeoneElseSavesTheDealBeforeEverySave_FailsWithTheConflictAfterThreeAttemptsAndWritesNothing()
    {
        var deal = await ContactedDealAsync();
        var notes = 0;
        _racing.BeforeSave(int.MaxValue, () => _colleague.LogActivityAsync(deal.Id, NewActivity.Note($"Note {++notes}"), Bob));

        var e = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _crm.MoveAsync(deal.Id, Stages.Qualification, Anna));

        Assert.Equal(deal.Id.ToString(), e.Id);
        Assert.Equal(3, notes);
        var stored = await _crm.GetAsync(deal.Id);
        Assert.Equal(Stages.Identification, stored.Stage);
        Assert.Equal(["Intro call", "Note 1", "Note 2", "Note 3"], stored.Activities.Select(a => a.Subject));
    }

    [Fact]
    public async Task ReassignAsync_SomeoneElseSavesTheDealMeanwhile_ReassignsTheirVersion()
    {
        var deal = await ContactedDealAsync();
        _racing.BeforeSave(1, () => _colleague.LogActivityAsync(deal.Id, NewActivity.Note("Bob's note"), Bob));

        await _crm.ReassignAsync(deal.Id, Bob, Bob);

        var stored = await _crm.GetAsync(deal.Id);
        Assert.Equal(Bob, stored.Owner);
        Assert.Contains(stored.Activities, a => a.Subject == "Bob's note");
    }

    private async Task<Opportunity> ContactedDealAsync()
    {
        var deal = await _crm.CreateAsync(NewDeal(), Anna);
        await _crm.LogActivityAsync(deal.Id, NewActivity.Call("Intro call"), Anna);
        return await _crm.GetAsync(deal.Id);
    }

    /// <summary>A deal store where, before each of the next saves, someone else saves the deal first.</summary>
    private sealed class RacingStore(InMemoryStore inner) : IOpportunityStore
    {
        private int _races;
        private Func<Task>? _other;

        public void BeforeSave(int races, Func<Task> other) => (_races, _other) = (races, other);

        public Task<OpportunityState?> FindAsync(OpportunityId id, CancellationToken cancellationToken = default) => inner.FindAsync(id, cancellationToken);

        public async Task<int> SaveAsync(OpportunityState state, CancellationToken cancellationToken = default)
        {
            if (_races > 0 && _other is not null)
            {
                _races--;
                await _other();
            }

            return await inner.SaveAsync(state, cancellationToken);
        }

        public IAsyncEnumerable<OpportunityState> QueryAsync(OpportunityQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);
    }
}
