using SalesPipeline.Access;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.Leads;
using SalesPipeline.People;
using SalesPipeline.Process;
using Xunit;
using static SalesPipeline.Tests.Core.Leads.LeadTeam;

namespace SalesPipeline.Tests.Core.Leads;

/// <summary>Bad input to the people and lead services: each a specific error saying what is wrong and what to do, and nothing changed.</summary>
public sealed class LeadBadInputTests
{
    private static readonly Dictionary<string, (Func<LeadTeam, Task> Run, Type Error, string Says)> Cases = new()
    {
        ["unknown role"] = (t => Task.FromResult(Roles.Parse("boss")), typeof(ArgumentException), "'boss' is not a role: use one of salesperson, manager, admin"),
        ["role out of range"] = (t => t.PeopleService.AddAsync(new NewPerson(new UserId("x"), "X", (Role)7, ["north"]), Ada), typeof(ArgumentException), "'role' must be one of salesperson, manager, admin"),
        ["lead limit below zero"] = (t => t.PeopleService.AddAsync(new NewPerson(new UserId("x"), "X", Role.Salesperson, ["north"], LeadLimit: -1), Ada), typeof(ArgumentException), "'lead-limit' must be 0 or more, was -1"),
        ["limit below zero on update"] = (t => t.PeopleService.UpdateAsync(Sam, new PersonChanges(LeadLimit: -5), Ada), typeof(ArgumentException), "'lead-limit' must be 0 or more, was -5"),
        ["group that is not a slug"] = (t => t.PeopleService.AddAsync(new NewPerson(new UserId("x"), "X", Role.Salesperson, ["North Team"]), Ada), typeof(ArgumentException), "'North Team' is not a valid group"),
        ["no group"] = (t => t.PeopleService.AddAsync(new NewPerson(new UserId("x"), "X", Role.Salesperson, []), Ada), typeof(ArgumentException), "'groups' must name at least one group"),
        ["unknown manager"] = (t => t.PeopleService.AddAsync(new NewPerson(new UserId("x"), "X", Role.Salesperson, ["north"], new UserId("ghost")), Ada), typeof(ArgumentException), "The manager 'ghost' of 'x' is not a stored person"),
        ["person id taken"] = (t => t.PeopleService.AddAsync(new NewPerson(Sam, "Sam Again", Role.Salesperson, ["north"]), Ada), typeof(ArgumentException), "A person with id 'sam' already exists"),
        ["unknown person to change"] = (t => t.PeopleService.UpdateAsync(new UserId("ghost"), new PersonChanges(LeadLimit: 1), Ada), typeof(ArgumentException), "No person has id 'ghost'"),
        ["first person without an admin on a non-empty store"] = (t => t.PeopleService.AddAsync(new NewPerson(new UserId("x"), "X", Role.Admin, ["hq"]), null), typeof(ArgumentException), "an acting admin must be named to add another"),
        ["unknown acting user"] = (t => t.Service.AssignAsync(new LeadId("NEW"), Sam, new UserId("ghost")), typeof(AccessDeniedException), "'ghost' may not assign lead 'NEW' to 'sam': no person has this user id"),
        ["assign to an unknown user"] = (t => t.Service.AssignAsync(new LeadId("NEW"), new UserId("ghost"), Mona), typeof(ArgumentException), "'ghost' is not an active person, so they cannot receive leads"),
        ["assign outside one's groups"] = (t => t.Service.AssignAsync(new LeadId("NEW"), Tom, Mona), typeof(AccessDeniedException), "'tom' is not in any of their groups (north)"),
        ["malformed e-mail"] = (t => t.Service.ImportAsync([NewLead("BAD") with { Email = "jan@@example" }], Ada), typeof(LeadImportException), "Lead 1: 'email' is not an e-mail address: 'jan@@example'"),
        ["lead without company"] = (t => t.Service.ImportAsync([NewLead("OK1"), NewLead("BAD") with { Company = " " }], Ada), typeof(LeadImportException), "Lead 2: 'company' must not be empty"),
        ["lead id twice in one import"] = (t => t.Service.ImportAsync([NewLead("DUP"), NewLead("DUP")], Ada), typeof(LeadImportException), "Lead 2: Lead id 'DUP' appears more than once in this import"),
        ["lead id already stored"] = (t => t.Service.ImportAsync([NewLead("NEW")], Ada), typeof(LeadImportException), "Lead id 'NEW' is already stored"),
        ["import owner over their limit"] = (t => t.Service.ImportAsync([NewLead("A1", Sue), NewLead("A2", Sue), NewLead("A3", Sue)], Ada), typeof(LeadImportException), "Lead 2: 'sue' would go over their limit of 3 active leads (they hold 3)"),
        ["import owner unknown"] = (t => t.Service.ImportAsync([NewLead("A1", new UserId("ghost"))], Ada), typeof(LeadImportException), "The owner 'ghost' is not an active person"),
        ["converting a converted lead"] = (t => t.Service.ConvertAsync(new LeadId("CONVERTED"), null, null, Sam), typeof(LeadRuleException), "Lead 'CONVERTED' was already converted into deal"),
        ["converting an unassigned lead"] = (t => t.Service.ConvertAsync(new LeadId("NEW"), null, null, Mona), typeof(LeadRuleException), "Lead 'NEW' is in the unassigned base; assign it (or take it) before converting it"),
        ["converting into an unknown pipeline"] = (t => t.Service.ConvertAsync(new LeadId("HELD"), new PipelineId("renewals"), null, Sam), typeof(ArgumentException), "No pipeline 'renewals' is registered"),
        ["taking a held lead"] = (t => t.Service.TakeAsync(new LeadId("HELD"), Sue), typeof(LeadRuleException), "Lead 'HELD' is already held by 'sam'"),
        ["disqualifying with an unknown reason"] = (t => t.Service.DisqualifyAsync(new LeadId("HELD"), "bored", Sam), typeof(ArgumentException), "'bored' is not a disqualification reason; use one of no-budget, no-need, unreachable, duplicate, competitor"),
        ["unknown lead"] = (t => t.Service.TakeAsync(new LeadId("NOPE"), Sam), typeof(LeadNotFoundException), "No lead has id 'NOPE'"),
        ["deactivating the last active admin"] = (t => t.PeopleService.UpdateAsync(Ada, new PersonChanges(Active: false), Ada), typeof(ArgumentException), "'ada' is the last active admin; deactivating them would leave nobody who may manage people"),
        ["demoting the last active admin"] = (t => t.PeopleService.UpdateAsync(Ada, new PersonChanges(Role: Role.Manager), Ada), typeof(ArgumentException), "'ada' is the last active admin; demoting them"),
        ["a new manager and no manager at once"] = (t => t.PeopleService.UpdateAsync(Sam, new PersonChanges(Manager: Mona, ClearManager: true), Ada), typeof(ArgumentException), "Either clear the manager of 'sam' or name a new one, not both"),
        ["reassigning a deal to an unknown person"] = (t => t.Crm.ReassignAsync(t.Deal, new UserId("ghost"), Ada), typeof(ArgumentException), "'ghost' is not an active person, so they cannot own deals"),
        ["a pipeline definition that strands a deal"] = (t => t.PipelineDefinitions!.SaveAsync(PipelineDefinition.FromJson(PipelineDefinition.Default.ToJson().Replace("\"identification\"", "\"prospecting\"", StringComparison.Ordinal)), Ada), typeof(PipelineFitException), "1 of the 1 deals in pipeline 'new-business' would not fit the new definition"),
        ["distributing over a group without salespeople"] = (t => t.Service.DistributeAsync("hq", whatIf: false, Ada), typeof(ArgumentException), "Group 'hq' has no active salespeople"),
    };

