using System.CommandLine;
using SalesPipeline.Process;

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

        var export = new Command("export", "Print the pipeline definition as JSON, a Mermaid diagram or a DOT graph.") { format, file };
        export.SetAction(async (parse, cancellationToken) =>
        {
            var definition = await LoadAsync(parse.GetValue(file), cancellationToken).ConfigureAwait(false);
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

        return new Command("pipeline", "See and check the sales process (stages, requirements and allowed moves).") { export, validate };
    }

    internal static async Task<PipelineDefinition> LoadAsync(FileInfo? file, CancellationToken cancellationToken)
    {
        if (file is null)
        {
            return PipelineDefinition.Default;
        }

        if (!file.Exists)
        {
            throw new CliInputException($"Pipeline file '{file.FullName}' does not exist.");
        }

        var json = await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false);
        return PipelineDefinition.FromJson(json);
    }
}
