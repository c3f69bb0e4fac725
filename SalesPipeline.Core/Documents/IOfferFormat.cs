namespace SalesPipeline.Documents;

/// <summary>One line of a price list, numbered from 1 in the order of the list.</summary>
/// <param name="Number">Its number: 1 for the first line under the header.</param>
/// <param name="Fields">Its cells as text, by column name (the header in lower case, spaces as hyphens, such as <c>unit-price</c>).</param>
public sealed record PriceListLine(int Number, IReadOnlyDictionary<string, string> Fields);

/// <summary>
/// The file formats behind offers: reads a price list's lines and fills an offer template's <c>{{placeholders}}</c>.
/// The salespipeline command line registers the Word (<c>.docx</c>) and Excel (<c>.xlsx</c>) implementation.
/// </summary>
/// <remarks>Implementations are thread-safe and keep no state between calls.</remarks>
public interface IOfferFormat
{
    /// <summary>Gets the media type of the documents <see cref="Fill"/> produces.</summary>
    string ContentType { get; }

    /// <summary>Gets the file extension of the documents <see cref="Fill"/> produces, with its dot.</summary>
    string Extension { get; }

    /// <summary>Reads a price list.</summary>
    /// <param name="content">The price list's bytes.</param>
    /// <param name="fileName">Its file name, for messages.</param>
    /// <returns>Its lines, in order.</returns>
    /// <exception cref="OfferGenerationException">The bytes are not a price list in the expected format, or a cell holds what
    /// no offer can quote (the message names its line and column).</exception>
    IReadOnlyList<PriceListLine> ReadPriceList(ReadOnlyMemory<byte> content, string fileName);

    /// <summary>Replaces every <c>{{name}}</c> in a template with its value.</summary>
    /// <param name="content">The template's bytes.</param>
    /// <param name="fileName">Its file name, for messages.</param>
    /// <param name="values">The value of each placeholder name.</param>
    /// <returns>The filled document's bytes.</returns>
    /// <exception cref="OfferGenerationException">The bytes are not a template in the expected format, or it uses a
    /// placeholder that has no value (every such name is listed).</exception>
    byte[] Fill(ReadOnlyMemory<byte> content, string fileName, IReadOnlyDictionary<string, string> values);
}
