using System.Data.Common;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Tests.Storage;

/// <summary>A provider's bulk import that counts the external-id look-ups its writers send to the database.</summary>
internal sealed class CountingBulkImport(IBulkImport inner) : IBulkImport
{
    /// <summary>Gets how many external-id look-ups reached the database, over every session begun.</summary>
    public int StoreLookUps { get; private set; }

    public async Task<IBulkWriter> BeginAsync(DbConnection connection, CancellationToken cancellationToken) =>
        new Writer(this, await inner.BeginAsync(connection, cancellationToken));

    private sealed class Writer(CountingBulkImport counts, IBulkWriter inner) : IBulkWriter
    {
        public DbTransaction Transaction => inner.Transaction;

        public bool Alone => inner.Alone;

        public Task<IReadOnlySet<string>> ExistingExternalIdsAsync(PipelineId pipeline, IReadOnlyCollection<string> externalIds, CancellationToken cancellationToken)
        {
            counts.StoreLookUps++;
            return inner.ExistingExternalIdsAsync(pipeline, externalIds, cancellationToken);
        }

        public Task WriteAsync(IReadOnlyList<OpportunityState> batch, CancellationToken cancellationToken) => inner.WriteAsync(batch, cancellationToken);

        public Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