    public static TheoryData<string> Names() => [.. Cases.Keys];

    [Fact]
    public async Task Import_ChecksSkippedAndAnOwnerNobodyStores_HeldToTheDefaultLimitAsAnAssignmentIs()
    {
        var store = new InMemoryStore();
        var team = new LeadTeam(store, store, store, store);
        await team.SeedAsync();
        var service = new LeadService(store, store, store, store, PipelineCatalog.DefaultOnly, team.Clock, new LeadOptions { DefaultLeadLimit = 2 }, new AccessOptions { SkipAccessChecks = true });
        var bob = new UserId("bob");
        var before = await team.SnapshotAsync();

        var over = await Assert.ThrowsAsync<LeadImportException>(() => service.ImportAsync([NewLead("B1", bob), NewLead("B2", bob), NewLead("B3", bob)], bob));
        var inactive = await Assert.ThrowsAsync<LeadImportException>(() => service.ImportAsync([NewLead("I1", Ivy)], bob));

        Assert.Equal([new LeadImportError(2, "'bob' would go over their limit of 2 active leads (they hold 2); leave the owner empty or raise their limit.")], over.Errors);
        Assert.Equal([new LeadImportError(0, "The owner 'ivy' is not an active person; add them first, or leave the owner empty.")], inactive.Errors);
        Assert.Equal(before, await team.SnapshotAsync());
        await service.ImportAsync([NewLead("B1", bob), NewLead("B2", bob), NewLead("B3")], bob);
        await Assert.ThrowsAsync<LeadLimitReachedException>(() => service.AssignAsync(new LeadId("B3"), bob, bob));
    }

