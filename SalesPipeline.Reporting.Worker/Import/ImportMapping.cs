using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Text;
using SalesPipeline.Domain;

namespace SalesPipeline.Reporting.Worker.Import;

/// <summary>
/// How another system's CSV export becomes opportunities: which column (or template) feeds which field, how stage,
/// outcome and owner values translate, how dates and numbers are written, defaults for missing values, and which columns
/// give the date a deal entered a stage. A field the mapping does not name is read from its canonical column
/// (<see cref="ImportFields.CanonicalName"/>) when the file has one, so <see cref="Canonical"/> is simply the empty mapping.
/// The JSON format is documented in the README ("Import").
/// </summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
internal sealed class ImportMapping
{
    /// <summary>The default number of days from creation to the expected close date when a file gives neither.</summary>
    public const int DefaultExpectedCloseDays = 90;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    private ImportMapping(
        IReadOnlyDictionary<ImportField, string> columns,
        IReadOnlyDictionary<ImportField, NameTemplate> templates,
        IReadOnlyDictionary<string, string> stages,
        IReadOnlyDictionary<string, ImportOutcome> outcomes,
        IReadOnlyDictionary<string, string> owners,
        IReadOnlyDictionary<string, string> stageDates,
        ImportDates dates,
        CultureInfo numberCulture,
        IReadOnlyDictionary<ImportField, string> defaults,
        int expectedCloseDays,
        char separator,
        string? pipelineFile)
    {
        Columns = columns;
        Templates = templates;
        Stages = stages;
        Outcomes = outcomes;
        Owners = owners;
        StageDates = stageDates;
        Dates = dates;
        NumberCulture = numberCulture;
        Defaults = defaults;
        ExpectedCloseDays = expectedCloseDays;
        Separator = separator;
        PipelineFile = pipelineFile;
    }

    /// <summary>Gets the mapping of a file with the canonical header: no renames, ISO dates in UTC, invariant numbers.</summary>
    public static ImportMapping Canonical { get; } = FromJson("{}");

    /// <summary>Gets the column each field is read from, where the mapping names one.</summary>
    public IReadOnlyDictionary<ImportField, string> Columns { get; }

    /// <summary>Gets the fields built from a template of other columns, such as <c>"{product} – {account}"</c>.</summary>
    public IReadOnlyDictionary<ImportField, NameTemplate> Templates { get; }

    /// <summary>Gets the file's stage values (ignoring case) and the stage ids they mean.</summary>
    public IReadOnlyDictionary<string, string> Stages { get; }

    /// <summary>Gets the file's outcome values (ignoring case) and what they mean.</summary>
    public IReadOnlyDictionary<string, ImportOutcome> Outcomes { get; }

    /// <summary>Gets the file's owner values (ignoring case) and the user ids they mean.</summary>
    public IReadOnlyDictionary<string, string> Owners { get; }

    /// <summary>Gets, per stage id, the column that gives the date a deal entered that stage.</summary>
    public IReadOnlyDictionary<string, string> StageDates { get; }

    /// <summary>Gets how dates are written and the time zone they are in.</summary>
    public ImportDates Dates { get; }

    /// <summary>Gets the culture numbers are written in.</summary>
    public CultureInfo NumberCulture { get; }

    /// <summary>Gets the values used when a field's cell is empty or its column is absent, written as in the file.</summary>
    public IReadOnlyDictionary<ImportField, string> Defaults { get; }

    /// <summary>Gets how many days after creation an open deal is expected to close when the file gives no date.</summary>
    public int ExpectedCloseDays { get; }

    /// <summary>Gets the field separator.</summary>
    public char Separator { get; }

    /// <summary>Gets the full path of the pipeline definition the mapping is written for, if it names one.</summary>
    public string? PipelineFile { get; }

