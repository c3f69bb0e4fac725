using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.People;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Import;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary>Opens the store one <c>import</c> writes into; the command disposes what it returns.</summary>
/// <param name="parse">The command line (for global options such as <c>--db</c>).</param>
/// <param name="cancellationToken">Cancels opening.</param>
/// <returns>The store.</returns>
internal delegate Task<ImportDestination> ImportDestinationFactory(ParseResult parse, CancellationToken cancellationToken);

/// <summary>A store an import writes into, and what to dispose when the command ends.</summary>
/// <param name="target">The store.</param>
/// <param name="definitions">The store's pipeline definitions, which rows are checked against.</param>
/// <param name="deals">The store's deals, which a definition the mapping brings must still fit.</param>
/// <param name="definitionService">Stores a definition the mapping brings (admin only, fit-checked) with the deals.</param>
/// <param name="people">The store's people, whom the acting user (<c>--as</c>) must be one of, active.</param>
/// <param name="description">How messages name it, such as "SQLite crm.db".</param>
/// <param name="owner">What owns the store (a service provider), disposed with this; <see langword="null"/> when the caller owns it.</param>
internal sealed class ImportDestination(IImportTarget target, IPipelineDefinitionStore definitions, IOpportunityStore deals, IPipelineDefinitionService definitionService, IPeopleService people, string description, IAsyncDisposable? owner = null) : IAsyncDisposable
{
    public IPipelineDefinitionService DefinitionService { get; } = definitionService;

    public IPeopleService People { get; } = people;

    public IImportTarget Target { get; } = target;

    public IPipelineDefinitionStore Definitions { get; } = definitions;

    public IOpportunityStore Deals { get; } = deals;

    public string Description { get; } = description;

    public ValueTask DisposeAsync() => owner?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>
/// <c>import --file F.csv [--mapping M.json] [--pipeline ID] [--dry-run] [--skip-invalid --rejects R.csv]</c>: brings another
/// system's deals in, all or nothing, and says exactly what was wrong with which row.
/// </summary>
internal static class ImportCommand
{
    /// <summary>Gets <c>--dry-run</c>, which the store is opened according to too.</summary>
    private static Option<bool> DryRunOption { get; } = new("--dry-run")
    {
        Description = "Check every row and report what would be imported; write nothing: a missing SQLite file is not created, a database is not migrated (one never migrated is checked as empty; one at an older schema is refused: run db migrate first).",
    };

