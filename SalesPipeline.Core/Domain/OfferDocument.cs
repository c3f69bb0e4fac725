namespace SalesPipeline.Domain;

/// <summary>An offer attached to an opportunity: a stored document of kind <c>offer</c>, referred to by its id.</summary>
/// <param name="Document">The stored document.</param>
/// <param name="Title">The document's title when it was attached, so lists and reports need not read the document.</param>
/// <param name="AttachedBy">Who attached it.</param>
/// <param name="AttachedAt">When it was attached.</param>
public sealed record OfferDocument(DocumentId Document, string Title, UserId AttachedBy, NodaTime.Instant AttachedAt);
