using SalesPipeline.Documents;
using SalesPipeline.Domain;

namespace SalesPipeline.Abstractions;

/// <summary>
/// Stores documents with their bytes: every version of a title is its own row, numbered from 1. Writes are atomic; an offer
/// and the deal it is attached to are written in one transaction.
/// </summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface IDocumentStore
{
    /// <summary>Loads a document version's description.</summary>
    /// <param name="id">Its id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The document, or <see langword="null"/>.</returns>
    Task<Document?> FindAsync(DocumentId id, CancellationToken cancellationToken = default);

    /// <summary>Loads every stored version of every document, by title (ordinal) and version.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The documents.</returns>
    Task<IReadOnlyList<Document>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Loads the versions of one title, oldest first.</summary>
    /// <param name="title">The title, compared exactly.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The versions; empty when the title is not stored.</returns>
    Task<IReadOnlyList<Document>> VersionsAsync(string title, CancellationToken cancellationToken = default);

    /// <summary>Reads a document version's bytes as stored (the caller checks them against the SHA-256).</summary>
    /// <param name="id">Its id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The bytes, or <see langword="null"/> when no document has the id.</returns>
    Task<byte[]?> ReadContentAsync(DocumentId id, CancellationToken cancellationToken = default);

    /// <summary>Lists the deals documents are attached to, with the deals' owners.</summary>
    /// <param name="document">Only this document's attachments; every attachment when left out.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The attachments.</returns>
    Task<IReadOnlyList<DocumentAttachment>> AttachmentsAsync(DocumentId? document = null, CancellationToken cancellationToken = default);

    /// <summary>Adds a document version with its bytes.</summary>
    /// <param name="document">The version; its title and version number must not be stored yet.</param>
    /// <param name="content">Its bytes.</param>
    /// <param name="cancellationToken">Cancels the write; nothing is written then.</param>
    /// <returns>A task that completes when it is stored.</returns>
    /// <exception cref="ConcurrencyConflictException">The id, or the title's version number, is stored already (another upload of the same title won); nothing was written.</exception>
    Task AddAsync(Document document, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>Adds an offer document and saves the deal it is attached to, in one transaction: both or neither.</summary>
    /// <param name="document">The offer.</param>
    /// <param name="content">Its bytes.</param>
    /// <param name="deal">The deal with the offer attached, at the version it was read with.</param>
    /// <param name="cancellationToken">Cancels the write; nothing is written then.</param>
    /// <returns>The deal's new stored version.</returns>
    /// <exception cref="ConcurrencyConflictException">The deal changed since it was read, or the document's title and version are stored already; nothing was written.</exception>
    Task<int> AddOfferAsync(Document document, ReadOnlyMemory<byte> content, OpportunityState deal, CancellationToken cancellationToken = default);
}
