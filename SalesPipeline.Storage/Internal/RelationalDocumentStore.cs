using System.Data.Common;
using Dapper;
using SalesPipeline.Abstractions;
using SalesPipeline.Documents;
using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// Documents in SQLite or PostgreSQL: the same table and SQL on both; the provider supplies its write transaction; an offer
/// shares it with the shared deal write.
/// </summary>
/// <remarks>Thread-safe: every call uses its own pooled connection.</remarks>
internal sealed class RelationalDocumentStore(IStoreDialect dialect) : IDocumentStore
{
    private readonly RelationalOpportunityStore _opportunities = new(dialect);

    private IRelationalDatabase Database => dialect.Database;

    /// <inheritdoc />
    public async Task<Document?> FindAsync(DocumentId id, CancellationToken cancellationToken = default) =>
        await ReadAsync("id = @Id", new { Id = id.ToString() }, cancellationToken).ConfigureAwait(false) is [var document] ? document : null;

    /// <inheritdoc />
    public Task<IReadOnlyList<Document>> ListAsync(CancellationToken cancellationToken = default) =>
        ReadAsync("1 = 1", new { }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Document>> VersionsAsync(string title, CancellationToken cancellationToken = default) =>
        ReadAsync("title = @Title", new { Title = title }, cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> ReadContentAsync(DocumentId id, CancellationToken cancellationToken = default) =>
        Database.WithConnectionAsync(
            connection => connection.QuerySingleOrDefaultAsync<byte[]?>(new CommandDefinition(
                "SELECT content FROM documents WHERE id = @Id", new { Id = id.ToString() }, cancellationToken: cancellationToken)),
            cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<DocumentAttachment>> AttachmentsAsync(DocumentId? document = null, CancellationToken cancellationToken = default) =>
        Database.WithConnectionAsync<IReadOnlyList<DocumentAttachment>>(
            async connection => [.. (await connection.QueryAsync<DocumentAttachmentRow>(new CommandDefinition(
                DocumentAttachmentRow.Select + (document is null ? string.Empty : " WHERE f.document_id = @Document"),
                new { Document = document?.ToString() },
                cancellationToken: cancellationToken)).ConfigureAwait(false)).Select(r => r.ToAttachment())],
            cancellationToken);

    /// <inheritdoc />
    public Task AddAsync(Document document, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var row = DocumentRow.From(document, content);
        return dialect.WriteAsync(
            async (connection, transaction) =>
            {
                await InsertAsync(connection, transaction, document, row, cancellationToken).ConfigureAwait(false);
                return 0;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<int> AddOfferAsync(Document document, ReadOnlyMemory<byte> content, OpportunityState deal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(deal);
        var row = DocumentRow.From(document, content);
        return dialect.WriteAsync(
            async (connection, transaction) =>
            {
                await InsertAsync(connection, transaction, document, row, cancellationToken).ConfigureAwait(false);
                await _opportunities.WriteInAsync(connection, transaction, deal, cancellationToken).ConfigureAwait(false);
                return deal.Version + 1;
            },
            cancellationToken);
    }

    private static async Task InsertAsync(DbConnection connection, DbTransaction transaction, Document document, DocumentRow row, CancellationToken cancellationToken)
    {
        // The id and (title, version) are unique: an upload that lost a race for the same version number writes nothing.
        if (await connection.ExecuteAsync(new CommandDefinition(DocumentRow.Insert, row, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false) == 0)
        {
            throw new ConcurrencyConflictException("document", $"{document.Id} ('{document.Title}' version {document.Version})", 0, document.Version);
        }
    }

    private Task<IReadOnlyList<Document>> ReadAsync(string where, object parameters, CancellationToken cancellationToken) =>
        Database.WithConnectionAsync<IReadOnlyList<Document>>(
            // Sorted here, ordinally, so every provider orders titles alike whatever the database's collation.
            async connection => [.. (await connection.QueryAsync<DocumentRow>(new CommandDefinition(
                $"SELECT {DocumentRow.Columns} FROM documents WHERE {where}", parameters, cancellationToken: cancellationToken)).ConfigureAwait(false))
                .Select(r => r.ToDocument()).OrderBy(d => d.Title, StringComparer.Ordinal).ThenBy(d => d.Version)],
            cancellationToken);
}
