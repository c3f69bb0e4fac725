using NodaTime;
using SalesPipeline.Access;
using SalesPipeline.Documents;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.Leads;
using SalesPipeline.People;
using SalesPipeline.Process;
using SalesPipeline.Tests.Core.Leads;
using Xunit;
using static SalesPipeline.Tests.Core.Leads.LeadTeam;

namespace SalesPipeline.Tests.Core.Access;

/// <summary>
/// Every command of <see cref="ISalesPipeline"/>, <see cref="ILeadService"/>, <see cref="IPeopleService"/> and the deal commands of <see cref="IDocumentService"/> that names an
/// acting user, for each role, on its own, a same-group and an other-group object: allowed or refused as specified, and a
/// refusal changes nothing. Sam is a salesperson and Mona a manager, both in north; Ada is an admin; Tom is in south.
/// </summary>
public sealed class PermissionMatrixTests
{
    public enum Target
    {
        Own,
        SameGroup,
        OtherGroup,
    }

    /// <summary>The commands that work on an object someone owns (a deal or a held lead): own, their manager's group, or an admin.</summary>
    private static readonly Dictionary<string, Func<Fixture, UserId, UserId, Task>> OwnedObjectCommands = new()
    {
        ["deal create"] = (f, by, owner) => f.Team.Crm.CreateAsync(new NewOpportunity("New", Money.Of(1m, "PLN"), null, new LocalDate(2027, 1, 1), owner), by),
        ["deal move"] = (f, by, owner) => f.Team.Crm.MoveAsync(f.Open[owner], Stages.Offer, by),
        ["deal win"] = (f, by, owner) => f.Team.Crm.WinAsync(f.Open[owner], by),
        ["deal lose"] = (f, by, owner) => f.Team.Crm.LoseAsync(f.Open[owner], PipelineDefinition.Default.LossReasons[0], "Lost on price", by),
        ["deal reopen"] = (f, by, owner) => f.Team.Crm.ReopenAsync(f.Closed[owner], "Signature withdrawn", by),
        ["deal log activity"] = (f, by, owner) => f.Team.Crm.LogActivityAsync(f.Open[owner], NewActivity.Note("A note"), by),
        ["deal complete activity"] = (f, by, owner) => f.Team.Crm.CompleteActivityAsync(f.Open[owner], f.Tasks[owner], by),
        ["deal schedule next contact"] = (f, by, owner) => f.Team.Crm.ScheduleNextContactAsync(f.Open[owner], T0 + Duration.FromDays(30), by),
        ["deal record qualification"] = (f, by, owner) => f.Team.Crm.RecordQualificationAsync(f.Open[owner], new QualificationData("More", null, null, null), by),
        ["deal attach offer"] = (f, by, owner) => f.Team.Documents.AttachOfferAsync(f.Open[owner], f.SharedOffer, by),
        ["deal generate offer"] = (f, by, owner) => f.Team.Documents.CreateOfferAsync(new NewOffer(f.Open[owner], f.SharedTemplate), by),
        ["deal override probability"] = (f, by, owner) => f.Team.Crm.OverrideProbabilityAsync(f.Open[owner], 40, by),
        ["lead start work"] = (f, by, owner) => f.Team.Service.StartWorkAsync(f.Held[owner], by),
        ["lead convert"] = (f, by, owner) => f.Team.Service.ConvertAsync(f.Held[owner], null, null, by),
        ["lead disqualify"] = (f, by, owner) => f.Team.Service.DisqualifyAsync(f.Held[owner], "no-need", by),
    };

