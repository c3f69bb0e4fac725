using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NodaTime.Testing;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Import;
using static SalesPipeline.Tests.Worker.Import.ImportKit;

namespace SalesPipeline.Tests.Worker.Import;

/// <summary>
/// Whatever bytes a file holds and whatever a mapping says, the importer ends in one of the outcomes it documents — never an
/// unexpected exception — and a refused import leaves the store exactly as it was.
/// </summary>
public sealed class CsvImporterPropertyTests
{
    /// <summary>
    /// The importer's documented outcomes (see <see cref="CsvImporter.ImportAsync(Stream, ImportMapping, PipelineDefinition, IImportTarget, ImportOptions, UserId, NodaTime.IClock, CancellationToken)"/>
    /// and <see cref="ImportMapping.FromJson"/>): the mapping refused as a whole, the header or mapping refused for this
    /// file before any row is read, the rows refused with one error each at least, or the rows committed.
    /// </summary>
    public enum ImportEnd
    {
        /// <summary><see cref="ImportMapping.FromJson"/> threw <see cref="ImportConfigurationException"/>.</summary>
        MappingRefused,

        /// <summary><see cref="CsvImporter"/> threw <see cref="ImportConfigurationException"/> (header, mapping and pipeline do not fit).</summary>
        HeaderRefused,

        /// <summary>An <see cref="ImportResult"/> not committed, with its errors.</summary>
        RowsRefused,

        /// <summary>An <see cref="ImportResult"/> committed.</summary>
        Committed,
    }

    /// <summary>The only exception types the importer may throw for bad input; anything else is a defect.</summary>
    public static IReadOnlySet<Type> DocumentedExceptions { get; } = new HashSet<Type> { typeof(ImportConfigurationException) };

    private static readonly string[] Jargon = ["System.", "Exception", "(Parameter '", "Int32", "Decimal", "could not be converted", "Path: $", "   at "];

    [Property(MaxTest = 400, Arbitrary = [typeof(ImportInputs)])]
    public Property ImportAsync_AnyFileAndMapping_EndsInADocumentedOutcomeAndARefusalChangesNothing(ImportInput input)
    {
        var (outcome, why) = RunAsync(input).GetAwaiter().GetResult();
        return (why is null).Label($"{outcome}: {why}").Classify(true, outcome.ToString());
    }

    /// <summary>The property also reaches the deep paths: each outcome happens for a good share of the inputs.</summary>
    [Xunit.Fact]
    public void ImportInputs_Generated_ReachEveryOutcome()
    {
        var outcomes = ImportInputs.Input().Generator.Sample(400, 300)
            .Select(i => RunAsync(i).GetAwaiter().GetResult().Outcome)
            .GroupBy(o => o)
            .ToDictionary(g => g.Key, g => g.Count());

        Xunit.Assert.All(Enum.GetValues<ImportEnd>(), o => Xunit.Assert.True(outcomes.GetValueOrDefault(o) >= 10, $"{o}: {outcomes.GetValueOrDefault(o)} of 300"));
    }

    /// <summary>Runs one import into a store holding one deal; returns the outcome and, when the property fails, why.</summary>
    private static async Task<(ImportEnd Outcome, string? Why)> RunAsync(ImportInput input)
    {
        var store = new InMemoryStore();
        var seeded = await ImportAsync(Csv(Row("SEED-1")), store);
        if (!seeded.Committed)
        {
            return (ImportEnd.RowsRefused, "the seed did not import");
        }

        var before = await SnapshotAsync(store);
        ImportMapping mapping;
        try
        {
            mapping = ImportMapping.FromJson(input.Mapping, "/mappings");
        }
        catch (ImportConfigurationException e)
        {
            return (ImportEnd.MappingRefused, Specific(e));
        }

        ImportResult result;
        try
        {
            result = await CsvImporter.ImportAsync(new MemoryStream(input.Csv), mapping, PipelineDefinition.Default, store, new ImportOptions { ErrorLimit = 50 }, Importer, new FakeClock(Now));
        }
        catch (ImportConfigurationException e)
        {
            var after = await SnapshotAsync(store);
            return (ImportEnd.HeaderRefused, Specific(e) ?? (after == before ? null : "a refused header changed the store"));
        }
        catch (Exception e) when (!DocumentedExceptions.Contains(e.GetType()))
        {
            return (ImportEnd.RowsRefused, $"undocumented {e.GetType().Name}: {e.Message}");
        }

        var now = await SnapshotAsync(store);
        if (!result.Committed)
        {
            if (result.Rejected == 0 || result.Errors.Count == 0)
            {
                return (ImportEnd.RowsRefused, "not committed, yet no row was refused");
            }

            var vague = result.Errors.FirstOrDefault(e => e.Row < 2 || e.Reason.Length == 0 || Jargon.Any(j => e.Reason.Contains(j, StringComparison.Ordinal)));
            return (ImportEnd.RowsRefused, vague is not null ? $"vague error: {vague}" : now == before ? null : "a refused import changed the store");
        }

        var deals = (await DealsAsync(store)).Count;
        return (ImportEnd.Committed, result.Rejected == 0 && deals == 1 + result.Imported ? null : $"committed {result.Imported} with {result.Rejected} rejected; the store has {deals} deals");
    }

