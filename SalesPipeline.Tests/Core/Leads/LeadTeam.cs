using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Abstractions;
using SalesPipeline.Access;
using SalesPipeline.Documents;
using SalesPipeline.Domain;
using SalesPipeline.Leads;
using SalesPipeline.People;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Documents;

namespace SalesPipeline.Tests.Core.Leads;

/// <summary>
/// A team for the lead and access tests: admin Ada (group hq); manager Mona (north) over salespeople Sam and Sue; manager
/// Max (south) over salesperson Tom; every salesperson with a limit of 3;
/// Ivy, an inactive admin.
/// </summary>
internal sealed class LeadTeam
{
    public static readonly UserId Ada = new("ada");
    public static readonly UserId Mona = new("mona");
    public static readonly UserId Max = new("max");
    public static readonly UserId Sam = new("sam");
    public static readonly UserId Sue = new("sue");
    public static readonly UserId Tom = new("tom");
    public static readonly UserId Ivy = new("ivy");
    public static readonly Instant T0 = Instant.FromUtc(2026, 3, 2, 9, 0);

    public LeadTeam(IPersonStore people, ILeadStore leads, IAccountStore accounts, IOpportunityStore opportunities, LeadOptions? options = null, IDocumentStore? documents = null, DocumentOptions? documentOptions = null, IImportTarget? imports = null, IPipelineDefinitionStore? definitions = null, IAgendaStore? agenda = null)
    {
        DocumentStore = documents;
        Documents = documents is null ? null! : new DocumentService(documents, opportunities, accounts, people, PipelineCatalog.DefaultOnly, Clock, documentOptions, offerFormat: new OfficeOfferFormat());
        People = people;
        Leads = leads;
        Accounts = accounts;
        Opportunities = opportunities;
        Service = new LeadService(leads, people, accounts, opportunities, PipelineCatalog.DefaultOnly, Clock, options);
        Crm = new SalesPipelineService(
            opportunities, accounts, people, agenda ?? opportunities as IAgendaStore ?? throw new ArgumentException("Pass the agenda store of the opportunities' database.", nameof(agenda)), PipelineCatalog.DefaultOnly, Clock);
        PeopleService = new PeopleService(people, options);
        if ((imports ?? opportunities as IImportTarget) is { } target && (definitions ?? opportunities as IPipelineDefinitionStore) is { } stored)
        {
            Definitions = stored;
            PipelineDefinitions = new PipelineDefinitionService(target, opportunities, people);
        }
    }

    /// <summary>Gets or sets a deal a test set up, for commands that need one.</summary>
    public OpportunityId Deal { get; set; }

    /// <summary>Gets the stored pipeline definitions, when the store keeps them.</summary>
    public IPipelineDefinitionStore? Definitions { get; }

    /// <summary>Gets the pipeline-definition service, when the store keeps definitions.</summary>
    public PipelineDefinitionService? PipelineDefinitions { get; }

    public FakeClock Clock { get; } = new(T0, Duration.FromMinutes(1));

    public IPersonStore People { get; }

    public ILeadStore Leads { get; }

    public IAccountStore Accounts { get; }

    public IOpportunityStore Opportunities { get; }

    public LeadService Service { get; }

    public SalesPipelineService Crm { get; }

    public PeopleService PeopleService { get; }

    /// <summary>Gets the document service; only when the team was given a document store.</summary>
    public DocumentService Documents { get; }

    public IDocumentStore? DocumentStore { get; }

    public static IReadOnlyList<Person> Everyone { get; } =
    [
        new(Ada, "Ada Admin", Role.Admin, ["hq"], null, 5, true),
        new(Mona, "Mona Manager", Role.Manager, ["north"], null, 10, true),
        new(Max, "Max Manager", Role.Manager, ["south"], null, 10, true),
        new(Sam, "Sam Seller", Role.Salesperson, ["north"], Mona, 3, true),
        new(Sue, "Sue Seller", Role.Salesperson, ["north"], Mona, 3, true),
        new(Tom, "Tom Seller", Role.Salesperson, ["south"], Max, 3, true),
        new(Ivy, "Ivy Inactive", Role.Admin, ["north"], null, 3, false),
    ];

    public async Task SeedAsync()
    {
        foreach (var person in Everyone)
        {
            await People.SaveAsync(person);
        }
    }

    public async Task<IReadOnlyList<Lead>> ImportAsync(params NewLead[] leads) => await Service.ImportAsync(leads, Ada);

    public static NewLead NewLead(string id, UserId? owner = null, string? company = null) =>
        new(new LeadId(id), company ?? $"Company {id}", "retail", $"Contact {id}", "+48 600 000 000", $"{id}@example.com", "fair", null, owner);

    /// <summary>Everything the stores hold that the tests look at, to show a refusal changed nothing.</summary>
    public async Task<string> SnapshotAsync()
    {
        var people = await People.ListAsync();
        var leads = await Leads.QueryAsync(new LeadQuery());
        var deals = new List<OpportunityState>();
        await foreach (var d in Opportunities.QueryAsync(OpportunityQuery.All))
        {
            deals.Add(d);
        }

        var accounts = new List<Account>();
        await foreach (var a in Accounts.ListAsync())
        {
            accounts.Add(a);
        }

        var documents = DocumentStore is null ? [] : await DocumentStore.ListAsync();
        var definitions = Definitions is null ? [] : (await Definitions.LoadAsync()).Select(d => $"{d.Key}|{d.Value.Length}");
        return string.Join(
            "\n",
            definitions.Concat(people.Select(p => $"{p.Id}|{p.Role}|{string.Join(',', p.Groups)}|{p.LeadLimit}|{p.Active}|{p.Version}")
                .Concat(leads.Select(l => $"{l.Id}|{l.Status}|{l.Owner}|{l.Version}|{l.History.Count}"))
                .Concat(deals.OrderBy(d => d.Id.Value).Select(d => $"{d.Id}|{d.Stage}|{d.Owner}|{d.Version}|{d.History.Count}|{d.Activities.Count}|{d.Offers.Count}|{d.ProbabilityOverride}|{d.NextContact}"))
                .Concat(accounts.Select(a => $"{a.Id}|{a.Name}|{a.Contacts.Count}|{a.Version}"))
                .Concat(documents.Select(d => $"{d.Id}|{d.Title}|{d.Version}|{d.Sha256}"))));
    }
}
