using System.CommandLine;
using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary>Options shared by the commands that write reports.</summary>
internal static class ReportOptions
{
    // ClosedXML holds the whole workbook in memory (about 13 MB per 1,000 detail rows), so the detail
    // sheet is capped to keep a report over a large store within a few hundred megabytes.
    public const int DefaultDetailRows = 5_000;

    /// <summary>The first date a report period may start on.</summary>
    public static readonly LocalDate FirstDate = new(1, 1, 2);

    /// <summary>The last date a report period may end on.</summary>
    public static readonly LocalDate LastDate = new(9999, 12, 30);

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

    public static Option<int> DetailRows() => WholeNumber(
        "--detail-rows", $"At most this many deals on the Opportunities sheet; the rest are counted on the sheet. Default {DefaultDetailRows:N0}.", DefaultDetailRows, 0, 1_000_000);

    /// <summary>
    /// An option that takes a whole number from <paramref name="min"/> to <paramref name="max"/>: text that is not one, does
    /// not fit in 32 bits, or is out of range is refused when the command line is read, naming the option and the range.
    /// </summary>
    public static Option<int> WholeNumber(string name, string description, int defaultValue, int min, int max) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
            if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} '{text}' is not a whole number between {min:N0} and {max:N0}; give one in that range."));
            }
            else if (value < min || value > max)
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be between {min:N0} and {max:N0}, was {value:N0}."));
            }

            return value;
        },
    };

    /// <summary>
    /// An optional option that takes a number written with a decimal point (invariant culture, no grouping): text that is
    /// not one, such as <c>0,3</c>, is refused when the command line is read, naming the option and showing
    /// <paramref name="example"/>. Ranges are checked where the value is used.
    /// </summary>
    public static Option<decimal?> Number(string name, string description, string example) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
            if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            result.AddError($"{name} '{text}' is not a number; write it with a decimal point and no separators, for example {example}.");
            return null;
        },
    };

    public static DateTimeZone ParseZone(string id) =>
        DateTimeZoneProviders.Tzdb.GetZoneOrNull(id)
        ?? throw new CliInputException($"--time-zone '{id}' is not an IANA time zone; use for example UTC or Europe/Warsaw.");

    public static LocalDate ParseDate(string? text, string option)
    {
        var date = ParseDay(text, option);

        // A report runs to the start of the day after --to, in any time zone, so both ends stay a day inside the calendar.
        return date >= FirstDate && date <= LastDate
            ? date
            : throw new CliInputException($"{option} '{text}' is outside the dates a report can cover, {FirstDate:uuuu-MM-dd} to {LastDate:uuuu-MM-dd}; give a date in that range.");
    }

    /// <summary>Reads a yyyy-MM-dd date, refusing text that is not one; what range it must lie in is checked where it is used.</summary>
    public static LocalDate ParseDay(string? text, string option)
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

    /// <summary>
    /// Checks, before any work, that a file can be written at <paramref name="path"/>: not a folder, in a folder that exists
    /// and may be written (a file is created and deleted there), ending in <paramref name="extension"/> when one is given.
    /// </summary>
    /// <returns>The full path.</returns>
    public static string CheckOutputFile(string? path, string option, string? extension = null)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new CliInputException($"{option} is required: the file to write.");
        }

        var full = Path.GetFullPath(path);
        if (extension is not null && !full.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
        {
            throw new CliInputException($"{option} '{path}' must end in {extension}.");
        }

        if (Directory.Exists(full))
        {
            throw new CliInputException($"{option} '{path}' is a folder; give a file name{(extension is null ? string.Empty : $" ending in {extension}")}.");
        }

        CheckWritableFolder(Path.GetDirectoryName(full)!, option);
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
                throw new CliInputException($"{option}: cannot create the folder '{full}' ({Reason(e)}); choose a folder you may write in.");
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
            throw new CliInputException($"{option}: cannot write in the folder '{full}' ({Reason(e)}); choose a folder you may write in.");
        }

        return full;
    }

    private static string Reason(Exception e) => e is UnauthorizedAccessException ? "permission denied" : "it is read-only, full or not a folder";

    private static Option<string> AcceptingOnly(this Option<string> option, params string[] values)
    {
        option.AcceptOnlyFromAmong(values);
        return option;
    }
}
