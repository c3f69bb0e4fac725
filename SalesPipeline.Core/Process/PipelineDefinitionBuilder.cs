using System.Collections.ObjectModel;
using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Process;

/// <summary>
/// Builds a <see cref="PipelineDefinition"/> in code. Nothing is checked until <see cref="Build"/>,
/// which validates the whole pipeline and reports every fault at once.
/// </summary>
/// <remarks>Not thread-safe; the definition it builds is.</remarks>
/// <example>
/// <code>
/// var pipeline = new PipelineDefinitionBuilder("renewals", "Renewals")
///     .AddStage("review", StageKind.Open, 50)
///     .AddStage("renewed", StageKind.Won, 100)
///     .AddStage("churned", StageKind.Lost, 0, s => s.Requires(StageRequirements.LossReason))
///     .AllowMove("review", "renewed")
///     .AllowMove("review", "churned")
///     .WithLossReasons("Price", "No longer needed")
///     .Build();
/// </code>
/// </example>
public sealed class PipelineDefinitionBuilder
{
    private readonly string? _id;
    private readonly string? _name;
    private readonly List<StageBuilder> _stages = [];
    private readonly List<(string? From, string? To)> _moves = [];
    private readonly List<string?> _lossReasons = [];
    private string? _initialStage;

    /// <summary>
    /// Gets or sets a value indicating whether the definition is one read back from the store, whose names and reasons are held to
    /// the rule they were stored under (<see cref="TypedText.StoredTextFault"/>) rather than the whole rule for typed text.
    /// </summary>
    internal bool Stored { get; init; }

    /// <summary>Starts a pipeline.</summary>
    /// <param name="id">The pipeline's id, a slug such as <c>new-business</c>.</param>
    /// <param name="name">The display name; the id when left out.</param>
    public PipelineDefinitionBuilder(string id, string? name = null)
    {
        _id = id;
        _name = name;
    }

    private string? TextFault(string text) => Stored ? TypedText.StoredTextFault(text) : TypedText.ControlCharacterFault(text);

    /// <summary>Adds a stage; stages keep the order they are added in.</summary>
    /// <param name="id">The stage's id, a slug such as <c>offer</c>.</param>
    /// <param name="kind">Open, won or lost.</param>
    /// <param name="defaultProbability">The probability in percent, 0–100 (100 for won, 0 for lost).</param>
    /// <param name="configure">Sets names, requirements and the staleness limit.</param>
    /// <returns>This builder.</returns>
    public PipelineDefinitionBuilder AddStage(string id, StageKind kind, int defaultProbability, Action<StageBuilder>? configure = null)
    {
        var stage = new StageBuilder(id, kind, defaultProbability);
        configure?.Invoke(stage);
        _stages.Add(stage);
        return this;
    }

    /// <summary>Sets the stage new deals start in; the first stage when not set.</summary>
    /// <param name="stageId">The stage's id.</param>
    /// <returns>This builder.</returns>
    public PipelineDefinitionBuilder StartIn(string stageId)
    {
        _initialStage = stageId;
        return this;
    }

    /// <summary>Allows a move from one stage to another.</summary>
    /// <param name="from">The stage left.</param>
    /// <param name="to">The stage entered.</param>
    /// <returns>This builder.</returns>
    public PipelineDefinitionBuilder AllowMove(string from, string to)
    {
        _moves.Add((from, to));
        return this;
    }

    /// <summary>
    /// Allows, among the open stages added so far, a move forward to the next one and back to any earlier one.
    /// </summary>
    /// <returns>This builder.</returns>
    public PipelineDefinitionBuilder AllowForwardAndBackMoves()
    {
        var open = _stages.Where(s => s.Kind == StageKind.Open).Select(s => s.Id).ToList();
        for (var i = 0; i < open.Count; i++)
        {
            if (i + 1 < open.Count)
            {
                _moves.Add((open[i], open[i + 1]));
            }

            for (var j = 0; j < i; j++)
            {
                _moves.Add((open[i], open[j]));
            }
        }

        return this;
    }

