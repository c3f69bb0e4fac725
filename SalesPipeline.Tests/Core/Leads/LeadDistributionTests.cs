using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.Leads;
using SalesPipeline.People;
using Xunit;

namespace SalesPipeline.Tests.Core.Leads;

/// <summary>A group's members with their loads and limits, and a number of leads to hand out.</summary>
/// <param name="People">The members.</param>
/// <param name="LeadCount">How many leads.</param>
public sealed record DistributionCase(IReadOnlyList<LeadCapacity> People, int LeadCount)
{
    public IReadOnlyList<LeadId> Leads => [.. Enumerable.Range(1, LeadCount).Select(i => new LeadId($"L{i:000}"))];

    public override string ToString() => $"{LeadCount} leads over {string.Join(", ", People.Select(p => $"{p.Person}:{p.Active}/{p.Limit}"))}";
}

public static class DistributionArbitraries
{
    private static Gen<(int Limit, int Active)> Capacity =>
        from limit in Gen.Choose(0, 8)
        from active in Gen.Choose(0, 10)
        select (limit, Math.Min(active, limit + 2));

    private static Gen<DistributionCase> CaseGen =>
        from count in Gen.Choose(1, 8)
        from people in Gen.ListOf(Capacity, count)
        from leads in Gen.Choose(0, 40)
        select new DistributionCase([.. people.Select((p, i) => new LeadCapacity(new UserId($"p{i:00}"), p.Active, p.Limit))], leads);

    /// <summary>Any limits (0–8) and loads (up to two over the limit).</summary>
    public static Arbitrary<DistributionCase> Case() => CaseGen.ToArbitrary();
}

/// <summary>Everyone with the same limit and no leads yet.</summary>
/// <param name="Case">The case.</param>
public sealed record EqualLimitsCase(DistributionCase Case);

public static class EqualLimitsArbitraries
{
    public static Arbitrary<EqualLimitsCase> Case() => (
        from limit in Gen.Choose(1, 8)
        from count in Gen.Choose(1, 8)
        from leads in Gen.Choose(0, 70)
        select new EqualLimitsCase(new DistributionCase([.. Enumerable.Range(0, count).Select(i => new LeadCapacity(new UserId($"p{i:00}"), 0, limit))], leads))).ToArbitrary();
}

public sealed class LeadDistributionTests
{
    [Fact]
    public void Plan_WorkedExample_MostFreeCapacityFirstTiesByUserId()
    {
        // sam 1/3 (2 free), sue 0/3 (3 free), tom 0/2 (2 free): sue, then sam/sue/tom tie at 2 → sam (id), sue, tom; then
        // sam and sue and tom at 1 → sam, sue, tom; then nobody has room.
        var plan = LeadDistribution.Plan(
            [.. Enumerable.Range(1, 9).Select(i => new LeadId($"L{i}"))],
            [new(new UserId("tom"), 0, 2), new(new UserId("sam"), 1, 3), new(new UserId("sue"), 0, 3)]);

        Assert.Equal(["sue", "sam", "sue", "tom", "sam", "sue", "tom"], plan.Assignments.Select(a => a.To.Value));
        Assert.Equal(["L1", "L2", "L3", "L4", "L5", "L6", "L7"], plan.Assignments.Select(a => a.Lead.Value));
        Assert.Equal(["L8", "L9"], plan.NotPlaced.Select(l => l.Value));
    }

    [Fact]
    public void Plan_TieBetweenIdsThatSortDifferentlyByCulture_BrokenOrdinally()
    {
        // Ordinally "Zoe" (Z = 90) comes before "adam" (a = 97); a culture-aware comparison would put "adam" first.
        var plan = LeadDistribution.Plan([new LeadId("L1")], [new(new UserId("adam"), 0, 2), new(new UserId("Zoe"), 0, 2)]);

        Assert.Equal("Zoe", Assert.Single(plan.Assignments).To.Value);
    }

