using System.Collections.Frozen;
using SalesPipeline.Domain;
using SalesPipeline.Process.Internal;

namespace SalesPipeline.Process;

/// <summary>
/// A validated, immutable sales process: its stages in pipeline order, the moves allowed between them and
/// the loss reasons salespeople choose from. Build one with <see cref="PipelineDefinitionBuilder"/>, load
/// one with <see cref="FromJson(string, IEnumerable{StageRequirement}?)"/>, or take <see cref="Default"/>.
/// </summary>
/// <remarks>Immutable and safe to share between threads; evaluate and move deals of any number of threads.</remarks>
public sealed class PipelineDefinition
{
    /// <summary>The most stages a pipeline may have: 50.</summary>
    public const int MaxStages = 50;

    /// <summary>The most moves a pipeline may allow: 1,000.</summary>
    public const int MaxMoves = 1_000;

    /// <summary>The most loss reasons a pipeline may list: 200.</summary>
    public const int MaxLossReasons = 200;

    /// <summary>The longest stale-after limit a stage may have: 3,650 days (ten years).</summary>
    public const int MaxStaleAfterDays = 3_650;

    /// <summary>The longest pipeline definition <see cref="FromJson"/> reads: 262,144 bytes (256 KiB) of UTF-8.</summary>
    public const int MaxJsonBytes = 256 * 1024;

    private readonly FrozenDictionary<StageId, StageDefinition> _stages;
    private readonly FrozenDictionary<string, string> _lossReasons;
    private PipelineEngine? _engine;

    internal PipelineDefinition(
        PipelineId id,
        string name,
        IReadOnlyList<StageDefinition> stages,
        StageId initialStage,
        IReadOnlyList<StageMove> moves,
        IReadOnlyList<string> lossReasons)
    {
        Id = id;
        Name = name;
        Stages = stages;
        InitialStage = initialStage;
        Moves = moves;
        LossReasons = lossReasons;
        _stages = stages.ToFrozenDictionary(s => s.Id);
        _lossReasons = lossReasons.ToFrozenDictionary(r => r, r => r, StringComparer.OrdinalIgnoreCase);
        WonStage = stages.Single(s => s.Kind == StageKind.Won).Id;
        LostStages = [.. stages.Where(s => s.Kind == StageKind.Lost).Select(s => s.Id)];
        OpenStages = [.. stages.Where(s => s.Kind == StageKind.Open).Select(s => s.Id)];
    }

    /// <summary>Gets the five-stage B2B process (Identification → Qualification → Offer → Negotiation → Won/Lost) with its default requirements.</summary>
    public static PipelineDefinition Default { get; } = DefaultPipeline.Build(DefaultPipeline.Id);

    /// <summary>Gets the pipeline's id.</summary>
    public PipelineId Id { get; }

    /// <summary>Gets the pipeline's display name.</summary>
    public string Name { get; }

    /// <summary>Gets the stages in pipeline order.</summary>
    public IReadOnlyList<StageDefinition> Stages { get; }

    /// <summary>Gets the open stages in pipeline order.</summary>
    public IReadOnlyList<StageId> OpenStages { get; }

    /// <summary>Gets the stage every new opportunity starts in.</summary>
    public StageId InitialStage { get; }

    /// <summary>Gets the one won stage.</summary>
    public StageId WonStage { get; }

    /// <summary>Gets the lost stages (at least one).</summary>
    public IReadOnlyList<StageId> LostStages { get; }

    /// <summary>Gets the allowed moves.</summary>
    public IReadOnlyList<StageMove> Moves { get; }

    /// <summary>Gets the loss reasons salespeople choose from when a deal is lost.</summary>
    public IReadOnlyList<string> LossReasons { get; }

    /// <summary>The id <see cref="WhyNot"/> uses when the deal is closed.</summary>
    public const string ClosedBlocker = "deal-closed";

    /// <summary>The id <see cref="WhyNot"/> uses when the pipeline does not allow the move at all.</summary>
    public const string MoveNotAllowedBlocker = "move-not-allowed";

    internal PipelineEngine Engine => _engine ??= new PipelineEngine(this);

    /// <summary>Gets a stage by id.</summary>
    /// <param name="id">The stage's id.</param>
    /// <returns>The stage.</returns>
    /// <exception cref="UnknownStageException">The pipeline has no such stage.</exception>
    public StageDefinition Stage(StageId id) =>
        _stages.TryGetValue(id, out var stage) ? stage : throw new UnknownStageException(Id, id, Stages.Select(s => s.Id));

    /// <summary>Looks a stage up by id.</summary>
    /// <param name="id">The stage's id.</param>
    /// <param name="stage">The stage, when found.</param>
    /// <returns>Whether the pipeline has the stage.</returns>
    public bool TryGetStage(StageId id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StageDefinition? stage) =>
        _stages.TryGetValue(id, out stage);

