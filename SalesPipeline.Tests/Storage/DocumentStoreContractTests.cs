using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Access;
using SalesPipeline.Documents;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Tests.Core.Documents;
using SalesPipeline.Tests.Core.Leads;
using Xunit;
using static SalesPipeline.Tests.Core.Leads.LeadTeam;

namespace SalesPipeline.Tests.Storage;

/// <summary>
/// Documents and offers through the document service, run against the in-memory store, SQLite and a real PostgreSQL server;
/// each test gets a store of its own. The team is <see cref="LeadTeam"/>'s: Sam and Sue sell in north under Mona, Tom in
/// south under Max, Ada is an admin in hq.
/// </summary>
public abstract class DocumentStoreContractTests(Func<StoreFixture> newFixture) : IAsyncLifetime
{
    /// <summary>The size limit of these tests, small so the boundary is cheap to cross.</summary>
    private const int Limit = 20_000;

    private readonly StoreFixture _fixture = newFixture();
    private LeadTeam? _team;

    private LeadTeam Team => _team ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync()
    {
        await _fixture.InitializeAsync();
        _team = new LeadTeam(_fixture.People, _fixture.Leads, _fixture.Accounts, _fixture.Opportunities, null, _fixture.Documents, new DocumentOptions { MaxSizeBytes = Limit }, agenda: _fixture.Agenda);
        await Team.SeedAsync();
    }

    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task Add_ThenFindListAndGet_RoundTripsEveryFieldAndTheBytes()
    {
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

        var added = await Team.Documents.AddAsync(new NewDocument("NDA Acme", DocumentKind.Nda, "nda.pdf", ["south", "north"]), new MemoryStream(bytes), Ada);

        var expected = new Document(added.Id, "NDA Acme", 1, DocumentKind.Nda, "nda.pdf", "application/pdf", 256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), ["north", "south"], Ada, Team.Clock.GetCurrentInstant() - Duration.FromMinutes(1));
        Assert.Equal(expected, added);
        Assert.Equal(expected, await _fixture.Documents.FindAsync(added.Id));
        Assert.Equal([expected], await _fixture.Documents.ListAsync());
        var read = await Team.Documents.GetAsync(added.Id, Sam);
        Assert.Equal(expected, read.Document);
        Assert.Equal(bytes, read.Content.ToArray());
        Assert.Null(await _fixture.Documents.FindAsync(DocumentId.New()));
        await Assert.ThrowsAsync<DocumentNotFoundException>(() => Team.Documents.GetAsync(DocumentId.New(), Ada));
    }

    [Fact]
    public async Task Add_SameTitleAgain_AddsAVersionAndEarlierVersionsStayReadable()
    {
        var v1 = await Team.Documents.AddAsync(new NewDocument("Terms 2026", DocumentKind.Contract, "terms.pdf", ["north"]), new MemoryStream([1, 1]), Mona);
        var v2 = await Team.Documents.AddAsync(new NewDocument("Terms 2026", DocumentKind.Contract, "terms-v2.pdf", ["north"]), new MemoryStream([2, 2, 2]), Sam);

        Assert.Equal((1, 2), (v1.Version, v2.Version));
        Assert.Equal([v1.Id, v2.Id], (await _fixture.Documents.VersionsAsync("Terms 2026")).Select(d => d.Id));
        Assert.Equal([v2.Id], (await Team.Documents.ListAsync(Sam)).Select(d => d.Id));
        Assert.Equal([v1.Id, v2.Id], (await Team.Documents.ListAsync(Sam, allVersions: true)).Select(d => d.Id));
        Assert.Equal([1, 1], (await Team.Documents.GetVersionAsync(v2.Id, 1, Sam)).Content.ToArray());
        Assert.Equal([2, 2, 2], (await Team.Documents.GetVersionAsync(v1.Id, 2, Sam)).Content.ToArray());
        Assert.Equal([1, 1], (await Team.Documents.GetAsync(v1.Id, Sam)).Content.ToArray());
        var missing = await Assert.ThrowsAsync<DocumentNotFoundException>(() => Team.Documents.GetVersionAsync(v1.Id, 3, Sam));
        Assert.Contains("has versions 1 to 2, not 3", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_SameTitleAndVersionTwice_ThrowsConflictAndKeepsTheFirst()
    {
        var first = await Team.Documents.AddAsync(new NewDocument("Contract", DocumentKind.Contract, "c.pdf", ["north"]), new MemoryStream([1]), Sam);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _fixture.Documents.AddAsync(first with { Id = DocumentId.New() }, new byte[] { 9 }));

        Assert.Equal([first], await _fixture.Documents.ListAsync());
    }

    [Theory]
    [InlineData(Limit - 1, true)]
    [InlineData(Limit, true)]
    [InlineData(Limit + 1, false)]
    public async Task Add_SizeAroundTheLimit_StoredUpToTheLimitAndRefusedAboveWithNothingStored(int size, bool stored)
    {
        var before = await Team.SnapshotAsync();
        foreach (var seekable in new[] { true, false })
        {
            var content = new byte[size];
            Stream stream = seekable ? new MemoryStream(content) : new ForwardOnlyStream(content);
            var add = () => Team.Documents.AddAsync(new NewDocument($"Brochure {seekable}", DocumentKind.Other, "b.bin", ["north"]), stream, Sam);
            if (stored)
            {
                Assert.Equal(size, (await add()).Size);
            }
            else
            {
                var e = await Assert.ThrowsAsync<DocumentTooLargeException>(add);
                Assert.Equal("'b.bin' is larger than the document size limit of 20000 bytes; make it smaller or ask an administrator to raise the limit. Nothing was stored.", e.Message);
            }
        }

        Assert.Equal(stored ? 2 : 0, (await _fixture.Documents.ListAsync()).Count);
        if (!stored)
        {
            Assert.Equal(before, await Team.SnapshotAsync());
        }
    }

    [Fact]
    public async Task Get_AttachedDocument_ReadByWhoeverMaySeeTheDealAndNobodyElseOutsideItsGroups()
    {
        var deal = await DealInOfferStageAsync(Sam);
        var offer = await Team.Documents.AddAsync(new NewDocument("Offer for Sam's client", DocumentKind.Offer, "offer.pdf", ["hq"]), new MemoryStream([7]), Ada);
        await Team.Documents.AttachOfferAsync(deal, offer.Id, Ada);

        Assert.Equal([new DocumentAttachment(offer.Id, deal, Sam)], await _fixture.Documents.AttachmentsAsync(offer.Id));
        foreach (var (reader, allowed) in new[] { (Sam, true), (Mona, true), (Ada, true), (Sue, false), (Tom, false), (Max, false) })
        {
            Assert.Equal(allowed, (await Team.Documents.ListAsync(reader)).Any(d => d.Id == offer.Id));
            if (allowed)
            {
                Assert.Equal([7], (await Team.Documents.GetAsync(offer.Id, reader)).Content.ToArray());
            }
            else
            {
                var e = await Assert.ThrowsAsync<AccessDeniedException>(() => Team.Documents.GetAsync(offer.Id, reader));
                Assert.DoesNotContain("Offer for", e.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task CreateOffer_FromTemplateAndPriceList_StoredAttachedAndTheDealMayMoveToNegotiation()
    {
        var deal = await DealInOfferStageAsync(Sam);
        var template = await Team.Documents.AddAsync(
            new NewDocument("Standard offer", DocumentKind.OfferTemplate, "offer.docx", ["north"]),
            new MemoryStream(Docx.WithRuns(["Offer for ", "{{de", "al}}", " to {{account}}"], ["Value: {{value}}, owner {{owner}}, decision by {{expected-close}}, dated {{today}}."], ["{{line1.item}}: {{line1.unit-price}}; {{line2.item}}: {{line2.unit-price}}"])),
            Mona);
        var prices = await Team.Documents.AddAsync(
            new NewDocument("Prices", DocumentKind.PriceList, "prices.xlsx", ["north"]),
            new MemoryStream(Xlsx.PriceList(("Licence", 1200m), ("Training day", 900.5m), ("Support year", 3000m))),
            Mona);
        var blockers = await Team.Crm.WhyNotAsync(deal, Stages.Negotiation);
        Assert.Equal(["offer-attached"], blockers.Select(b => b.Id));

        var offer = await Team.Documents.CreateOfferAsync(new NewOffer(deal, template.Id, prices.Id, [3, 1]), Sam);

        Assert.Equal(("Offer – ERP rollout", DocumentKind.Offer, "Offer – ERP rollout.docx", "north"), (offer.Title, offer.Kind, offer.FileName, string.Join(',', offer.Groups)));
        var read = await Team.Documents.GetAsync(offer.Id, Sam);
        Assert.Equal(
            ["Offer for ERP rollout to Kowalski Logistics", "Value: 120,000.00 PLN, owner Sam Seller, decision by 2027-03-31, dated 2026-03-02.", "Support year: 3000.00; Licence: 1200.00"],
            Docx.Paragraphs(read.Content));
        Assert.Equal([new DocumentAttachment(offer.Id, deal, Sam)], await _fixture.Documents.AttachmentsAsync(offer.Id));
        Assert.Equal(Stages.Negotiation, (await Team.Crm.MoveAsync(deal, Stages.Negotiation, Sam)).Stage);
    }

    [Fact]
    public async Task CreateOffer_TemplateWithAnUnknownPlaceholder_NamesItAndStoresNothing()
    {
        var deal = await DealInOfferStageAsync(Sam);
        var template = await Team.Documents.AddAsync(new NewDocument("Odd offer", DocumentKind.OfferTemplate, "odd.docx", ["north"]), new MemoryStream(Docx.Template("Dear {{contact}},", "{{deal}} {{line1.item}}")), Mona);
        var before = await Team.SnapshotAsync();

        var e = await Assert.ThrowsAsync<OfferGenerationException>(() => Team.Documents.CreateOfferAsync(new NewOffer(deal, template.Id), Sam));

        Assert.Equal(["contact", "line1.item"], e.UnknownPlaceholders);
        Assert.StartsWith("The template 'odd.docx' uses {{contact}}, {{line1.item}}, which have no value. Placeholders with a value here: {{account}}, {{deal}}, {{expected-close}}, {{owner}}, {{today}}, {{value}}.", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await Team.SnapshotAsync());
    }

    [Fact]
    public async Task AddOffer_DealChangedSinceRead_WritesNeitherTheDocumentNorTheDeal()
    {
        var id = await DealInOfferStageAsync(Sam);
        var stale = Opportunity.Restore((await _fixture.Opportunities.FindAsync(id))!, PipelineDefinition.Default);
        await Team.Crm.LogActivityAsync(id, NewActivity.Note("Meanwhile"), Sam);
        var document = new Document(DocumentId.New(), "Offer", 1, DocumentKind.Offer, "o.pdf", "application/pdf", 1, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([5])), ["north"], Sam, Team.Clock.GetCurrentInstant());
        stale.AttachOffer(document.Id, document.Title, Sam, document.UploadedAt);
        var before = await Team.SnapshotAsync();

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _fixture.Documents.AddOfferAsync(document, new byte[] { 5 }, stale.ToState()));

        Assert.Equal(before, await Team.SnapshotAsync());
        Assert.Empty(await _fixture.Documents.ListAsync());
    }

    /// <summary>A deal of <paramref name="owner"/>'s for Kowalski Logistics in the Offer stage, its needs and budget recorded.</summary>
    private async Task<OpportunityId> DealInOfferStageAsync(UserId owner)
    {
        var account = await Team.Crm.CreateAccountAsync("Kowalski Logistics", "Transport", owner);
        var deal = await Team.Crm.CreateAsync(new NewOpportunity("ERP rollout", Money.Of(120_000m, "PLN"), account.Id, new LocalDate(2027, 3, 31), owner), owner);
        await Team.Crm.LogActivityAsync(deal.Id, NewActivity.Call("Intro call"), owner);
        await Team.Crm.MoveAsync(deal.Id, Stages.Qualification, owner);
        await Team.Crm.RecordQualificationAsync(deal.Id, new QualificationData("Replace spreadsheets", null, Money.Of(150_000m, "PLN"), null), owner);
        await Team.Crm.MoveAsync(deal.Id, Stages.Offer, owner);
        return deal.Id;
    }

    /// <summary>A stream that cannot tell its length, as a network upload.</summary>
    private sealed class ForwardOnlyStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}

public sealed class InMemoryDocumentStoreContractTests() : DocumentStoreContractTests(() => new InMemoryStoreFixture());

public sealed class SqliteDocumentStoreContractTests() : DocumentStoreContractTests(() => new SqliteStoreFixture());

public sealed class PostgresDocumentStoreContractTests() : DocumentStoreContractTests(() => new PostgresStoreFixture());