    /// <summary>The commands whose object is a person or a group the actor hands something to.</summary>
    private static readonly Dictionary<string, Func<Fixture, UserId, UserId, Task>> HandOutCommands = new()
    {
        ["lead assign"] = (f, by, receiver) => f.Team.Service.AssignAsync(f.Unassigned, receiver, by),
        ["lead reassign"] = (f, by, owner) => f.Team.Service.AssignAsync(f.Held[owner], owner == Tom ? Max : owner == Mona ? Sue : Mona, by),
        ["lead import with owner"] = (f, by, owner) => f.Team.Service.ImportAsync([NewLead("IMPORTED", owner)], by),
        ["lead distribute"] = (f, by, owner) => f.Team.Service.DistributeAsync(owner == Tom ? "south" : "north", whatIf: false, by),
        ["deal reassign"] = (f, by, owner) => f.Team.Crm.ReassignAsync(f.Open[owner], owner == Tom ? Max : owner == Sam ? Sue : Sam, by),
    };

    /// <summary>The commands only an admin may run.</summary>
    private static readonly Dictionary<string, Func<Fixture, UserId, Task>> AdminCommands = new()
    {
        ["people add"] = (f, by) => f.Team.PeopleService.AddAsync(new NewPerson(new UserId("newbie"), "New Person", Role.Salesperson, ["north"]), by),
        ["people update"] = (f, by) => f.Team.PeopleService.UpdateAsync(Sam, new PersonChanges(LeadLimit: 9), by),
        ["pipeline definition save"] = (f, by) => f.Team.PipelineDefinitions!.SaveAsync(Storage.Deals.IsolatedPipeline(), by),
    };

    /// <summary>The commands every active person may run.</summary>
    private static readonly Dictionary<string, Func<Fixture, UserId, Task>> AnyoneCommands = new()
    {
        ["account create"] = (f, by) => f.Team.Crm.CreateAccountAsync("Shared Co", null, by),
        ["account add contact"] = (f, by) => f.Team.Crm.AddContactAsync(f.Account, new Contact("Ewa"), by),
        ["lead take"] = (f, by) => f.Team.Service.TakeAsync(f.Unassigned, by),
    };

    public static TheoryData<string, string, Target> OwnedObjectCases() => Cases(OwnedObjectCommands.Keys);

    public static TheoryData<string, string, Target> HandOutCases() => Cases(HandOutCommands.Keys);

    public static TheoryData<string, string> ActorCases(IEnumerable<string> commands)
    {
        var data = new TheoryData<string, string>();
        foreach (var command in commands)
        {
            foreach (var actor in new[] { Sam, Mona, Ada })
            {
                data.Add(command, actor.Value);
            }
        }

        return data;
    }

    public static TheoryData<string, string> AdminCases() => ActorCases(AdminCommands.Keys);

    public static TheoryData<string, string> AnyoneCases() => ActorCases(AnyoneCommands.Keys);

    public static TheoryData<string> EveryCommand() => [.. OwnedObjectCommands.Keys.Concat(HandOutCommands.Keys).Concat(AdminCommands.Keys).Concat(AnyoneCommands.Keys)];

    [Theory]
    [MemberData(nameof(OwnedObjectCases))]
    public async Task OwnedObjectCommand_EachRoleOnOwnSameGroupAndOtherGroupObjects_AllowedOrRefusedAsSpecified(string command, string actor, Target target)
    {
        var by = new UserId(actor);
        var allowed = RoleOf(by) == Role.Admin || target == Target.Own || (RoleOf(by) == Role.Manager && target == Target.SameGroup);
        await CheckAsync(allowed, f => OwnedObjectCommands[command](f, by, OwnerFor(by, target)));
    }

    [Theory]
    [MemberData(nameof(HandOutCases))]
    public async Task HandOutCommand_EachRoleToOwnSameGroupAndOtherGroupPeople_AllowedOrRefusedAsSpecified(string command, string actor, Target target)
    {
        // Only managers (within their groups) and admins hand leads out; a salesperson takes them instead.
        var by = new UserId(actor);
        var allowed = RoleOf(by) == Role.Admin || (RoleOf(by) == Role.Manager && target != Target.OtherGroup);
        await CheckAsync(allowed, f => HandOutCommands[command](f, by, OwnerFor(by, target)));
    }

