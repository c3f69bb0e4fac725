using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Wcwidth;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary>Writes a list command's rows as an aligned table, CSV or JSON (<c>--format</c>).</summary>
internal static class ListOutput
{
    /// <summary>
    /// Indented, with letters as they are (Żółć rather than six-character escapes of each letter) and a quote as a
    /// backslash and quote: the output goes to a terminal or a file, never into a web page, as the pipeline's JSON does.
    /// </summary>
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Option<string> FormatOption()
    {
        var option = new Option<string>("--format")
        {
            Description = "Output format: table (aligned columns, one line a row, a CJK or other wide letter or an emoji taking two columns, the default), csv (with a header row; a value a spreadsheet would take for a formula, beginning with =, +, -, @, a tab or a carriage return, begins with an apostrophe) or json (an array of objects).",
            DefaultValueFactory = _ => "table",
        };
        option.AcceptOnlyFromAmong("table", "csv", "json");
        return option;
    }

    public static async Task WriteAsync(TextWriter output, string format, IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string?>> rows)
    {
        switch (format)
        {
            case "csv":
                await output.WriteLineAsync(string.Join(',', headers.Select(Csv))).ConfigureAwait(false);
                foreach (var row in rows)
                {
                    await output.WriteLineAsync(string.Join(',', row.Select(Csv))).ConfigureAwait(false);
                }

                break;
            case "json":
                var objects = rows.Select(r => headers.Select((h, i) => (h, r[i])).ToDictionary(p => p.h, p => p.Item2)).ToList();
                await output.WriteLineAsync(JsonSerializer.Serialize(objects, Json)).ConfigureAwait(false);
                break;
            default:
                var cells = rows.Select(r => r.Select(Cell).ToList()).ToList();
                var widths = headers.Select((h, i) => cells.Select(r => Width(r[i])).Append(Width(h)).Max()).ToList();
                await output.WriteLineAsync(Line(headers, widths)).ConfigureAwait(false);
                foreach (var row in cells)
                {
                    await output.WriteLineAsync(Line(row, widths)).ConfigureAwait(false);
                }

                break;
        }
    }

    private static string Line(IReadOnlyList<string> cells, List<int> widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Count; i++)
        {
            line.Append(cells[i]);
            if (i < cells.Count - 1)
            {
                line.Append(' ', widths[i] - Width(cells[i]) + 2);
            }
        }

        return line.ToString().TrimEnd();
    }

    /// <summary>
    /// A table cell on one line: a line break (a deal named over two lines) would start a new row in the middle of this
    /// one, and a tab would jump to the terminal's next tab stop, so they are shown as ↵ and a space.
    /// </summary>
    internal static string Cell(string? value) =>
        value is null ? string.Empty
        : value.IndexOfAny(['\r', '\n', '\t']) < 0 ? value
        : value.ReplaceLineEndings("\u21B5").Replace('\t', ' ');

    /// <summary>
    /// The terminal columns a cell takes, counted per character as a reader sees it (a grapheme cluster), each as wide as the
    /// widest code point in it by Unicode's East Asian width (<see cref="UnicodeCalculator"/>): a CJK letter, a fullwidth
    /// form or an emoji takes two; a combining mark, a zero-width joiner or a variation selector none, so a letter written
    /// with a combining accent is as wide as the letter and emoji joined into one (👨‍👩‍👧) are one emoji; a flag (a pair of
    /// regional indicators) takes two. A control character takes none (the table shows line breaks and tabs otherwise, see
    /// <see cref="Cell"/>). Cells are padded, never cut, so no character is split.
    /// </summary>
    internal static int Width(string cell)
    {
        var width = 0;
        var characters = StringInfo.GetTextElementEnumerator(cell);
        while (characters.MoveNext())
        {
            var widest = 0;
            var indicators = 0;
            foreach (var rune in characters.GetTextElement().EnumerateRunes())
            {
                widest = Math.Max(widest, UnicodeCalculator.GetWidth(rune));
                indicators += rune.Value is >= 0x1F1E6 and <= 0x1F1FF ? 1 : 0;
            }

            width += indicators == 2 ? 2 : widest;
        }

        return width;
    }

    /// <summary>
    /// A CSV field. Text a spreadsheet would read as a formula when it opens the file (a deal named <c>=HYPERLINK(…)</c>)
    /// gets the apostrophe Excel itself puts before such text, and is quoted, so it stays text; the workbooks keep the same
    /// text with a quote prefix (<see cref="Exporting.SheetWriter.NeedsQuotePrefix"/>).
    /// </summary>
    private static string Csv(string? value)
    {
        if (value is null)
        {
            return string.Empty;
        }

        var formula = Exporting.SheetWriter.NeedsQuotePrefix(value);
        var text = formula ? "'" + value : value;
        return formula || text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