    private static string? Specific(ImportConfigurationException e) =>
        e.Faults.Count == 0 || e.Faults.Any(f => f.Length == 0)
            ? "a refusal without faults"
            : Jargon.FirstOrDefault(j => e.Message.Contains(j, StringComparison.Ordinal)) is { } j ? $"jargon '{j}' in: {e.Message}" : null;

    private static async Task<string> SnapshotAsync(InMemoryStore store)
    {
        var text = new StringBuilder();
        foreach (var deal in await DealsAsync(store))
        {
            text.Append(JsonSerializer.Serialize(new { deal.ExternalId, deal.PipelineId.Value, deal.Name, deal.Stage, Amount = deal.Value.Amount, deal.Version, deal.History.Count })).Append('\n');
        }

        foreach (var account in await AccountsAsync(store))
        {
            text.Append(account.Name).Append('\n');
        }

        foreach (var (id, json) in await store.LoadAsync())
        {
            text.Append(id).Append(json).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A mapping document and a file's bytes.</summary>
    public sealed record ImportInput(string Mapping, byte[] Csv)
    {
        public override string ToString() => $"mapping: {Mapping}\ncsv: {Encoding.UTF8.GetString(Csv)}";
    }

    /// <summary>
    /// Bounded generators of mostly plausible inputs (so imports get past the header into rows and commits) spiced with every
    /// class of bad input: unknown keys, values of the wrong kind, bad defaults, unknown encodings and cultures; files with
    /// duplicate or unknown columns, culture-dependent numbers, control characters, broken quoting, undecodable bytes, or
    /// nothing but random bytes.
    /// </summary>
    public static class ImportInputs
    {
        private static readonly string[] Columns =
        [
            "id", "name", "account", "owner", "stage", "amount", "currency", "created", "closed", "expected_close", "outcome",
            "reason", "probability", "entered_offer", "entered_qualification", "entered_demo", "Deal", "Value", "notes", "",
        ];

        private static readonly string[] Cells =
        [
            "", "D-1", "D-2", "D-3", "ERP", "Acme", "anna", "bob", "identification", "qualification", "offer", "negotiation",
            "won", "lost", "open", "closing", "1234.56", "1,234.56", "1234,56", "1,2,3", "1 234,56", "1\u00A0234,56", "-5",
            "1e5", "99999999999999999999999999999", "PLN", "EUR", "ZZZ", "2025-01-10", "2025-03-01", "2024-12-31", "01/02/2025",
            "0017-01-01", "2025-02-30", "2025-01-10T10:00:00+01:00", "50", "150", "x", "\"quoted, with comma\"", "\"bad\"quote",
            "a\u0000b", "bell\u0007", "tab\there", "\"line\nbreak\"", "Łódź", "\u0090", "Price", "{", "=1+1",
        ];

        private static readonly Gen<string> MappingValue = Gen.OneOf(
            Gen.Elements(
                "\",\"", "\";\"", "\"ab\"", "1", "true", "null", "[]", "{}", "\"pl-PL\"", "\"en-US\"", "\"xx-YY\"", "\"windows-1250\"",
                "\"iso-8859-1\"", "\"utf-8\"", "\"bogus\"", "\"Europe/Warsaw\"", "\"Mars/Base\"", "60", "-1", "1.5", "\"60\"",
                "[\"uuuu-MM-dd\"]", "[\"dd/MM/uuuu\", \"uuuu-MM-dd\"]", "[\"QQ\"]", "[1]", "\"p.json\""),
            ObjectOf(Gen.Elements(Columns.Concat(["colour", "id"]).ToArray()), Gen.Elements("\"Deal\"", "\"Value\"", "\"{name} – {account}\"", "\"{broken\"", "\"\"", "\"missing\"", "7", "\"0\"", "\"PLN\"", "\"2025-01-01\"", "\"1,5\"", "\"offer\"", "\"demo\"", "\"won\"")));

        private static readonly string[] Keys =
        [
            "columns", "stages", "outcomes", "owners", "stageDates", "defaults", "dateFormats", "timeZone", "numberCulture",
            "encoding", "separator", "expectedCloseDays", "pipelineFile", "$comment", "colums", "Defaults",
        ];

        public static Arbitrary<ImportInput> Input() =>
            (from mapping in MappingGen
             from csv in CsvGen
             select new ImportInput(mapping, csv)).ToArbitrary();

        private static Gen<string> MappingGen => Gen.Frequency(
            (6, Gen.Constant("{}")),
            (4, Gen.Elements(
                """{ "numberCulture": "en-US" }""",
                """{ "defaults": { "currency": "PLN", "owner": "anna" }, "expectedCloseDays": 30 }""",
                """{ "encoding": "windows-1250", "timeZone": "Europe/Warsaw" }""",
                """{ "dateFormats": ["uuuu-MM-dd", "dd/MM/uuuu"], "outcomes": { "Y": "won" } }""",
                """{ "stages": { "Closing": "negotiation" }, "owners": { "Anna K.": "anna" } }""")),
            (10, from n in Gen.Choose(1, 4)
                 from entries in Gen.ListOf(Gen.Zip(Gen.Elements(Keys), MappingValue), n)
                 select "{" + string.Join(", ", entries.Select(e => $"\"{e.Item1}\": {e.Item2}")) + "}"),
            (1, Gen.Elements("", "{", "[1]", "null", "{\"columns\": {\"id\": }", "// only a comment")),
            (1, Gen.ArrayOf(Gen.Choose(32, 126).Select(c => (char)c), 0).Select(cs => new string([.. cs.Take(60)]))));

        private static Gen<byte[]> CsvGen => Gen.Frequency(
            (12, PlausibleCsv),
            (2, from csv in PlausibleCsv
                from at in Gen.Choose(0, 1000)
                from bytes in Gen.Elements<byte[]>([0xE9], [0xC3], [0xFF, 0xFE], [0xA3, 0xF3], [0x00], [0x98])
                select csv.Length == 0 ? bytes : [.. csv[..(at % csv.Length)], .. bytes, .. csv[(at % csv.Length)..]]),
            (1, Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), 0).Select(b => b.Take(300).ToArray())));

        private static Gen<byte[]> PlausibleCsv =>
            from separator in Gen.Frequency((5, Gen.Constant(',')), (1, Gen.Constant(';')))
            from header in Gen.Frequency(
                (4, Gen.Constant(Header.Split(','))),
                (3, from extra in Gen.ListOf(Gen.Elements(Columns), 2) select Header.Split(',').Concat(extra).ToArray()),
                (1, from n in Gen.Choose(1, 8) from cols in Gen.ListOf(Gen.Elements(Columns), n) select cols.ToArray()))
            from rows in Gen.Frequency(
                (2, Gen.Choose(1, 5).SelectMany(n => Gen.Constant(Enumerable.Range(1, n).Select(i => Fit(Row($"V-{i}").Split(','), header.Length)).ToList()))),
                (3, Gen.Choose(0, 5).SelectMany(n => Gen.ListOf(RowGen(header.Length), n))))
            from lineEnd in Gen.Elements("\n", "\r\n")
            select Encoding.UTF8.GetBytes(string.Join(lineEnd, [string.Join(separator, header), .. rows.Select(r => string.Join(separator, r.Select(c => Escape(c, separator))))]) + lineEnd);

        private static readonly string[] Numbers =
        [
            "1234,56", "1,2", "1,2345", "1,2,3", "12,34.5", "1 234,56", "1\u00A0234,56", "1\u202F234,56", "1,234", "1,234.5",
            "1e5", "-0", "+5", ".5", "5.", "0,5", "1234.567", "99999999999999999999999999999", "١٢٣",
        ];

        /// <summary>Mostly valid canonical rows (so commits happen), some with a few cells swapped for hostile ones.</summary>
        private static Gen<string[]> RowGen(int width) => Gen.Frequency(
            (3, from id in Gen.Choose(1, 9)
                from amount in Gen.Elements(Numbers)
                from probability in Gen.Elements("", "50", "50%", "1,5", "101")
                select Swap(Fit(Row($"N-{id}").Split(','), width), [(5, amount), (12, probability)])),
            (3, from id in Gen.Choose(1, 9)
                from stage in Gen.Elements("identification", "qualification", "offer", "negotiation")
                from amount in Gen.Elements("10", "1234.56", "1,234.56", "0")
                select Fit(Row($"N-{id}", stage: stage, amount: amount).Split(','), width)),
            (2, from id in Gen.Choose(1, 9)
                from swaps in Gen.ListOf(Gen.Zip(Gen.Choose(0, 12), Gen.Elements(Cells)), 2)
                select Swap(Fit(Row($"N-{id}").Split(','), width), swaps)),
            (1, Gen.ArrayOf(Gen.Elements(Cells), width)));

        /// <summary>Quotes a cell holding the separator, as a CSV writer would; cells already starting with a quote stay as they are (some are meant to be broken).</summary>
        private static string Escape(string cell, char separator) =>
            cell.Contains(separator, StringComparison.Ordinal) && !cell.StartsWith('"') ? $"\"{cell.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : cell;

        private static string[] Fit(string[] cells, int width) => [.. cells.Take(width), .. Enumerable.Repeat(string.Empty, Math.Max(0, width - cells.Length))];

        private static string[] Swap(string[] cells, IEnumerable<(int, string)> swaps)
        {
            foreach (var (i, cell) in swaps)
            {
                if (i < cells.Length)
                {
                    cells[i] = cell;
                }
            }

            return cells;
        }

        private static Gen<string> ObjectOf(Gen<string> keys, Gen<string> values) =>
            from n in Gen.Choose(0, 3)
            from entries in Gen.ListOf(Gen.Zip(keys, values), n)
            select "{" + string.Join(", ", entries.Select(e => $"\"{e.Item1}\": {e.Item2}")) + "}";
    }
}