    /// <summary>Creates the command.</summary>
    /// <param name="context">Output, error and clock.</param>
    /// <param name="destinations">Opens the store to write into; by default the database of the global <c>--db</c> and
    /// <c>--provider</c> options (tests pass an in-memory store).</param>
    /// <returns>The command.</returns>
    public static Command Create(CliContext context, ImportDestinationFactory? destinations = null)
    {
        var file = new Option<FileInfo>("--file", "-f")
        {
            Description = "The CSV file to import (UTF-8 unless the mapping's encoding says otherwise, with a header row; CRLF or LF; quoted fields may hold separators and line breaks).",
            Required = true,
        };
        var mapping = new Option<FileInfo?>("--mapping", "-m")
        {
            Description = "A JSON mapping from the file's columns and values to opportunity fields (see README, Import). Without it the canonical header is read: id, name, account, owner, stage, amount, currency, created, expected_close, closed, outcome, reason, probability, entered_<stage>.",
        };
        var pipeline = new Option<string?>("--pipeline")
        {
            Description = "The id of the pipeline the deals go into: any pipeline stored in the database, or the mapping's. Rows are checked against the definition the database stores. Default: the pipeline the mapping names (its pipelineFile), else 'new-business'.",
        };
        var skipInvalid = new Option<bool>("--skip-invalid")
        {
            Description = "Import the valid rows even if others are invalid, writing the invalid ones with their reasons to --rejects. Without it, any invalid row means nothing is imported.",
        };
        var rejects = new Option<FileInfo?>("--rejects")
        {
            Description = "With --skip-invalid: the CSV file that receives the rejected rows (their original fields plus rejected_row and rejection_reason). Written completely or not at all.",
        };
        var errorLimit = ReportOptions.WholeNumber("--error-limit", "How many errors to print; all are counted.", 20, 0, int.MaxValue);
        var by = new Option<string?>("--by")
        {
            Description = "Who imports, recorded as the creator of the deals and accounts, when --as is not given (with --as, the same user or left out). Default: the acting user of --as, else the operating-system user.",
        };

        var command = new Command("import", "Import opportunities from a CSV export into the store: all or nothing, idempotent on the source id. The acting user (--as, which must be an active person) is recorded as the creator of the deals. An import that creates the SQLite file takes it for itself until it ends.")
        {
            file, mapping, pipeline, DryRunOption, skipInvalid, rejects, errorLimit, by,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var request = new Request(
                parse.GetValue(file)!,
                parse.GetValue(mapping),
                parse.GetValue(pipeline),
                parse.GetValue(DryRunOption),
                parse.GetValue(skipInvalid),
                parse.GetValue(rejects),
                parse.GetValue(errorLimit),
                parse.GetValue(by));
            return await RunAsync(context, destinations ?? Database(context), parse, request, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, ImportDestinationFactory destinations, ParseResult parse, Request request, CancellationToken cancellationToken)
    {
        // Everything the user can get wrong is checked before the store is touched.
        CommandFiles.RequireFile("--file", request.File.FullName);
        if (request.Mapping is not null)
        {
            CommandFiles.RequireFile("--mapping", request.Mapping.FullName);
        }

        if (request.Rejects is not null && !request.SkipInvalid)
        {
            throw new CliInputException("--rejects only applies with --skip-invalid: without it, any invalid row means nothing is imported and the errors are printed.");
        }

        if (request.SkipInvalid && request.Rejects is null && !request.DryRun)
        {
            throw new CliInputException("--skip-invalid needs --rejects FILE.csv: the rows it skips must go somewhere they can be fixed and imported again.");
        }

        if (request.Rejects is { } rejectsFile && !request.DryRun)
        {
            // Checked now, so a rejects file that cannot be written never follows a committed import.
            ReportOptions.CheckOutputFile(rejectsFile.FullName, "--rejects");
        }

        var acting = Acting.Optional(parse);
        var by = Importer(acting, request.By);
        ImportMapping map;
        PipelineDefinition? brought;
        try
        {
            map = request.Mapping is null ? ImportMapping.Canonical : await ImportMapping.LoadAsync(request.Mapping.FullName, cancellationToken).ConfigureAwait(false);
            brought = await ImportPipelines.LoadAsync(map, cancellationToken).ConfigureAwait(false);
        }
        catch (ImportConfigurationException e)
        {
            throw new CliInputException(e.Message);
        }

        new CommandFiles()
            .Reads("--file", request.File.FullName)
            .Reads("--mapping", request.Mapping?.FullName)
            .Reads("the mapping's pipelineFile", map.PipelineFile)
            .Database(StoreAccess.DatabaseFiles(parse), writes: !request.DryRun)
            .Writes("--rejects", request.DryRun ? null : request.Rejects?.FullName)
            .EnsureDistinct();

        var destination = await destinations(parse, cancellationToken).ConfigureAwait(false);
        await using (destination.ConfigureAwait(false))
        {
            if (acting is { } actor)
            {
                await destination.People.RequireActiveAsync(actor, "import deals", cancellationToken).ConfigureAwait(false);
            }

            // Rows are checked against the definition the store holds (or the mapping brings, if it fits the stored deals).
            ImportPipeline chosen;
            try
            {
                chosen = await ImportPipelines.ResolveAsync(brought, request.Pipeline, destination.Definitions, cancellationToken).ConfigureAwait(false);
            }
            catch (ImportConfigurationException e)
            {
                throw new CliInputException(e.Message);
            }
            catch (PipelineDefinitionException e)
            {
                throw StoreAccess.InvalidStoredPipeline(e, parse);
            }

            var definition = chosen.Definition;
            var storeDefinition = chosen.StoreDefinition
                ? await DefinitionStorerAsync(parse, definition, map.PipelineFile!, request.DryRun, destination, cancellationToken).ConfigureAwait(false)
                : null;
            var temporary = request.Rejects is { } target && !request.DryRun ? TemporaryBeside(target.FullName) : null;
            ImportResult result;
            string? rejectsAt = null;
            StreamWriter? rejectsWriter = null;
            try
            {
                rejectsWriter = temporary is null ? null : new StreamWriter(temporary, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                var options = new ImportOptions
                {
                    DryRun = request.DryRun,
                    SkipInvalid = request.SkipInvalid,
                    RejectsWriter = rejectsWriter,
                    ErrorLimit = request.ErrorLimit,
                    Progress = new StderrProgress(context.Error),

                    // A pipeline that came with the mapping (even one reusing the built-in id) is stored with the deals, so
                    // reports and later imports know it.
                    StorePipelineDefinition = storeDefinition,
                };
                var stream = new FileStream(request.File.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
                await using (stream.ConfigureAwait(false))
                {
                    try
                    {
                        result = await CsvImporter.ImportAsync(stream, map, definition, destination.Target, options, by, context.Clock, cancellationToken).ConfigureAwait(false);
                    }
                    catch (ImportConfigurationException e)
                    {
                        throw new CliInputException($"{request.File.Name}: {e.Message}");
                    }
                    catch (PipelineFitException e)
                    {
                        throw StrandsDeals(map.PipelineFile!, e.Fit);
                    }
                }

                if (rejectsWriter is not null)
                {
                    await rejectsWriter.DisposeAsync().ConfigureAwait(false);
                    rejectsWriter = null;
                }

                // The rejects file appears, complete, only when the valid rows were committed. It is on disk already, so a
                // rename that fails now (the folder changed under us) keeps it under its temporary name rather than losing it.
                if (temporary is not null && result.Committed)
                {
                    try
                    {
                        File.Move(temporary, request.Rejects!.FullName, overwrite: true);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        rejectsAt = temporary;
                    }

                    temporary = null;
                }
            }
            finally
            {
                if (rejectsWriter is not null)
                {
                    await rejectsWriter.DisposeAsync().ConfigureAwait(false);
                }

                if (temporary is not null)
                {
                    File.Delete(temporary);
                }
            }

            return await ReportAsync(context, request, destination, definition, result, rejectsAt ?? request.Rejects?.FullName).ConfigureAwait(false);
        }
    }

    private static async Task<int> ReportAsync(CliContext context, Request request, ImportDestination destination, PipelineDefinition pipeline, ImportResult result, string? rejectsAt)
    {
        var c = CultureInfo.InvariantCulture;
        foreach (var error in result.Errors)
        {
            await context.Error.WriteLineAsync(error.ToString()).ConfigureAwait(false);
        }

        var where = $"{request.File.Name} → pipeline '{pipeline.Id}' in {destination.Description}";
        if (result.ErrorCount > 0)
        {
            var shown = result.Errors.Count < result.ErrorCount ? $" (the first {result.Errors.Count} shown)" : string.Empty;
            var errors = result.ErrorCount == 1 ? "error" : "errors";
            await context.Error.WriteLineAsync(string.Create(c, $"{result.ErrorCount:N0} {errors} in {result.Rejected:N0} of {result.Read:N0} rows{shown}.")).ConfigureAwait(false);
        }

        if (request.DryRun)
        {
            var would = request.SkipInvalid || result.Rejected == 0
                ? string.Create(c, $"{result.Imported:N0} would be imported, {result.SkippedExisting:N0} are already there, {result.Rejected:N0} invalid")
                : string.Create(c, $"{result.Rejected:N0} invalid, so nothing would be imported without --skip-invalid");
            await context.Output.WriteLineAsync(string.Create(c, $"Dry run, nothing written: {where}: {result.Read:N0} rows read; {would}.")).ConfigureAwait(false);
            return result.Rejected == 0 ? CliApp.Success : CliApp.BadInput;
        }

        if (!result.Committed)
        {
            await context.Error.WriteLineAsync("Nothing was imported. Fix those rows, or import the valid ones with --skip-invalid --rejects rejects.csv.").ConfigureAwait(false);
            return CliApp.BadInput;
        }

        var rejected = result.Rejected == 0 ? "0 rejected" : string.Create(c, $"{result.Rejected:N0} rejected (written to {rejectsAt})");
        if (rejectsAt is not null && rejectsAt != request.Rejects?.FullName)
        {
            await context.Error.WriteLineAsync($"--rejects '{request.Rejects?.FullName}' could not be replaced; the rejected rows are complete in '{rejectsAt}'. Move that file where you need it.").ConfigureAwait(false);
        }

        await context.Output.WriteLineAsync(string.Create(c, $"Imported {where}: {result.Read:N0} rows read; {result.Imported:N0} imported, {result.SkippedExisting:N0} already there, {rejected}.")).ConfigureAwait(false);
        return CliApp.Success;
    }

    /// <summary>
    /// How the definition a mapping brings is stored with the deals: through the library's checked save, by the acting admin
    /// (refused now, before the rows are read, when they are not one). A dry run stores nothing but still says whether the
    /// stored deals would fit it.
    /// </summary>
    private static async Task<Func<IImportSession, CancellationToken, Task>?> DefinitionStorerAsync(
        ParseResult parse, PipelineDefinition definition, string pipelineFile, bool dryRun, ImportDestination destination, CancellationToken cancellationToken)
    {
        if (dryRun)
        {
            var fit = await PipelineFit.CheckAsync(definition, destination.Deals, cancellationToken).ConfigureAwait(false);

            if (!fit.Fits)
            {
                throw StrandsDeals(pipelineFile, fit);
            }

            // A dry run commits nothing, so this is never called: it tells the import that the definition comes with it.
            return (_, _) => Task.CompletedTask;
        }

        var by = Acting.Optional(parse)
            ?? throw new CliInputException($"The mapping's pipelineFile '{pipelineFile}' brings a definition of pipeline '{definition.Id}' the database does not have; only an admin stores one: name yourself with --as USER, or import into a stored pipeline.");
        await destination.DefinitionService.RequireMaySaveAsync(by, cancellationToken).ConfigureAwait(false);
        return (session, token) => destination.DefinitionService.SaveAsync(definition, by, session, token);
    }

    /// <summary>
    /// Who imports, recorded as the creator of the deals and accounts: the acting user of <c>--as</c>; else <c>--by</c>; else
    /// the operating-system user. <c>--by</c> naming someone else than <c>--as</c> is refused.
    /// </summary>
    /// <exception cref="CliInputException"><c>--as</c> and <c>--by</c> name different users.</exception>
    private static UserId Importer(UserId? acting, string? byOption)
    {
        var named = string.IsNullOrWhiteSpace(byOption) ? (UserId?)null : new UserId(byOption);
        if (acting is { } actor && named is { } by && by != actor)
        {
            throw new CliInputException($"--as '{actor}' and --by '{by}' name different users; the acting user is recorded as the creator of the imported deals. Give --as alone (or --by the same user).");
        }

        return acting ?? named ?? new UserId(Environment.UserName);
    }

    private static CliInputException StrandsDeals(string pipelineFile, PipelineFit fit) =>
        new($"the mapping's pipelineFile '{pipelineFile}': it would replace the stored definition of '{fit.Pipeline}': {fit.Reason}");

    private static string TemporaryBeside(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{RandomNumberGenerator.GetHexString(12, lowercase: true)}.tmp");

    /// <summary>
    /// The database the global <c>--db</c>/<c>--provider</c> options name; a missing SQLite file is created and migrated. A dry
    /// run creates and migrates nothing: a missing file or a database never migrated is checked against as an empty store (in
    /// memory), and one at an older schema is refused.
    /// </summary>
    private static ImportDestinationFactory Database(CliContext context) => async (parse, cancellationToken) =>
    {
        cancellationToken.ThrowIfCancellationRequested();
        var choice = StoreAccess.Choose(parse);
        ServiceProvider? services;
        if (parse.GetValue(DryRunOption))
        {
            services = await StoreAccess.OpenForDryRunAsync(choice, context.Clock, cancellationToken).ConfigureAwait(false);
            if (services is null)
            {
                var empty = new InMemoryStore();
                return new ImportDestination(empty, empty, empty, new PipelineDefinitionService(empty, empty, empty), new PeopleService(empty), $"{StoreAccess.Describe(choice)} (empty: no deals stored yet)");
            }
        }
        else
        {
            services = StoreAccess.OpenForImport(choice, context.Clock);
        }

        return new ImportDestination(
            services.GetRequiredService<IImportTarget>(),
            services.GetRequiredService<IPipelineDefinitionStore>(),
            services.GetRequiredService<IOpportunityStore>(),
            services.GetRequiredService<IPipelineDefinitionService>(),
            services.GetRequiredService<IPeopleService>(),
            StoreAccess.Describe(choice),
            services);
    };

    private sealed record Request(FileInfo File, FileInfo? Mapping, string? Pipeline, bool DryRun, bool SkipInvalid, FileInfo? Rejects, int ErrorLimit, string? By);

    /// <summary>
    /// Progress on stderr: rows read and rows per second, about every two seconds, so short imports print nothing; then, once
    /// every row is read, that the import is writing the rest and committing.
    /// </summary>
    private sealed class StderrProgress(TextWriter error) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) =>
            error.WriteLine(value.Finishing
                ? string.Create(CultureInfo.InvariantCulture, $"import: all {value.Read:N0} rows read, {value.Rejected:N0} rejected; writing the rest and committing (a large import also rebuilds the indexes it set aside)")
                : string.Create(CultureInfo.InvariantCulture, $"import: {value.Read:N0} rows read, {value.Rejected:N0} rejected ({value.RowsPerSecond:N0} rows/s)"));
    }
}
