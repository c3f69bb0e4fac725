using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;

namespace SalesPipeline.Process.Internal;

/// <summary>Reads and writes pipeline definitions as JSON.</summary>
internal static class PipelineJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    public static string Write(PipelineDefinition definition)
    {
        var document = new PipelineDocument
        {
            Id = definition.Id.Value,
            Name = definition.Name,
            InitialStage = definition.InitialStage.Value,
            LossReasons = [.. definition.LossReasons],
            Stages = [.. definition.Stages.Select(s => new StageDocument
            {
                Id = s.Id.Value,
                Names = new SortedDictionary<string, string>(s.Names.ToDictionary(), StringComparer.Ordinal),
                Kind = s.Kind.ToString().ToLowerInvariant(),
                Probability = s.DefaultProbability,
                Requirements = s.Requirements.Count == 0 ? null : [.. s.Requirements.Select(r => r.Id)],
                StaleAfterDays = s.StaleAfter is { } d ? (int)Math.Ceiling(d.TotalDays) : null,
            })],
            Moves = [.. definition.Moves.Select(m => new MoveDocument { From = m.From.Value, To = m.To.Value })],
        };
        return JsonSerializer.Serialize(document, Options);
    }

    public static PipelineDefinition Read(string json, IEnumerable<StageRequirement>? customRequirements, bool stored = false)
    {
        ArgumentNullException.ThrowIfNull(json);

        // Checked before parsing, so the size of what is read and validated is bounded: a character is at most 3 UTF-8 bytes.
        if (json.Length > PipelineDefinition.MaxJsonBytes || System.Text.Encoding.UTF8.GetByteCount(json) > PipelineDefinition.MaxJsonBytes)
        {
            throw new PipelineDefinitionException(null, [string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"The JSON is longer than the limit of {PipelineDefinition.MaxJsonBytes:N0} bytes: shorten it.")]);
        }

        PipelineDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<PipelineDocument>(json, Options);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, position {e.BytePositionInLine + 1}" : string.Empty;
            throw new PipelineDefinitionException(null, [$"The JSON is not a valid pipeline definition{where}: {Describe(e)}"]);
        }

        if (document is null)
        {
            throw new PipelineDefinitionException(null, ["The JSON is empty ('null'): expected an object with id, stages and moves."]);
        }

        var known = StageRequirements.All.Concat(customRequirements ?? [])
            .GroupBy(r => r.Id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

        var pre = new List<string>();
        var builder = new PipelineDefinitionBuilder(document.Id!, document.Name) { Stored = stored };
        if (document.Id is null)
        {
            pre.Add("'id' is missing: give the pipeline an id such as 'new-business'.");
        }

        if (document.InitialStage is not null)
        {
            builder.StartIn(document.InitialStage);
        }

        foreach (var (stage, index) in (document.Stages ?? []).Select((s, i) => (s, i)))
        {
            if (stage is null)
            {
                pre.Add($"Stage #{index + 1} is null: give an object with id, kind and probability.");
                continue;
            }

            var label = stage.Id is null ? $"Stage #{index + 1}" : $"Stage '{stage.Id}'";
            if (stage.Id is null)
            {
                pre.Add($"{label}: 'id' is missing.");
            }

            StageKind kind = StageKind.Open;
            if (stage.Kind is null)
            {
                pre.Add($"{label}: 'kind' is missing: use open, won or lost.");
            }
            else if (KindNamed(stage.Kind) is { } named)
            {
                kind = named;
            }
            else
            {
                pre.Add($"{label}: kind '{stage.Kind}' is not open, won or lost.");

                // A rejected kind must not be read as the number it parsed to, or it would cause errors of its own.
                kind = StageKind.Open;
            }

            if (stage.Probability is null)
            {
                pre.Add($"{label}: 'probability' is missing: give a percentage from 0 to 100.");
            }

            if (stage.StaleAfterDays is <= 0 or > PipelineDefinition.MaxStaleAfterDays)
            {
                pre.Add($"{label}: 'staleAfterDays' must be from 1 to {PipelineDefinition.MaxStaleAfterDays} (ten years), was {stage.StaleAfterDays}.");
            }

            builder.AddStage(stage.Id!, kind, stage.Probability ?? 0, s =>
            {
                foreach (var (culture, name) in stage.Names ?? [])
                {
                    if (name is null)
                    {
                        pre.Add($"{label}: the name in '{culture}' is null: give a text.");
                        continue;
                    }

                    s.Name(culture, name);
                }

                foreach (var (requirement, number) in (stage.Requirements ?? []).Select((r, i) => (r, i + 1)))
                {
                    if (requirement is null)
                    {
                        pre.Add($"{label}: requirement #{number} is null: give a requirement id such as 'contact-logged'.");
                        continue;
                    }

                    s.RequireById(requirement, known);
                }

                if (stage.StaleAfterDays is > 0 and <= PipelineDefinition.MaxStaleAfterDays and var days)
                {
                    s.StaleAfter(Duration.FromDays(days));
                }
            });
        }

        foreach (var (move, number) in (document.Moves ?? []).Select((m, i) => (m, i + 1)))
        {
            if (move is null)
            {
                pre.Add($"Move #{number} is null: give an object with from and to.");
            }
            else if (move.From is null || move.To is null)
            {
                pre.Add($"Move #{number}: '{(move.From is null ? "from" : "to")}' is missing.");
            }
            else
            {
                builder.AllowMove(move.From, move.To);
            }
        }

        var reasons = document.LossReasons ?? [];
        foreach (var number in reasons.Select((r, i) => (r, i + 1)).Where(x => x.r is null).Select(x => x.Item2))
        {
            pre.Add($"Loss reason #{number} is null: give a text such as 'price'.");
        }

        builder.WithLossReasons([.. reasons.OfType<string>()]);

        try
        {
            var definition = builder.Build();
            if (pre.Count > 0)
            {
                throw new PipelineDefinitionException(document.Id, pre);
            }

            return definition;
        }
        catch (PipelineDefinitionException e) when (pre.Count > 0 && !ReferenceEquals(e.Errors, pre))
        {
            throw new PipelineDefinitionException(document.Id, [.. pre, .. e.Errors]);
        }
    }

    /// <summary>
    /// The kind one of open, won or lost names (ignoring case), else <see langword="null"/>. Not
    /// <see cref="Enum.TryParse{TEnum}(string, bool, out TEnum)"/>: it also takes a number, and names joined by commas,
    /// which it combines into another kind ("open, lost" would be a lost stage).
    /// </summary>
    private static StageKind? KindNamed(string text) => text.Trim().ToLowerInvariant() switch
    {
        "open" => StageKind.Open,
        "won" => StageKind.Won,
        "lost" => StageKind.Lost,
        _ => null,
    };

    /// <summary>Says what is wrong without System.Text.Json's names of this class's internal document types.</summary>
    private static string Describe(JsonException e)
    {
        var message = e.Message.Split(" Path:")[0];
        const string unmapped = "The JSON property '";
        var end = message.IndexOf("' could not be mapped", StringComparison.Ordinal);
        if (message.StartsWith(unmapped, StringComparison.Ordinal) && end > unmapped.Length)
        {
            return $"property '{message[unmapped.Length..end]}' (at {e.Path}) is not part of a pipeline definition: remove it or correct its spelling.";
        }

        if (message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            return $"the value at {e.Path} has the wrong type: use text for ids, names and kinds, whole numbers for probability and staleAfterDays, and lists for stages, moves, requirements and lossReasons.";
        }

        return message;
    }

    private sealed class PipelineDocument
    {
        public string? Id { get; set; }

        public string? Name { get; set; }

        public string? InitialStage { get; set; }

        public List<string>? LossReasons { get; set; }

        public List<StageDocument>? Stages { get; set; }

        public List<MoveDocument>? Moves { get; set; }
    }

    private sealed class StageDocument
    {
        public string? Id { get; set; }

        public SortedDictionary<string, string>? Names { get; set; }

        public string? Kind { get; set; }

        public int? Probability { get; set; }

        public List<string>? Requirements { get; set; }

        public int? StaleAfterDays { get; set; }
    }

    private sealed class MoveDocument
    {
        public string? From { get; set; }

        public string? To { get; set; }
    }
}