    /// <summary>Reads a mapping file.</summary>
    /// <param name="path">The JSON file; a <c>pipelineFile</c> in it is relative to the file's folder.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The mapping.</returns>
    /// <exception cref="ImportConfigurationException">The file is missing or invalid; every fault is listed.</exception>
    public static async Task<ImportMapping> LoadAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new ImportConfigurationException($"mapping '{full}'", [$"The file does not exist."]);
        }

        var json = await File.ReadAllTextAsync(full, cancellationToken).ConfigureAwait(false);
        return FromJson(json, Path.GetDirectoryName(full), $"mapping '{full}'");
    }

    /// <summary>Reads a mapping from JSON.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="baseFolder">The folder a relative <c>pipelineFile</c> is resolved against; the current folder when left out.</param>
    /// <param name="source">How messages name the mapping.</param>
    /// <returns>The mapping.</returns>
    /// <exception cref="ImportConfigurationException">The JSON is malformed or invalid; every fault is listed.</exception>
    public static ImportMapping FromJson(string json, string? baseFolder = null, string source = "mapping")
    {
        ArgumentNullException.ThrowIfNull(json);
        MappingDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<MappingDocument>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, position {e.BytePositionInLine + 1}" : string.Empty;
            throw new ImportConfigurationException(source, [$"The JSON is not a valid mapping{where}: {e.Message.Split(" Path:")[0]}"]);
        }

        if (document is null)
        {
            throw new ImportConfigurationException(source, ["The JSON is empty ('null'): expected an object such as {\"columns\": {\"owner\": \"sales_agent\"}}."]);
        }

        var faults = new List<string>();
        var columns = new Dictionary<ImportField, string>();
        var templates = new Dictionary<ImportField, NameTemplate>();
        foreach (var (key, value) in document.Columns ?? [])
        {
            if (!ImportFields.TryParse(key, out var field))
            {
                faults.Add($"columns: '{key}' is not a field; fields are {string.Join(", ", ImportFields.All.Select(ImportFields.CanonicalName))}.");
            }
            else if (string.IsNullOrWhiteSpace(value))
            {
                faults.Add($"columns.{key}: give a column name or a template such as \"{{product}} – {{account}}\".");
            }
            else if (value.Contains('{', StringComparison.Ordinal) || value.Contains('}', StringComparison.Ordinal))
            {
                if (NameTemplate.TryParse(value, out var template, out var fault))
                {
                    templates[field] = template;
                }
                else
                {
                    faults.Add($"columns.{key}: {fault}");
                }
            }
            else
            {
                columns[field] = value.Trim();
            }
        }

        var stages = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (value, stage) in document.Stages ?? [])
        {
            if (!StageId.IsValid(stage))
            {
                faults.Add($"stages.{value}: '{stage}' is not a stage id (lower-case letters, digits and hyphens, such as 'qualification').");
            }
            else
            {
                stages[value.Trim()] = stage;
            }
        }

        var outcomes = new Dictionary<string, ImportOutcome>(StringComparer.OrdinalIgnoreCase);
        foreach (var (value, meaning) in document.Outcomes ?? [])
        {
            if (ImportOutcomes.TryParse(meaning, out var outcome))
            {
                outcomes[value.Trim()] = outcome;
            }
            else
            {
                faults.Add($"outcomes.{value}: '{meaning}' is not won, lost or open.");
            }
        }

        var owners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (value, user) in document.Owners ?? [])
        {
            if (string.IsNullOrWhiteSpace(user) || user.Trim().Length > 200)
            {
                faults.Add($"owners.{value}: give a user id of 1 to 200 characters.");
            }
            else
            {
                owners[value.Trim()] = user.Trim();
            }
        }

        var stageDates = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (stage, column) in document.StageDates ?? [])
        {
            if (!StageId.IsValid(stage))
            {
                faults.Add($"stageDates: '{stage}' is not a stage id (lower-case letters, digits and hyphens, such as 'qualification').");
            }
            else if (string.IsNullOrWhiteSpace(column))
            {
                faults.Add($"stageDates.{stage}: give the column with the date the deal entered '{stage}'.");
            }
            else
            {
                stageDates[stage] = column.Trim();
            }
        }

        var zoneId = document.TimeZone ?? "Etc/UTC";
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId);
        if (zone is null)
        {
            faults.Add($"timeZone: '{zoneId}' is not an IANA time zone id such as 'Europe/Warsaw', 'America/New_York' or 'Etc/UTC'.");
        }

        var patterns = new List<LocalDateTimePattern>();
        foreach (var format in document.DateFormats ?? ["uuuu-MM-dd"])
        {
            try
            {
                patterns.Add(LocalDateTimePattern.CreateWithInvariantCulture(format));
            }
            catch (InvalidPatternException e)
            {
                faults.Add($"dateFormats: '{format}' is not a date pattern ({e.Message}); examples: 'uuuu-MM-dd', 'M/d/uuuu', 'dd.MM.uuuu HH:mm'.");
            }
        }

        if (patterns.Count == 0 && document.DateFormats is { Count: 0 })
        {
            faults.Add("dateFormats: give at least one pattern, such as 'uuuu-MM-dd'.");
        }

        var culture = CultureInfo.InvariantCulture;
        if (document.NumberCulture is { } cultureName)
        {
            try
            {
                culture = CultureInfo.GetCultureInfo(cultureName, predefinedOnly: true);
            }
            catch (CultureNotFoundException)
            {
                faults.Add($"numberCulture: '{cultureName}' is not a culture name such as 'en-US' or 'pl-PL'.");
            }
        }

        var defaults = new Dictionary<ImportField, string>();
        foreach (var (key, value) in document.Defaults ?? [])
        {
            if (!ImportFields.TryParse(key, out var field))
            {
                faults.Add($"defaults: '{key}' is not a field; fields are {string.Join(", ", ImportFields.All.Select(ImportFields.CanonicalName))}.");
            }
            else if (field == ImportField.Id)
            {
                faults.Add("defaults.id: every row needs its own id; a default id would make every row after the first a duplicate.");
            }
            else if (!string.IsNullOrWhiteSpace(value))
            {
                defaults[field] = value.Trim();
            }
        }

        var expectedCloseDays = document.ExpectedCloseDays ?? DefaultExpectedCloseDays;
        if (expectedCloseDays is < 0 or > 3650)
        {
            faults.Add($"expectedCloseDays must be between 0 and 3650, was {expectedCloseDays}.");
        }

        var separator = ',';
        if (document.Separator is { } sep)
        {
            if (sep.Length != 1 || sep[0] > 127 || sep[0] is '"' or '\r' or '\n')
            {
                faults.Add($"separator: '{sep}' must be one ASCII character other than a quote or a line break, such as ',' or ';'.");
            }
            else
            {
                separator = sep[0];
            }
        }

        string? pipelineFile = null;
        if (!string.IsNullOrWhiteSpace(document.PipelineFile))
        {
            pipelineFile = Path.GetFullPath(Path.Combine(baseFolder ?? Directory.GetCurrentDirectory(), document.PipelineFile));
        }

        if (faults.Count > 0)
        {
            throw new ImportConfigurationException(source, faults);
        }

        return new ImportMapping(
            columns, templates, stages, outcomes, owners, stageDates, new ImportDates(patterns, zone!), culture, defaults,
            expectedCloseDays, separator, pipelineFile);
    }

    private sealed class MappingDocument
    {
        public string? PipelineFile { get; set; }

        public string? Separator { get; set; }

        public Dictionary<string, string>? Columns { get; set; }

        public Dictionary<string, string>? Stages { get; set; }

        public Dictionary<string, string>? Outcomes { get; set; }

        public Dictionary<string, string>? Owners { get; set; }

        public Dictionary<string, string>? StageDates { get; set; }

        public List<string>? DateFormats { get; set; }

        public string? TimeZone { get; set; }

        public string? NumberCulture { get; set; }

        public Dictionary<string, string>? Defaults { get; set; }

        public int? ExpectedCloseDays { get; set; }

        [JsonPropertyName("$comment")]
        public string? Comment { get; set; }
    }
}

