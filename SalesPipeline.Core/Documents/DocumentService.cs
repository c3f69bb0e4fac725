using System.Globalization;
using System.Security.Cryptography;
using NodaTime;
using NodaTime.Text;
using SalesPipeline.Abstractions;
using SalesPipeline.Access;
using SalesPipeline.Domain;
using SalesPipeline.People;
using SalesPipeline.Process;

namespace SalesPipeline.Documents;

/// <summary>The <see cref="IDocumentService"/> implementation. Usable without a container.</summary>
/// <remarks>Thread-safe; holds no per-call state.</remarks>
public sealed class DocumentService : IDocumentService
{
    private static readonly LocalDatePattern DatePattern = LocalDatePattern.Iso;

    private readonly IDocumentStore _documents;
    private readonly IOpportunityStore _opportunities;
    private readonly IAccountStore _accounts;
    private readonly IPersonStore _people;
    private readonly PipelineCatalog _pipelines;
    private readonly IClock _clock;
    private readonly DocumentOptions _options;
    private readonly AccessGate _access;
    private readonly IOfferFormat? _format;

    /// <summary>Creates the service.</summary>
    /// <param name="documents">Where documents are stored.</param>
    /// <param name="opportunities">Where deals are stored.</param>
    /// <param name="accounts">Where the deals' accounts are stored (for offers).</param>
    /// <param name="people">Who may act, in which role and groups.</param>
    /// <param name="pipelines">The pipelines deals belong to.</param>
    /// <param name="clock">The source of every instant the service records.</param>
    /// <param name="options">The document options; the defaults when left out.</param>
    /// <param name="access">The access options; checks are on when left out.</param>
    /// <param name="offerFormat">Reads price lists (checking each one uploaded) and fills templates; without it <see cref="CreateOfferAsync"/> is refused.</param>
    public DocumentService(IDocumentStore documents, IOpportunityStore opportunities, IAccountStore accounts, IPersonStore people, PipelineCatalog pipelines, IClock clock, DocumentOptions? options = null, AccessOptions? access = null, IOfferFormat? offerFormat = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(opportunities);
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(people);
        ArgumentNullException.ThrowIfNull(pipelines);
        ArgumentNullException.ThrowIfNull(clock);
        _documents = documents;
        _opportunities = opportunities;
        _accounts = accounts;
        _people = people;
        _pipelines = pipelines;
        _clock = clock;
        _options = options ?? new DocumentOptions();
        _access = new AccessGate(people, access ?? new AccessOptions());
        _format = offerFormat;
    }