    /// <summary>Sets the loss reasons salespeople choose from (replacing earlier ones).</summary>
    /// <param name="reasons">The reasons, such as "Price".</param>
    /// <returns>This builder.</returns>
    public PipelineDefinitionBuilder WithLossReasons(params IEnumerable<string> reasons)
    {
        ArgumentNullException.ThrowIfNull(reasons);
        _lossReasons.Clear();
        _lossReasons.AddRange(reasons);
        return this;
    }

    private static void Limit(List<string> errors, int count, int limit, string what)
    {
        if (count > limit)
        {
            errors.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The pipeline has {count:N0} {what}, more than the limit of {limit:N0} {what}: remove some."));
        }
    }

    /// <summary>Validates the whole pipeline and builds it.</summary>
    /// <returns>The definition.</returns>
    /// <exception cref="PipelineDefinitionException">The pipeline is invalid; every fault is listed. A pipeline over a size limit
    /// (<see cref="PipelineDefinition.MaxStages"/>, <see cref="PipelineDefinition.MaxMoves"/>, <see cref="PipelineDefinition.MaxLossReasons"/>)
    /// is refused for that alone, before anything else is checked.</exception>
    public PipelineDefinition Build()
    {
        var errors = new List<string>();
        Limit(errors, _stages.Count, PipelineDefinition.MaxStages, "stages");
        Limit(errors, _moves.Count, PipelineDefinition.MaxMoves, "moves");
        Limit(errors, _lossReasons.Count, PipelineDefinition.MaxLossReasons, "loss reasons");
        if (errors.Count > 0)
        {
            throw new PipelineDefinitionException(_id, errors);
        }

        if (_name is not null && TextFault(_name) is { } nameFault)
        {
            errors.Add($"The pipeline's name holds {nameFault}");
        }

        PipelineId? id = null;
        if (StageId.IsValid(_id))
        {
            id = new PipelineId(_id!);
        }
        else
        {
            errors.Add($"Pipeline id '{_id}' is not valid: use lower-case letters, digits and hyphens, starting with a letter.");
        }

        if (_stages.Count == 0)
        {
            errors.Add("The pipeline has no stages: add at least an open, a won and a lost stage.");
        }

        var stageIds = new Dictionary<string, StageBuilder>(StringComparer.Ordinal);
        foreach (var (stage, index) in _stages.Select((s, i) => (s, i)))
        {
            var label = stage.Id is null ? $"Stage #{index + 1}" : $"Stage '{stage.Id}'";
            if (!StageId.IsValid(stage.Id))
            {
                errors.Add($"{label}: '{stage.Id}' is not a valid stage id: use lower-case letters, digits and hyphens, starting with a letter.");
            }
            else if (!stageIds.TryAdd(stage.Id!, stage))
            {
                errors.Add($"{label} is defined more than once: stage ids must be unique.");
            }

            if (!Enum.IsDefined(stage.Kind))
            {
                errors.Add($"{label}: kind {(int)stage.Kind} is not open, won or lost.");
            }

            if (stage.Probability is < 0 or > 100)
            {
                errors.Add($"{label}: probability must be between 0 and 100, was {stage.Probability}.");
            }
            else if (stage.Kind == StageKind.Won && stage.Probability != 100)
            {
                errors.Add($"{label}: a won stage has probability 100, was {stage.Probability}.");
            }
            else if (stage.Kind == StageKind.Lost && stage.Probability != 0)
            {
                errors.Add($"{label}: a lost stage has probability 0, was {stage.Probability}.");
            }

            stage.EnsureEnglishName();
            if (!stage.Names.ContainsKey("en"))
            {
                errors.Add($"{label}: an English ('en') name is required.");
            }

            foreach (var (culture, name) in stage.Names)
            {
                if (string.IsNullOrWhiteSpace(name))
                {
                    errors.Add($"{label}: the '{culture}' name is empty.");
                }
                else if (TextFault(name) is { } fault)
                {
                    errors.Add($"{label}: the '{culture}' name holds {fault}");
                }
            }

            if (stage.StaleAfterValue is { } stale && stale <= Duration.Zero)
            {
                errors.Add($"{label}: stale-after must be positive, was {stale}.");
            }
            else if (stage.StaleAfterValue is { } longest && longest > Duration.FromDays(PipelineDefinition.MaxStaleAfterDays))
            {
                errors.Add($"{label}: stale-after must be at most {PipelineDefinition.MaxStaleAfterDays} days (ten years), was {(long)longest.TotalDays} days.");
            }
            else if (stage.StaleAfterValue is { } whole && whole.BclCompatibleTicks % NodaConstants.TicksPerDay != 0)
            {
                errors.Add($"{label}: stale-after must be a whole number of days, was {whole}.");
            }

            foreach (var unknown in stage.UnknownRequirements)
            {
                errors.Add($"{label}: requirement '{unknown}' is not known; known requirements: {string.Join(", ", stage.KnownRequirementIds)}.");
            }

            if (stage.Requirements.GroupBy(r => r.Id).FirstOrDefault(g => g.Count() > 1) is { } dup)
            {
                errors.Add($"{label}: requirement '{dup.Key}' is listed more than once.");
            }
        }

        var won = _stages.Count(s => s.Kind == StageKind.Won);
        if (won == 0)
        {
            errors.Add("The pipeline has no won stage: add exactly one stage of kind 'won'.");
        }
        else if (won > 1)
        {
            errors.Add($"The pipeline has {won} won stages ({string.Join(", ", _stages.Where(s => s.Kind == StageKind.Won).Select(s => $"'{s.Id}'"))}): keep exactly one.");
        }

        if (!_stages.Any(s => s.Kind == StageKind.Lost))
        {
            errors.Add("The pipeline has no lost stage: add at least one stage of kind 'lost'.");
        }

        var initial = _initialStage ?? _stages.FirstOrDefault()?.Id;
        if (initial is not null)
        {
            if (!stageIds.TryGetValue(initial, out var initialStage))
            {
                errors.Add($"The initial stage '{initial}' is not a stage of the pipeline.");
            }
            else if (initialStage.Kind != StageKind.Open)
            {
                errors.Add($"The initial stage '{initial}' is {initialStage.Kind.ToString().ToLowerInvariant()}: deals must start in an open stage.");
            }
        }

        var moves = new List<StageMove>();
        var seenMoves = new HashSet<(string, string)>();
        foreach (var (from, to) in _moves)
        {
            var ok = true;
            if (from is null || !stageIds.ContainsKey(from))
            {
                errors.Add($"Move '{from}' → '{to}': '{from}' is not a stage of the pipeline.");
                ok = false;
            }

            if (to is null || !stageIds.ContainsKey(to))
            {
                errors.Add($"Move '{from}' → '{to}': '{to}' is not a stage of the pipeline.");
                ok = false;
            }

            if (!ok)
            {
                continue;
            }

            if (from == to)
            {
                errors.Add($"Move '{from}' → '{to}': a stage cannot move to itself.");
            }
            else if (stageIds[from!].Kind != StageKind.Open)
            {
                errors.Add($"Move '{from}' → '{to}': '{from}' is a closed stage; closed deals leave it only by an explicit reopen.");
            }
            else if (!seenMoves.Add((from!, to!)))
            {
                errors.Add($"Move '{from}' → '{to}' is listed more than once.");
            }
            else
            {
                moves.Add(new StageMove(new StageId(from!), new StageId(to!)));
            }
        }

        if (initial is not null && stageIds.ContainsKey(initial))
        {
            var movesFrom = moves.ToLookup(m => m.From.Value, StringComparer.Ordinal);
            var reachable = new HashSet<string>(StringComparer.Ordinal) { initial };
            var queue = new Queue<string>([initial]);
            while (queue.TryDequeue(out var s))
            {
                foreach (var m in movesFrom[s])
                {
                    if (reachable.Add(m.To.Value))
                    {
                        queue.Enqueue(m.To.Value);
                    }
                }
            }

            foreach (var stage in stageIds.Keys.Where(s => !reachable.Contains(s)))
            {
                errors.Add($"Stage '{stage}' cannot be reached from the initial stage '{initial}': allow a move into it.");
            }

            foreach (var open in stageIds.Values.Where(s => s.Kind == StageKind.Open && reachable.Contains(s.Id!)))
            {
                if (!movesFrom.Contains(open.Id!))
                {
                    errors.Add($"Open stage '{open.Id}' has no move out: deals in it could never be won or lost.");
                }
            }
        }

        var reasons = new List<string>();
        var seenReasons = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var reason in _lossReasons)
        {
            if (string.IsNullOrWhiteSpace(reason))
            {
                errors.Add("A loss reason is empty.");
            }
            else if (TextFault(reason) is { } fault)
            {
                errors.Add($"A loss reason holds {fault}");
            }
            else if (!seenReasons.Add(reason.Trim()))
            {
                errors.Add($"Loss reason '{reason.Trim()}' is listed more than once.");
            }
            else
            {
                reasons.Add(reason.Trim());
            }
        }