    [Fact]
    public async Task Import_FaultyFields_EachErrorSaysWhatIsWrongWithoutTheParameterNote()
    {
        var store = new InMemoryStore();
        var team = new LeadTeam(store, store, store, store);
        await team.SeedAsync();

        var e = await Assert.ThrowsAsync<LeadImportException>(() => team.Service.ImportAsync([NewLead("A") with { Company = " " }, NewLead("B") with { Email = "jan@@example" }, NewLead("C") with { Phone = new string('1', 51) }], Ada));

        Assert.Equal(
            ["'company' must not be empty.", "'email' is not an e-mail address: 'jan@@example'. Use the form name@example.com, or leave it empty.", "'phone' must be at most 50 characters long, was 51."],
            e.Errors.Select(x => x.Message));
        Assert.DoesNotContain("(Parameter", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_IdNoDocumentCanHold_IsRefusedThoughAStoredOneStaysReadable()
    {
        var store = new InMemoryStore();
        var team = new LeadTeam(store, store, store, store);
        await team.SeedAsync();
        var before = await team.SnapshotAsync();

        var e = await Assert.ThrowsAsync<LeadImportException>(() => team.Service.ImportAsync([NewLead("L\uFFFE")], Ada));

        Assert.Equal(["'id' holds a noncharacter (U+FFFE) at position 2: Unicode keeps it for programs' own use, never for text; it usually comes from a wrong encoding or byte order. Remove it."], e.Errors.Select(x => x.Message));
        Assert.Equal(before, await team.SnapshotAsync());
        Assert.Equal("L\uFFFE", new LeadId("L\uFFFE").Value);
    }

    [Fact]
    public async Task Import_OwnerNoDocumentCanHold_IsRefused()
    {
        var store = new InMemoryStore();
        var team = new LeadTeam(store, store, store, store);
        await team.SeedAsync();
        var before = await team.SnapshotAsync();

        var e = await Assert.ThrowsAsync<LeadImportException>(() => team.Service.ImportAsync([NewLead("L1", new UserId("sam\uFFFF"))], Ada));

        Assert.StartsWith("'owner' holds a noncharacter (U+FFFF) at position 4", Assert.Single(e.Errors).Message, StringComparison.Ordinal);
        Assert.Equal(before, await team.SnapshotAsync());
    }

    [Fact]
    public void Cases_AreAtLeastTwelve() => Assert.True(Cases.Count >= 12);

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Command_BadInput_ThrowsASpecificErrorAndChangesNothing(string name)
    {
        var (run, error, says) = Cases[name];
        var store = new InMemoryStore();
        var team = new LeadTeam(store, store, store, store);
        await team.SeedAsync();
        await team.ImportAsync(NewLead("NEW"), NewLead("HELD", Sam), NewLead("CONVERTED", Sam), NewLead("S1", Sue), NewLead("S2", Sue));
        team.Deal = (await team.Service.ConvertAsync(new LeadId("CONVERTED"), null, null, Sam)).Id;
        var before = await team.SnapshotAsync();

        var e = await Assert.ThrowsAnyAsync<Exception>(() => run(team));

        Assert.IsType(error, e);
        Assert.Contains(says, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", e.Message, StringComparison.Ordinal);

        // The library speaks of itself, not of a command line: no commands in backticks, no options.
        Assert.DoesNotContain("`", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("--", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await team.SnapshotAsync());
    }
}