    /// <inheritdoc />
    public async Task<Document> AddAsync(NewDocument document, Stream content, UserId by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(content);
        var actor = await _access.ActorAsync(by, "upload a document", cancellationToken).ConfigureAwait(false);
        var title = Text.Required(document.Title, "title", 300);
        if (!Enum.IsDefined(document.Kind))
        {
            throw new ArgumentException($"'kind' must be one of {string.Join(", ", DocumentKinds.Names)}.", nameof(document));
        }

        var fileName = FileName(document.FileName);
        var groups = await GroupsAsync(document.Groups, actor, cancellationToken).ConfigureAwait(false);
        var contentType = ContentType(document.ContentType, fileName);
        var versions = await VersionsToFollowAsync(actor, by, title, cancellationToken).ConfigureAwait(false);
        if (versions.Count > 0 && versions[^1].Kind != document.Kind)
        {
            throw new ArgumentException($"'{title}' is stored as a {DocumentKinds.Name(versions[^1].Kind)}, so a new version must be one too; store it with the kind {DocumentKinds.Name(versions[^1].Kind)}, or under another title.", nameof(document));
        }

        var bytes = await ReadLimitedAsync(content, fileName, cancellationToken).ConfigureAwait(false);
        if (document.Kind == DocumentKind.PriceList && _format is { } format)
        {
            // Read as an offer will read it, so a list no offer could quote from is never stored.
            format.ReadPriceList(bytes, fileName);
        }

        var stored = Describe(DocumentId.New(), title, versions.Count + 1, document.Kind, fileName, contentType, bytes, groups, by);
        await _documents.AddAsync(stored, bytes, cancellationToken).ConfigureAwait(false);
        return stored;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Document>> ListAsync(UserId by, bool allVersions = false, CancellationToken cancellationToken = default)
    {
        var actor = await _access.ActorAsync(by, "list documents", cancellationToken).ConfigureAwait(false);
        IEnumerable<Document> visible = await _documents.ListAsync(cancellationToken).ConfigureAwait(false);
        if (actor is not null && actor.Role != Role.Admin)
        {
            var owners = (await _documents.AttachmentsAsync(null, cancellationToken).ConfigureAwait(false)).ToLookup(a => a.Document, a => a.Owner);
            var people = await PeopleAsync(cancellationToken).ConfigureAwait(false);
            visible = visible.Where(d => AccessGate.MayRead(actor, d, owners[d.Id], people)).ToList();
        }

        return allVersions
            ? [.. visible]
            : [.. visible.GroupBy(d => d.Title, StringComparer.Ordinal).Select(g => g.MaxBy(d => d.Version)!)];
    }

    /// <inheritdoc />
    public async Task<DocumentContent> GetAsync(DocumentId id, UserId by, CancellationToken cancellationToken = default)
    {
        var actor = await _access.ActorAsync(by, $"read document {id}", cancellationToken).ConfigureAwait(false);
        var document = await _documents.FindAsync(id, cancellationToken).ConfigureAwait(false) ?? throw NotFound(id);
        return await ReadAsync(actor, by, document, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<DocumentContent> GetVersionAsync(DocumentId id, int version, UserId by, CancellationToken cancellationToken = default)
    {
        var actor = await _access.ActorAsync(by, $"read document {id}", cancellationToken).ConfigureAwait(false);
        var document = await _documents.FindAsync(id, cancellationToken).ConfigureAwait(false) ?? throw NotFound(id);
        if (document.Version != version)
        {
            var versions = await _documents.VersionsAsync(document.Title, cancellationToken).ConfigureAwait(false);
            var wanted = versions.FirstOrDefault(v => v.Version == version);
            if (wanted is null)
            {
                // Only someone who may read the document learns how many versions it has.
                await RequireMayReadAsync(actor, by, document, cancellationToken).ConfigureAwait(false);
                throw new DocumentNotFoundException(id, $"Document {id} has versions 1 to {versions.Count}, not {version}; give --version between 1 and {versions.Count}.");
            }

            document = wanted;
        }

        return await ReadAsync(actor, by, document, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<OfferDocument> AttachOfferAsync(OpportunityId deal, DocumentId document, UserId by, CancellationToken cancellationToken = default)
    {
        var action = $"attach document {document} to deal {deal}";
        var actor = await _access.ActorAsync(by, action, cancellationToken).ConfigureAwait(false);
        var opportunity = await LoadDealAsync(deal, cancellationToken).ConfigureAwait(false);
        if (actor is not null)
        {
            await _access.RequireMayActForAsync(actor, opportunity.Owner, action, cancellationToken).ConfigureAwait(false);
        }

        var offer = await _documents.FindAsync(document, cancellationToken).ConfigureAwait(false) ?? throw NotFound(document);
        await RequireMayReadAsync(actor, by, offer, cancellationToken).ConfigureAwait(false);
        if (offer.Kind != DocumentKind.Offer)
        {
            throw new ArgumentException($"Document {document} is a {DocumentKinds.Name(offer.Kind)}; only an offer can be attached to a deal (store it with the kind offer).", nameof(document));
        }

        var attached = opportunity.AttachOffer(offer.Id, offer.Title, by, _clock.GetCurrentInstant());
        opportunity.MarkPersisted(await _opportunities.SaveAsync(opportunity.ToState(), cancellationToken).ConfigureAwait(false));
        return attached;
    }

    /// <inheritdoc />
    public async Task<Document> CreateOfferAsync(NewOffer offer, UserId by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offer);
        var action = $"generate an offer for deal {offer.Deal}";
        var actor = await _access.ActorAsync(by, action, cancellationToken).ConfigureAwait(false);
        var deal = await LoadDealAsync(offer.Deal, cancellationToken).ConfigureAwait(false);
        if (actor is not null)
        {
            await _access.RequireMayActForAsync(actor, deal.Owner, action, cancellationToken).ConfigureAwait(false);
        }

        var format = _format ?? throw new InvalidOperationException("Offers cannot be generated here: no offer format (IOfferFormat) is registered.");
        var lines = offer.Lines ?? [];
        if (offer.PriceList is null && lines.Count > 0)
        {
            throw new ArgumentException("Price-list lines were chosen without a price list; give the price list (--price-list DOC) or leave out the lines.", nameof(offer));
        }

        if (offer.PriceList is not null && lines.Count == 0)
        {
            throw new ArgumentException("A price list was given without lines; choose its lines by number (for example --lines 1,3).", nameof(offer));
        }

        var title = Text.Required(offer.Title ?? $"Offer – {deal.Name}", "title", 300);
        var template = await GetAsync(offer.Template, by, cancellationToken).ConfigureAwait(false);
        if (template.Document.Kind != DocumentKind.OfferTemplate)
        {
            throw new OfferGenerationException($"Document {offer.Template} is a {DocumentKinds.Name(template.Document.Kind)}, not an offer-template; store the .docx template with the kind offer-template. Nothing was stored.");
        }

        var values = await ValuesAsync(deal, cancellationToken).ConfigureAwait(false);
        if (offer.PriceList is { } priceListId)
        {
            var priceList = await GetAsync(priceListId, by, cancellationToken).ConfigureAwait(false);
            if (priceList.Document.Kind != DocumentKind.PriceList)
            {
                throw new OfferGenerationException($"Document {priceListId} is a {DocumentKinds.Name(priceList.Document.Kind)}, not a price-list; store the .xlsx price list with the kind price-list. Nothing was stored.");
            }

            AddLines(values, format.ReadPriceList(priceList.Content, priceList.Document.FileName), lines, priceList.Document.FileName);
        }

        var bytes = format.Fill(template.Content, template.Document.FileName, values);
        if (bytes.Length > _options.MaxSizeBytes)
        {
            throw new DocumentTooLargeException(title + format.Extension, _options.MaxSizeBytes);
        }

        var versions = await VersionsToFollowAsync(actor, by, title, cancellationToken).ConfigureAwait(false);
        if (versions.Count > 0 && versions[^1].Kind != DocumentKind.Offer)
        {
            throw new ArgumentException($"'{title}' is stored as a {DocumentKinds.Name(versions[^1].Kind)}; give the offer another title.", nameof(offer));
        }

        var owner = await _people.FindAsync(deal.Owner, cancellationToken).ConfigureAwait(false);
        var groups = owner?.Groups ?? template.Document.Groups;
        var document = Describe(DocumentId.New(), title, versions.Count + 1, DocumentKind.Offer, SafeFileName(title) + format.Extension, format.ContentType, bytes, groups, by);
        deal.AttachOffer(document.Id, document.Title, by, document.UploadedAt);
        deal.MarkPersisted(await _documents.AddOfferAsync(document, bytes, deal.ToState(), cancellationToken).ConfigureAwait(false));
        return document;
    }

    private static DocumentNotFoundException NotFound(DocumentId id) =>
        new(id, $"No document you may see has id {id}.");

    private static string FileName(string? fileName)
    {
        var name = Path.GetFileName(Text.Required(fileName, "file name", 1000));
        return string.IsNullOrWhiteSpace(name) || name.Length > 255
            ? throw new ArgumentException($"'file name' must be a file's name of at most 255 characters, was '{fileName}'.", nameof(fileName))
            : name;
    }

    private static string SafeFileName(string title)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var name = new string([.. title.Select(c => invalid.Contains(c) || char.IsControl(c) ? '_' : c)]).Trim();
        return name.Length > 200 ? name[..200] : name;
    }

    private static string ContentType(string? given, string fileName)
    {
        if (!string.IsNullOrWhiteSpace(given))
        {
            return Text.Required(given, "content type", 200);
        }

        return Path.GetExtension(fileName).ToUpperInvariant() switch
        {
            ".DOCX" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".XLSX" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".PDF" => "application/pdf",
            ".CSV" => "text/csv",
            ".TXT" => "text/plain",
            _ => "application/octet-stream",
        };
    }

    private static void AddLines(Dictionary<string, string> values, IReadOnlyList<PriceListLine> priceList, IReadOnlyList<int> chosen, string fileName)
    {
        if (chosen.Distinct().Count() != chosen.Count)
        {
            throw new OfferGenerationException($"Price-list line {chosen.GroupBy(n => n).First(g => g.Count() > 1).Key} is chosen twice; choose each line once. Nothing was stored.");
        }

        for (var i = 0; i < chosen.Count; i++)
        {
            var line = priceList.FirstOrDefault(l => l.Number == chosen[i])
                ?? throw new OfferGenerationException($"'{fileName}' has lines 1 to {priceList.Count}; there is no line {chosen[i]}. Nothing was stored.");
            foreach (var (column, value) in line.Fields)
            {
                values[$"line{i + 1}.{column}"] = value;
            }
        }
    }

    private Document Describe(DocumentId id, string title, int version, DocumentKind kind, string fileName, string contentType, ReadOnlyMemory<byte> bytes, IReadOnlyList<string> groups, UserId by) =>
        new(id, title, version, kind, fileName, contentType, bytes.Length, Sha256(bytes.Span), groups, by, _clock.GetCurrentInstant());

    private static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private async Task<Dictionary<string, string>> ValuesAsync(Opportunity deal, CancellationToken cancellationToken)
    {
        var account = deal.Account is { } accountId ? await _accounts.FindAsync(accountId, cancellationToken).ConfigureAwait(false) : null;
        var owner = await _people.FindAsync(deal.Owner, cancellationToken).ConfigureAwait(false);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["deal"] = deal.Name,
            ["account"] = account?.Name ?? string.Empty,
            ["value"] = deal.Value.Amount.ToString("N2", CultureInfo.InvariantCulture) + " " + deal.Value.Currency,
            ["owner"] = owner?.DisplayName ?? deal.Owner.Value,
            ["expected-close"] = DatePattern.Format(deal.ExpectedClose),
            ["today"] = DatePattern.Format(_clock.GetCurrentInstant().InUtc().Date),
        };
    }

    private async Task<Opportunity> LoadDealAsync(OpportunityId id, CancellationToken cancellationToken)
    {
        var state = await _opportunities.FindAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new OpportunityNotFoundException(id);
        return Opportunity.Restore(state, _pipelines.Get(state.PipelineId));
    }

    private async Task<IReadOnlyList<string>> GroupsAsync(IReadOnlyList<string>? groups, Person? actor, CancellationToken cancellationToken)
    {
        if (groups is null || groups.Count == 0 || groups.All(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("'groups' must name at least one group whose members may see the document, such as 'north'.", nameof(groups));
        }

        var chosen = groups.Where(g => !string.IsNullOrWhiteSpace(g)).Select(g => g.Trim()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        foreach (var g in chosen.Where(g => !StageId.IsValid(g)))
        {
            throw new ArgumentException($"'{g}' is not a valid group: use lower-case letters, digits and hyphens, starting with a letter (for example 'north').", nameof(groups));
        }

        if (actor is null)
        {
            return chosen;
        }

        var known = (await _people.ListAsync(cancellationToken).ConfigureAwait(false)).SelectMany(p => p.Groups).ToHashSet(StringComparer.Ordinal);
        var unknown = chosen.Where(g => !known.Contains(g)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"No one is in group {string.Join(", ", unknown.Select(g => $"'{g}'"))}; use groups people belong to ({string.Join(", ", known.Order(StringComparer.Ordinal))}).", nameof(groups));
        }

        if (actor.Role != Role.Admin && chosen.FirstOrDefault(g => !actor.InGroup(g)) is { } foreign)
        {
            throw new AccessDeniedException(actor.Id, $"share a document with group '{foreign}'", $"they are not in it (their groups: {string.Join(", ", actor.Groups)}); only an admin shares with other groups");
        }

        return chosen;
    }

    private async Task<byte[]> ReadLimitedAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        var limit = _options.MaxSizeBytes;
        if (content.CanSeek && content.Length - content.Position > limit)
        {
            throw new DocumentTooLargeException(fileName, limit);
        }

        // Reads at most one byte over the limit, so an endless or huge stream is refused without being held in memory.
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, limit + 1 - buffer.Length)), cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
            {
                throw new DocumentTooLargeException(fileName, limit);
            }
        }