/// <summary>What a file's outcome value means.</summary>
internal enum ImportOutcome
{
    /// <summary>Still open.</summary>
    Open,

    /// <summary>Won.</summary>
    Won,

    /// <summary>Lost.</summary>
    Lost,
}

/// <summary>Reads <see cref="ImportOutcome"/> names.</summary>
internal static class ImportOutcomes
{
    public static bool TryParse(string? text, out ImportOutcome outcome)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "WON":
                outcome = ImportOutcome.Won;
                return true;
            case "LOST":
                outcome = ImportOutcome.Lost;
                return true;
            case "OPEN":
                outcome = ImportOutcome.Open;
                return true;
            default:
                outcome = default;
                return false;
        }
    }
}

/// <summary>
/// Reads dates and date-times as a file writes them: each of the mapping's patterns in turn, then ISO 8601 with an offset
/// (<c>2024-03-01T09:30:00+01:00</c>, <c>…Z</c>). A date without a time means the start of that day in the mapping's zone;
/// a local date-time is placed in the zone leniently (a time skipped by a clock change moves forward).
/// </summary>
internal sealed class ImportDates(IReadOnlyList<LocalDateTimePattern> patterns, DateTimeZone zone)
{
    public DateTimeZone Zone { get; } = zone;

    public bool TryParseInstant(string text, out Instant instant)
    {
        if (TryParseLocal(text, out var local))
        {
            instant = local.TimeOfDay == LocalTime.Midnight
                ? Zone.AtStartOfDay(local.Date).ToInstant()
                : Zone.AtLeniently(local).ToInstant();
            return true;
        }

        var withOffset = OffsetDateTimePattern.ExtendedIso.Parse(text);
        if (withOffset.Success)
        {
            instant = withOffset.Value.ToInstant();
            return true;
        }

        instant = default;
        return false;
    }

