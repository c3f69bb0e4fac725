using SalesPipeline.Domain;

namespace SalesPipeline.Process;

/// <summary>Thrown when a pipeline definition is invalid. <see cref="Errors"/> lists every fault found, not just the first.</summary>
public sealed class PipelineDefinitionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pipelineId">The pipeline's id as given, if any.</param>
    /// <param name="errors">Every fault found.</param>
    public PipelineDefinitionException(string? pipelineId, IReadOnlyList<string> errors)
        : base(Format(pipelineId, errors))
    {
        PipelineId = pipelineId;
        Errors = errors;
    }

    /// <summary>Gets the pipeline's id as given, if any.</summary>
    public string? PipelineId { get; }

    /// <summary>Gets every fault found.</summary>
    public IReadOnlyList<string> Errors { get; }

    private static string Format(string? id, IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var header = $"Pipeline definition '{id}' is invalid ({errors.Count} {(errors.Count == 1 ? "error" : "errors")}):";
        return header + string.Concat(errors.Select(e => Environment.NewLine + " - " + e));
    }
}

/// <summary>Thrown when a stage id is not part of the pipeline.</summary>
public sealed class UnknownStageException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pipelineId">The pipeline.</param>
    /// <param name="stage">The unknown stage.</param>
    /// <param name="knownStages">The pipeline's stages.</param>
    public UnknownStageException(PipelineId pipelineId, StageId stage, IEnumerable<StageId> knownStages)
        : base($"Pipeline '{pipelineId}' has no stage '{stage}'. Its stages are: {string.Join(", ", knownStages)}.")
    {
        PipelineId = pipelineId;
        Stage = stage;
    }

    /// <summary>Gets the pipeline.</summary>
    public PipelineId PipelineId { get; }

    /// <summary>Gets the stage that is not part of it.</summary>
    public StageId Stage { get; }
}

/// <summary>Why a stage change was refused.</summary>
public enum TransitionRejection
{
    /// <summary>The deal does not meet every requirement of the target stage.</summary>
    RequirementsUnmet,

    /// <summary>The pipeline does not allow a move from the current stage to the target.</summary>
    MoveNotAllowed,

    /// <summary>The deal is closed; only an explicit reopen moves it.</summary>
    OpportunityClosed,

    /// <summary>A reopen was asked for a deal that is not closed, or into a stage that is not open.</summary>
    ReopenNotAllowed,
}

/// <summary>
/// Thrown when a deal may not change stage. Carries the current stage, the target and every unmet
/// requirement; the deal is left unchanged.
/// </summary>
public sealed class StageTransitionRejectedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="opportunityId">The deal.</param>
    /// <param name="opportunityName">The deal's name.</param>
    /// <param name="from">The current stage.</param>
    /// <param name="to">The target stage.</param>
    /// <param name="reason">Why the move is refused.</param>
    /// <param name="unmetRequirements">The unmet requirements (for <see cref="TransitionRejection.RequirementsUnmet"/>).</param>
    /// <param name="allowedTargets">The stages the pipeline allows from <paramref name="from"/>.</param>
    public StageTransitionRejectedException(
        OpportunityId opportunityId,
        string opportunityName,
        StageId from,
        StageId to,
        TransitionRejection reason,
        IReadOnlyList<UnmetRequirement> unmetRequirements,
        IReadOnlyList<StageId> allowedTargets)
        : base(Format(opportunityName, from, to, reason, unmetRequirements, allowedTargets))
    {
        OpportunityId = opportunityId;
        From = from;
        To = to;
        Reason = reason;
        UnmetRequirements = unmetRequirements;
        AllowedTargets = allowedTargets;
    }

    /// <summary>Gets the deal.</summary>
    public OpportunityId OpportunityId { get; }

    /// <summary>Gets the stage the deal is in.</summary>
    public StageId From { get; }

    /// <summary>Gets the stage the move was to.</summary>
    public StageId To { get; }

    /// <summary>Gets why the move was refused.</summary>
    public TransitionRejection Reason { get; }

    /// <summary>Gets every requirement of <see cref="To"/> the deal does not meet.</summary>
    public IReadOnlyList<UnmetRequirement> UnmetRequirements { get; }

    /// <summary>Gets the stages the pipeline allows from <see cref="From"/>.</summary>
    public IReadOnlyList<StageId> AllowedTargets { get; }

    private static string Format(string name, StageId from, StageId to, TransitionRejection reason, IReadOnlyList<UnmetRequirement> unmet, IReadOnlyList<StageId> allowed)
    {
        ArgumentNullException.ThrowIfNull(unmet);
        ArgumentNullException.ThrowIfNull(allowed);
        var head = $"Opportunity '{name}' cannot move from '{from}' to '{to}': ";
        return reason switch
        {
            TransitionRejection.RequirementsUnmet =>
                head + string.Join(" ", unmet.Select(u => $"[{u.Id}] {u.Description}")),
            TransitionRejection.MoveNotAllowed =>
                head + $"the pipeline does not allow this move. From '{from}' it may move to: {(allowed.Count == 0 ? "nowhere" : string.Join(", ", allowed))}.",
            TransitionRejection.OpportunityClosed =>
                head + $"it is closed in '{from}'. Reopen it first (recorded in its history).",
            _ =>
                $"Opportunity '{name}' cannot be reopened from '{from}' into '{to}': only a closed deal can be reopened, and only into an open stage.",
        };
    }
}