        if (reasons.Count == 0 && _stages.Any(s => s.Requirements.Contains(StageRequirements.LossReason)))
        {
            errors.Add("A stage requires a loss reason but the pipeline lists none: add loss reasons.");
        }

        if (errors.Count > 0)
        {
            throw new PipelineDefinitionException(_id, errors);
        }

        var stages = _stages.Select((s, i) => new StageDefinition(
            new StageId(s.Id!),
            new ReadOnlyDictionary<string, string>(new SortedDictionary<string, string>(s.Names.ToDictionary(kv => kv.Key, kv => kv.Value.Trim()), StringComparer.Ordinal)),
            s.Kind,
            s.Probability,
            [.. s.Requirements],
            s.StaleAfterValue,
            i)).ToList();

        // Moves are kept in pipeline order of their targets so queries list them that way.
        var order = stages.ToDictionary(s => s.Id, s => s.Order);
        moves.Sort((a, b) => (order[a.From], order[a.To]).CompareTo((order[b.From], order[b.To])));
        return new PipelineDefinition(id!.Value, string.IsNullOrWhiteSpace(_name) ? _id! : _name.Trim(), stages, new StageId(initial!), moves, reasons);
    }

    /// <summary>Configures one stage of a <see cref="PipelineDefinitionBuilder"/>.</summary>
    public sealed class StageBuilder
    {
        private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
        private readonly List<StageRequirement> _requirements = [];
        private readonly List<string> _unknownRequirements = [];
        private IReadOnlyCollection<string> _knownIds = [];

        internal StageBuilder(string? id, StageKind kind, int probability)
        {
            Id = id;
            Kind = kind;
            Probability = probability;
        }

        internal string? Id { get; }

        internal StageKind Kind { get; }

        internal int Probability { get; }

        internal IReadOnlyDictionary<string, string> Names => _names;

        internal IReadOnlyList<StageRequirement> Requirements => _requirements;

        internal IReadOnlyList<string> UnknownRequirements => _unknownRequirements;

        internal IReadOnlyCollection<string> KnownRequirementIds => _knownIds;

        internal Duration? StaleAfterValue { get; private set; }

        /// <summary>Sets the stage's name in a culture (<c>en</c> is required; the id is used when no name is set at all).</summary>
        /// <param name="culture">A culture name such as <c>en</c> or <c>pl</c>.</param>
        /// <param name="name">The display name.</param>
        /// <returns>This builder.</returns>
        public StageBuilder Name(string culture, string name)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(culture);
            _names[culture.Trim()] = name;
            return this;
        }

        /// <summary>Adds an entry requirement.</summary>
        /// <param name="requirement">The requirement.</param>
        /// <returns>This builder.</returns>
        public StageBuilder Requires(StageRequirement requirement)
        {
            ArgumentNullException.ThrowIfNull(requirement);
            _requirements.Add(requirement);
            return this;
        }

        /// <summary>Sets how long a deal may stay in the stage before it counts as stale.</summary>
        /// <param name="duration">A positive duration.</param>
        /// <returns>This builder.</returns>
        public StageBuilder StaleAfter(Duration? duration)
        {
            StaleAfterValue = duration;
            return this;
        }

        internal void RequireById(string id, IReadOnlyDictionary<string, StageRequirement> known)
        {
            _knownIds = [.. known.Keys.Order(StringComparer.Ordinal)];
            if (known.TryGetValue(id, out var requirement))
            {
                _requirements.Add(requirement);
            }
            else
            {
                _unknownRequirements.Add(id);
            }
        }

        internal void EnsureEnglishName()
        {
            if (_names.Count == 0 && Id is not null)
            {
                _names["en"] = Id;
            }
        }
    }
}
