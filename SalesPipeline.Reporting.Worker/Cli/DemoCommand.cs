using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Documents;
using SalesPipeline.Domain;
using SalesPipeline.Leads;
using SalesPipeline.People;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Demo;
using SalesPipeline.Reporting.Worker.Exporting;
using SalesPipeline.Storage.Migrations;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary><c>demo</c>: migrate, fill the store with a demo pipeline, and write the last full quarter's reports.</summary>
internal static class DemoCommand
{
    private const int BatchSize = 1_000;

    /// <summary>How many generated batches may wait for the writer.</summary>
    private const int BatchesAhead = 4;

    private const int ProgressEvery = 100_000;

    /// <summary>How many of each owner's deals the demo's converted leads may point at.</summary>
    private const int LeadDealsPerOwner = 500;

    private static readonly string[] Cultures = ["en", "pl"];

    public static Command Create(CliContext context)
    {
        var deals = ReportOptions.WholeNumber("--deals", "How many demo deals to create.", 2_000, 1, 1_000_000);
        var seed = ReportOptions.WholeNumber("--seed", "The random seed; the same seed gives the same pipeline.", 42, int.MinValue, int.MaxValue);
        var output = new Option<string>("--out") { Description = "The folder the reports are written to (created when missing).", DefaultValueFactory = _ => "reports" };
        var zone = ReportOptions.TimeZone();

        var command = new Command("demo", "Create the database if needed, fill it with a realistic demo pipeline (deals over the last 12 months, with histories, activities, owners, accounts and loss reasons), and write the last full quarter's reports.")
        {
            deals, seed, output, zone,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var count = parse.GetValue(deals);

            var timeZone = ReportOptions.ParseZone(parse.GetValue(zone)!);
            var now = context.Clock.GetCurrentInstant();
            var (from, to) = LastFullQuarter(now.InZone(timeZone).Date);
            var quarter = $"{from.Year}-Q{((from.Month - 1) / 3) + 1}";
            var files = new CommandFiles().Database(StoreAccess.DatabaseFiles(parse), writes: true);
            var outputFolder = parse.GetValue(output)!;
            foreach (var culture in Cultures)
            {
                files.Writes("--out", Path.Combine(outputFolder, WorkbookName(quarter, culture)));
            }

            files.EnsureDistinct();
            var missing = MissingFolders(outputFolder);
            var folder = ReportOptions.CheckWritableFolder(outputFolder, "--out", create: true);
            try
            {
                CheckWorkbooks(folder, quarter);
                return await RunAsync(parse, context, folder, count, timeZone, from, to, quarter, seed, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // A refused or failed demo leaves no folder of its own behind: only those it created and left empty go.
                RemoveIfEmpty(missing);
                throw;
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(
        ParseResult parse, CliContext context, string folder, int count, DateTimeZone timeZone, LocalDate from, LocalDate to, string quarter, Option<int> seed, CancellationToken cancellationToken)
    {
        var now = context.Clock.GetCurrentInstant();
        // A store the demo fills from empty is taken for the load, so its rows are written once (see LoadEmptyStoreExclusively).
        await using var services = StoreAccess.Open(parse, context.Clock, create: true, loadEmptyStoreExclusively: true);
        await services.GetRequiredService<IDatabaseMigrator>().MigrateAsync(cancellationToken).ConfigureAwait(false);
        var pipeline = services.GetRequiredService<PipelineCatalog>().Default;
        await EnsureDemoCanFillAsync(services, pipeline, cancellationToken).ConfigureAwait(false);

        var added = await SeedAsync(services.GetRequiredService<IImportTarget>(), pipeline, count, parse.GetValue(seed), now, context, cancellationToken).ConfigureAwait(false);
        await context.Output.WriteLineAsync(added == count
            ? $"Created {added:N0} demo deals in {StoreAccess.Describe(parse)}."
            : $"{StoreAccess.Describe(parse)} already held {count - added:N0} of the demo deals; added {added:N0}.").ConfigureAwait(false);

        var leads = await SeedLeadBaseAsync(services, pipeline, parse.GetValue(seed), now, cancellationToken).ConfigureAwait(false);
        await SeedOffersAsync(services, now, cancellationToken).ConfigureAwait(false);

        // The workbooks differ only in their labels: the figures are computed once (in one consistent read) and each
        // workbook is written on a thread of its own.
        var request = new ReportRequest(pipeline, from, to, timeZone, null, Cultures[0], ReportKind.All, ReportOptions.DefaultDetailRows);
        var models = await ReportCommand.BuildModelsAsync(request, Cultures, services, ReportCommand.NewBuilder(services, context.Clock), cancellationToken).ConfigureAwait(false);
        var workbooks = await Task.WhenAll(models.Select(model => Task.Run(
            async () =>
            {
                var path = Path.Combine(folder, WorkbookName(quarter, model.Culture));
                await new WorkbookWriter().WriteAsync(model, path, cancellationToken).ConfigureAwait(false);
                return (Model: model, Path: path);
            },
            cancellationToken))).ConfigureAwait(false);
        foreach (var workbook in workbooks)
        {
            await context.Output.WriteLineAsync(workbook.Path).ConfigureAwait(false);
        }

        await WriteSummaryAsync(context.Output, workbooks[0].Model).ConfigureAwait(false);
        await context.Output.WriteLineAsync(leads > 0
            ? $"People:      added the demo's admin ('admin'), manager ('manager') and salespeople in groups north and south, and {leads:N0} leads"
            : "People:      the demo's people and leads were already there").ConfigureAwait(false);
        return CliApp.Success;
    }

    /// <summary>
    /// Refuses a database the demo would corrupt: one that stores its own definition of the default pipeline (the demo
    /// drives deals through the built-in one, so they could sit in stages the stored one lacks), or whose people under the
    /// demo's user ids are not the demo's (their roles, groups and lead limits would be ignored).
    /// </summary>
    private static async Task EnsureDemoCanFillAsync(IServiceProvider services, PipelineDefinition pipeline, CancellationToken cancellationToken)
    {
        var stored = await services.GetRequiredService<IPipelineDefinitionStore>().LoadAsync(cancellationToken).ConfigureAwait(false);
        if (stored.TryGetValue(pipeline.Id, out var json) && !SameDefinition(json, pipeline))
        {
            throw new CliInputException(
                $"The database stores its own definition of pipeline '{pipeline.Id}', and the demo drives its deals through the built-in one: its deals could sit in stages the stored definition does not have. Run demo on another database (--db).");
        }

        var people = services.GetRequiredService<IPersonStore>();
        var limit = services.GetRequiredService<LeadOptions>().DefaultLeadLimit;
        var others = new List<string>();
        foreach (var person in DemoLeadBase.People(DemoPipelineGenerator.OwnerNames, limit))
        {
            if (await people.FindAsync(person.Id, cancellationToken).ConfigureAwait(false) is { } existing && !SamePerson(existing, person))
            {
                others.Add($"'{person.Id}'");
            }
        }

        if (others.Count > 0)
        {
            throw new CliInputException(
                $"The database has people under the demo's user ids who are not the demo's ({string.Join(", ", others)}): the demo would hand them leads and deals as if they had its roles, groups and lead limits. Run demo on another database (--db).");
        }
    }

    private static bool SameDefinition(string json, PipelineDefinition pipeline)
    {
        try
        {
            return PipelineDefinition.FromJson(json).ToJson() == pipeline.ToJson();
        }
        catch (PipelineDefinitionException)
        {
            return false;
        }
    }

    private static bool SamePerson(Person a, Person b) =>
        a.DisplayName == b.DisplayName && a.Role == b.Role && a.Groups.SequenceEqual(b.Groups) && a.Manager == b.Manager && a.LeadLimit == b.LeadLimit && a.Active == b.Active;

    /// <summary>
    /// Refuses, before the database is opened, a workbook the demo could not write because a folder stands at its path: the
    /// demo filled the database and wrote the other workbook before it failed on that one.
    /// </summary>
    private static void CheckWorkbooks(string folder, string quarter)
    {
        foreach (var culture in Cultures)
        {
            var path = Path.Combine(folder, WorkbookName(quarter, culture));
            if (Directory.Exists(path))
            {
                throw new CliInputException($"--out '{folder}': the workbook '{path}' it writes is a folder. Remove that folder or choose another --out; nothing was done.");
            }
        }
    }

    /// <summary>The folders of <paramref name="folder"/>'s path that do not exist yet, deepest first.</summary>
    private static List<string> MissingFolders(string folder)
    {
        var missing = new List<string>();
        for (var path = Path.GetFullPath(folder); path is not null && !Directory.Exists(path) && !File.Exists(path); path = Path.GetDirectoryName(path))
        {
            missing.Add(path);
        }

        return missing;
    }

    private static void RemoveIfEmpty(List<string> folders)
    {
        foreach (var path in folders)
        {
            try
            {
                if (Directory.Exists(path) && !Directory.EnumerateFileSystemEntries(path).Any())
                {
                    Directory.Delete(path);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left behind: the demo's own failure is what the user needs to see.
            }
        }
    }

    private static string WorkbookName(string quarter, string culture) =>
        culture == "en" ? $"pipeline-{quarter}.xlsx" : $"pipeline-{quarter}-{culture}.xlsx";

    internal static (LocalDate From, LocalDate To) LastFullQuarter(LocalDate today)
    {
        var thisQuarter = new LocalDate(today.Year, (((today.Month - 1) / 3) * 3) + 1, 1);
        var from = thisQuarter.PlusMonths(-3);
        return (from, thisQuarter.PlusDays(-1));
    }

    /// <summary>
    /// Adds the demo deals the store lacks through one import session (one transaction). The deals are generated on another
    /// thread, a few batches ahead of the writes, so generating and writing overlap and memory stays bounded.
    /// </summary>
    private static async Task<int> SeedAsync(IImportTarget target, PipelineDefinition pipeline, int count, int seed, Instant now, CliContext context, CancellationToken cancellationToken)
    {
        var system = new UserId("demo");
        await using var session = await target.BeginImportAsync(cancellationToken).ConfigureAwait(false);
        var accounts = new Dictionary<string, AccountId>(StringComparer.Ordinal);
        foreach (var name in DemoPipelineGenerator.AccountNames)
        {
            accounts[name] = await session.EnsureAccountAsync(name, system, now - Duration.FromDays(400), cancellationToken).ConfigureAwait(false);
        }

        var batches = Channel.CreateBounded<List<OpportunityState>>(new BoundedChannelOptions(BatchesAhead) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var generator = new DemoPipelineGenerator(pipeline, seed, now);
        var producer = Task.Run(() => GenerateAsync(generator, count, accounts, batches.Writer, stop.Token), stop.Token);
        try
        {
            var added = 0;
            var stored = 0;
            await foreach (var batch in batches.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var existing = await session.ExistingExternalIdsAsync(pipeline.Id, [.. batch.Select(d => d.ExternalId!)], cancellationToken).ConfigureAwait(false);
                var fresh = existing.Count == 0 ? batch : batch.Where(d => !existing.Contains(d.ExternalId!)).ToList();
                await session.AddAsync(fresh, cancellationToken).ConfigureAwait(false);
                added += fresh.Count;
                if ((stored + batch.Count) / ProgressEvery > stored / ProgressEvery)
                {
                    await context.Error.WriteLineAsync($"  {stored + batch.Count:N0} of {count:N0} deals generated and written").ConfigureAwait(false);
                }

                stored += batch.Count;
            }

            await producer.ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            return added;
        }
        finally
        {
            // On a failure the generator may be waiting for room in the channel: stop it.
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Generates the deals into batches of <see cref="BatchSize"/>; a failure completes the channel with it, so the reader sees it.</summary>
    private static async Task GenerateAsync(DemoPipelineGenerator generator, int count, IReadOnlyDictionary<string, AccountId> accounts, ChannelWriter<List<OpportunityState>> batches, CancellationToken cancellationToken)
    {
        try
        {
            var batch = new List<OpportunityState>(BatchSize);
            foreach (var deal in generator.Generate(count, accounts))
            {
                batch.Add(deal);
                if (batch.Count == BatchSize)
                {
                    await batches.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                    batch = new List<OpportunityState>(BatchSize);
                }
            }

            if (batch.Count > 0)
            {
                await batches.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            }

            batches.Complete();
        }
        catch (Exception e)
        {
            batches.Complete(e);
        }
    }

    /// <summary>Adds the demo's people and lead base unless they are there already; returns how many leads were added.</summary>
    private static async Task<int> SeedLeadBaseAsync(IServiceProvider services, PipelineDefinition pipeline, int seed, Instant now, CancellationToken cancellationToken)
    {
        var people = services.GetRequiredService<IPersonStore>();
        var leads = services.GetRequiredService<ILeadStore>();
        var limit = services.GetRequiredService<LeadOptions>().DefaultLeadLimit;
        var team = DemoLeadBase.People(DemoPipelineGenerator.OwnerNames, limit);
        foreach (var person in team)
        {
            if (await people.FindAsync(person.Id, cancellationToken).ConfigureAwait(false) is null)
            {
                await people.SaveAsync(person, cancellationToken).ConfigureAwait(false);
            }
        }

        if (await leads.FindAsync(new LeadId("DEMO-L0001"), cancellationToken).ConfigureAwait(false) is not null)
        {
            return 0;
        }

        // Converted leads point at one of the first deals of their owner the store returns (the SQL stores return them in id
        // order): reading every deal back only to pick a few dozen took a sixth of the demo's time at 10^5 deals.
        var opportunities = services.GetRequiredService<IOpportunityStore>();
        var deals = new Dictionary<UserId, List<OpportunityId>>();
        foreach (var owner in DemoPipelineGenerator.OwnerNames.Select(name => new UserId(name)))
        {
            var list = deals[owner] = [];
            await foreach (var deal in opportunities.QueryAsync(new OpportunityQuery(pipeline.Id, owner), cancellationToken).ConfigureAwait(false))
            {
                list.Add(deal.Id);
                if (list.Count == LeadDealsPerOwner)
                {
                    break;
                }
            }

            // Sorted so which deal a lead converted into does not depend on the order the store returns deals in.
            list.Sort((a, b) => a.Value.CompareTo(b.Value));
        }

        var generated = new DemoLeadBase(seed, now).Generate(120, [.. team.Where(p => p.Role == Role.Salesperson)], deals);
        await leads.AddAsync(generated, cancellationToken: cancellationToken).ConfigureAwait(false);
        return generated.Count;
    }

    /// <summary>Stores each owner's demo offer (the document their deals' offers refer to) unless it is there already.</summary>
    private static async Task SeedOffersAsync(IServiceProvider services, Instant now, CancellationToken cancellationToken)
    {
        var documents = services.GetRequiredService<IDocumentStore>();
        foreach (var person in DemoLeadBase.People(DemoPipelineGenerator.OwnerNames, 0).Where(p => p.Role == Role.Salesperson))
        {
            var (id, title) = DemoPipelineGenerator.OfferOf(person.Id);
            if (await documents.FindAsync(id, cancellationToken).ConfigureAwait(false) is not null)
            {
                continue;
            }

            var content = Encoding.UTF8.GetBytes($"{title}: the standard offer the demo attaches to {person.DisplayName}'s deals.\n");
            var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
            await documents.AddAsync(
                new Document(id, title, 1, DocumentKind.Offer, "demo-offer.txt", "text/plain; charset=utf-8", content.Length, sha256, person.Groups, new UserId("demo"), now - Duration.FromDays(400)),
                content,
                cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteSummaryAsync(TextWriter output, ReportModel model)
    {
        var c = CultureInfo.InvariantCulture;
        var s = model.Summary[0];
        await output.WriteLineAsync(string.Create(c, $"Period:      {model.PeriodStart:uuuu-MM-dd} – {model.PeriodEnd:uuuu-MM-dd} ({model.PipelineName}), snapshot at its end")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(c, $"Open deals:  {s.OpenDeals:N0} worth {s.OpenValue:N0} {s.Currency}, weighted {s.WeightedValue:N0} {s.Currency}")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(c, $"Closed:      {s.Won:N0} won, {s.Lost:N0} lost; win rate {Percent(s.WinRateByCount)} by count, {Percent(s.WinRateByValue)} by value")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(c, $"Sales cycle: {(s.AverageCycleDays is { } d ? d.ToString("N1", c) + " days" : "n/a")} on average for won deals")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(c, $"Velocity:    {(s.SalesVelocityPerDay is { } v ? v.ToString("N0", c) + " " + s.Currency + " per day" : "n/a")}")).ConfigureAwait(false);
    }

    private static string Percent(decimal? rate) => rate is { } r ? r.ToString("P1", CultureInfo.InvariantCulture) : "n/a";
}