        return buffer.ToArray();
    }

    private async Task<IReadOnlyDictionary<UserId, Person>> PeopleAsync(CancellationToken cancellationToken) =>
        (await _people.ListAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(p => p.Id);

    private async Task<bool> MayReadAsync(Person actor, Document document, CancellationToken cancellationToken)
    {
        if (actor.Role == Role.Admin || document.Groups.Any(actor.InGroup))
        {
            return true;
        }

        var owners = (await _documents.AttachmentsAsync(document.Id, cancellationToken).ConfigureAwait(false)).Select(a => a.Owner).ToList();
        return owners.Count > 0 && AccessGate.MayRead(actor, document, owners, await PeopleAsync(cancellationToken).ConfigureAwait(false));
    }

    private async Task RequireMayReadAsync(Person? actor, UserId by, Document document, CancellationToken cancellationToken)
    {
        // The reason names neither the title nor the groups: a refused reader learns nothing about the document.
        if (actor is not null && !await MayReadAsync(actor, document, cancellationToken).ConfigureAwait(false))
        {
            throw new AccessDeniedException(by, $"read document {document.Id}", "it is shared with groups they are not in and is not attached to a deal they may see");
        }
    }

    /// <summary>
    /// The versions stored under <paramref name="title"/>, which a new version, uploaded or generated, is to follow; refused
    /// unless the actor may read the latest one, before anything about it (such as its kind) is named.
    /// </summary>
    private async Task<IReadOnlyList<Document>> VersionsToFollowAsync(Person? actor, UserId by, string title, CancellationToken cancellationToken)
    {
        var versions = await _documents.VersionsAsync(title, cancellationToken).ConfigureAwait(false);
        if (actor is not null && versions.Count > 0 && !await MayReadAsync(actor, versions[^1], cancellationToken).ConfigureAwait(false))
        {
            throw new AccessDeniedException(by, "add a version of this document", "they may not read its latest version; give yours another title");
        }

        return versions;
    }

    private async Task<DocumentContent> ReadAsync(Person? actor, UserId by, Document document, CancellationToken cancellationToken)
    {
        await RequireMayReadAsync(actor, by, document, cancellationToken).ConfigureAwait(false);
        var bytes = await _documents.ReadContentAsync(document.Id, cancellationToken).ConfigureAwait(false) ?? throw NotFound(document.Id);
        var actual = Sha256(bytes);
        if (bytes.Length != document.Size || !string.Equals(actual, document.Sha256, StringComparison.Ordinal))
        {
            throw new DocumentIntegrityException(document.Id, document.Sha256, actual);
        }

        return new DocumentContent(document, bytes);
    }
}
