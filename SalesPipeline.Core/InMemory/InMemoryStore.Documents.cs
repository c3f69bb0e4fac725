using SalesPipeline.Abstractions;
using SalesPipeline.Documents;
using SalesPipeline.Domain;

namespace SalesPipeline.InMemory;

/// <summary>The documents part of the in-memory store.</summary>
public sealed partial class InMemoryStore
{
    private readonly Dictionary<DocumentId, (Document Document, byte[] Content)> _documents = [];

    /// <inheritdoc />
    public Task<Document?> FindAsync(DocumentId id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_documents.TryGetValue(id, out var stored) ? stored.Document : null);
        }
    }

    /// <inheritdoc />
    Task<IReadOnlyList<Document>> IDocumentStore.ListAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<Document>>([.. _documents.Values.Select(d => d.Document).OrderBy(d => d.Title, StringComparer.Ordinal).ThenBy(d => d.Version)]);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Document>> VersionsAsync(string title, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<Document>>([.. _documents.Values.Select(d => d.Document).Where(d => d.Title == title).OrderBy(d => d.Version)]);
        }
    }

    /// <inheritdoc />
    public Task<byte[]?> ReadContentAsync(DocumentId id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_documents.TryGetValue(id, out var stored) ? stored.Content.ToArray() : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DocumentAttachment>> AttachmentsAsync(DocumentId? document = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<DocumentAttachment>>([.. _opportunities.Values
                .SelectMany(o => o.Offers.Select(f => new DocumentAttachment(f.Document, o.Id, o.Owner)))
                .Where(a => document is null || a.Document == document)]);
        }
    }

    /// <inheritdoc />
    public Task AddAsync(Document document, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            AddDocument(document, content);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<int> AddOfferAsync(Document document, ReadOnlyMemory<byte> content, OpportunityState deal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(deal);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            // Both checks before either write: the offer and the deal are stored together or not at all.
            var stored = _opportunities.GetValueOrDefault(deal.Id);
            if (stored is null || stored.Version != deal.Version)
            {
                throw new ConcurrencyConflictException("opportunity", deal.Id.ToString(), deal.Version, stored?.Version);
            }

            AddDocument(document, content);
            return SaveAsync(deal, cancellationToken);
        }
    }

    private void AddDocument(Document document, ReadOnlyMemory<byte> content)
    {
        if (_documents.ContainsKey(document.Id) || _documents.Values.Any(d => d.Document.Title == document.Title && d.Document.Version == document.Version))
        {
            throw new ConcurrencyConflictException("document", $"{document.Id} ('{document.Title}' version {document.Version})", 0, document.Version);
        }

        _documents[document.Id] = (document with { Groups = [.. document.Groups] }, content.ToArray());
    }
}
