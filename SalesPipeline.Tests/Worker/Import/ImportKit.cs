using System.CommandLine;
using System.Text;
using System.Text.RegularExpressions;
using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.People;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Cli;
using SalesPipeline.Reporting.Worker.Import;
using Xunit;

namespace SalesPipeline.Tests.Worker.Import;

/// <summary>Canonical CSV files, an in-memory store and a fixed clock for the import tests.</summary>
internal static class ImportKit
{
    public const string Header = "id,name,account,owner,stage,amount,currency,created,expected_close,closed,outcome,reason,probability";

    public static readonly Instant Now = Instant.FromUtc(2026, 1, 15, 9, 0);

    public static readonly UserId Importer = new("importer");

    /// <summary>A valid canonical row: an open qualification deal.</summary>
    public static string Row(string id, string name = "ERP rollout", string account = "Kowalski Logistics", string owner = "anna", string stage = "qualification",
        string amount = "1200.50", string currency = "PLN", string created = "2025-01-10", string expectedClose = "2025-06-30", string closed = "",
        string outcome = "", string reason = "", string probability = "") =>
        string.Join(',', id, name, account, owner, stage, amount, currency, created, expectedClose, closed, outcome, reason, probability);

    public static string Csv(params string[] rows) => string.Join("\n", [Header, .. rows]) + "\n";

    public static Task<ImportResult> ImportAsync(
        string csv,
        IImportTarget target,
        ImportOptions? options = null,
        ImportMapping? mapping = null,
        PipelineDefinition? pipeline = null,
        CancellationToken cancellationToken = default) =>
        CsvImporter.ImportAsync(
            new MemoryStream(Encoding.UTF8.GetBytes(csv)),
            mapping ?? ImportMapping.Canonical,
            pipeline ?? PipelineDefinition.Default,
            target,
            options ?? new ImportOptions(),
            Importer,
            new FakeClock(Now),
            cancellationToken);

    /// <summary>The admin <see cref="RunImportCommandAsync"/> stores in a store without people, so <c>--as admin</c> may store definitions.</summary>
    public static readonly SalesPipeline.People.Person Admin = new(new UserId("admin"), "Admin", SalesPipeline.People.Role.Admin, ["hq"], null, 0, true);

    /// <summary>
    /// Runs <c>import</c> with the given arguments into a store the test owns; returns the exit code (bad input surfaces as
    /// the exception CliApp maps to 2). Stored pipelines and existing deals are read from <paramref name="target"/> when it is
    /// an <see cref="InMemoryStore"/>; otherwise there are none.
    /// </summary>
    public static async Task<int> RunImportCommandAsync(IImportTarget target, TextWriter output, TextWriter error, string[] args, CancellationToken cancellationToken = default)
    {
        var context = new CliContext(output, error, new FakeClock(Now));
        var root = new RootCommand { CliContext.VerboseOption, Acting.AsOption };
        var known = target as InMemoryStore ?? new InMemoryStore();
        if ((await ((IPersonStore)known).ListAsync(cancellationToken)).Count == 0)
        {
            await ((IPersonStore)known).SaveAsync(Admin, cancellationToken);
        }

        root.Subcommands.Add(ImportCommand.Create(context, (_, _) => Task.FromResult(new ImportDestination(target, known, known, new PipelineDefinitionService(target, known, known), new PeopleService(known), "memory"))));
        var parse = root.Parse(args);
        Assert.Empty(parse.Errors);
        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken);
    }

    /// <summary>The lines a writer received, without the progress lines (<c>import: …</c>).</summary>
    public static List<string> Lines(StringWriter writer) =>
        [.. writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).Where(l => !l.StartsWith("import: ", StringComparison.Ordinal))];

    public static async Task<List<OpportunityState>> DealsAsync(InMemoryStore store)
    {
        var deals = new List<OpportunityState>();
        await foreach (var deal in store.QueryAsync(OpportunityQuery.All))
        {
            deals.Add(deal);
        }

        return deals;
    }

    public static async Task<List<Account>> AccountsAsync(InMemoryStore store)
    {
        var accounts = new List<Account>();
        await foreach (var account in store.ListAsync())
        {
            accounts.Add(account);
        }

        return accounts;
    }

    /// <summary>The repository's root folder (where SalesPipeline.sln is).</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SalesPipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("SalesPipeline.sln not found above the test's folder.");
    }

    /// <summary>Imports a file in which exactly one row is invalid; asserts nothing was imported and returns that row's only error.</summary>
    public static async Task<ImportError> TheOnlyErrorAsync(string csv, ImportMapping? mapping = null)
    {
        var store = new InMemoryStore();

        var result = await ImportAsync(csv, store, mapping: mapping);

        Assert.False(result.Committed);
        Assert.Equal(0, result.Imported);
        Assert.Empty(await DealsAsync(store));
        Assert.Empty(await AccountsAsync(store));
        Assert.Equal(1, result.Rejected);
        return Assert.Single(result.Errors);
    }

    /// <summary>The example mapping in the README's "Import" section: its first JSON block.</summary>
    public static string ReadmeMappingJson()
    {
        var readme = File.ReadAllText(Path.Combine(RepoRoot(), "README.md"));
        var section = readme[readme.IndexOf("## Import", StringComparison.Ordinal)..];
        return Regex.Match(section, "```json\\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
    }

    public static string MappingsFolder => Path.Combine(RepoRoot(), "SalesPipeline.Reporting.Worker", "Import", "Mappings");
}
