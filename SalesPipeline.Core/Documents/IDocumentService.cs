using SalesPipeline.Domain;

namespace SalesPipeline.Documents;

/// <summary>
/// Documents by group, and offers. A document is listed and read only by members of one of its groups, by admins and — for
/// a document attached to a deal — by whoever may see that deal. A document the acting user may not see is left out of
/// lists (not even its title shows); reading it is refused with <see cref="Access.AccessDeniedException"/>.
/// </summary>
/// <remarks>Implementations are thread-safe. Every command checks the access rules first (see <see cref="Access.AccessOptions"/>); a refusal stores nothing.</remarks>
public interface IDocumentService
{
    /// <summary>
    /// Uploads a document. Its size is checked against <see cref="DocumentOptions.MaxSizeBytes"/> while it is read, before
    /// anything is stored. A title already stored adds a version (the uploader must be able to read the latest one, and the
    /// kind must stay the same). A non-admin may only name groups they belong to. A price list is read as an offer reads it
    /// when an <see cref="IOfferFormat"/> is registered, so one no offer could quote from is refused before it is stored.
    /// </summary>
    /// <param name="document">The title, kind, file name, groups and content type.</param>
    /// <param name="content">The bytes, read to their end.</param>
    /// <param name="by">Who uploads it.</param>
    /// <param name="cancellationToken">Cancels the upload; nothing is stored then.</param>
    /// <returns>The stored version.</returns>
    /// <exception cref="DocumentTooLargeException">The content is over the limit.</exception>
    /// <exception cref="OfferGenerationException">A price list cannot be read (the message names the cell at fault, if one is).</exception>
    /// <exception cref="ArgumentException">A field is invalid (the message names it), or a group is unknown.</exception>
    Task<Document> AddAsync(NewDocument document, Stream content, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Lists the documents the acting user may see, by title and version.</summary>
    /// <param name="by">Who asks.</param>
    /// <param name="allVersions">Whether to list every version; otherwise only the latest version of each title they may see.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The documents.</returns>
    Task<IReadOnlyList<Document>> ListAsync(UserId by, bool allVersions = false, CancellationToken cancellationToken = default);

    /// <summary>Reads a document version with its bytes, checked against the SHA-256 recorded when it was stored.</summary>
    /// <param name="id">The version's id.</param>
    /// <param name="by">Who reads it.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The document and its bytes.</returns>
    /// <exception cref="DocumentNotFoundException">No document has the id.</exception>
    /// <exception cref="DocumentIntegrityException">The stored bytes do not match their SHA-256.</exception>
    Task<DocumentContent> GetAsync(DocumentId id, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Reads another version of the same title as a document version, checked as <see cref="GetAsync"/> is.</summary>
    /// <param name="id">Any version's id.</param>
    /// <param name="version">The version number wanted, from 1.</param>
    /// <param name="by">Who reads it.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The document and its bytes.</returns>
    /// <exception cref="DocumentNotFoundException">No document has the id, or its title has no such version.</exception>
    Task<DocumentContent> GetVersionAsync(DocumentId id, int version, UserId by, CancellationToken cancellationToken = default);

    /// <summary>Attaches a stored offer (a document of kind <c>offer</c> the acting user may read) to a deal they may work on; this meets <c>offer-attached</c>.</summary>
    /// <param name="deal">The deal.</param>
    /// <param name="document">The offer document.</param>
    /// <param name="by">Who attaches it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The attached offer.</returns>
    Task<OfferDocument> AttachOfferAsync(OpportunityId deal, DocumentId document, UserId by, CancellationToken cancellationToken = default);

    /// <summary>
    /// Generates an offer from a template, filling its placeholders — <c>{{deal}}</c>, <c>{{account}}</c>, <c>{{value}}</c>,
    /// <c>{{owner}}</c>, <c>{{expected-close}}</c>, <c>{{today}}</c>, and for the n-th chosen price-list line
    /// <c>{{lineN.COLUMN}}</c> — then stores it as an <c>offer</c> document (shared with the deal owner's groups) and
    /// attaches it to the deal, in one transaction. A title already stored adds a version of that document, as an upload
    /// does: the acting user must be able to read its latest version, which must be an <c>offer</c>.
    /// </summary>
    /// <param name="offer">The deal, template, price list and lines.</param>
    /// <param name="by">Who generates it: someone who may work on the deal and read the template and price list.</param>
    /// <param name="cancellationToken">Cancels the operation; nothing is stored then.</param>
    /// <returns>The stored offer document.</returns>
    /// <exception cref="OfferGenerationException">The template uses a placeholder without a value, is not a template, or a line is not in the price list; nothing was stored.</exception>
    /// <exception cref="Access.AccessDeniedException">The acting user may not work on the deal, read the template or price list, or read the latest version stored under the title; nothing was stored.</exception>
    Task<Document> CreateOfferAsync(NewOffer offer, UserId by, CancellationToken cancellationToken = default);
}
