using SalesPipeline.Domain;

namespace SalesPipeline.Process;

/// <summary>
/// A named, pure condition a deal must meet to enter a stage, such as "a contact was logged".
/// Requirements never change the deal; the library evaluates them to answer which moves are
/// permitted and why a move is refused.
/// </summary>
/// <remarks>Immutable and safe to share between threads, provided the condition is.</remarks>
public sealed class StageRequirement
{
    private readonly Func<MoveContext, bool> _isMet;
    private readonly Func<MoveContext, string>? _explain;

    private StageRequirement(string id, string description, bool suppliedWithMove, Func<MoveContext, bool> isMet, Func<MoveContext, string>? explain = null)
    {
        Id = id;
        Description = description;
        SuppliedWithMove = suppliedWithMove;
        _isMet = isMet;
        _explain = explain;
    }

    /// <summary>Gets the requirement's id, such as <c>needs-and-budget</c>; used in pipeline JSON.</summary>
    public string Id { get; }

    /// <summary>Gets what the salesperson must do to meet the requirement.</summary>
    public string Description { get; }

    /// <summary>
    /// Gets whether the requirement is met by what the move itself supplies (a loss reason, a closing
    /// comment) rather than by the deal's data. Such requirements do not hide a stage from the list of
    /// permitted moves; they are checked when the move is made.
    /// </summary>
    public bool SuppliedWithMove { get; }

    /// <summary>Creates a requirement on the deal's data.</summary>
    /// <param name="id">A slug such as <c>nda-signed</c>.</param>
    /// <param name="description">What the salesperson must do, such as "Attach the signed NDA."</param>
    /// <param name="isMet">The condition; must be pure and fast.</param>
    /// <returns>The requirement.</returns>
    /// <exception cref="ArgumentException">The id is not a slug or the description is empty.</exception>
    public static StageRequirement Create(string id, string description, Func<Opportunity, bool> isMet)
    {
        ArgumentNullException.ThrowIfNull(isMet);
        return new StageRequirement(CheckId(id), Text.Required(description, nameof(description), 500), false, c => isMet(c.Opportunity));
    }

    internal static StageRequirement ForMove(string id, string description, Func<MoveContext, bool> isMet, Func<MoveContext, string>? explain = null) =>
        new(id, description, true, isMet, explain);

    internal static StageRequirement OnDeal(string id, string description, Func<Opportunity, bool> isMet) =>
        new(id, description, false, c => isMet(c.Opportunity));

    internal bool IsMetBy(in MoveContext context) => _isMet(context);

    /// <summary>What to do to meet the requirement on this move: the <see cref="Description"/>, made specific where the move tells more.</summary>
    internal string ExplainFor(in MoveContext context) => _explain is null ? Description : _explain(context);

    /// <inheritdoc />
    public override string ToString() => Id;

    private static string CheckId(string id)
    {
        if (!StageId.IsValid(id))
        {
            throw new ArgumentException($"'{id}' is not a valid requirement id: use lower-case letters, digits and hyphens, starting with a letter.", nameof(id));
        }

        return id;
    }
}

/// <summary>The requirements the library provides, usable by id in pipeline JSON.</summary>
public static class StageRequirements
{
    /// <summary>At least one contact (call, e-mail, meeting, LinkedIn message) took place: the relationship exists.</summary>
    public static StageRequirement ContactLogged { get; } = StageRequirement.OnDeal(
        "contact-logged",
        "Log at least one contact with the client (call, e-mail, meeting or LinkedIn message).",
        o => o.Activities.Any(a => a.IsCompletedContact));

    /// <summary>The customer's needs and budget are recorded (qualification data).</summary>
    public static StageRequirement NeedsAndBudget { get; } = StageRequirement.OnDeal(
        "needs-and-budget",
        "Record the customer's needs and budget (qualification data).",
        o => o.Qualification?.HasNeedsAndBudget == true);

    /// <summary>An offer document is attached.</summary>
    public static StageRequirement OfferAttached { get; } = StageRequirement.OnDeal(
        "offer-attached",
        "Attach an offer document to the opportunity.",
        o => o.Offers.Count > 0);

    /// <summary>The move gives a loss reason from the pipeline's list.</summary>
    public static StageRequirement LossReason { get; } = StageRequirement.ForMove(
        "loss-reason",
        "Give a loss reason from the pipeline's list of loss reasons.",
        c => c.Reason is not null && c.Pipeline.FindLossReason(c.Reason) is not null,
        c => (string.IsNullOrWhiteSpace(c.Reason) ? string.Empty : $"'{c.Reason.Trim()}' is not one of the pipeline's loss reasons. ")
            + $"Give a loss reason from the pipeline's list: {string.Join(", ", c.Pipeline.LossReasons.Select(r => $"'{r}'"))}.");

    /// <summary>The move gives a closing comment: what decided it and what to learn.</summary>
    public static StageRequirement ClosingComment { get; } = StageRequirement.ForMove(
        "closing-comment",
        "Write a closing comment: what decided the outcome and what to learn from it.",
        c => !string.IsNullOrWhiteSpace(c.Comment));

    /// <summary>Gets every built-in requirement.</summary>
    public static IReadOnlyList<StageRequirement> All { get; } = [ContactLogged, NeedsAndBudget, OfferAttached, LossReason, ClosingComment];
}

/// <summary>What a requirement sees when it is evaluated.</summary>
internal readonly record struct MoveContext(Opportunity Opportunity, PipelineDefinition Pipeline, StageId Target, string? Reason, string? Comment);

/// <summary>A requirement the deal does not meet for a move.</summary>
/// <param name="Id">The requirement's id.</param>
/// <param name="Description">What to do to meet it.</param>
public sealed record UnmetRequirement(string Id, string Description)
{
    /// <inheritdoc />
    public override string ToString() => $"{Id}: {Description}";
}
