using SalesPipeline.Domain;

namespace SalesPipeline.Documents;

/// <summary>Thrown when no document has the given id (or the id's title has no such version).</summary>
public sealed class DocumentNotFoundException : KeyNotFoundException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="document">The id that was looked for.</param>
    /// <param name="message">What was not found and what to do.</param>
    public DocumentNotFoundException(DocumentId document, string message)
        : base(message)
    {
        Document = document;
    }

    /// <summary>Gets the id that was looked for.</summary>
    public DocumentId Document { get; }
}

/// <summary>Thrown when a document is larger than <see cref="DocumentOptions.MaxSizeBytes"/>; nothing was stored.</summary>
public sealed class DocumentTooLargeException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="fileName">The document's file name.</param>
    /// <param name="limit">The limit in bytes.</param>
    public DocumentTooLargeException(string fileName, long limit)
        : base($"'{fileName}' is larger than the document size limit of {limit} bytes; make it smaller or ask an administrator to raise the limit. Nothing was stored.")
    {
        FileName = fileName;
        Limit = limit;
    }

    /// <summary>Gets the document's file name.</summary>
    public string FileName { get; }

    /// <summary>Gets the limit in bytes.</summary>
    public long Limit { get; }
}

/// <summary>
/// Thrown when a stored document's bytes no longer match the SHA-256 recorded when it was stored: it was changed or damaged
/// in the database. Nothing is returned.
/// </summary>
public sealed class DocumentIntegrityException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="document">The document.</param>
    /// <param name="expected">The SHA-256 recorded when it was stored.</param>
    /// <param name="actual">The SHA-256 of the bytes read.</param>
    public DocumentIntegrityException(DocumentId document, string expected, string actual)
        : base($"Document {document} is damaged: its bytes have SHA-256 {actual}, but {expected} was recorded when it was stored. Restore it from a backup or upload it again.")
    {
        Document = document;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>Gets the document.</summary>
    public DocumentId Document { get; }

    /// <summary>Gets the SHA-256 recorded when it was stored.</summary>
    public string Expected { get; }

    /// <summary>Gets the SHA-256 of the bytes read.</summary>
    public string Actual { get; }
}

/// <summary>Thrown when an offer cannot be generated from a template or price list as given; nothing was stored.</summary>
public sealed class OfferGenerationException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and what to do.</param>
    /// <param name="unknownPlaceholders">The placeholders the template uses that have no value, if that is the fault.</param>
    public OfferGenerationException(string message, IReadOnlyList<string>? unknownPlaceholders = null)
        : base(message)
    {
        UnknownPlaceholders = unknownPlaceholders ?? [];
    }

    /// <summary>Gets the placeholders the template uses that have no value (empty when that is not the fault).</summary>
    public IReadOnlyList<string> UnknownPlaceholders { get; }
}
