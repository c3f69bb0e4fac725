using System.Globalization;
using System.Text;
using System.Text.Json;
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
public sealed class ImportMapping
{
    /// <summary>The default number of days from creation to the expected close date when a file gives neither.</summary>
    public const int DefaultExpectedCloseDays = 90;

    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 8,
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
        Instant? createdDefault,
        int expectedCloseDays,
        char separator,
        Encoding? encoding,
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
        Numbers = new ImportNumbers(numberCulture);
        Defaults = defaults;
        CreatedDefault = createdDefault;
        ExpectedCloseDays = expectedCloseDays;
        Separator = separator;
        Encoding = encoding;
        PipelineFile = pipelineFile;
    }

    /// <summary>Gets the mapping of a file with the canonical header: no renames, ISO dates in UTC, invariant numbers.</summary>
    public static ImportMapping Canonical { get; } = FromJson("{}");

    /// <summary>Gets the column each field is read from, where the mapping names one.</summary>
    internal IReadOnlyDictionary<ImportField, string> Columns { get; }

    /// <summary>Gets the fields built from a template of other columns, such as <c>"{product} – {account}"</c>.</summary>
    internal IReadOnlyDictionary<ImportField, NameTemplate> Templates { get; }

    /// <summary>Gets the file's stage values (ignoring case) and the stage ids they mean.</summary>
    internal IReadOnlyDictionary<string, string> Stages { get; }

    /// <summary>Gets the file's outcome values (ignoring case) and what they mean.</summary>
    internal IReadOnlyDictionary<string, ImportOutcome> Outcomes { get; }

    /// <summary>Gets the file's owner values (ignoring case) and the user ids they mean.</summary>
    internal IReadOnlyDictionary<string, string> Owners { get; }

    /// <summary>Gets, per stage id, the column that gives the date a deal entered that stage.</summary>
    internal IReadOnlyDictionary<string, string> StageDates { get; }

    /// <summary>Gets how dates are written and the time zone they are in.</summary>
    internal ImportDates Dates { get; }

    /// <summary>Gets the culture numbers are written in.</summary>
    internal CultureInfo NumberCulture { get; }

    /// <summary>Gets how numbers are read, in <see cref="NumberCulture"/>.</summary>
    internal ImportNumbers Numbers { get; }

    /// <summary>Gets the values used when a field's cell is empty or its column is absent, written as in the file; each was checked when the mapping was read.</summary>
    internal IReadOnlyDictionary<ImportField, string> Defaults { get; }

    /// <summary>Gets the creation instant of a deal the file gives no date at all, when the mapping has a default creation date.</summary>
    internal Instant? CreatedDefault { get; }

    /// <summary>Gets how many days after creation an open deal is expected to close when the file gives no date.</summary>
    internal int ExpectedCloseDays { get; }

    /// <summary>Gets the field separator.</summary>
    internal char Separator { get; }

    /// <summary>Gets the file's encoding; <see langword="null"/> for UTF-8 (a byte order mark is honoured).</summary>
    internal Encoding? Encoding { get; }

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
            throw new ImportConfigurationException($"mapping '{full}'", [Directory.Exists(full) ? "This is a folder: give the mapping's JSON file." : "The file does not exist."]);
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
        var faults = new List<string>();
        var document = MappingDocument.Read(json, source, faults);
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
            else if (TypedText.ControlCharacterFault(user.Trim()) is { } fault)
            {
                faults.Add($"owners.{value}: the user id holds {fault}");
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
            catch (InvalidPatternException)
            {
                faults.Add($"dateFormats: '{format}' is not a date pattern: use uuuu for the year, MM or M for the month, dd or d for the day, HH:mm for the time, and quote other letters; examples: 'uuuu-MM-dd', 'M/d/uuuu', 'dd.MM.uuuu HH:mm'.");
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
            catch (ArgumentException)
            {
                faults.Add($"numberCulture: '{cultureName}' is not a culture name such as 'en-US' or 'pl-PL'.");
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
            if (SeparatorFault(sep) is { } fault)
            {
                faults.Add(fault);
            }
            else
            {
                separator = sep[0];
            }
        }

        Encoding? encoding = null;
        if (document.Encoding is { } encodingName && !ImportEncodings.TryGet(encodingName, out encoding))
        {
            faults.Add($"encoding: '{encodingName}' is not an encoding name; examples: 'utf-8' (the default), 'windows-1250', 'iso-8859-2', 'iso-8859-1'.");
        }
        else if (encoding?.CodePage == Encoding.UTF8.CodePage)
        {
            // UTF-8 is the default, read with its byte order mark honoured and its bytes checked.
            encoding = null;
        }

        string? pipelineFile = null;
        if (!string.IsNullOrWhiteSpace(document.PipelineFile))
        {
            try
            {
                pipelineFile = Path.GetFullPath(Path.Combine(baseFolder ?? Directory.GetCurrentDirectory(), document.PipelineFile));
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
            {
                faults.Add($"pipelineFile: '{document.PipelineFile}' is not a file path; give the pipeline definition's file, relative to the mapping.");
            }
        }

        var dates = zone is null ? null : new ImportDates(patterns, zone);
        var defaults = CheckDefaults(document.Defaults, owners, outcomes, dates, culture, faults, out var createdDefault);
        if (faults.Count > 0)
        {
            throw new ImportConfigurationException(source, faults);
        }

        return new ImportMapping(
            columns, templates, stages, outcomes, owners, stageDates, dates!, culture, defaults, createdDefault,
            expectedCloseDays, separator, encoding, pipelineFile);
    }

    /// <summary>
    /// What is wrong with a field separator, or <see langword="null"/>: it must be one ASCII character that no field is made of
    /// and that does not end a line — not a control character (a tab is fine), a letter, a digit or the quote. A character
    /// that would not show is named by its code point, such as U+000A.
    /// </summary>
    private static string? SeparatorFault(string separator)
    {
        const string Use = "use one character such as ',' or ';', or a tab (\"\\t\")";
        if (separator.Length != 1)
        {
            var shown = string.Concat(separator.Select(c => char.IsControl(c) ? $"U+{(int)c:X4}" : c.ToString()));
            return $"separator: '{shown}' is {separator.Length} characters; {Use}.";
        }

        var c = separator[0];
        var named = char.IsControl(c) ? $"U+{(int)c:X4}" : $"'{c}' (U+{(int)c:X4})";
        var what = c switch
        {
            '\t' => null,
            _ when char.IsControl(c) => "a control character",
            _ when char.IsLetter(c) => "a letter, which fields are written in",
            _ when char.IsDigit(c) => "a digit, which fields are written in",
            '"' => "the quote, which encloses fields",
            _ when c > 127 => "not an ASCII character",
            _ => null,
        };
        return what is null ? null : $"separator: {named} is {what}; {Use}.";
    }

    /// <summary>Checks the defaults as the cells they stand in for would be checked, once, instead of on every row.</summary>
    private static Dictionary<ImportField, string> CheckDefaults(
        Dictionary<string, string>? given,
        Dictionary<string, string> owners,
        Dictionary<string, ImportOutcome> outcomes,
        ImportDates? dates,
        CultureInfo culture,
        List<string> faults,
        out Instant? createdDefault)
    {
        createdDefault = null;
        var defaults = new Dictionary<ImportField, string>();
        foreach (var (key, raw) in given ?? [])
        {
            if (!ImportFields.TryParse(key, out var field))
            {
                faults.Add($"defaults: '{key}' is not a field; fields are {string.Join(", ", ImportFields.All.Select(ImportFields.CanonicalName))}.");
                continue;
            }

            if (field == ImportField.Id)
            {
                faults.Add("defaults.id: every row needs its own id; a default id would make every row after the first a duplicate.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(raw))
            {
                continue;
            }

            var value = raw.Trim();
            var fault = ImportValues.Text(value) ?? field switch
            {
                ImportField.Name => ImportValues.Length(value, "a name", ImportValues.MaxTextLength),
                ImportField.Account => ImportValues.Length(value, "an account name", ImportValues.MaxTextLength),
                ImportField.Reason => ImportValues.Length(value, "a reason", ImportValues.MaxTextLength),
                ImportField.Owner => ImportValues.Length(owners.GetValueOrDefault(value, value), "a user id", ImportValues.MaxUserLength),
                ImportField.Amount => ImportValues.Amount(value, new ImportNumbers(culture), out _),
                ImportField.Currency => ImportValues.Currency(value),
                ImportField.Probability => ImportValues.Probability(value, culture, out _),
                ImportField.Outcome => ImportValues.Outcome(value, outcomes, out _),
                ImportField.ExpectedClose when dates is not null => ImportValues.Date(value, dates, out _),
                ImportField.Created or ImportField.Closed when dates is not null => ImportValues.Instant(value, dates, out var at) ?? Remember(field, at, ref createdDefault),
                _ => null,
            };
            if (fault is null)
            {
                defaults[field] = value;
            }
            else
            {
                faults.Add($"defaults.{ImportFields.CanonicalName(field)}: '{value}': {fault}");
            }
        }

        return defaults;

        static string? Remember(ImportField field, Instant at, ref Instant? created)
        {
            if (field == ImportField.Created)
            {
                created = at;
            }

            return null;
        }
    }

    /// <summary>
    /// The mapping file's keys and values, read by hand rather than by a serializer so that every unknown key and every
    /// value of the wrong kind is reported at once, by its key, in the user's terms.
    /// </summary>
    private sealed class MappingDocument
    {
        private static readonly string[] Keys =
        [
            "pipelineFile", "separator", "encoding", "columns", "stages", "outcomes", "owners", "stageDates", "dateFormats",
            "timeZone", "numberCulture", "defaults", "expectedCloseDays", "$comment",
        ];

        public string? PipelineFile { get; private set; }

        public string? Separator { get; private set; }

        public string? Encoding { get; private set; }

        public Dictionary<string, string>? Columns { get; private set; }

        public Dictionary<string, string>? Stages { get; private set; }

        public Dictionary<string, string>? Outcomes { get; private set; }

        public Dictionary<string, string>? Owners { get; private set; }

        public Dictionary<string, string>? StageDates { get; private set; }

        public List<string>? DateFormats { get; private set; }

        public string? TimeZone { get; private set; }

        public string? NumberCulture { get; private set; }

        public Dictionary<string, string>? Defaults { get; private set; }

        public int? ExpectedCloseDays { get; private set; }

        /// <summary>Reads the keys it knows; a fault is added for every other key and every value of the wrong kind.</summary>
        /// <exception cref="ImportConfigurationException">The text is not JSON, or not a JSON object.</exception>
        public static MappingDocument Read(string json, string source, List<string> faults)
        {
            JsonDocument parsed;
            try
            {
                parsed = JsonDocument.Parse(json, JsonOptions);
            }
            catch (JsonException e)
            {
                var where = e.LineNumber is { } line ? $" at line {line + 1}, position {e.BytePositionInLine + 1}" : string.Empty;
                throw new ImportConfigurationException(source, [$"The file is not valid JSON{where}: check the quotes, commas and braces there (comments with // are allowed). A mapping looks like {{\"columns\": {{\"owner\": \"Sales Rep\"}}}}."]);
            }

            using (parsed)
            {
                var root = parsed.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw new ImportConfigurationException(source, [$"The mapping must be a JSON object such as {{\"columns\": {{\"owner\": \"Sales Rep\"}}}}; it is {Describe(root)}."]);
                }

                var document = new MappingDocument();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in root.EnumerateObject())
                {
                    var key = property.Name;
                    var value = property.Value;
                    if (!seen.Add(key))
                    {
                        faults.Add($"'{key}' is given twice: keep one.");
                        continue;
                    }

                    switch (key)
                    {
                        case "pipelineFile":
                            document.PipelineFile = Text(key, value, "a file name such as \"other-crm.pipeline.json\"", faults);
                            break;
                        case "separator":
                            document.Separator = Text(key, value, "one character such as \";\"", faults);
                            break;
                        case "encoding":
                            document.Encoding = Text(key, value, "an encoding name such as \"windows-1250\"", faults);
                            break;
                        case "timeZone":
                            document.TimeZone = Text(key, value, "an IANA time zone id such as \"Europe/Warsaw\"", faults);
                            break;
                        case "numberCulture":
                            document.NumberCulture = Text(key, value, "a culture name such as \"pl-PL\"", faults);
                            break;
                        case "columns":
                            document.Columns = Map(key, value, "a field and the column it is read from, such as {\"owner\": \"Sales Rep\"}", faults);
                            break;
                        case "stages":
                            document.Stages = Map(key, value, "a value of the file and the stage id it means, such as {\"Proposal\": \"offer\"}", faults);
                            break;
                        case "outcomes":
                            document.Outcomes = Map(key, value, "a value of the file and won, lost or open, such as {\"Yes\": \"won\"}", faults);
                            break;
                        case "owners":
                            document.Owners = Map(key, value, "a value of the file and the user id it means, such as {\"Anna K.\": \"anna\"}", faults);
                            break;
                        case "stageDates":
                            document.StageDates = Map(key, value, "a stage id and the column with the date of entering it, such as {\"offer\": \"Proposal Sent\"}", faults);
                            break;
                        case "defaults":
                            document.Defaults = Map(key, value, "a field and the value used when its cell is empty, such as {\"currency\": \"PLN\"}", faults);
                            break;
                        case "dateFormats":
                            document.DateFormats = List(key, value, "date patterns such as [\"M/d/uuuu\", \"uuuu-MM-dd\"]", faults);
                            break;
                        case "expectedCloseDays":
                            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var days))
                            {
                                document.ExpectedCloseDays = days;
                            }
                            else if (value.ValueKind != JsonValueKind.Null)
                            {
                                faults.Add($"expectedCloseDays must be a whole number of days such as 60, was {Describe(value)}.");
                            }

                            break;
                        case "$comment":
                            break;
                        default:
                            var near = Keys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase))
                                ?? Keys.FirstOrDefault(k => k.Length > 3 && key.Length > 3 && (k.StartsWith(key[..3], StringComparison.OrdinalIgnoreCase) || key.StartsWith(k[..3], StringComparison.OrdinalIgnoreCase)));
                            faults.Add($"'{key}' is not a mapping key{(near is null ? string.Empty : $" (did you mean '{near}'?)")}; the keys are {string.Join(", ", Keys.SkipLast(1))}.");
                            break;
                    }
                }

                return document;
            }
        }

        private static string? Text(string key, JsonElement value, string expected, List<string> faults)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    return value.GetString();
                case JsonValueKind.Null:
                    return null;
                default:
                    faults.Add($"{key} must be text, {expected}; was {Describe(value)}.");
                    return null;
            }
        }

        private static Dictionary<string, string>? Map(string key, JsonElement value, string expected, List<string> faults)
        {
            if (value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Object)
            {
                faults.Add($"{key} must be an object in which each entry gives {expected}; was {Describe(value)}.");
                return null;
            }

            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in value.EnumerateObject())
            {
                if (entry.Value.ValueKind == JsonValueKind.Null)
                {
                    // As if the entry were left out.
                    continue;
                }

                if (entry.Value.ValueKind != JsonValueKind.String)
                {
                    faults.Add($"{key}.{entry.Name} must be text, as in {expected}; was {Describe(entry.Value)}.");
                }
                else if (!map.TryAdd(entry.Name, entry.Value.GetString()!))
                {
                    faults.Add($"{key}.{entry.Name} is given twice: keep one.");
                }
            }

            return map;
        }

        private static List<string>? List(string key, JsonElement value, string expected, List<string> faults)
        {
            if (value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Array)
            {
                faults.Add($"{key} must be a list of {expected}; was {Describe(value)}.");
                return null;
            }

            var list = new List<string>();
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                i++;
                if (item.ValueKind == JsonValueKind.String)
                {
                    list.Add(item.GetString()!);
                }
                else
                {
                    faults.Add($"{key}: item {i} must be text, one of {expected}; was {Describe(item)}.");
                }
            }

            return list;
        }

        /// <summary>What a JSON value is, in words, with a short excerpt.</summary>
        private static string Describe(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.String => $"the text \"{Excerpt(value.GetString()!)}\"",
            JsonValueKind.Number => $"the number {Excerpt(value.GetRawText())}",
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null => "null",
            JsonValueKind.Array => "a list",
            _ => "an object",
        };

        private static string Excerpt(string text) => text.Length > 40 ? text[..37] + "..." : text;
    }
}

/// <summary>The encodings a mapping may name: those of .NET and the Windows and ISO code pages common in CRM exports.</summary>
internal static class ImportEncodings
{
    static ImportEncodings() => System.Text.Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>Finds an encoding by name; bytes it cannot decode become U+FFFD, which the importer refuses with the row and column.</summary>
    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Encoding? encoding)
    {
        encoding = null;
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64)
        {
            return false;
        }

        try
        {
            encoding = System.Text.Encoding.GetEncoding(name.Trim(), EncoderFallback.ReplacementFallback, new DecoderReplacementFallback("\uFFFD"));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (NotSupportedException)
        {
            return false;
        }
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