    [Theory]
    [MemberData(nameof(AdminCases))]
    public async Task AdminCommand_EachRole_OnlyAnAdminMayRunIt(string command, string actor)
    {
        var by = new UserId(actor);
        await CheckAsync(RoleOf(by) == Role.Admin, f => AdminCommands[command](f, by));
    }

    [Theory]
    [MemberData(nameof(AnyoneCases))]
    public async Task AnyoneCommand_EachRole_EveryActivePersonMayRunIt(string command, string actor)
    {
        var by = new UserId(actor);
        await CheckAsync(true, f => AnyoneCommands[command](f, by));
    }

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public async Task EveryCommand_UnknownOrInactiveActor_IsRefusedAndChangesNothing(string command)
    {
        foreach (var by in new[] { new UserId("stranger"), Ivy })
        {
            var e = await CheckAsync(false, f => Run(command, f, by));
            Assert.Equal(by, e!.User);
            Assert.Contains(by == Ivy ? "inactive" : "no person has this user id", e.Reason, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("sam", "sam")]
    [InlineData("mona", "mona,sam,sue")]
    [InlineData("ada", "ada,mona,sam,sue,tom")]
    public async Task ListAsync_EachRole_SeesOnlyTheDealsItMayWorkOn(string actor, string owners)
    {
        var f = await Fixture.CreateAsync(null);

        var seen = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var deal in f.Team.Crm.ListAsync(Abstractions.OpportunityQuery.All, new UserId(actor)))
        {
            seen.Add(deal.Owner.Value);
        }

        Assert.Equal(owners, string.Join(',', seen));
    }

    [Theory]
    [InlineData("sam", Target.SameGroup)]
    [InlineData("sam", Target.OtherGroup)]
    [InlineData("mona", Target.OtherGroup)]
    public async Task ListAsync_OwnerOneMayNotSee_IsRefused(string actor, Target target)
    {
        var f = await Fixture.CreateAsync(null);
        var by = new UserId(actor);

        var e = await Assert.ThrowsAsync<AccessDeniedException>(async () =>
        {
            await foreach (var deal in f.Team.Crm.ListAsync(new Abstractions.OpportunityQuery(Owner: OwnerFor(by, target)), by))
            {
                Assert.Fail($"Listed {deal.Name}.");
            }
        });
        Assert.Contains($"list the deals of '{OwnerFor(by, target)}'", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Target> ReadCases()
    {
        var data = new TheoryData<string, Target>();
        foreach (var actor in new[] { Sam, Mona, Ada })
        {
            foreach (var target in Enum.GetValues<Target>())
            {
                data.Add(actor.Value, target);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ReadCases))]
    public async Task GetAsync_EachRoleOnOwnSameGroupAndOtherGroupDeals_ReadsWhereverItMayChange(string actor, Target target)
    {
        var f = await Fixture.CreateAsync(null);
        var by = new UserId(actor);
        var owner = OwnerFor(by, target);
        var allowed = RoleOf(by) == Role.Admin || target == Target.Own || (RoleOf(by) == Role.Manager && target == Target.SameGroup);

        if (allowed)
        {
            Assert.Equal(f.Open[owner], (await f.Team.Crm.GetAsync(f.Open[owner], by)).Id);
        }
        else
        {
            var e = await Assert.ThrowsAsync<AccessDeniedException>(() => f.Team.Crm.GetAsync(f.Open[owner], by));
            Assert.Equal((AccessDenialKind.NotPermitted, $"see deal {f.Open[owner]}"), (e.Kind, e.Action));
        }
    }

    [Fact]
    public async Task Reads_UnknownOrInactiveActor_AreRefused()
    {
        var f = await Fixture.CreateAsync(null);
        foreach (var (by, kind) in new[] { (new UserId("stranger"), AccessDenialKind.UnknownUser), (Ivy, AccessDenialKind.InactiveUser) })
        {
            Assert.Equal(kind, (await Assert.ThrowsAsync<AccessDeniedException>(() => f.Team.Crm.GetAsync(f.Open[Sam], by))).Kind);
            Assert.Equal(kind, (await Assert.ThrowsAsync<AccessDeniedException>(() => f.Team.Service.ListAsync(new Abstractions.LeadQuery(), by))).Kind);
        }
    }

    [Theory]
    [InlineData("sam", "", "HELD-sam,UNASSIGNED")]
    [InlineData("sam", "north", "HELD-sam")]
    [InlineData("tom", "north", "HELD-tom,UNASSIGNED")]
    [InlineData("mona", "north", "HELD-mona,HELD-sam,HELD-sue,UNASSIGNED")]
    [InlineData("max", "", "HELD-tom,UNASSIGNED")]
    [InlineData("ada", "north", "HELD-ada,HELD-mona,HELD-sam,HELD-sue,HELD-tom,UNASSIGNED")]
    public async Task ListLeadsAsync_EachRole_SeesTheLeadsItMayWorkOnOrTake(string actor, string selfServiceOff, string ids)
    {
        var options = new LeadOptions();
        if (selfServiceOff.Length > 0)
        {
            options.SelfServiceOffGroups.Add(selfServiceOff);
        }

        var f = await Fixture.CreateAsync(options);

        var leads = await f.Team.Service.ListAsync(new Abstractions.LeadQuery(), new UserId(actor));

        Assert.Equal(ids, string.Join(',', leads.Select(l => l.Id.Value).Order(StringComparer.Ordinal)));
    }

    [Fact]
    public async Task ListLeadsAsync_DisqualifiedUnassignedLead_AManagerSeesItASalespersonDoesNot()
    {
        var f = await Fixture.CreateAsync(null);
        await f.Team.Service.DisqualifyAsync(f.Unassigned, "no-need", Mona);

        Assert.Contains(f.Unassigned, (await f.Team.Service.ListAsync(new Abstractions.LeadQuery(), Max)).Select(l => l.Id));
        Assert.DoesNotContain(f.Unassigned, (await f.Team.Service.ListAsync(new Abstractions.LeadQuery(), Sam)).Select(l => l.Id));
    }

    [Theory]
    [InlineData("sam", Target.SameGroup)]
    [InlineData("sam", Target.OtherGroup)]
    [InlineData("mona", Target.OtherGroup)]
    public async Task ListLeadsAsync_OwnerOneMayNotSee_IsRefused(string actor, Target target)
    {
        var f = await Fixture.CreateAsync(null);
        var by = new UserId(actor);

        var e = await Assert.ThrowsAsync<AccessDeniedException>(() => f.Team.Service.ListAsync(new Abstractions.LeadQuery(OwnerFor(by, target)), by));

        Assert.Equal($"list the leads of '{OwnerFor(by, target)}'", e.Action);
    }

    [Fact]
    public async Task CreateAsync_OwnerUnknownOrInactive_IsRefusedNamingThemAndChangesNothing()
    {
        var f = await Fixture.CreateAsync(null);
        var before = await f.Team.SnapshotAsync();

        foreach (var owner in new[] { new UserId("ghost"), Ivy })
        {
            var e = await Assert.ThrowsAsync<ArgumentException>(() => f.Team.Crm.CreateAsync(new NewOpportunity("New", Money.Of(1m, "PLN"), null, new LocalDate(2027, 1, 1), owner), Ada));
            Assert.Equal($"'{owner}' is not an active person, so they cannot own deals; check the id against the stored people. (Parameter 'opportunity')", e.Message);
        }

        Assert.Equal(before, await f.Team.SnapshotAsync());
    }

    [Fact]
    public async Task ReassignAsync_ManagerTakingADealOutOfTheirGroups_IsRefusedAndChangesNothing()
    {
        // Sam's deal is in Mona's group, but Tom (south) is not.
        var e = await CheckAsync(false, f => f.Team.Crm.ReassignAsync(f.Open[Sam], Tom, Mona));
        Assert.Contains("'tom' is not in any of their groups (north)", e!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssignAsync_ManagerPullingALeadFromAnotherGroup_IsRefusedAndChangesNothing()
    {
        // Tom's held lead goes to Sam, who is in Mona's group; the lead itself is held in south, which is not.
        var e = await CheckAsync(false, f => f.Team.Service.AssignAsync(f.Held[Tom], Sam, Mona));
        Assert.Contains("it belongs to 'tom', who is not in any of their groups (north)", e!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TakeAsync_SelfServiceOffInTheTakersGroup_IsRefusedAndChangesNothing()
    {
        var options = new LeadOptions();
        options.SelfServiceOffGroups.Add("north");
        var e = await CheckAsync(false, f => f.Team.Service.TakeAsync(f.Unassigned, Sam), options);
        Assert.Contains("self-service is off in group 'north'", e!.Message, StringComparison.Ordinal);
        await CheckAsync(true, f => f.Team.Service.TakeAsync(f.Unassigned, Tom), options);
    }

    [Fact]
    public async Task SkipAccessChecks_On_LetsAnyUserIdDoEverything()
    {
        var store = new InMemoryStore();
        var crm = new SalesPipelineService(store, store, store, store, PipelineCatalog.DefaultOnly, SystemClockFake(), new AccessOptions { SkipAccessChecks = true });
        var deal = await crm.CreateAsync(new NewOpportunity("Solo", Money.Of(1m, "PLN"), null, new LocalDate(2027, 1, 1), new UserId("someone")), new UserId("anyone"));
        await crm.LogActivityAsync(deal.Id, NewActivity.Call("Intro"), new UserId("else"));
        Assert.Equal(Stages.Qualification, (await crm.MoveAsync(deal.Id, Stages.Qualification, new UserId("third"))).Stage);
    }

    [Fact]
    public void AccessOptions_Default_ChecksEveryCommand() => Assert.False(new AccessOptions().SkipAccessChecks);

    private static NodaTime.Testing.FakeClock SystemClockFake() => new(T0, Duration.FromMinutes(1));

    private static Task Run(string command, Fixture f, UserId by) =>
        OwnedObjectCommands.TryGetValue(command, out var owned) ? owned(f, by, Sam)
        : HandOutCommands.TryGetValue(command, out var handOut) ? handOut(f, by, Sam)
        : AdminCommands.TryGetValue(command, out var admin) ? admin(f, by)
        : AnyoneCommands[command](f, by);

    private static TheoryData<string, string, Target> Cases(IEnumerable<string> commands)
    {
        var data = new TheoryData<string, string, Target>();
        foreach (var command in commands)
        {
            foreach (var actor in new[] { Sam, Mona, Ada })
            {
                foreach (var target in Enum.GetValues<Target>())
                {
                    data.Add(command, actor.Value, target);
                }
            }
        }

        return data;
    }

    private static Role RoleOf(UserId id) => Everyone.Single(p => p.Id == id).Role;

    /// <summary>Own: the actor; same group: Sue for Sam, Sam for Mona and Ada; other group: Tom.</summary>
    private static UserId OwnerFor(UserId actor, Target target) => target switch
    {
        Target.Own => actor,
        Target.SameGroup => actor == Sam ? Sue : Sam,
        _ => Tom,
    };

    /// <summary>Runs a command on a fresh, fully set-up store: allowed, it succeeds and changes something; refused, it throws and changes nothing.</summary>
    private static async Task<AccessDeniedException?> CheckAsync(bool allowed, Func<Fixture, Task> command, LeadOptions? options = null)
    {
        var f = await Fixture.CreateAsync(options);
        var before = await f.Team.SnapshotAsync();
        if (allowed)
        {
            await command(f);
            Assert.NotEqual(before, await f.Team.SnapshotAsync());
            return null;
        }

        var e = await Assert.ThrowsAsync<AccessDeniedException>(() => command(f));
        Assert.Equal(before, await f.Team.SnapshotAsync());
        Assert.EndsWith("Nothing was changed.", e.Message, StringComparison.Ordinal);
        return e;
    }

    /// <summary>
    /// Every person with an open deal in negotiation (with a planned task), a won deal and a held lead; one unassigned lead;
    /// one account.
    /// </summary>
    private sealed class Fixture
    {
        private Fixture(LeadTeam team) => Team = team;

        public LeadTeam Team { get; }

        public Dictionary<UserId, OpportunityId> Open { get; } = [];

        public Dictionary<UserId, OpportunityId> Closed { get; } = [];

        public Dictionary<UserId, ActivityId> Tasks { get; } = [];

        public Dictionary<UserId, LeadId> Held { get; } = [];

        public LeadId Unassigned { get; } = new("UNASSIGNED");

        public AccountId Account { get; private set; }

        public DocumentId SharedOffer { get; private set; }

        public DocumentId SharedTemplate { get; private set; }

        public static async Task<Fixture> CreateAsync(LeadOptions? options)
        {
            var store = new InMemoryStore();
            var f = new Fixture(new LeadTeam(store, store, store, store, options, store));
            await f.Team.SeedAsync();

            // Shared with every group, so only the deal decides who may attach or generate an offer.
            string[] everyGroup = ["hq", "north", "south"];
            f.SharedOffer = (await f.Team.Documents.AddAsync(new NewDocument("Shared offer", DocumentKind.Offer, "offer.pdf", everyGroup), new MemoryStream([1, 2, 3]), Ada)).Id;
            f.SharedTemplate = (await f.Team.Documents.AddAsync(new NewDocument("Offer template", DocumentKind.OfferTemplate, "offer.docx", everyGroup), new MemoryStream(Documents.Docx.Template("Offer for {{deal}}")), Ada)).Id;
            var at = T0;
            Instant Next() => at += Duration.FromMinutes(1);
            foreach (var owner in new[] { Ada, Mona, Sam, Sue, Tom })
            {
                var open = Opportunity.Create(new NewOpportunity($"Open {owner}", Money.Of(10m, "PLN"), null, new LocalDate(2027, 1, 1), owner), PipelineDefinition.Default, owner, Next());
                open.LogActivity(NewActivity.Call("Intro"), owner, Next());
                open.MoveTo(PipelineDefinition.Default, Stages.Qualification, owner, Next());
                open.RecordQualification(new QualificationData("Needs", null, Money.Of(10m, "PLN"), null), owner, Next());
                open.MoveTo(PipelineDefinition.Default, Stages.Offer, owner, Next());
                open.AttachOffer(DocumentId.New(), "Offer", owner, Next());
                open.MoveTo(PipelineDefinition.Default, Stages.Negotiation, owner, Next());
                f.Tasks[owner] = open.LogActivity(NewActivity.Task("Send contract", T0 + Duration.FromDays(3)), owner, Next()).Id;
                await store.SaveAsync(open.ToState());
                f.Open[owner] = open.Id;

                var closed = Opportunity.Create(new NewOpportunity($"Closed {owner}", Money.Of(10m, "PLN"), null, new LocalDate(2027, 1, 1), owner), PipelineDefinition.Default, owner, Next());
                closed.Lose(PipelineDefinition.Default, PipelineDefinition.Default.LossReasons[0], "No budget", owner, Next());
                await store.SaveAsync(closed.ToState());
                f.Closed[owner] = closed.Id;
                f.Held[owner] = new LeadId($"HELD-{owner}");
            }

            f.Team.Clock.Reset(Next() + Duration.FromHours(1));
            await f.Team.ImportAsync([.. f.Held.Select(h => NewLead(h.Value.Value, h.Key)), NewLead(f.Unassigned.Value)]);
            var account = global::SalesPipeline.Domain.Account.Create("Shared Account", null, Ada, T0);
            await store.SaveAsync(account);
            f.Account = account.Id;
            return f;
        }
    }
}
