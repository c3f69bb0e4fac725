using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace SalesPipeline.Reporting.Worker.Exporting;

/// <summary>The data rows of the Opportunities sheet, to be streamed into the saved workbook below its header.</summary>
/// <param name="Sheet">The sheet's name.</param>
/// <param name="FirstRow">The 1-based row of the first deal.</param>
/// <param name="Rows">The deals, one row each, in order.</param>
/// <param name="DateFormat">The number format of the date columns.</param>
internal sealed record DetailRows(string Sheet, int FirstRow, IReadOnlyList<OpportunityRow> Rows, string DateFormat);

/// <summary>
/// Writes the Opportunities sheet's data rows straight into the package ClosedXML saved, as the worksheet's XML: up to
/// a million rows of fourteen cells, which ClosedXML would otherwise hold as cell objects and save one by one (about
/// half of a 5,000-row report's workbook time). The cells are what <see cref="SheetWriter"/> writes: text as text
/// (inline, with Excel's quote prefix where it would read as a formula or entry), amounts with their currency's number
/// format, the probability as a percentage, dates as Excel dates (ISO text before 1900-03-01).
/// </summary>
internal static class DetailSheetWriter
{
    private const int CancellationCheckInterval = 1_000;

    private static readonly string[] Columns = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N"];

    /// <summary>Day 0 of Excel's serial dates, as OLE Automation dates count them: exact from 1900-03-01 on.</summary>
    private static readonly NodaTime.LocalDate DayZero = new(1899, 12, 30);

    /// <summary>Adds <paramref name="detail"/>'s rows to its sheet in the saved workbook <paramref name="workbook"/>, opened for editing.</summary>
    /// <exception cref="InvalidOperationException">The workbook has no such sheet or no styles.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the package is then incomplete and must be discarded.</exception>
    public static void Add(WorkbookPart workbook, DetailRows detail, CancellationToken cancellationToken)
    {
        if (detail.Rows.Count == 0)
        {
            return;
        }

        var worksheetPart = WorkbookWriter.SavedSheet(workbook, detail.Sheet, "the deals");
        var styles = new CellStyles(workbook.WorkbookStylesPart ?? throw new InvalidOperationException("The saved workbook has no styles."));

        // The sheet as ClosedXML saved it (the note, the header, the table, the print settings), read apart from the part so
        // that the part can be written anew; its own rows from the first deal's on, if any, give way to the deals.
        Worksheet saved;
        using (var source = System.Xml.XmlReader.Create(worksheetPart.GetStream(FileMode.Open, FileAccess.Read), new System.Xml.XmlReaderSettings { CloseInput = true }))
        {
            source.MoveToContent();
            saved = new Worksheet(source.ReadOuterXml());
        }

        var lastRow = detail.FirstRow + detail.Rows.Count - 1;
        using var writer = OpenXmlWriter.Create(worksheetPart, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        writer.WriteStartDocument(true);
        writer.WriteStartElement(saved, saved.GetAttributes(), saved.NamespaceDeclarations);
        foreach (var child in saved.ChildElements)
        {
            switch (child)
            {
                case SheetDimension:
                    writer.WriteElement(new SheetDimension { Reference = $"A1:{Columns[^1]}{lastRow}" });
                    break;
                case SheetData data:
                    writer.WriteStartElement(new SheetData());
                    foreach (var row in data.Elements<Row>().Where(r => r.RowIndex is null || r.RowIndex.Value < detail.FirstRow))
                    {
                        writer.WriteElement(row);
                    }

                    WriteRows(writer, detail, styles, cancellationToken);
                    writer.WriteEndElement();
                    break;
                default:
                    writer.WriteElement(child);
                    break;
            }
        }

        writer.WriteEndElement();
    }

    private static void WriteRows(OpenXmlWriter writer, DetailRows detail, CellStyles styles, CancellationToken cancellationToken)
    {
        var date = styles.Of(detail.DateFormat);
        var probability = styles.Of(NumberFormats.Probability);
        var money = new Dictionary<string, uint>(StringComparer.Ordinal);
        var rowNumber = detail.FirstRow;
        foreach (var deal in detail.Rows)
        {
            if ((rowNumber - detail.FirstRow) % CancellationCheckInterval == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var r = rowNumber.ToString(CultureInfo.InvariantCulture);
            writer.WriteStartElement(new Row { RowIndex = (uint)rowNumber });
            Text(writer, styles, 0, r, deal.Name);
            Text(writer, styles, 1, r, deal.Account);
            Text(writer, styles, 2, r, deal.Owner);
            Text(writer, styles, 3, r, deal.StageName);
            Text(writer, styles, 4, r, deal.Status);
            Text(writer, styles, 5, r, deal.Currency);
            if (!money.TryGetValue(deal.Currency, out var amount))
            {
                amount = styles.Of(NumberFormats.Money(deal.Currency));
                money[deal.Currency] = amount;
            }

            Number(writer, 6, r, deal.Value, amount);
            Number(writer, 7, r, deal.Probability / 100m, probability);
            Number(writer, 8, r, deal.WeightedValue, amount);
            Date(writer, styles, 9, r, deal.Created, date);
            Date(writer, styles, 10, r, deal.ExpectedClose, date);
            if (deal.Closed is { } closed)
            {
                Date(writer, styles, 11, r, closed, date);
            }

            Text(writer, styles, 12, r, deal.LossReason);
            Text(writer, styles, 13, r, deal.Comment);
            writer.WriteEndElement();
            rowNumber++;
        }
    }

    /// <summary>A text cell; none for empty text, as ClosedXML leaves a cell set to empty text out of the file.</summary>
    private static void Text(OpenXmlWriter writer, CellStyles styles, int column, string row, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        text = SheetWriter.FitCell(text);
        writer.WriteElement(new Cell
        {
            CellReference = Columns[column] + row,
            DataType = CellValues.InlineString,
            StyleIndex = styles.OfText(SheetWriter.NeedsQuotePrefix(text), text.Contains(Environment.NewLine, StringComparison.Ordinal)),
            InlineString = new InlineString(new Text(Escape(text)) { Space = SpaceProcessingModeValues.Preserve }),
        });
    }

    /// <summary>A number cell, its value as the double a spreadsheet holds (as ClosedXML writes numbers).</summary>
    private static void Number(OpenXmlWriter writer, int column, string row, decimal value, uint style) =>
        Number(writer, column, row, ((double)value).ToString(CultureInfo.InvariantCulture), style);

    private static void Number(OpenXmlWriter writer, int column, string row, string value, uint style) =>
        writer.WriteElement(new Cell { CellReference = Columns[column] + row, StyleIndex = style, CellValue = new CellValue(value) });

    private static void Date(OpenXmlWriter writer, CellStyles styles, int column, string row, NodaTime.LocalDate date, uint style)
    {
        if (!SheetWriter.IsExcelDate(date))
        {
            Text(writer, styles, column, row, date.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture));
            return;
        }

        Number(writer, column, row, NodaTime.Period.DaysBetween(DayZero, date).ToString(CultureInfo.InvariantCulture), style);
    }

    /// <summary>
    /// Text as a spreadsheet's XML holds it: a character XML cannot carry (a control character, an unpaired surrogate) as
    /// <c>_xHHHH_</c>, the escape Office Open XML defines for such characters.
    /// </summary>
    internal static string Escape(string text)
    {
        StringBuilder? escaped = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                escaped?.Append(c).Append(text[i + 1]);
                i++;
            }
            else if ((c < ' ' && c is not '\t' and not '\n' and not '\r') || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF')
            {
                escaped ??= new StringBuilder(text.Length + 16).Append(text, 0, i);
                escaped.Append(CultureInfo.InvariantCulture, $"_x{(int)c:X4}_");
            }
            else
            {
                escaped?.Append(c);
            }
        }

        return escaped?.ToString() ?? text;
    }

