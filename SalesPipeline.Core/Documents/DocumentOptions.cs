namespace SalesPipeline.Documents;

/// <summary>Options of the document store.</summary>
public sealed class DocumentOptions
{
    /// <summary>The default size limit: 10 MB (10 × 1024 × 1024 bytes).</summary>
    public const long DefaultMaxSizeBytes = 10L * 1024 * 1024;

    /// <summary>
    /// The largest size limit: 999,000,000 bytes. SQLite holds at most 1,000,000,000 bytes in one row (its default
    /// <c>SQLITE_MAX_LENGTH</c>), the document's title, file name and other columns included; PostgreSQL at most 1 GB in one value.
    /// </summary>
    public const long LargestMaxSizeBytes = 999_000_000;

    /// <summary>Gets or sets the largest document, in bytes, that may be uploaded or generated; a larger one is refused before anything is stored.</summary>
    /// <value>The default value is <see cref="DefaultMaxSizeBytes"/> (10 MB); at most <see cref="LargestMaxSizeBytes"/>.</value>
    public long MaxSizeBytes { get; set; } = DefaultMaxSizeBytes;

    internal IReadOnlyList<string> Validate() =>
        MaxSizeBytes is < 1 or > LargestMaxSizeBytes
            ? [$"'Documents.MaxSizeBytes' must be between 1 and {LargestMaxSizeBytes} (the most a SQLite row or a PostgreSQL value holds), was {MaxSizeBytes}."]
            : [];
}
