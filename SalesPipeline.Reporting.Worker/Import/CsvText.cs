using System.Text;
using System.Text.Unicode;
using CsvHelper;

namespace SalesPipeline.Reporting.Worker.Import;

/// <summary>What the deal and the lead importers check of a CSV file's text before reading its values: bytes the file's encoding cannot decode.</summary>
internal static class CsvText
{
    /// <summary>
    /// Finds the first field with bytes the file's encoding cannot decode: bytes that are not UTF-8, or (for another
    /// encoding, transcoded to UTF-8 while reading) the replacement character the decoder put in their place.
    /// </summary>
    /// <returns>The field's index, or -1.</returns>
    public static int FirstUndecodable(CsvReader reader, bool transcoded)
    {
        ArgumentNullException.ThrowIfNull(reader);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var bytes = reader.GetSpan(i);
            if (!Utf8.IsValid(bytes) || (transcoded && bytes.IndexOf("\uFFFD"u8) >= 0))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Says that a field's bytes are not in the file's encoding, and where the user sets the right one.</summary>
    /// <param name="encoding">The encoding the file was read with; <see langword="null"/> for UTF-8.</param>
    /// <param name="setting">Where the encoding is set, such as <c>"encoding" in the mapping</c> or <c>--encoding</c>.</param>
    public static string Undecodable(Encoding? encoding, string setting) => encoding is not null
        ? $"bytes that are not {encoding.WebName} (shown as \uFFFD): the file is in another encoding; set {setting} to the file's."
        : $"bytes that are not UTF-8 (shown as \uFFFD): the file is in another encoding; set {setting} to the file's, such as \"windows-1250\" (Central European) or \"iso-8859-1\" (Western European).";
}