    [Property(Arbitrary = [typeof(DistributionArbitraries)])]
    public bool Plan_NeverTakesAnyoneOverTheirLimit(DistributionCase c)
    {
        var plan = LeadDistribution.Plan(c.Leads, c.People);
        return c.People.All(p => plan.Assignments.Count(a => a.To == p.Person) <= p.Free)
            && plan.Assignments.Count + plan.NotPlaced.Count == c.LeadCount
            && plan.Assignments.Select(a => a.Lead.Value).Concat(plan.NotPlaced.Select(l => l.Value)).Order(StringComparer.Ordinal).SequenceEqual(c.Leads.Select(l => l.Value));
    }

    [Property(Arbitrary = [typeof(DistributionArbitraries)])]
    public bool Plan_CapacitySuffices_AssignsEveryLead_OtherwiseFillsEveryFreeSlot(DistributionCase c)
    {
        var plan = LeadDistribution.Plan(c.Leads, c.People);
        var free = c.People.Sum(p => p.Free);
        return free >= c.LeadCount
            ? plan.NotPlaced.Count == 0 && plan.Assignments.Count == c.LeadCount
            : plan.Assignments.Count == free;
    }

    [Property(Arbitrary = [typeof(EqualLimitsArbitraries)])]
    public bool Plan_EqualLimitsFromEmpty_LeavesLoadsWithinOneOfEachOther(EqualLimitsCase equal)
    {
        var plan = LeadDistribution.Plan(equal.Case.Leads, equal.Case.People);
        var loads = equal.Case.People.Select(p => plan.Assignments.Count(a => a.To == p.Person)).ToList();
        return loads.Max() - loads.Min() <= 1;
    }

    [Property(Arbitrary = [typeof(DistributionArbitraries)], MaxTest = 40)]
    public async Task DistributeAsync_WhatIf_EqualsWhatTheRealRunAssigns(DistributionCase c)
    {
        var store = new InMemoryStore();
        var team = new LeadTeam(store, store, store, store);
        await store.SaveAsync(new Person(LeadTeam.Mona, "Mona", Role.Manager, ["g"], null, 0, true));
        foreach (var p in c.People)
        {
            await store.SaveAsync(new Person(p.Person, p.Person.Value, Role.Salesperson, ["g"], null, p.Limit, true));
        }

        // Current loads come from leads held now (the limit is raised while they are imported).
        var held = c.People.SelectMany(p => Enumerable.Range(1, p.Active).Select(i => LeadTeam.NewLead($"H-{p.Person}-{i}", p.Person))).ToList();
        foreach (var p in c.People)
        {
            await store.SaveAsync((await store.FindAsync(p.Person))! with { LeadLimit = 100 });
        }

        await team.Service.ImportAsync([.. held, .. c.Leads.Select(l => LeadTeam.NewLead(l.Value))], LeadTeam.Mona);
        foreach (var p in c.People)
        {
            await store.SaveAsync((await store.FindAsync(p.Person))! with { LeadLimit = p.Limit });
        }

        var whatIf = await team.Service.DistributeAsync("g", whatIf: true, LeadTeam.Mona);
        Assert.Equal(c.LeadCount, (await store.QueryAsync(new LeadQuery(Status: LeadStatus.New))).Count);
        var real = await team.Service.DistributeAsync("g", whatIf: false, LeadTeam.Mona);

        Assert.Equal(whatIf.Assignments, real.Assignments);
        Assert.Equal(whatIf.NotPlaced, real.NotPlaced);
        foreach (var a in real.Assignments)
        {
            Assert.Equal((LeadStatus.Assigned, a.To), ((await store.FindAsync(a.Lead))!.Status, (await store.FindAsync(a.Lead))!.Owner!.Value));
        }

        Assert.Equal(real.NotPlaced.Select(l => l.Value).Order(StringComparer.Ordinal), (await store.QueryAsync(new LeadQuery(Status: LeadStatus.New))).Select(l => l.Id.Value));
    }
}
