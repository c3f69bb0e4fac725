namespace SalesPipeline.Documents;

/// <summary>Options of the document store.</summary>
public sealed class DocumentOptions
{
    /// <summary>The default size limit: 10 MB (10 × 1024 × 1024 bytes).</summary>
    public const long DefaultMaxSizeBytes = 10L * 1024 * 1024;

    /// <summary>Gets or sets the largest document, in bytes, that may be uploaded or generated; a larger one is refused before anything is stored.</summary>
    /// <value>The default value is <see cref="DefaultMaxSizeBytes"/> (10 MB).</value>
    public long MaxSizeBytes { get; set; } = DefaultMaxSizeBytes;

    internal IReadOnlyList<string> Validate() =>
        MaxSizeBytes is < 1 or > int.MaxValue
            ? [$"'Documents.MaxSizeBytes' must be between 1 and {int.MaxValue}, was {MaxSizeBytes}."]
            : [];
}
