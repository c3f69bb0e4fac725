using System.Globalization;
using System.Text;
using ClosedXML.Excel;
using NodaTime;

namespace SalesPipeline.Reporting.Worker.Exporting;

/// <summary>
/// Writes typed cells onto one worksheet and remembers how wide each column's content is, so the writer
/// can size columns without <c>AdjustToContents</c> (which needs native GDI+ and is slow on big sheets).
/// </summary>
/// <remarks>
/// Every number becomes a numeric cell with a number format and every date an Excel date: a reader sees
/// the value without recalculating anything. Text is always stored as text, whatever it looks like.
/// </remarks>
internal sealed class SheetWriter
{
    /// <summary>Excel's limit on the characters in one cell; longer text would make ClosedXML throw.</summary>
    internal const int MaxCellTextLength = 32_767;

    /// <summary>Written where a rate is undefined (no deals to divide by): a 0 would be a lie.</summary>
    internal const string Undefined = "—";

    private const int MinColumnWidth = 8;
    private const int MaxColumnWidth = 60;

    /// <summary>Excel cannot show a date before 1900-03-01 as a date (and 1900 has its leap-year bug).</summary>
    private static readonly LocalDate FirstExcelDate = new(1900, 3, 1);

    private static readonly XLColor HeaderFill = XLColor.FromHtml("#DDEBF7");

    private readonly Dictionary<int, int> _widths = [];
    private readonly Dictionary<string, string> _moneyFormats = new(StringComparer.Ordinal);

    private readonly Labels _labels;

    /// <summary>Writes onto <paramref name="sheet"/>, dates in the number formats of <paramref name="labels"/> (English when left out).</summary>
    public SheetWriter(IXLWorksheet sheet, Labels? labels = null)
    {
        Sheet = sheet;
        _labels = labels ?? Labels.English;
    }

    public IXLWorksheet Sheet { get; }

    /// <summary>Whether written cells still count towards column widths (turned off after a sample of rows).</summary>
    public bool TrackWidths { get; set; } = true;

    /// <summary>Writes <paramref name="text"/> as text, never as a formula, number or date; <see langword="null"/> leaves the cell empty.</summary>
    public IXLCell Text(int row, int column, string? text)
    {
        var cell = Sheet.Cell(row, column);
        if (text is null)
        {
            return cell;
        }

        text = FitCell(text);
        cell.SetValue(text);
        if (NeedsQuotePrefix(text))
        {
            // What Excel itself stores when a user types '=…: the cell stays text even after someone edits it.
            cell.Style.IncludeQuotePrefix = true;
        }

        Track(column, TextWidth(text));
        return cell;
    }

    /// <summary>Whether text (as <see cref="FitCell"/> left it) would read as a formula or an entry to Excel when edited: it is then stored with a quote prefix.</summary>
    internal static bool NeedsQuotePrefix(string text) => text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r';

    /// <summary>The characters a column needs for text (as <see cref="FitCell"/> left it): its longest line.</summary>
    internal static int TextWidth(string text) => LongestLine(text);

    /// <summary>The characters a column needs for an amount shown with its currency.</summary>
    internal static int MoneyWidth(decimal value, string currency) => value.ToString("#,##0.00", CultureInfo.InvariantCulture).Length + 1 + currency.Length;

    /// <summary>The characters a column needs for a fraction shown as a percentage.</summary>
    internal static int RateWidth(decimal fraction) => (fraction * 100m).ToString("0.0", CultureInfo.InvariantCulture).Length + 1;

    /// <summary>The characters a column needs for a date.</summary>
    internal const int DateWidth = 10;

    /// <summary>Whether Excel can show <paramref name="date"/> as a date; one before 1900-03-01 is written as ISO text instead.</summary>
    internal static bool IsExcelDate(LocalDate date) => date >= FirstExcelDate;

