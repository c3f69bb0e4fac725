using System.CommandLine;
using NodaTime;
using NodaTime.Text;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary>Options shared by the commands that write reports.</summary>
internal static class ReportOptions
{
    // ClosedXML holds the whole workbook in memory (about 13 MB per 1,000 detail rows), so the detail
    // sheet is capped to keep a report over a large store within a few hundred megabytes.
    public const int DefaultDetailRows = 5_000;

    public static Option<string> TimeZone() => new("--time-zone")
    {
        Description = "The IANA time zone that report dates are in, for example Europe/Warsaw.",
        DefaultValueFactory = _ => "UTC",
    };

    public static Option<string> Culture() => new Option<string>("--culture")
    {
        Description = "The language of labels and stage names: en or pl. Numbers stay numbers.",
        DefaultValueFactory = _ => "en",
    }.AcceptingOnly("en", "pl");

    public static Option<int> DetailRows() => new("--detail-rows")
    {
        Description = $"At most this many deals on the Opportunities sheet; the rest are counted on the sheet. Default {DefaultDetailRows:N0}.",
        DefaultValueFactory = _ => DefaultDetailRows,
    };

    public static DateTimeZone ParseZone(string id) =>
        DateTimeZoneProviders.Tzdb.GetZoneOrNull(id)
        ?? throw new CliInputException($"--time-zone '{id}' is not an IANA time zone; use for example UTC or Europe/Warsaw.");

    public static LocalDate ParseDate(string? text, string option)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new CliInputException($"{option} is required, as yyyy-MM-dd.");
        }

        var result = LocalDatePattern.Iso.Parse(text.Trim());
        return result.Success
            ? result.Value
            : throw new CliInputException($"{option} '{text}' is not a date: use yyyy-MM-dd with a real day, for example 2026-09-30.");
    }

    public static int CheckDetailRows(int rows) =>
        rows is >= 0 and <= 1_000_000
            ? rows
            : throw new CliInputException($"--detail-rows must be between 0 and 1,000,000, was {rows:N0}.");

    /// <summary>Checks that a workbook can be written at <paramref name="path"/> before any work is done.</summary>
    public static string CheckOutputFile(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new CliInputException("--out is required: the .xlsx file to write.");
        }

        var full = Path.GetFullPath(path);
        if (!full.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliInputException($"--out '{path}' must end in .xlsx.");
        }

        if (Directory.Exists(full))
        {
            throw new CliInputException($"--out '{path}' is a folder; give a file name ending in .xlsx.");
        }

        CheckWritableFolder(Path.GetDirectoryName(full)!, "--out");
        return full;
    }

    public static string CheckWritableFolder(string folder, string option, bool create = false)
    {
        var full = Path.GetFullPath(folder);
        if (create)
        {
            try
            {
                Directory.CreateDirectory(full);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliInputException($"{option}: cannot create the folder '{full}': {e.Message}");
            }
        }

        if (!Directory.Exists(full))
        {
            throw new CliInputException($"{option}: the folder '{full}' does not exist.");
        }

        var probe = Path.Combine(full, $".salespipeline-write-test-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException($"{option}: cannot write in the folder '{full}': {e.Message}");
        }

        return full;
    }

    private static Option<string> AcceptingOnly(this Option<string> option, params string[] values)
    {
        option.AcceptOnlyFromAmong(values);
        return option;
    }
}
