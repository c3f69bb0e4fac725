using System.Globalization;
using System.IO.Packaging;
using System.Text.RegularExpressions;
using ClosedXML.Excel;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using SalesPipeline.Documents;
using SalesPipeline.Domain;

namespace SalesPipeline.Reporting.Worker.Documents;

/// <summary>
/// Offers as Office files: a template is a Word <c>.docx</c> whose <c>{{name}}</c> placeholders (in the body, headers and
/// footers; Word may split one across several runs) are replaced, keeping the formatting of the run the placeholder starts
/// in. A price list is an Excel <c>.xlsx</c> workbook: its first worksheet's first row names the columns, and every
/// following row with a value is a line, numbered from 1; a number is written with its cell's format when that is plain digits
/// (such as <c>#,##0.00</c>), otherwise as the plain number.
/// </summary>
/// <remarks>Thread-safe: keeps no state.</remarks>
internal sealed partial class OfficeOfferFormat : IOfferFormat
{
    public string ContentType => "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    public string Extension => ".docx";

    public IReadOnlyList<PriceListLine> ReadPriceList(ReadOnlyMemory<byte> content, string fileName)
    {
        XLWorkbook workbook;
        try
        {
            workbook = new XLWorkbook(new MemoryStream(content.ToArray(), writable: false));
        }
        catch (Exception e) when (IsNotAPackage(e))
        {
            throw new OfferGenerationException($"The price list '{fileName}' is not an Excel workbook (.xlsx); upload the price list as .xlsx with a header row. Nothing was stored.");
        }

        using (workbook)
        {
            var sheet = workbook.Worksheets.First();
            var used = sheet.RangeUsed();
            if (used is null || used.RowCount() < 2)
            {
                throw new OfferGenerationException($"The price list '{fileName}' has no lines: its first worksheet needs a header row (such as Item, Price) and a row per line. Nothing was stored.");
            }

            var columns = new List<(int Column, string Name, string Header)>();
            foreach (var cell in used.FirstRow().Cells())
            {
                var header = cell.GetString().Trim();
                if (header.Length == 0)
                {
                    continue;
                }

                var name = Spaces().Replace(header.ToLowerInvariant(), "-");
                if (columns.Any(c => c.Name == name))
                {
                    throw new OfferGenerationException($"The price list '{fileName}' has two columns named '{header}'; give each column its own name. Nothing was stored.");
                }

                columns.Add((cell.Address.ColumnNumber, name, header));
            }

            var lines = new List<PriceListLine>();
            foreach (var row in used.Rows().Skip(1))
            {
                if (row.IsEmpty())
                {
                    continue;
                }

                var number = lines.Count + 1;
                var fields = columns.ToDictionary(c => c.Name, c => CellText(sheet.Cell(row.RowNumber(), c.Column), $"The price list '{fileName}' at line {number}, column '{c.Header}' (cell {sheet.Cell(row.RowNumber(), c.Column).Address.ToStringRelative()})"), StringComparer.Ordinal);
                lines.Add(new PriceListLine(number, fields));
            }

            return lines;
        }
    }

    public byte[] Fill(ReadOnlyMemory<byte> content, string fileName, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        using var stream = new MemoryStream();
        stream.Write(content.Span);
        stream.Position = 0;
        WordprocessingDocument document;
        try
        {
            document = WordprocessingDocument.Open(stream, isEditable: true);
        }
        catch (Exception e) when (IsNotAPackage(e))
        {
            throw NotATemplate(fileName);
        }

        using (document)
        {
            var main = document.MainDocumentPart ?? throw NotATemplate(fileName);
            var roots = new List<OpenXmlElement?> { main.Document };
            roots.AddRange(main.HeaderParts.Select(h => (OpenXmlElement?)h.Header));
            roots.AddRange(main.FooterParts.Select(f => (OpenXmlElement?)f.Footer));
            var paragraphs = roots.OfType<OpenXmlElement>().SelectMany(r => r.Descendants<Paragraph>()).ToList();

            var byName = values.ToDictionary(v => v.Key.ToLowerInvariant(), v => v.Value, StringComparer.Ordinal);
            var unknown = paragraphs
                .SelectMany(p => Placeholder().Matches(string.Concat(p.Descendants<Text>().Select(t => t.Text))))
                .Select(m => m.Groups[1].Value.Trim())
                .Where(name => !byName.ContainsKey(name.ToLowerInvariant()))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            if (unknown.Count > 0)
            {
                throw new OfferGenerationException(
                    $"The template '{fileName}' uses {string.Join(", ", unknown.Select(n => "{{" + n + "}}"))}, which {(unknown.Count == 1 ? "has" : "have")} no value. " +
                    $"Placeholders with a value here: {string.Join(", ", byName.Keys.Order(StringComparer.Ordinal).Select(n => "{{" + n + "}}"))}. " +
                    "Correct the template, or choose the price-list lines it refers to (line1 is the first line given to --lines). Nothing was stored.",
                    unknown);
            }

            foreach (var paragraph in paragraphs)
            {
                Replace([.. paragraph.Descendants<Text>()], byName);
            }

            main.Document.Save();
        }

        return stream.ToArray();
    }

