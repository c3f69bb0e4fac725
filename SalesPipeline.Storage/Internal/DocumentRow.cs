using SalesPipeline.Documents;
using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

/// <summary>A row of <c>documents</c> without its bytes; the same columns on SQLite and PostgreSQL.</summary>
internal sealed class DocumentRow
{
    public const string Columns =
        "id AS Id, title AS Title, version AS Version, kind AS Kind, file_name AS FileName, content_type AS ContentType, size AS Size, " +
        "sha256 AS Sha256, access_groups AS AccessGroups, uploaded_by AS UploadedBy, uploaded_at AS UploadedAt";

    public const string Insert =
        "INSERT INTO documents (id, title, version, kind, file_name, content_type, size, sha256, access_groups, uploaded_by, uploaded_at, content) " +
        "VALUES (@Id, @Title, @Version, @Kind, @FileName, @ContentType, @Size, @Sha256, @AccessGroups, @UploadedBy, @UploadedAt, @Content) ON CONFLICT DO NOTHING";

    public string Id { get; set; } = string.Empty;
    public string Title { get; set; } = string.Empty;
    public long Version { get; set; }
    public string Kind { get; set; } = string.Empty;
    public string FileName { get; set; } = string.Empty;
    public string ContentType { get; set; } = string.Empty;
    public long Size { get; set; }
    public string Sha256 { get; set; } = string.Empty;
    public string AccessGroups { get; set; } = string.Empty;
    public string UploadedBy { get; set; } = string.Empty;
    public long UploadedAt { get; set; }
    public byte[]? Content { get; set; }

    public static DocumentRow From(Document d, ReadOnlyMemory<byte> content) => new()
    {
        Id = d.Id.ToString(),
        Title = d.Title,
        Version = d.Version,
        Kind = DocumentKinds.Name(d.Kind),
        FileName = d.FileName,
        ContentType = d.ContentType,
        Size = d.Size,
        Sha256 = d.Sha256,
        AccessGroups = string.Join(',', d.Groups),
        UploadedBy = d.UploadedBy.Value,
        UploadedAt = Micros.Floor(d.UploadedAt),
        Content = content.ToArray(),
    };

    public Document ToDocument() => new(
        new DocumentId(Guid.Parse(Id)), Title, (int)Version, DocumentKinds.Parse(Kind), FileName, ContentType, Size, Sha256,
        AccessGroups.Split(',', StringSplitOptions.RemoveEmptyEntries), new UserId(UploadedBy), Micros.ToInstant(UploadedAt));
}

/// <summary>A document attached to a deal, with the deal's owner.</summary>
internal sealed class DocumentAttachmentRow
{
    public const string Select =
        "SELECT f.document_id AS Document, CAST(o.id AS TEXT) AS Deal, o.owner AS Owner FROM offers f JOIN opportunities o ON o.id = f.opportunity_id";

    public string Document { get; set; } = string.Empty;
    public string Deal { get; set; } = string.Empty;
    public string Owner { get; set; } = string.Empty;

    public DocumentAttachment ToAttachment() => new(new DocumentId(Guid.Parse(Document)), new OpportunityId(Guid.Parse(Deal)), new UserId(Owner));
}