    /// <summary>Finds a configured loss reason, ignoring case and surrounding blanks.</summary>
    /// <param name="reason">The reason as typed.</param>
    /// <returns>The reason as configured, or <see langword="null"/> when it is not on the list.</returns>
    public string? FindLossReason(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return null;
        }

        return _lossReasons.TryGetValue(reason.Trim(), out var configured) ? configured : null;
    }

    /// <summary>Gets the stages a deal in <paramref name="from"/> may be moved to by the pipeline's rules, before requirements.</summary>
    /// <param name="from">The current stage.</param>
    /// <returns>The targets, in pipeline order.</returns>
    public IReadOnlyList<StageId> TargetsFrom(StageId from) => Engine.TargetsFrom(from);

    /// <summary>
    /// Gets the stages the deal can be moved to now: allowed by the pipeline and with every requirement on
    /// the deal's data met. Requirements a move supplies itself (a loss reason) are checked when it is made.
    /// A closed deal has no permitted moves; it can only be reopened.
    /// </summary>
    /// <param name="opportunity">The deal.</param>
    /// <returns>The stages, in pipeline order.</returns>
    /// <exception cref="ArgumentException">The deal belongs to another pipeline.</exception>
    public IReadOnlyList<StageId> PermittedMoves(Opportunity opportunity)
    {
        EnsureOwns(opportunity);
        return Engine.PermittedMoves(opportunity);
    }

    /// <summary>
    /// Explains why the deal cannot be moved to <paramref name="target"/> now: every unmet requirement, or why the
    /// pipeline itself refuses the move (the deal is closed, or the move is not allowed from its stage).
    /// An empty list means the move can be made.
    /// </summary>
    /// <param name="opportunity">The deal.</param>
    /// <param name="target">The stage the deal would move to.</param>
    /// <param name="reason">The loss reason the move would give, if any.</param>
    /// <param name="comment">The comment the move would give, if any.</param>
    /// <returns>What stands in the way; each entry has an id and says what to do.</returns>
    /// <exception cref="ArgumentException">The deal belongs to another pipeline.</exception>
    /// <exception cref="UnknownStageException">The pipeline has no such stage.</exception>
    public IReadOnlyList<UnmetRequirement> WhyNot(Opportunity opportunity, StageId target, string? reason = null, string? comment = null)
    {
        EnsureOwns(opportunity);
        var stage = Stage(target);
        if (opportunity.IsClosed)
        {
            return [new UnmetRequirement(ClosedBlocker, $"The deal is closed in '{opportunity.Stage}'. Reopen it first (recorded in its history).")];
        }

        var allowed = Engine.TargetsFrom(opportunity.Stage);
        if (!allowed.Contains(target))
        {
            return [new UnmetRequirement(MoveNotAllowedBlocker, $"The pipeline does not allow a move from '{opportunity.Stage}' to '{target}'. From '{opportunity.Stage}' it may move to: {(allowed.Count == 0 ? "nowhere" : string.Join(", ", allowed))}.")];
        }

        return PipelineEngine.Unmet(new MoveContext(opportunity, this, target, reason, comment), stage);
    }

    /// <summary>Writes the pipeline as JSON, in the format <see cref="FromJson(string, IEnumerable{StageRequirement}?)"/> reads.</summary>
    /// <returns>Indented JSON.</returns>
    public string ToJson() => PipelineJson.Write(this);

    /// <summary>Reads and validates a pipeline from JSON.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="customRequirements">Requirements, besides <see cref="StageRequirements.All"/>, that stages may name.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="PipelineDefinitionException">The JSON is malformed, longer than <see cref="MaxJsonBytes"/>, or describes an
    /// invalid pipeline; every fault is listed.</exception>
    public static PipelineDefinition FromJson(string json, IEnumerable<StageRequirement>? customRequirements = null) =>
        PipelineJson.Read(json, customRequirements);

    /// <summary>Draws the pipeline's allowed moves as a Mermaid state diagram.</summary>
    /// <returns>Mermaid text.</returns>
    public string ToMermaid() => Engine.ToMermaid();

    /// <summary>Draws the pipeline's allowed moves as a Graphviz DOT graph.</summary>
    /// <returns>DOT text.</returns>
    public string ToDot() => Engine.ToDot();

    /// <inheritdoc />
    public override string ToString() => Id.Value;

    internal void EnsureOwns(Opportunity opportunity)
    {
        ArgumentNullException.ThrowIfNull(opportunity);
        if (opportunity.PipelineId != Id)
        {
            throw new ArgumentException(
                $"Opportunity {opportunity.Id} belongs to pipeline '{opportunity.PipelineId}', not '{Id}'.",
                nameof(opportunity));
        }
    }
}