    /// <summary>A column header: bold, shaded, with a line under it.</summary>
    public IXLCell Header(int row, int column, string text)
    {
        var cell = Text(row, column, text);
        cell.Style.Font.Bold = true;
        cell.Style.Fill.BackgroundColor = HeaderFill;
        cell.Style.Border.BottomBorder = XLBorderStyleValues.Thin;
        Track(column, text.Length + 2); // room for a filter button
        return cell;
    }

    public IXLCell Count(int row, int column, long value)
    {
        var cell = Sheet.Cell(row, column);
        cell.SetValue(value);
        cell.Style.NumberFormat.Format = NumberFormats.Count;
        Track(column, value.ToString("#,##0", CultureInfo.InvariantCulture).Length);
        return cell;
    }

    public IXLCell Money(int row, int column, decimal value, string currency)
    {
        var cell = Sheet.Cell(row, column);
        cell.SetValue(value);
        cell.Style.NumberFormat.Format = MoneyFormat(currency, perDay: null);
        Track(column, MoneyWidth(value, currency));
        return cell;
    }

    /// <summary>Money per day ("1,234.50 PLN/day"); <see langword="null"/> writes <see cref="Undefined"/>.</summary>
    public IXLCell MoneyPerDay(int row, int column, decimal? value, string currency, string perDay)
    {
        if (value is not { } amount)
        {
            return WriteUndefined(row, column);
        }

        var cell = Sheet.Cell(row, column);
        cell.SetValue(amount);
        cell.Style.NumberFormat.Format = MoneyFormat(currency, perDay);
        Track(column, amount.ToString("#,##0.00", CultureInfo.InvariantCulture).Length + 2 + currency.Length + perDay.Length);
        return cell;
    }

    /// <summary>A fraction shown as a percentage (0.25 → 25.0%); <see langword="null"/> writes <see cref="Undefined"/>, never 0.</summary>
    public IXLCell Rate(int row, int column, decimal? fraction, string format = NumberFormats.Rate)
    {
        if (fraction is not { } value)
        {
            return WriteUndefined(row, column);
        }

        var cell = Sheet.Cell(row, column);
        cell.SetValue(value);
        cell.Style.NumberFormat.Format = format;
        Track(column, RateWidth(value));
        return cell;
    }

    /// <summary>A number of days with one decimal; <see langword="null"/> writes <see cref="Undefined"/>.</summary>
    public IXLCell Days(int row, int column, decimal? days)
    {
        if (days is not { } value)
        {
            return WriteUndefined(row, column);
        }

        var cell = Sheet.Cell(row, column);
        cell.SetValue(value);
        cell.Style.NumberFormat.Format = NumberFormats.Days;
        Track(column, value.ToString("#,##0.0", CultureInfo.InvariantCulture).Length);
        return cell;
    }

    /// <summary>A calendar date as an Excel date; <see langword="null"/> leaves the cell empty.</summary>
    public IXLCell Date(int row, int column, LocalDate? date) =>
        date is { } value
            ? WriteDate(row, column, value.AtMidnight(), _labels.DateFormat, DateWidth)
            : Sheet.Cell(row, column);

    /// <summary>A local date and time (already in the report's time zone) as an Excel date-time.</summary>
    public IXLCell DateTime(int row, int column, LocalDateTime value) =>
        WriteDate(row, column, value, _labels.DateTimeFormat, 16);

    /// <summary>A month as the Excel date of its first day, shown as <c>yyyy-mm</c> (<c>mm.yyyy</c> in Polish).</summary>
    public IXLCell Month(int row, int column, YearMonth month) =>
        WriteDate(row, column, month.OnDayOfMonth(1).AtMidnight(), _labels.MonthFormat, 7);

    /// <summary>A signed difference: counts as <c>+#,##0</c>, money with its currency, rates in percentage points.</summary>
    public IXLCell Change(int row, int column, decimal? difference, string format)
    {
        if (difference is not { } value)
        {
            return WriteUndefined(row, column);
        }

        var cell = Sheet.Cell(row, column);
        cell.SetValue(value);
        cell.Style.NumberFormat.Format = format;
        Track(column, value.ToString("#,##0.00", CultureInfo.InvariantCulture).Length + 6);
        return cell;
    }