    /// <summary>
    /// Replaces the placeholders in one paragraph's text elements. Matches are replaced from the last to the first, so the
    /// offsets of the earlier ones stay valid: the replacement goes into the element the placeholder starts in, and the
    /// rest of the placeholder is cut from the elements it runs on into.
    /// </summary>
    private static void Replace(IReadOnlyList<Text> texts, Dictionary<string, string> values)
    {
        var matches = Placeholder().Matches(string.Concat(texts.Select(t => t.Text)));
        if (matches.Count == 0)
        {
            return;
        }

        var starts = new int[texts.Count];
        for (int i = 0, offset = 0; i < texts.Count; offset += texts[i].Text.Length, i++)
        {
            starts[i] = offset;
        }

        var lengths = texts.Select(t => t.Text.Length).ToArray();
        foreach (var match in matches.Reverse())
        {
            var value = values[match.Groups[1].Value.Trim().ToLowerInvariant()];
            var end = match.Index + match.Length;
            for (var i = 0; i < texts.Count; i++)
            {
                var from = Math.Max(match.Index, starts[i]);
                var to = Math.Min(end, starts[i] + lengths[i]);
                if (from >= to)
                {
                    continue;
                }

                var text = texts[i].Text;
                var cutFrom = from - starts[i];
                var cutTo = to - starts[i];
                var inserted = from == match.Index ? value : string.Empty;
                texts[i].Text = text[..cutFrom] + inserted + text[cutTo..];
                texts[i].Space = SpaceProcessingModeValues.Preserve;
            }
        }
    }

    /// <summary>
    /// A cell as text: a number with its cell's format when that is plain digits (<c>0.00</c>, <c>#,##0.00</c>, or one of
    /// Excel's built-in formats 1–4), otherwise as the plain number; anything else as its text. Refused, naming
    /// <paramref name="where"/>, when it is a number too large for a price or text no offer can hold.
    /// </summary>
    private static string CellText(IXLCell cell, string where)
    {
        if (cell.DataType != XLDataType.Number)
        {
            var text = cell.GetFormattedString().Trim();
            return TypedText.ControlCharacterFault(text) is { } fault
                ? throw new OfferGenerationException($"{where} holds {fault} Correct the cell and upload the list again. Nothing was stored.")
                : text;
        }

        // (double)decimal.MaxValue is 2^96, the smallest double a decimal cannot hold.
        var number = cell.GetValue<double>();
        if (Math.Abs(number) >= (double)decimal.MaxValue)
        {
            throw new OfferGenerationException(
                $"{where} holds {number.ToString("R", CultureInfo.InvariantCulture)}, more than a price can be (at most {decimal.MaxValue.ToString("N0", CultureInfo.InvariantCulture)}). Correct the cell and upload the list again. Nothing was stored.");
        }

        var value = (decimal)number;
        var format = cell.Style.NumberFormat.NumberFormatId switch
        {
            1 => "0",
            2 => "0.00",
            3 => "#,##0",
            4 => "#,##0.00",
            _ => cell.Style.NumberFormat.Format,
        };
        return !string.IsNullOrEmpty(format) && PlainNumberFormat().IsMatch(format)
            ? value.ToString(format, CultureInfo.InvariantCulture)
            : value.ToString(CultureInfo.InvariantCulture);
    }

    private static OfferGenerationException NotATemplate(string fileName) =>
        new($"The template '{fileName}' is not a Word document (.docx); save it from Word as .docx, upload it with --kind offer-template, and try again. Nothing was stored.");

    private static bool IsNotAPackage(Exception e) =>
        e is OpenXmlPackageException or FileFormatException or InvalidDataException or ArgumentException or InvalidOperationException or NotSupportedException or IOException;

    [GeneratedRegex(@"\{\{([^{}]+)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^[#,0]*0(\.0+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainNumberFormat();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Spaces();
}
