using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace SalesPipeline.Tests.Core.Documents;

/// <summary>Word documents for the offer tests, written and read with the Open XML SDK.</summary>
internal static class Docx
{
    /// <summary>A .docx whose paragraphs are given as runs: each inner array is one paragraph, each string one run.</summary>
    public static byte[] WithRuns(params string[][] paragraphs)
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            main.Document = new Document(new Body(paragraphs.Select(runs =>
                new Paragraph(runs.Select((text, i) => new Run(
                    i % 2 == 1 ? new RunProperties(new Bold()) : new RunProperties(),
                    new Text(text) { Space = SpaceProcessingModeValues.Preserve }))))));
            main.Document.Save();
        }

        return stream.ToArray();
    }

    /// <summary>A .docx with one paragraph per line, each one run.</summary>
    public static byte[] Template(params string[] lines) => WithRuns([.. lines.Select(l => new[] { l })]);

    /// <summary>The text of each paragraph of a .docx's body.</summary>
    public static IReadOnlyList<string> Paragraphs(ReadOnlyMemory<byte> docx)
    {
        using var stream = new MemoryStream(docx.ToArray());
        using var document = WordprocessingDocument.Open(stream, isEditable: false);
        return [.. document.MainDocumentPart!.Document.Body!.Elements<Paragraph>().Select(p => string.Concat(p.Descendants<Text>().Select(t => t.Text)))];
    }
}

/// <summary>Excel price lists for the offer tests, written with ClosedXML.</summary>
internal static class Xlsx
{
    /// <summary>A price list: a header row (Item, Unit price) and one row per line, the price as a number formatted with two decimals.</summary>
    public static byte[] PriceList(params (string Item, decimal Price)[] lines)
    {
        using var workbook = new ClosedXML.Excel.XLWorkbook();
        var sheet = workbook.AddWorksheet("Prices");
        sheet.Cell(1, 1).Value = "Item";
        sheet.Cell(1, 2).Value = "Unit price";
        for (var i = 0; i < lines.Length; i++)
        {
            sheet.Cell(i + 2, 1).Value = lines[i].Item;
            sheet.Cell(i + 2, 2).Value = lines[i].Price;
            sheet.Cell(i + 2, 2).Style.NumberFormat.Format = "0.00";
        }

        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }

    /// <summary>A workbook whose first worksheet holds the given rows from A1, the first one the header.</summary>
    public static byte[] Rows(params object[][] rows)
    {
        using var workbook = new ClosedXML.Excel.XLWorkbook();
        var sheet = workbook.AddWorksheet("Prices");
        for (var r = 0; r < rows.Length; r++)
        {
            for (var c = 0; c < rows[r].Length; c++)
            {
                sheet.Cell(r + 1, c + 1).Value = rows[r][c];
            }
        }

        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }
}