    /// <summary>Sets the width of every column written to, from its widest content, within readable bounds.</summary>
    public void ApplyColumnWidths()
    {
        foreach (var (column, characters) in _widths)
        {
            Sheet.Column(column).Width = Math.Clamp(characters + 2, MinColumnWidth, MaxColumnWidth);
        }
    }

    /// <summary>Counts <paramref name="characters"/> towards <paramref name="column"/>'s width, also for text that may overflow.</summary>
    public void Track(int column, int characters)
    {
        if (TrackWidths && (!_widths.TryGetValue(column, out var current) || characters > current))
        {
            _widths[column] = characters;
        }
    }

    /// <summary>Text that may overflow into the empty cells beside it (a title, a note): it does not widen its column.</summary>
    public IXLCell Note(int row, int column, string text)
    {
        var tracking = TrackWidths;
        TrackWidths = false;
        try
        {
            return Text(row, column, text);
        }
        finally
        {
            TrackWidths = tracking;
        }
    }

    private IXLCell WriteUndefined(int row, int column)
    {
        var cell = Text(row, column, Undefined);
        cell.Style.Alignment.Horizontal = XLAlignmentHorizontalValues.Right;
        return cell;
    }

    private IXLCell WriteDate(int row, int column, LocalDateTime value, string format, int width)
    {
        if (!IsExcelDate(value.Date))
        {
            // Excel has no serial number for it; show the ISO date as text rather than a wrong date.
            return Text(row, column, value.Date.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture));
        }

        var cell = Sheet.Cell(row, column);
        cell.SetValue(value.ToDateTimeUnspecified());
        cell.Style.NumberFormat.Format = format;
        Track(column, width);
        return cell;
    }

    private string MoneyFormat(string currency, string? perDay)
    {
        var key = perDay is null ? currency : currency + "/" + perDay;
        if (!_moneyFormats.TryGetValue(key, out var format))
        {
            format = NumberFormats.Money(currency, perDay);
            _moneyFormats[key] = format;
        }

        return format;
    }

    /// <summary>Cuts text to what one cell holds, without splitting a surrogate pair, and marks the cut.</summary>
    internal static string FitCell(string text)
    {
        if (text.Length <= MaxCellTextLength)
        {
            return text;
        }

        var keep = MaxCellTextLength - 1;
        if (char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return string.Concat(text.AsSpan(0, keep), "…");
    }

    private static int LongestLine(string text)
    {
        var longest = 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            longest = Math.Max(longest, line.Length);
        }

        return longest;
    }
}

/// <summary>The Excel number formats of the workbook.</summary>
internal static class NumberFormats
{
    public const string Count = "#,##0";
    public const string Rate = "0.0%";
    public const string Probability = "0%";
    public const string Days = "0.0";
    public const string CountChange = "+#,##0;-#,##0;0";
    public const string RateChange = "+0.0%;-0.0%;0.0%";
    public const string DaysChange = "+0.0;-0.0;0.0";

    /// <summary>
    /// <c>#,##0.00 "PLN"</c>: the currency is part of the format, so the cell stays a number. Only letters and
    /// digits of the currency go into the format (a quote would end the literal and break the file).
    /// </summary>
    public static string Money(string currency, string? perDay = null)
    {
        var suffix = Literal(currency);
        if (perDay is not null)
        {
            suffix = suffix.Length == 0 ? Literal(perDay) : suffix + "/" + Literal(perDay);
        }

        return suffix.Length == 0 ? "#,##0.00" : $"#,##0.00 \"{suffix}\"";
    }

    /// <summary>A signed money difference: <c>+#,##0.00 "PLN";-#,##0.00 "PLN";0.00 "PLN"</c>.</summary>
    public static string MoneyChange(string currency)
    {
        var suffix = Literal(currency);
        var unit = suffix.Length == 0 ? string.Empty : $" \"{suffix}\"";
        return $"+#,##0.00{unit};-#,##0.00{unit};0.00{unit}";
    }

    private static string Literal(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
