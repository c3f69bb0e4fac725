using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Xunit;

namespace SalesPipeline.Tests.Worker.Exporting;

/// <summary>
/// Opens workbooks with readers nobody here wrote: openpyxl (Python) and LibreOffice. scripts/test.sh installs
/// both (python3-openpyxl, libreoffice-calc-nogui); when one is missing the test fails and says so — a check
/// that silently skips proves nothing.
/// </summary>
internal static class ExternalReaders
{
    private const string Python = "/usr/bin/python3";

    private static readonly string[] LibreOfficeLocations = ["/usr/bin/libreoffice", "/usr/bin/soffice", "/usr/local/bin/libreoffice"];

    /// <summary>Dumps every sheet as openpyxl sees it: values, data types, number formats, panes, tables, data bars.</summary>
    private const string DumpScript = """
        import json, sys
        try:
            import openpyxl
        except ImportError as e:
            sys.exit("openpyxl is not installed for /usr/bin/python3 (apt-get install python3-openpyxl; scripts/test.sh does it): %s" % e)
        import warnings
        warnings.simplefilter("ignore")  # openpyxl warns that it drops the Excel 2010 data-bar extension
        wb = openpyxl.load_workbook(sys.argv[1])
        out = {"sheets": []}
        for ws in wb.worksheets:
            cells = {}
            for row in ws.iter_rows():
                for c in row:
                    if c.value is None:
                        continue
                    v = c.value
                    if hasattr(v, "isoformat"):
                        v = v.isoformat()
                    cells[c.coordinate] = {"value": v, "type": c.data_type, "format": c.number_format}
            bars = []
            for rng in ws.conditional_formatting:
                for rule in rng.rules:
                    if rule.type == "dataBar":
                        bars.append({"range": str(rng.sqref), "max": rule.dataBar.cfvo[1].val})
            out["sheets"].append({
                "name": ws.title,
                "freeze": ws.freeze_panes,
                "tables": [{"name": t.name, "ref": t.ref, "autoFilter": t.autoFilter is not None} for t in ws.tables.values()],
                "dataBars": bars,
                "cells": cells,
            })
        print(json.dumps(out, ensure_ascii=False))
        """;

    /// <summary>Reads an iCalendar file with Python's icalendar: each event and to-do as kind, UID, summary and start (or due) instant.</summary>
    private const string CalendarScript = """
        import json, sys
        try:
            from icalendar import Calendar
        except ImportError as e:
            sys.exit("icalendar is not installed for /usr/bin/python3 (apt-get install python3-icalendar; scripts/test.sh does it): %s" % e)
        with open(sys.argv[1], "rb") as f:
            cal = Calendar.from_ical(f.read())
        out = []
        for c in cal.walk():
            if c.name in ("VEVENT", "VTODO"):
                at = c.get("DTSTART") if c.name == "VEVENT" else c.get("DUE")
                out.append({"kind": c.name, "uid": str(c.get("UID")), "summary": str(c.get("SUMMARY")), "at": at.dt.isoformat()})
        print(json.dumps(out, ensure_ascii=False))
        """;

    public static IReadOnlyList<(string Kind, string Uid, string Summary, string At)> ReadCalendarWithIcalendar(string ics)
    {
        if (!File.Exists(Python))
        {
            Assert.Fail($"{Python} is missing: install python3 and python3-icalendar (scripts/test.sh does it).");
        }

        var json = Run(Python, ["-c", CalendarScript, ics], TimeSpan.FromMinutes(1));
        return [.. JsonDocument.Parse(json).RootElement.EnumerateArray().Select(e => (e.GetProperty("kind").GetString()!, e.GetProperty("uid").GetString()!, e.GetProperty("summary").GetString()!, e.GetProperty("at").GetString()!))];
    }

    public static OpenpyxlWorkbook ReadWithOpenpyxl(string xlsx)
    {
        if (!File.Exists(Python))
        {
            Assert.Fail($"{Python} is missing: install python3 and python3-openpyxl (scripts/test.sh does it).");
        }

        using var folder = new TempFolder();
        var script = Path.Combine(folder.Path, "dump.py");
        File.WriteAllText(script, DumpScript);
        var output = Run(Python, [script, xlsx], TimeSpan.FromMinutes(2));
        return new OpenpyxlWorkbook(JsonDocument.Parse(output).RootElement.Clone());
    }