    /// <summary>The cell formats the rows use, added to the saved workbook's styles once each.</summary>
    private sealed class CellStyles(WorkbookStylesPart part)
    {
        /// <summary>The first number format id a workbook may define (those below are Excel's own).</summary>
        private const uint FirstCustomFormat = 164;

        private readonly Stylesheet _stylesheet = part.Stylesheet;
        private readonly Dictionary<string, uint> _byFormat = new(StringComparer.Ordinal);
        private readonly uint?[] _text = new uint?[4];

        /// <summary>
        /// The format of text that reads as a formula or entry (stored with a quote prefix) or has line breaks (wrapped, as
        /// ClosedXML sets text with a line break), or none for other text.
        /// </summary>
        public uint? OfText(bool quotePrefix, bool wrap)
        {
            if (!quotePrefix && !wrap)
            {
                return null;
            }

            var index = (quotePrefix ? 1 : 0) + (wrap ? 2 : 0);
            return _text[index] ??= Add(new CellFormat
            {
                NumberFormatId = 0,
                QuotePrefix = quotePrefix ? true : null,
                ApplyAlignment = wrap ? true : null,
                Alignment = wrap ? new Alignment { WrapText = true } : null,
            });
        }

        /// <summary>The format of a cell shown in <paramref name="numberFormat"/>.</summary>
        public uint Of(string numberFormat)
        {
            if (!_byFormat.TryGetValue(numberFormat, out var style))
            {
                style = Add(new CellFormat { NumberFormatId = NumberFormat(numberFormat), ApplyNumberFormat = true });
                _byFormat[numberFormat] = style;
            }

            return style;
        }

        private uint NumberFormat(string code)
        {
            var formats = _stylesheet.NumberingFormats;
            if (formats is null)
            {
                formats = new NumberingFormats();
                _stylesheet.InsertAt(formats, 0);
            }

            var existing = formats.Elements<NumberingFormat>().ToList();
            if (existing.FirstOrDefault(f => f.FormatCode?.Value == code) is { NumberFormatId: { } found })
            {
                return found.Value;
            }

            var id = Math.Max(FirstCustomFormat, existing.Select(f => f.NumberFormatId?.Value ?? 0).DefaultIfEmpty(0u).Max() + 1);
            formats.Append(new NumberingFormat { NumberFormatId = id, FormatCode = code });
            formats.Count = (uint)formats.ChildElements.Count;
            return id;
        }

        private uint Add(CellFormat format)
        {
            var formats = _stylesheet.CellFormats ?? throw new InvalidOperationException("The saved workbook's styles have no cell formats.");
            format.FontId ??= 0;
            format.FillId ??= 0;
            format.BorderId ??= 0;
            format.FormatId ??= 0;
            formats.Append(format);
            formats.Count = (uint)formats.ChildElements.Count;
            return (uint)formats.ChildElements.Count - 1;
        }
    }
}