    public bool TryParseDate(string text, out LocalDate date)
    {
        if (TryParseLocal(text, out var local))
        {
            date = local.Date;
            return true;
        }

        var withOffset = OffsetDateTimePattern.ExtendedIso.Parse(text);
        if (withOffset.Success)
        {
            date = withOffset.Value.Date;
            return true;
        }

        date = default;
        return false;
    }

    public string Describe() => string.Join(" or ", patterns.Select(p => $"'{p.PatternText}'"));

    private bool TryParseLocal(string text, out LocalDateTime local)
    {
        for (var i = 0; i < patterns.Count; i++)
        {
            var result = patterns[i].Parse(text);
            if (result.Success)
            {
                local = result.Value;
                return true;
            }
        }

        local = default;
        return false;
    }
}

/// <summary>
/// A field built from other columns, such as <c>"{product} – {account}"</c>. The text just before a placeholder joins it to
/// the value before it, so it is dropped when either is empty: an empty account gives <c>"GTX Basic"</c>, not
/// <c>"GTX Basic – "</c>. Braces cannot be written literally.
/// </summary>
internal sealed class NameTemplate
{
    private readonly IReadOnlyList<(string Text, bool IsColumn)> _parts;

    private NameTemplate(string text, IReadOnlyList<(string Text, bool IsColumn)> parts)
    {
        Text = text;
        _parts = parts;
    }

    public string Text { get; }

    public IEnumerable<string> Columns => _parts.Where(p => p.IsColumn).Select(p => p.Text);

    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NameTemplate? template, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? fault)
    {
        var parts = new List<(string, bool)>();
        var i = 0;
        while (i < text.Length)
        {
            var open = text.IndexOf('{', i);
            var close = text.IndexOf('}', i);
            if (close >= 0 && (open < 0 || close < open))
            {
                return Fail($"'}}' at position {close + 1} closes nothing in template \"{text}\".", out template, out fault);
            }

            if (open < 0)
            {
                parts.Add((text[i..], false));
                break;
            }

            if (open > i)
            {
                parts.Add((text[i..open], false));
            }

            if (close < 0)
            {
                return Fail($"'{{' at position {open + 1} is never closed in template \"{text}\".", out template, out fault);
            }

            var column = text[(open + 1)..close].Trim();
            if (column.Length == 0 || column.Contains('{', StringComparison.Ordinal))
            {
                return Fail($"the placeholder at position {open + 1} of template \"{text}\" names no column; write {{column}}.", out template, out fault);
            }

            parts.Add((column, true));
            i = close + 1;
        }

        if (!parts.Any(p => p.Item2))
        {
            return Fail($"template \"{text}\" has no {{column}} placeholder.", out template, out fault);
        }

        template = new NameTemplate(text, parts);
        fault = null;
        return true;
    }

    /// <summary>Fills the template.</summary>
    /// <param name="valueOf">The (trimmed) value of a column by its position among <see cref="Columns"/>.</param>
    /// <returns>The text, trimmed; empty when every placeholder is empty.</returns>
    public string Render(Func<int, string> valueOf)
    {
        var builder = new System.Text.StringBuilder();
        var column = 0;
        var anyValue = false;
        for (var i = 0; i < _parts.Count; i++)
        {
            var (text, isColumn) = _parts[i];
            if (!isColumn)
            {
                // Text before the first placeholder and after the last is always kept; text between two placeholders joins values.
                var leading = i == 0;
                var trailing = i == _parts.Count - 1;
                if (leading || (trailing && anyValue))
                {
                    builder.Append(text);
                }

                continue;
            }

            var value = valueOf(column++);
            if (value.Length == 0)
            {
                continue;
            }

            if (anyValue && i > 0 && !_parts[i - 1].IsColumn)
            {
                builder.Append(_parts[i - 1].Text);
            }

            builder.Append(value);
            anyValue = true;
        }

        return anyValue ? builder.ToString().Trim() : string.Empty;
    }

    private static bool Fail(string message, out NameTemplate? template, out string? fault)
    {
        template = null;
        fault = message;
        return false;
    }
}
