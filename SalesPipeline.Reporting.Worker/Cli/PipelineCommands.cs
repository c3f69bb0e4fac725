using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Storage.Migrations;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary><c>pipeline export</c>: the administrator's way to see the sales process.</summary>
internal static class PipelineCommands
{
    public static Command Create(CliContext context)
    {
        var format = new Option<string>("--format", "-f")
        {
            Description = "Output format: mermaid (state diagram), dot (Graphviz) or json (the definition, editable).",
            DefaultValueFactory = _ => "json",
        };
        format.AcceptOnlyFromAmong("mermaid", "dot", "json");
        var file = new Option<FileInfo?>("--file")
        {
            Description = "A pipeline definition JSON file to read instead of the built-in default pipeline.",
        };

        var pipeline = new Option<string?>("--pipeline")
        {
            Description = "A pipeline stored in the database (see 'pipeline import'), by id. Without --file or --pipeline the built-in default pipeline is printed; give one of them, not both.",
        };
        var export = new Command("export", "Print a pipeline definition as JSON, a Mermaid diagram or a DOT graph.") { format, file, pipeline };
        export.SetAction(async (parse, cancellationToken) =>
        {
            PipelineDefinition definition;
            if (parse.GetValue(pipeline) is not null && parse.GetValue(file) is not null)
            {
                throw new CliInputException("Give either --file (a definition file) or --pipeline (a stored pipeline), not both.");
            }

            if (parse.GetValue(pipeline) is { } id)
            {
                await using var services = await StoreAccess.OpenWithPipelinesAsync(parse, context.Clock, create: false, cancellationToken).ConfigureAwait(false);
                definition = ReportCommand.ResolvePipeline(services.GetRequiredService<PipelineCatalog>(), id);
            }
            else
            {
                definition = await LoadAsync(parse.GetValue(file), cancellationToken).ConfigureAwait(false);
            }

            var text = parse.GetValue(format) switch
            {
                "mermaid" => definition.ToMermaid(),
                "dot" => definition.ToDot(),
                _ => definition.ToJson(),
            };
            await context.Output.WriteLineAsync(text).ConfigureAwait(false);
            return CliApp.Success;
        });

        var validate = new Command("validate", "Check a pipeline definition JSON file and list every fault in it.") { file };
        validate.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file) ?? throw new CliInputException("Give the definition to check with --file FILE.json.");
            var definition = await LoadAsync(path, cancellationToken).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"{path.Name}: pipeline '{definition.Id}' is valid ({definition.Stages.Count} stages, {definition.Moves.Count} moves).").ConfigureAwait(false);
            return CliApp.Success;
        });

        var importFile = new Option<FileInfo?>("--file") { Description = "The pipeline definition JSON file to store.", Required = true };
        var import = new Command("import", "Validate a pipeline definition and store it in the database, where reports and imports use it (an admin only, acting --as USER). A definition that would strand existing deals (a stage in use removed, or its kind changed) is refused, and so is a --db file that does not exist: it is not created.") { importFile };
        import.SetAction(async (parse, cancellationToken) =>
        {
            // The same-file check comes first: the definition file is not even read when it is the database.
            new CommandFiles().Reads("--file", parse.GetValue(importFile)?.FullName).Database(StoreAccess.DatabaseFiles(parse), writes: true).EnsureDistinct();
            var definition = await LoadAsync(parse.GetValue(importFile), cancellationToken).ConfigureAwait(false);
            var by = Acting.Required(parse);
            // Only an admin stored in the database may store a definition, so a database that does not exist yet is refused
            // rather than created and migrated for a refusal.
            await using var services = StoreAccess.Open(parse, context.Clock, create: false);
            await services.GetRequiredService<IDatabaseMigrator>().MigrateAsync(cancellationToken).ConfigureAwait(false);
            PipelineFit fit;
            try
            {
                fit = await services.GetRequiredService<IPipelineDefinitionService>().SaveAsync(definition, by, cancellationToken).ConfigureAwait(false);
            }
            catch (PipelineFitException e)
            {
                throw new CliInputException($"Pipeline '{definition.Id}' was not stored: {e.Fit.Reason}");
            }

            await context.Output.WriteLineAsync($"Stored pipeline '{definition.Id}' ({definition.Stages.Count} stages, {definition.Moves.Count} moves) in {StoreAccess.Describe(parse)}; {fit.Checked:N0} existing deals fit it.").ConfigureAwait(false);
            return CliApp.Success;
        });

        return new Command("pipeline", "See, check and change the sales process (stages, requirements and allowed moves).") { export, validate, import };
    }

    internal static async Task<PipelineDefinition> LoadAsync(FileInfo? file, CancellationToken cancellationToken)
    {
        if (file is null)
        {
            return PipelineDefinition.Default;
        }

        var path = CommandFiles.RequireFile("--file", file.FullName);
        if (new FileInfo(path).Length > PipelineDefinition.MaxJsonBytes)
        {
            throw new CliInputException(string.Create(
                CultureInfo.InvariantCulture,
                $"Pipeline file '{path}' is {new FileInfo(path).Length:N0} bytes; a pipeline definition has at most {PipelineDefinition.MaxJsonBytes:N0} bytes of JSON. Remove what it does not need."));
        }

        var json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            return PipelineDefinition.FromJson(json);
        }
        catch (PipelineDefinitionException e)
        {
            throw new CliInputException($"Pipeline file '{path}': {e.Message}");
        }
    }
}
