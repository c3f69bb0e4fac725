using NodaTime;

namespace SalesPipeline.Domain;

/// <summary>Why a stage change was recorded.</summary>
public enum StageChangeKind
{
    /// <summary>The opportunity was created in its first stage.</summary>
    Created,

    /// <summary>A move allowed by the pipeline.</summary>
    Moved,

    /// <summary>An explicit reopen of a closed opportunity.</summary>
    Reopened,

    /// <summary>A change recorded from another system's history (not checked against requirements).</summary>
    Imported,
}

/// <summary>One entry of an opportunity's stage history. The history is a chain: each change's
/// <see cref="From"/> is the previous change's <see cref="To"/>, and instants never decrease.</summary>
/// <param name="From">The stage left, or <see langword="null"/> for the first entry.</param>
/// <param name="To">The stage entered.</param>
/// <param name="At">When the change happened.</param>
/// <param name="By">Who made it.</param>
/// <param name="Kind">Why it was recorded.</param>
/// <param name="Comment">An optional comment.</param>
public sealed record StageChange(StageId? From, StageId To, Instant At, UserId By, StageChangeKind Kind, string? Comment = null);
