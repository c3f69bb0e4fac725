namespace SalesPipeline.Leads;

/// <summary>One fault of a lead import.</summary>
/// <param name="Index">The 0-based position of the lead in the imported list.</param>
/// <param name="Message">What is wrong and what to do.</param>
public sealed record LeadImportError(int Index, string Message);

/// <summary>Thrown when an import holds faulty leads; lists every fault, and nothing was imported.</summary>
public sealed class LeadImportException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errors">Every fault found.</param>
    public LeadImportException(IReadOnlyList<LeadImportError> errors)
        : base($"{errors?.Count ?? 0} lead(s) are invalid; nothing was imported. " + string.Join(" ", (errors ?? []).Take(5).Select(e => $"Lead {e.Index + 1}: {e.Message}")))
    {
        Errors = errors ?? [];
    }

    /// <summary>Gets every fault found.</summary>
    public IReadOnlyList<LeadImportError> Errors { get; }
}
