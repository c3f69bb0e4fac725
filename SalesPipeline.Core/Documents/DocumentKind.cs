namespace SalesPipeline.Documents;

/// <summary>What a stored document is for.</summary>
public enum DocumentKind
{
    /// <summary>A <c>.docx</c> offer template with <c>{{placeholders}}</c>.</summary>
    OfferTemplate,

    /// <summary>A price list (an <c>.xlsx</c> workbook) whose lines an offer can quote.</summary>
    PriceList,

    /// <summary>A non-disclosure agreement.</summary>
    Nda,

    /// <summary>A contract.</summary>
    Contract,

    /// <summary>An offer sent to a client; attached to a deal it meets the <c>offer-attached</c> requirement.</summary>
    Offer,

    /// <summary>Anything else.</summary>
    Other,
}

/// <summary>The names of the document kinds as typed and stored: <c>offer-template</c>, <c>price-list</c>, <c>nda</c>, <c>contract</c>, <c>offer</c>, <c>other</c>.</summary>
public static class DocumentKinds
{
    /// <summary>Gets the names, in order of the kinds.</summary>
    public static IReadOnlyList<string> Names { get; } = ["offer-template", "price-list", "nda", "contract", "offer", "other"];

    /// <summary>Gets a kind's name.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>Its lower-case name.</returns>
    public static string Name(DocumentKind kind) => Names[(int)kind];

    /// <summary>Parses a kind's name.</summary>
    /// <param name="name">The name, ignoring case.</param>
    /// <returns>The kind.</returns>
    /// <exception cref="ArgumentException">No kind has the name.</exception>
    public static DocumentKind Parse(string name)
    {
        for (var i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return (DocumentKind)i;
            }
        }

        throw new ArgumentException($"'{name}' is not a document kind: use one of {string.Join(", ", Names)}.", nameof(name));
    }
}