    /// <summary>Reads every sheet's print settings as openpyxl sees them.</summary>
    private const string PrintScript = """
        import json, sys
        import openpyxl
        import warnings
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(sys.argv[1])
        out = {}
        for ws in wb.worksheets:
            ps = ws.page_setup
            out[ws.title] = {
                "orientation": ps.orientation,
                "fitToPage": bool(ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage),
                # An absent fitToWidth means the schema's default, 1 (Excel and LibreOffice read it so).
                "fitToWidth": 1 if ps.fitToWidth is None else int(ps.fitToWidth),
                "fitToHeight": 1 if ps.fitToHeight is None else int(ps.fitToHeight),
                "titleRows": ws.print_title_rows,
                "headerLeft": ws.oddHeader.left.text,
                "headerRight": ws.oddHeader.right.text,
                "footerCenter": ws.oddFooter.center.text,
            }
        print(json.dumps(out, ensure_ascii=False))
        """;

    /// <summary>Every sheet's print settings read back by openpyxl: orientation, fit to pages, title rows, header and footer.</summary>
    public static JsonElement ReadPrintSettings(string xlsx)
    {
        using var folder = new TempFolder();
        var script = Path.Combine(folder.Path, "print.py");
        File.WriteAllText(script, PrintScript);
        return JsonDocument.Parse(Run(Python, [script, xlsx], TimeSpan.FromMinutes(2))).RootElement.Clone();
    }

    /// <summary>Converts the workbook to PDF with LibreOffice headless (every sheet, as printed) into <paramref name="folder"/>.</summary>
    public static string ConvertToPdf(string xlsx, string folder)
    {
        var office = LibreOfficeLocations.FirstOrDefault(File.Exists);
        if (office is null)
        {
            Assert.Fail("LibreOffice is missing: install libreoffice-calc-nogui (scripts/test.sh does it).");
        }

        var profile = new Uri(Path.Combine(folder, "profile")).AbsoluteUri;
        Run(office, [$"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "pdf", "--outdir", folder, xlsx], TimeSpan.FromMinutes(5));
        var pdf = Path.Combine(folder, Path.GetFileNameWithoutExtension(xlsx) + ".pdf");
        Assert.True(File.Exists(pdf), $"LibreOffice wrote no PDF for {xlsx}.");
        return pdf;
    }

    /// <summary>The words of a PDF with their page (1-based) and box in points from the page's top left (poppler's pdftotext -bbox).</summary>
    public static IReadOnlyList<PdfWord> PdfWords(string pdf)
    {
        var html = Path.ChangeExtension(pdf, ".words.html");
        Run(Poppler("pdftotext"), ["-bbox", pdf, html], TimeSpan.FromMinutes(2));
        var words = new List<PdfWord>();
        var page = 0;
        // The XHTML names a DTD; drop the declaration so the parser reads the words without fetching or trusting it.
        var xhtml = System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(html), "<!DOCTYPE[^>]*>", string.Empty);
        var document = System.Xml.Linq.XDocument.Parse(xhtml);
        foreach (var element in document.Descendants())
        {
            if (element.Name.LocalName == "page")
            {
                page++;
            }
            else if (element.Name.LocalName == "word")
            {
                double A(string name) => double.Parse(element.Attribute(name)!.Value, System.Globalization.CultureInfo.InvariantCulture);
                words.Add(new PdfWord(page, A("xMin"), A("yMin"), A("xMax"), A("yMax"), element.Value));
            }
        }

        return words;
    }

    /// <summary>Renders one PDF page at 72 dpi (one pixel per point) with poppler's pdftoppm and returns its RGB pixels.</summary>
    public static PdfPage RenderPage(string pdf, int page)
    {
        var prefix = Path.Combine(Path.GetDirectoryName(pdf)!, $"page-{page}");
        var number = page.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Run(Poppler("pdftoppm"), ["-r", "72", "-f", number, "-l", number, "-singlefile", pdf, prefix], TimeSpan.FromMinutes(2));
        var bytes = File.ReadAllBytes(prefix + ".ppm");

        // Binary PPM: "P6", width, height, max value (255), each separated by whitespace, then width × height RGB triples.
        var fields = new List<int>();
        var i = 2;
        while (fields.Count < 3)
        {
            while (char.IsWhiteSpace((char)bytes[i]))
            {
                i++;
            }

            var start = i;
            while (!char.IsWhiteSpace((char)bytes[i]))
            {
                i++;
            }

            fields.Add(int.Parse(Encoding.ASCII.GetString(bytes, start, i - start), System.Globalization.CultureInfo.InvariantCulture));
        }

        return new PdfPage(fields[0], fields[1], bytes.AsSpan(i + 1).ToArray());
    }

    private static string Poppler(string tool)
    {
        var path = "/usr/bin/" + tool;
        if (!File.Exists(path))
        {
            Assert.Fail($"{path} is missing: install poppler-utils (scripts/test.sh does it).");
        }

        return path;
    }

    /// <summary>
    /// Converts every sheet to CSV with LibreOffice headless, cells as LibreOffice shows them (number formats applied),
    /// and returns the rows per sheet name.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<string>>> RenderWithLibreOffice(string xlsx)
    {
        var office = LibreOfficeLocations.FirstOrDefault(File.Exists);
        if (office is null)
        {
            Assert.Fail("LibreOffice is missing: install libreoffice-calc-nogui (scripts/test.sh does it).");
        }

        using var folder = new TempFolder();
        var output = Path.Combine(folder.Path, "out");
        // A private profile: no clash with another LibreOffice running, nothing left in the user's home.
        var profile = new Uri(Path.Combine(folder.Path, "profile")).AbsoluteUri;
        // Filter tokens: comma, double quote, UTF-8, from line 1, -, en-US, -, -, save as shown, no formulas, -, all sheets.
        const string Filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,true,false,false,-1";
        Run(office, [$"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", Filter, "--outdir", output, xlsx],
            TimeSpan.FromMinutes(5)); // the first start of a fresh profile is slow

        var stem = Path.GetFileNameWithoutExtension(xlsx);
        var sheets = new Dictionary<string, IReadOnlyList<IReadOnlyList<string>>>(StringComparer.Ordinal);
        foreach (var csv in Directory.GetFiles(output, "*.csv"))
        {
            var sheet = Path.GetFileNameWithoutExtension(csv)[(stem.Length + 1)..];
            sheets[sheet] = ParseCsv(File.ReadAllText(csv, Encoding.UTF8));
        }

        Assert.True(sheets.Count > 0, $"LibreOffice wrote no CSV for {xlsx}.");
        return sheets;
    }

    private static string Run(string executable, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{executable} did not finish within {timeout}.");
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Assert.Fail($"{executable} exited with {process.ExitCode}: {stderr.Result}");
        }

        return stdout.Result;
    }

