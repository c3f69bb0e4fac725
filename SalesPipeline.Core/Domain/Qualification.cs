namespace SalesPipeline.Domain;

/// <summary>What was learnt in qualification: the customer's needs and pains, budget and what the offer must contain.</summary>
/// <param name="Needs">The customer's needs.</param>
/// <param name="Pains">The customer's pains.</param>
/// <param name="Budget">The budget the customer is ready to spend, if known.</param>
/// <param name="OfferMustContain">What the offer must contain.</param>
public sealed record QualificationData(string? Needs, string? Pains, Money? Budget, string? OfferMustContain)
{
    /// <summary>Gets whether both the needs and the budget are recorded.</summary>
    public bool HasNeedsAndBudget => !string.IsNullOrWhiteSpace(Needs) && Budget is not null;
}

/// <summary>How a closed opportunity ended.</summary>
public enum OutcomeKind
{
    /// <summary>The deal was won.</summary>
    Won,

    /// <summary>The deal was lost.</summary>
    Lost,
}

/// <summary>The outcome of a closed opportunity.</summary>
/// <param name="Kind">Won or lost.</param>
/// <param name="Reason">The loss reason (from the pipeline's list), or what decided a win, if given.</param>
/// <param name="Comment">What decided it and what to learn.</param>
/// <param name="ClosedAt">The actual close instant.</param>
public sealed record Outcome(OutcomeKind Kind, string? Reason, string? Comment, NodaTime.Instant ClosedAt);
