using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Documents;

/// <summary>One stored version of a document: what it is and who may see it, without its bytes.</summary>
/// <param name="Id">This version's id.</param>
/// <param name="Title">The title; uploading the same title again adds a version.</param>
/// <param name="Version">The version number within the title, from 1.</param>
/// <param name="Kind">What the document is for.</param>
/// <param name="FileName">The file name it was uploaded with.</param>
/// <param name="ContentType">Its media type, such as <c>application/pdf</c>.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="Sha256">The SHA-256 of its bytes, as 64 lower-case hexadecimal digits; checked on every read.</param>
/// <param name="Groups">The groups whose members may see it (admins and, when it is attached to a deal, whoever may see the deal, also may).</param>
/// <param name="UploadedBy">Who uploaded it.</param>
/// <param name="UploadedAt">When.</param>
public sealed record Document(
    DocumentId Id,
    string Title,
    int Version,
    DocumentKind Kind,
    string FileName,
    string ContentType,
    long Size,
    string Sha256,
    IReadOnlyList<string> Groups,
    UserId UploadedBy,
    Instant UploadedAt)
{
    /// <inheritdoc />
    public bool Equals(Document? other) =>
        other is not null && Id == other.Id && Title == other.Title && Version == other.Version && Kind == other.Kind && FileName == other.FileName
        && ContentType == other.ContentType && Size == other.Size && Sha256 == other.Sha256 && Groups.SequenceEqual(other.Groups)
        && UploadedBy == other.UploadedBy && UploadedAt == other.UploadedAt;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, Version, Sha256);
}

/// <summary>A document to upload; its bytes are passed beside it.</summary>
/// <param name="Title">The title; a title already stored adds a version of that document.</param>
/// <param name="Kind">What it is for.</param>
/// <param name="FileName">The file name, without folders (a path is cut to its last part).</param>
/// <param name="Groups">The groups whose members may see it; at least one.</param>
/// <param name="ContentType">Its media type; guessed from the file name's extension when left out.</param>
public sealed record NewDocument(string Title, DocumentKind Kind, string FileName, IReadOnlyList<string> Groups, string? ContentType = null);

/// <summary>A document version with its bytes, read back and checked against its SHA-256.</summary>
/// <param name="Document">The version.</param>
/// <param name="Content">Its bytes.</param>
public sealed record DocumentContent(Document Document, ReadOnlyMemory<byte> Content);

/// <summary>A document attached to a deal as its offer.</summary>
/// <param name="Document">The document.</param>
/// <param name="Deal">The deal.</param>
/// <param name="Owner">The deal's owner.</param>
public sealed record DocumentAttachment(DocumentId Document, OpportunityId Deal, UserId Owner);