    /// <summary>RFC 4180: quoted fields may hold commas, doubled quotes and line breaks.</summary>
    internal static IReadOnlyList<IReadOnlyList<string>> ParseCsv(string text)
    {
        var rows = new List<IReadOnlyList<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n' || (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n'))
            {
                if (c == '\r')
                {
                    i++;
                }

                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add(row);
        }

        return rows;
    }
}

/// <summary>A word on a PDF page: its page (1-based), its box in points from the top left, its text.</summary>
internal sealed record PdfWord(int Page, double XMin, double YMin, double XMax, double YMax, string Text);

/// <summary>A rendered PDF page, one pixel per point.</summary>
internal sealed record PdfPage(int Width, int Height, byte[] Rgb)
{
    /// <summary>Counts the strongly coloured pixels (bars and lines of a chart; not text, grid lines or pale cell fills) in a rectangle.</summary>
    public int ColouredPixels(double xMin, double yMin, double xMax, double yMax)
    {
        var count = 0;
        for (var y = Math.Max(0, (int)yMin); y < Math.Min(Height, (int)yMax); y++)
        {
            for (var x = Math.Max(0, (int)xMin); x < Math.Min(Width, (int)xMax); x++)
            {
                var p = ((y * Width) + x) * 3;
                var (r, g, b) = (Rgb[p], Rgb[p + 1], Rgb[p + 2]);
                if (Math.Max(r, Math.Max(g, b)) - Math.Min(r, Math.Min(g, b)) > 80)
                {
                    count++;
                }
            }
        }

        return count;
    }
}

/// <summary>What openpyxl read: sheets in order, with their cells by A1 address.</summary>
internal sealed class OpenpyxlWorkbook(JsonElement root)
{
    public IReadOnlyList<string> SheetNames =>
        [.. root.GetProperty("sheets").EnumerateArray().Select(s => s.GetProperty("name").GetString()!)];

    public JsonElement Sheet(string name) =>
        root.GetProperty("sheets").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);

    /// <summary>The cell at <paramref name="address"/>, or <see langword="null"/> when openpyxl saw it empty.</summary>
    public JsonElement? Cell(string sheet, string address) =>
        Sheet(sheet).GetProperty("cells").TryGetProperty(address, out var cell) ? cell : null;

    public IEnumerable<(string Sheet, string Address, JsonElement Cell)> AllCells() =>
        root.GetProperty("sheets").EnumerateArray().SelectMany(s =>
            s.GetProperty("cells").EnumerateObject().Select(c => (s.GetProperty("name").GetString()!, c.Name, c.Value)));
}

/// <summary>A folder under the temp path, deleted with everything in it on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "salespipeline-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a crashed reader; the OS temp cleanup will take it.
        }
    }
}
