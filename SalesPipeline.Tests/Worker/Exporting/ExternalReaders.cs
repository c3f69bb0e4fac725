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
