using System.Globalization;
using System.Security;
using System.Text;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace SalesPipeline.Reporting.Worker.Exporting;

/// <summary>How a chart draws its series.</summary>
internal enum ChartKind
{
    /// <summary>Vertical bars (columns), one cluster per category.</summary>
    Column,

    /// <summary>Horizontal bars, the first category at the top.</summary>
    Bar,
}

/// <summary>
/// One series of a chart: the cells that hold its name and its values, and those values as they are in the cells (the
/// chart's cache, so a reader that does not recalculate still draws it).
/// </summary>
/// <param name="NameCell">The cell holding the series name, for example <c>'Funnel'!$C$3</c>.</param>
/// <param name="Name">The text in that cell.</param>
/// <param name="ValuesRange">The cells holding the values, for example <c>'Funnel'!$C$4:$C$7</c>.</param>
/// <param name="Values">The values in those cells, in order; <see langword="null"/> where a cell holds no number.</param>
/// <param name="Format">The values' number format.</param>
/// <param name="Secondary">Drawn as a line on a second value axis on the right (a figure in another unit).</param>
internal sealed record ChartSeries(string NameCell, string Name, string ValuesRange, IReadOnlyList<decimal?> Values, string Format, bool Secondary = false);

/// <summary>A native Excel chart over cells of one sheet, placed over a block of cells.</summary>
/// <param name="Sheet">The sheet the chart sits on (its data is on the same sheet).</param>
/// <param name="Title">The chart title.</param>
/// <param name="Kind">Columns or bars.</param>
/// <param name="CategoriesRange">The cells holding the category labels.</param>
/// <param name="Categories">Their text.</param>
/// <param name="Series">The series; at least one.</param>
/// <param name="Row">The zero-based row of the chart's top-left corner.</param>
/// <param name="Column">The zero-based column of its top-left corner.</param>
/// <param name="Rows">How many rows it covers.</param>
/// <param name="Columns">How many columns it covers.</param>
/// <param name="MaxValue">The primary axis maximum, or <see langword="null"/> to let the reader choose (1 for rates).</param>
/// <param name="CategoryFormat">The number format of categories that are dates (months), or <see langword="null"/> for text.</param>
internal sealed record ChartSpec(
    string Sheet,
    string Title,
    ChartKind Kind,
    string CategoriesRange,
    IReadOnlyList<string> Categories,
    IReadOnlyList<ChartSeries> Series,
    int Row,
    int Column,
    int Rows,
    int Columns,
    decimal? MaxValue = null,
    string? CategoryFormat = null)
{
    /// <summary>An absolute reference to a block of cells on a sheet: <c>'Win-Loss'!$C$4:$C$7</c> (1-based rows and columns).</summary>
    public static string Range(string sheet, int firstRow, int column, int lastRow, int lastColumn = 0)
    {
        var quoted = "'" + sheet.Replace("'", "''", StringComparison.Ordinal) + "'!";
        var first = Cell(firstRow, column);
        return lastRow == firstRow && (lastColumn == 0 || lastColumn == column)
            ? quoted + first
            : quoted + first + ":" + Cell(lastRow, lastColumn == 0 ? column : lastColumn);
    }

    private static string Cell(int row, int column)
    {
        var letters = string.Empty;
        for (var c = column; c > 0; c = (c - 1) / 26)
        {
            letters = (char)('A' + ((c - 1) % 26)) + letters;
        }

        return "$" + letters + "$" + row.ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// Adds native charts to a saved workbook with the Open XML SDK that ClosedXML itself uses (ClosedXML 0.95 writes no
/// charts): one drawing part per sheet, one chart part per chart, every series a formula over the sheet's cells with the
/// values cached, so Excel and LibreOffice draw it without recalculating and a manager can restyle it.
/// </summary>
internal static class ChartWriter
{
    private const string ChartNamespaces =
        "xmlns:c=\"http://schemas.openxmlformats.org/drawingml/2006/chart\" " +
        "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" " +
        "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";

    private static readonly string[] Colors = ["4472C4", "ED7D31", "70AD47", "FFC000"];

    /// <summary>Adds <paramref name="charts"/> to the saved workbook <paramref name="workbook"/>, opened for editing.</summary>
    public static void Add(WorkbookPart workbook, IReadOnlyList<ChartSpec> charts)
    {
        foreach (var onSheet in charts.GroupBy(c => c.Sheet, StringComparer.Ordinal))
        {
            var worksheetPart = WorkbookWriter.SavedSheet(workbook, onSheet.Key, "a chart");
            var drawingsPart = worksheetPart.AddNewPart<DrawingsPart>();
            var anchors = new StringBuilder();
            var number = 0;
            foreach (var chart in onSheet)
            {
                var chartPart = drawingsPart.AddNewPart<ChartPart>();
                Feed(chartPart, ChartXml(chart));
                number++;
                anchors.Append(AnchorXml(chart, drawingsPart.GetIdOfPart(chartPart), number));
            }

            Feed(drawingsPart,
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>" +
                "<xdr:wsDr xmlns:xdr=\"http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing\" " +
                "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\">" + anchors + "</xdr:wsDr>");
            AttachDrawing(worksheetPart, worksheetPart.GetIdOfPart(drawingsPart));
        }
    }

    /// <summary>Puts the worksheet's <c>drawing</c> element where the schema wants it: before the legacy drawings, tables and extensions.</summary>
    private static void AttachDrawing(WorksheetPart worksheetPart, string id)
    {
        var worksheet = worksheetPart.Worksheet;
        var drawing = new Drawing { Id = id };
        var next = worksheet.ChildElements.FirstOrDefault(e =>
            e is LegacyDrawing or LegacyDrawingHeaderFooter or Picture or OleObjects or Controls or WebPublishItems or TableParts or WorksheetExtensionList);
        if (next is null)
        {
            worksheet.Append(drawing);
        }
        else
        {
            worksheet.InsertBefore(drawing, next);
        }

        worksheet.Save();
    }

    private static void Feed(OpenXmlPart part, string xml)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(xml));
        part.FeedData(stream);
    }

    private static string AnchorXml(ChartSpec chart, string chartId, int number) =>
        "<xdr:twoCellAnchor editAs=\"oneCell\">" +
        $"<xdr:from><xdr:col>{chart.Column}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{chart.Row}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>" +
        $"<xdr:to><xdr:col>{chart.Column + chart.Columns}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{chart.Row + chart.Rows}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>" +
        "<xdr:graphicFrame macro=\"\">" +
        $"<xdr:nvGraphicFramePr><xdr:cNvPr id=\"{number + 1}\" name=\"Chart {number}\" descr=\"{Escape(chart.Title)}\"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>" +
        "<xdr:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"0\" cy=\"0\"/></xdr:xfrm>" +
        "<a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/chart\">" +
        $"<c:chart xmlns:c=\"http://schemas.openxmlformats.org/drawingml/2006/chart\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" r:id=\"{chartId}\"/>" +
        "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>";

    private static string ChartXml(ChartSpec chart)
    {
        var primary = chart.Series.Where(s => !s.Secondary).ToList();
        var secondary = chart.Series.Where(s => s.Secondary).ToList();
        var x = new StringBuilder();
        x.Append("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>");
        x.Append("<c:chartSpace ").Append(ChartNamespaces).Append("><c:roundedCorners val=\"0\"/><c:chart>");
        x.Append("<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:pPr><a:defRPr sz=\"1200\" b=\"1\"/></a:pPr><a:r><a:rPr lang=\"en-US\" sz=\"1200\" b=\"1\"/><a:t>")
            .Append(Escape(chart.Title))
            .Append("</a:t></a:r></a:p></c:rich></c:tx><c:overlay val=\"0\"/></c:title><c:autoTitleDeleted val=\"0\"/><c:plotArea><c:layout/>");

        x.Append("<c:barChart><c:barDir val=\"").Append(chart.Kind == ChartKind.Bar ? "bar" : "col")
            .Append("\"/><c:grouping val=\"clustered\"/><c:varyColors val=\"0\"/>");
        for (var i = 0; i < primary.Count; i++)
        {
            Series(x, chart, primary[i], i, line: false);
        }

        x.Append("<c:gapWidth val=\"80\"/><c:axId val=\"1001\"/><c:axId val=\"1002\"/></c:barChart>");
        if (secondary.Count > 0)
        {
            x.Append("<c:lineChart><c:grouping val=\"standard\"/><c:varyColors val=\"0\"/>");
            for (var i = 0; i < secondary.Count; i++)
            {
                Series(x, chart, secondary[i], primary.Count + i, line: true);
            }

            x.Append("<c:marker val=\"1\"/><c:axId val=\"1003\"/><c:axId val=\"1004\"/></c:lineChart>");
        }

        // Bars read top-down in category order only with the category axis reversed.
        var bar = chart.Kind == ChartKind.Bar;
        CategoryAxis(x, 1001, 1002, bar ? "l" : "b", deleted: false, reversed: bar, chart.CategoryFormat);
        ValueAxis(x, 1002, 1001, bar ? "b" : "l", primary[0].Format, chart.MaxValue, crossesMax: false, gridlines: true);
        if (secondary.Count > 0)
        {
            CategoryAxis(x, 1003, 1004, bar ? "l" : "b", deleted: true, reversed: bar, chart.CategoryFormat);
            ValueAxis(x, 1004, 1003, bar ? "t" : "r", secondary[0].Format, null, crossesMax: true, gridlines: false);
        }

        x.Append("</c:plotArea><c:legend><c:legendPos val=\"b\"/><c:overlay val=\"0\"/></c:legend><c:plotVisOnly val=\"1\"/><c:dispBlanksAs val=\"gap\"/></c:chart></c:chartSpace>");
        return x.ToString();
    }

    private static void Series(StringBuilder x, ChartSpec chart, ChartSeries series, int index, bool line)
    {
        var color = Colors[index % Colors.Length];
        x.Append(CultureInfo.InvariantCulture, $"<c:ser><c:idx val=\"{index}\"/><c:order val=\"{index}\"/>");
        x.Append("<c:tx><c:strRef><c:f>").Append(Escape(series.NameCell)).Append("</c:f><c:strCache><c:ptCount val=\"1\"/><c:pt idx=\"0\"><c:v>")
            .Append(Escape(series.Name)).Append("</c:v></c:pt></c:strCache></c:strRef></c:tx>");
        if (line)
        {
            x.Append("<c:spPr><a:ln w=\"28575\"><a:solidFill><a:srgbClr val=\"").Append(color).Append("\"/></a:solidFill></a:ln></c:spPr>");
            x.Append("<c:marker><c:symbol val=\"circle\"/><c:size val=\"6\"/><c:spPr><a:solidFill><a:srgbClr val=\"").Append(color).Append("\"/></a:solidFill></c:spPr></c:marker>");
        }
        else
        {
            x.Append("<c:spPr><a:solidFill><a:srgbClr val=\"").Append(color).Append("\"/></a:solidFill></c:spPr><c:invertIfNegative val=\"0\"/>");
        }

        x.Append("<c:cat><c:strRef><c:f>").Append(Escape(chart.CategoriesRange)).Append("</c:f><c:strCache>");
        x.Append(CultureInfo.InvariantCulture, $"<c:ptCount val=\"{chart.Categories.Count}\"/>");
        for (var i = 0; i < chart.Categories.Count; i++)
        {
            x.Append(CultureInfo.InvariantCulture, $"<c:pt idx=\"{i}\"><c:v>").Append(Escape(chart.Categories[i])).Append("</c:v></c:pt>");
        }

        x.Append("</c:strCache></c:strRef></c:cat>");
        x.Append("<c:val><c:numRef><c:f>").Append(Escape(series.ValuesRange)).Append("</c:f><c:numCache><c:formatCode>")
            .Append(Escape(series.Format)).Append("</c:formatCode>");
        x.Append(CultureInfo.InvariantCulture, $"<c:ptCount val=\"{series.Values.Count}\"/>");
        for (var i = 0; i < series.Values.Count; i++)
        {
            if (series.Values[i] is { } value)
            {
                // Excel keeps 15 significant digits, and so does the cell ClosedXML writes: the cache holds the same number.
                x.Append(CultureInfo.InvariantCulture, $"<c:pt idx=\"{i}\"><c:v>{((double)value).ToString("G15", CultureInfo.InvariantCulture)}</c:v></c:pt>");
            }
        }

        x.Append("</c:numCache></c:numRef></c:val>");
        if (line)
        {
            x.Append("<c:smooth val=\"0\"/>");
        }

        x.Append("</c:ser>");
    }

    private static void CategoryAxis(StringBuilder x, int id, int cross, string position, bool deleted, bool reversed, string? format) =>
        x.Append(
            $"<c:catAx><c:axId val=\"{id}\"/><c:scaling><c:orientation val=\"{(reversed ? "maxMin" : "minMax")}\"/></c:scaling>" +
            $"<c:delete val=\"{(deleted ? 1 : 0)}\"/><c:axPos val=\"{position}\"/>" +
            (format is null ? "<c:numFmt formatCode=\"General\" sourceLinked=\"1\"/>" : $"<c:numFmt formatCode=\"{Escape(format)}\" sourceLinked=\"0\"/>") +
            "<c:majorTickMark val=\"out\"/><c:minorTickMark val=\"none\"/><c:tickLblPos val=\"nextTo\"/>" +
            $"<c:crossAx val=\"{cross}\"/><c:crosses val=\"autoZero\"/><c:auto val=\"1\"/><c:lblAlgn val=\"ctr\"/><c:lblOffset val=\"100\"/><c:noMultiLvlLbl val=\"0\"/></c:catAx>");

    private static void ValueAxis(StringBuilder x, int id, int cross, string position, string format, decimal? max, bool crossesMax, bool gridlines)
    {
        x.Append(CultureInfo.InvariantCulture, $"<c:valAx><c:axId val=\"{id}\"/><c:scaling><c:orientation val=\"minMax\"/>");
        if (max is { } top)
        {
            x.Append(CultureInfo.InvariantCulture, $"<c:max val=\"{top.ToString(CultureInfo.InvariantCulture)}\"/>");
        }

        x.Append(CultureInfo.InvariantCulture, $"<c:min val=\"0\"/></c:scaling><c:delete val=\"0\"/><c:axPos val=\"{position}\"/>");
        if (gridlines)
        {
            x.Append("<c:majorGridlines/>");
        }

        x.Append("<c:numFmt formatCode=\"").Append(Escape(format)).Append("\" sourceLinked=\"0\"/>");
        x.Append(
            "<c:majorTickMark val=\"out\"/><c:minorTickMark val=\"none\"/><c:tickLblPos val=\"nextTo\"/>" +
            $"<c:crossAx val=\"{cross}\"/><c:crosses val=\"{(crossesMax ? "max" : "autoZero")}\"/><c:crossBetween val=\"between\"/></c:valAx>");
    }

    private static string Escape(string text) => SecurityElement.Escape(text) ?? string.Empty;
}
