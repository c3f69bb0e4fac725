using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NodaTime.Testing;
using SalesPipeline.Abstractions;
using SalesPipeline.Access;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Import;
using SalesPipeline.Storage.Migrations;
using static SalesPipeline.Tests.Worker.Import.ImportKit;

namespace SalesPipeline.Tests.Worker.Import;

/// <summary>
/// Whatever bytes a file holds and whatever a mapping says, the importer ends in one of the outcomes it documents — never an
/// unexpected exception — and a refused import leaves the store exactly as it was; a committed one leaves no deal in a
/// stage its pipeline's stored definition lacks. Run in memory and on SQLite, against the built-in definition, one stored
/// in the database, and one a mapping's pipelineFile brings.
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

    /// <summary>Which store the import writes into.</summary>
    public enum StoreKind
    {
        InMemory,
        Sqlite,
    }

    /// <summary>Which definition the rows are checked against, as the <c>import</c> command chooses it.</summary>
    public enum PipelineSource
    {
        /// <summary>The built-in definition: the store holds none.</summary>
        BuiltIn,

        /// <summary>A definition stored in the database under the default pipeline's id (with a 'demo' stage the built-in one lacks).</summary>
        Stored,

        /// <summary>A definition the mapping's <c>pipelineFile</c> brings, of a pipeline the store does not know yet.</summary>
        MappingFile,
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(ImportInputs)])]
    public Property ImportAsync_AnyFileAndMapping_EndsInADocumentedOutcomeAndARefusalChangesNothing(ImportInput input) =>
        Check(input, StoreKind.InMemory, PipelineSource.BuiltIn);

    [Property(MaxTest = 150, Arbitrary = [typeof(ImportInputs)])]
    public Property ImportAsync_StoredOrMappedPipeline_EndsInADocumentedOutcomeAndARefusalChangesNothing(ImportInput input, bool stored) =>
        Check(input, StoreKind.InMemory, stored ? PipelineSource.Stored : PipelineSource.MappingFile);

    [Property(MaxTest = 45, Arbitrary = [typeof(ImportInputs)])]
    public Property ImportAsync_IntoSqlite_EndsInADocumentedOutcomeAndARefusalChangesNothing(ImportInput input, byte source) =>
        Check(input, StoreKind.Sqlite, Enum.GetValues<PipelineSource>()[source % 3]);

    /// <summary>The property also reaches the deep paths: each outcome happens for a good share of the inputs.</summary>
    [Xunit.Theory]
    [Xunit.InlineData(PipelineSource.BuiltIn)]
    [Xunit.InlineData(PipelineSource.Stored)]
    [Xunit.InlineData(PipelineSource.MappingFile)]
    public void ImportInputs_Generated_ReachEveryOutcome(PipelineSource source)
    {
        var outcomes = ImportInputs.Input().Generator.Sample(400, 200)
            .Select(i => RunAsync(i, StoreKind.InMemory, source).GetAwaiter().GetResult().Outcome)
            .GroupBy(o => o)
            .ToDictionary(g => g.Key, g => g.Count());

        Xunit.Assert.All(Enum.GetValues<ImportEnd>(), o => Xunit.Assert.True(outcomes.GetValueOrDefault(o) >= 7, $"{source}, {o}: {outcomes.GetValueOrDefault(o)} of 200"));
    }

    private static Property Check(ImportInput input, StoreKind kind, PipelineSource source)
    {
        var (outcome, why) = Task.Run(() => RunAsync(input, kind, source)).GetAwaiter().GetResult();
        return (why is null).Label($"{kind}, {source}, {outcome}: {why}").Classify(true, outcome.ToString());
    }

    /// <summary>
    /// Runs one import as the <c>import</c> command does (mapping, its pipeline file, the stored definitions, then the rows)
    /// into a store holding one deal; returns the outcome and, when the property fails, why.
    /// </summary>
    private static async Task<(ImportEnd Outcome, string? Why)> RunAsync(ImportInput input, StoreKind kind, PipelineSource source)
    {
        await using var store = await TestStore.CreateAsync(kind, source);
        var before = await store.SnapshotAsync();
        var json = source == PipelineSource.MappingFile ? WithPipelineFile(input.Mapping) : input.Mapping;
        ImportMapping mapping;
        ImportPipeline chosen;
        try
        {
            mapping = ImportMapping.FromJson(json, store.Folder);
            var brought = await ImportPipelines.LoadAsync(mapping, CancellationToken.None);
            chosen = await ImportPipelines.ResolveAsync(brought, null, store.Definitions, CancellationToken.None);
        }
        catch (ImportConfigurationException e)
        {
            return (ImportEnd.MappingRefused, Specific(e) ?? (await store.SnapshotAsync() == before ? null : "a refused mapping changed the store"));
        }

        ImportResult result;
        try
        {
            // A mapping's definition is stored through the library's checked save, in the import's own transaction.
            var definitions = chosen.StoreDefinition ? new PipelineDefinitionService(store.Target, store.Deals, new InMemoryStore(), new AccessOptions { SkipAccessChecks = true }) : null;
            var options = new ImportOptions
            {
                ErrorLimit = 50,
                StorePipelineDefinition = definitions is null ? null : (session, token) => definitions.SaveAsync(chosen.Definition, Importer, session, token),
            };
            result = await CsvImporter.ImportAsync(new MemoryStream(input.Csv), mapping, chosen.Definition, store.Target, options, Importer, new FakeClock(Now));
        }
        catch (PipelineFitException e)
        {
            var after = await store.SnapshotAsync();
            return (ImportEnd.MappingRefused, e.Message.Length == 0 ? "a refusal without a reason" : after == before ? null : "a refused definition changed the store");
        }
        catch (ImportConfigurationException e)
        {
            var after = await store.SnapshotAsync();
            return (ImportEnd.HeaderRefused, Specific(e) ?? (after == before ? null : "a refused header changed the store"));
        }
        catch (Exception e) when (!DocumentedExceptions.Contains(e.GetType()))
        {
            return (ImportEnd.RowsRefused, $"undocumented {e.GetType().Name}: {e.Message}");
        }

        var now = await store.SnapshotAsync();
        if (!result.Committed)
        {
            if (result.Rejected == 0 || result.Errors.Count == 0)
            {
                return (ImportEnd.RowsRefused, "not committed, yet no row was refused");
            }

            var vague = result.Errors.FirstOrDefault(e => e.Row < 2 || e.Reason.Length == 0 || Jargon.Any(j => e.Reason.Contains(j, StringComparison.Ordinal)));
            return (ImportEnd.RowsRefused, vague is not null ? $"vague error: {vague}" : now == before ? null : "a refused import changed the store");
        }

        var deals = await store.DealsAsync();
        if (result.Rejected != 0 || deals.Count != 1 + result.Imported)
        {
            return (ImportEnd.Committed, $"committed {result.Imported} with {result.Rejected} rejected; the store has {deals.Count} deals");
        }

        // Every committed deal is in a stage of the definition the store holds for its pipeline, so reports can read it.
        var catalog = await PipelineCatalog.LoadAsync(store.Definitions, CancellationToken.None);
        var stranded = deals.FirstOrDefault(d => catalog.All.FirstOrDefault(p => p.Id == d.PipelineId) is not { } p || p.Stages.All(s => s.Id != d.Stage));
        return (ImportEnd.Committed, stranded is null ? null : $"deal {stranded.ExternalId} is in stage '{stranded.Stage}' of pipeline '{stranded.PipelineId}', which the store does not define");
    }

    private static string? Specific(ImportConfigurationException e) =>
        e.Faults.Count == 0 || e.Faults.Any(f => f.Length == 0)
            ? "a refusal without faults"
            : Jargon.FirstOrDefault(j => e.Message.Contains(j, StringComparison.Ordinal)) is { } j ? $"jargon '{j}' in: {e.Message}" : null;

    /// <summary>
    /// The mapping with <c>"pipelineFile": "pipeline.json"</c> as its first key when it is an object (a later
    /// <c>pipelineFile</c> the generator wrote, or a duplicate key, is left for the mapping loader to judge); as it is otherwise.
    /// </summary>
    private static string WithPipelineFile(string mapping)
    {
        var text = mapping.TrimStart();
        if (!text.StartsWith('{'))
        {
            return mapping;
        }

        var rest = text[1..].TrimStart();
        return $"{{\"pipelineFile\": \"{TestStore.PipelineFileName}\"{(rest.StartsWith('}') ? " " : ", ")}{rest}";
    }

    /// <summary>A definition like the built-in one with a 'demo' stage between qualification and offer.</summary>
    internal static PipelineDefinition WithDemoStage(string id) =>
        new PipelineDefinitionBuilder(id)
            .AddStage("identification", StageKind.Open, 10)
            .AddStage("qualification", StageKind.Open, 25)
            .AddStage("demo", StageKind.Open, 40)
            .AddStage("offer", StageKind.Open, 50)
            .AddStage("negotiation", StageKind.Open, 75)
            .AddStage("won", StageKind.Won, 100)
            .AddStage("lost", StageKind.Lost, 0)
            .StartIn("identification")
            .AllowForwardAndBackMoves()
            .AllowMove("negotiation", "won")
            .AllowMove("identification", "lost")
            .AllowMove("qualification", "lost")
            .AllowMove("demo", "lost")
            .AllowMove("offer", "lost")
            .AllowMove("negotiation", "lost")
            .WithLossReasons("Price", "Timing", "Competitor")
            .Build();

    /// <summary>A store holding one deal (and, for <see cref="PipelineSource.Stored"/>, a stored definition), in memory or in a SQLite file.</summary>
    private sealed class TestStore : IAsyncDisposable
    {
        public const string PipelineFileName = "pipeline.json";

        private static readonly ConcurrentDictionary<PipelineSource, Lazy<Task<string>>> Templates = new();

        private readonly ServiceProvider? _services;

        private TestStore(string folder, IImportTarget target, IPipelineDefinitionStore definitions, IOpportunityStore deals, IAccountStore accounts, ServiceProvider? services)
        {
            Folder = folder;
            Target = target;
            Definitions = definitions;
            Deals = deals;
            Accounts = accounts;
            _services = services;
        }

        public string Folder { get; }

        public IImportTarget Target { get; }

        public IPipelineDefinitionStore Definitions { get; }

        public IOpportunityStore Deals { get; }

        public IAccountStore Accounts { get; }

        public static async Task<TestStore> CreateAsync(StoreKind kind, PipelineSource source)
        {
            var folder = Directory.CreateTempSubdirectory("salespipeline-property-").FullName;
            await File.WriteAllTextAsync(Path.Combine(folder, PipelineFileName), WithDemoStage("field-sales").ToJson());
            if (kind == StoreKind.InMemory)
            {
                var memory = new InMemoryStore();
                await SeedAsync(memory, memory, source);
                return new TestStore(folder, memory, memory, memory, memory, null);
            }

            var template = await Templates.GetOrAdd(source, s => new Lazy<Task<string>>(() => SqliteTemplateAsync(s))).Value;
            var file = Path.Combine(folder, "store.db");
            File.Copy(template, file);
            var services = Sqlite(file);
            return new TestStore(
                folder,
                services.GetRequiredService<IImportTarget>(),
                services.GetRequiredService<IPipelineDefinitionStore>(),
                services.GetRequiredService<IOpportunityStore>(),
                services.GetRequiredService<IAccountStore>(),
                services);
        }

        public async Task<List<OpportunityState>> DealsAsync()
        {
            var deals = new List<OpportunityState>();
            await foreach (var deal in Deals.QueryAsync(OpportunityQuery.All))
            {
                deals.Add(deal);
            }

            return deals;
        }

        public async Task<string> SnapshotAsync()
        {
            var text = new StringBuilder();
            foreach (var deal in (await DealsAsync()).OrderBy(d => d.ExternalId, StringComparer.Ordinal))
            {
                text.Append(JsonSerializer.Serialize(new { deal.ExternalId, deal.PipelineId.Value, deal.Name, deal.Stage, Amount = deal.Value.Amount, deal.Version, deal.History.Count })).Append('\n');
            }

            var accounts = new List<string>();
            await foreach (var account in Accounts.ListAsync())
            {
                accounts.Add(account.Name);
            }

            foreach (var name in accounts.Order(StringComparer.Ordinal))
            {
                text.Append(name).Append('\n');
            }

            foreach (var (id, json) in (await Definitions.LoadAsync()).OrderBy(d => d.Key.Value, StringComparer.Ordinal))
            {
                text.Append(id).Append(json).Append('\n');
            }

            return text.ToString();
        }

        public async ValueTask DisposeAsync()
        {
            if (_services is not null)
            {
                await _services.DisposeAsync();
                SqliteConnection.ClearAllPools();
            }

            Directory.Delete(Folder, recursive: true);
        }

        private static async Task SeedAsync(IImportTarget target, IPipelineDefinitionStore definitions, PipelineSource source)
        {
            var pipeline = PipelineDefinition.Default;
            if (source == PipelineSource.Stored)
            {
                // The seed is imported with the definition the store holds: the built-in one differs from it, and is refused.
                pipeline = WithDemoStage(PipelineDefinition.Default.Id.Value);
                await definitions.SaveAsync(pipeline.Id, pipeline.ToJson());
            }

            var seeded = await ImportAsync(Csv(Row("SEED-1")), target, pipeline: pipeline);
            Xunit.Assert.True(seeded.Committed, "the seed did not import");
        }

        private static async Task<string> SqliteTemplateAsync(PipelineSource source)
        {
            var file = Path.Combine(Directory.CreateTempSubdirectory("salespipeline-property-template-").FullName, "template.db");
            await using (var services = Sqlite(file))
            {
                await services.GetRequiredService<IDatabaseMigrator>().MigrateAsync();
                await SeedAsync(services.GetRequiredService<IImportTarget>(), services.GetRequiredService<IPipelineDefinitionStore>(), source);
            }

            SqliteConnection.ClearAllPools();
            return file;
        }

        private static ServiceProvider Sqlite(string file)
        {
            var services = new ServiceCollection().AddSingleton<NodaTime.IClock>(new FakeClock(Now));
            services.AddSalesPipeline().UseSqlite($"Data Source={file}");
            return services.BuildServiceProvider();
        }
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
