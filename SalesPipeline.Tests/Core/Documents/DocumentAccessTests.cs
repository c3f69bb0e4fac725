using NodaTime;
using SalesPipeline.Access;
using SalesPipeline.Documents;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.Tests.Core.Leads;
using Xunit;
using static SalesPipeline.Tests.Core.Leads.LeadTeam;

namespace SalesPipeline.Tests.Core.Documents;

/// <summary>
/// Who may list and read a document, for each role and group combination: Sam and Sue sell in north under Mona, Tom sells
/// in south under Max, Ada is an admin in hq. A refused listing leaves the document out entirely; a refused read throws the
/// access exception without the title.
/// </summary>
public sealed class DocumentAccessTests
{
    /// <summary>The documents: title → groups.</summary>
    private static readonly Dictionary<string, string[]> Shared = new()
    {
        ["North playbook"] = ["north"],
        ["South playbook"] = ["south"],
        ["Board minutes"] = ["hq"],
        ["Company NDA"] = ["north", "south"],
    };

    public static TheoryData<string, string, bool> Cases()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var person in Everyone.Where(p => p.Active))
        {
            foreach (var (title, groups) in Shared)
            {
                data.Add(person.Id.Value, title, person.Role == SalesPipeline.People.Role.Admin || groups.Any(person.InGroup));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ListAndGet_EachRoleAndGroup_SeenOnlyByMembersOfItsGroupsAndAdmins(string reader, string title, bool allowed)
    {
        var (team, ids) = await SetUpAsync();
        var by = new UserId(reader);

        var listed = await team.Documents.ListAsync(by, allVersions: true);

        Assert.Equal(allowed, listed.Any(d => d.Id == ids[title]));
        Assert.Equal(allowed, listed.Any(d => d.Title == title));
        if (allowed)
        {
            Assert.Equal(title, (await team.Documents.GetAsync(ids[title], by)).Document.Title);
        }
        else
        {
            var e = await Assert.ThrowsAsync<AccessDeniedException>(() => team.Documents.GetAsync(ids[title], by));
            Assert.Equal($"'{reader}' may not read document {ids[title]}: it is shared with groups they are not in and is not attached to a deal they may see. Nothing was changed.", e.Message);
            await Assert.ThrowsAsync<AccessDeniedException>(() => team.Documents.GetVersionAsync(ids[title], 2, by));
        }
    }

    [Fact]
    public async Task List_Salesperson_ShowsExactlyTheirGroupsDocuments()
    {
        var (team, _) = await SetUpAsync();

        Assert.Equal(["Company NDA", "South playbook"], (await team.Documents.ListAsync(Tom)).Select(d => d.Title));
        Assert.Equal(["Board minutes", "Company NDA", "North playbook", "South playbook"], (await team.Documents.ListAsync(Ada)).Select(d => d.Title));
    }

    [Fact]
    public async Task ListAndGet_UnknownOrInactiveUser_AreRefused()
    {
        var (team, ids) = await SetUpAsync();

        foreach (var by in new[] { new UserId("stranger"), Ivy })
        {
            await Assert.ThrowsAsync<AccessDeniedException>(() => team.Documents.ListAsync(by));
            await Assert.ThrowsAsync<AccessDeniedException>(() => team.Documents.GetAsync(ids["Company NDA"], by));
        }
    }

    [Fact]
    public async Task Add_ToAGroupTheUploaderIsNotIn_IsRefusedUnlessAdminAndStoresNothing()
    {
        var (team, _) = await SetUpAsync();
        var before = await team.SnapshotAsync();

        var e = await Assert.ThrowsAsync<AccessDeniedException>(() => team.Documents.AddAsync(new NewDocument("Leak", DocumentKind.Other, "x.txt", ["south"]), new MemoryStream([1]), Mona));
        Assert.Contains("share a document with group 'south'", e.Message, StringComparison.Ordinal);
        var version = await Assert.ThrowsAsync<AccessDeniedException>(() => team.Documents.AddAsync(new NewDocument("Board minutes", DocumentKind.Other, "x.txt", ["north"]), new MemoryStream([1]), Sam));
        Assert.DoesNotContain("hq", version.Message, StringComparison.Ordinal);

        Assert.Equal(before, await team.SnapshotAsync());
        Assert.Equal(2, (await team.Documents.AddAsync(new NewDocument("Board minutes", DocumentKind.Other, "x.txt", ["south"]), new MemoryStream([1]), Ada)).Version);
    }

    [Fact]
    public async Task CreateOffer_UnderATitleTheyMayNotRead_IsRefusedWithoutNamingItsKindAndStoresNothing()
    {
        var (team, _) = await SetUpAsync();
        var template = await team.Documents.AddAsync(new NewDocument("Offer template", DocumentKind.OfferTemplate, "t.docx", ["north", "south"]), new MemoryStream(Docx.Template("Offer for {{deal}}")), Ada);
        var samsDeal = await team.Crm.CreateAsync(new NewOpportunity("North rollout", Money.Of(1_000m, "PLN"), null, new LocalDate(2027, 3, 31), Sam), Sam);
        var tomsDeal = await team.Crm.CreateAsync(new NewOpportunity("South rollout", Money.Of(1_000m, "PLN"), null, new LocalDate(2027, 3, 31), Tom), Tom);
        var samsOffer = await team.Documents.CreateOfferAsync(new NewOffer(samsDeal.Id, template.Id), Sam);
        var before = await team.SnapshotAsync();
        var documents = await team.DocumentStore!.ListAsync();

        var offer = await Assert.ThrowsAsync<AccessDeniedException>(() => team.Documents.CreateOfferAsync(new NewOffer(tomsDeal.Id, template.Id, Title: samsOffer.Title), Tom));
        var playbook = await Assert.ThrowsAsync<AccessDeniedException>(() => team.Documents.CreateOfferAsync(new NewOffer(tomsDeal.Id, template.Id, Title: "North playbook"), Tom));

        Assert.Equal("'tom' may not add a version of this document: they may not read its latest version; give yours another title. Nothing was changed.", offer.Message);
        Assert.Equal(offer.Message, playbook.Message);
        Assert.Equal(before, await team.SnapshotAsync());
        Assert.Equal(documents, await team.DocumentStore.ListAsync());
        Assert.Equal(2, (await team.Documents.CreateOfferAsync(new NewOffer(samsDeal.Id, template.Id), Sam)).Version);
        Assert.Contains("'North playbook' is stored as a other", (await Assert.ThrowsAsync<ArgumentException>(() => team.Documents.CreateOfferAsync(new NewOffer(samsDeal.Id, template.Id, Title: "North playbook"), Sam))).Message, StringComparison.Ordinal);
    }

    private static async Task<(LeadTeam Team, Dictionary<string, DocumentId> Ids)> SetUpAsync()
    {
        var store = new InMemoryStore();
        var team = new LeadTeam(store, store, store, store, null, store);
        await team.SeedAsync();
        var ids = new Dictionary<string, DocumentId>();
        foreach (var (title, groups) in Shared)
        {
            ids[title] = (await team.Documents.AddAsync(new NewDocument(title, DocumentKind.Other, "f.txt", groups), new MemoryStream([1, 2]), Ada)).Id;
        }

        return (team, ids);
    }
}
