namespace SalesPipeline.Reporting.Worker.Import;

/// <summary>What an import reads into an opportunity; each field has a canonical column name.</summary>
internal enum ImportField
{
    /// <summary>The deal's id in the source system (the external id re-imports are matched on). Required.</summary>
    Id,

    /// <summary>The deal's name. Required (a template may build it).</summary>
    Name,

    /// <summary>The client company, matched or created by name. Optional.</summary>
    Account,

    /// <summary>The salesperson. Required.</summary>
    Owner,

    /// <summary>The current stage. Required unless the outcome says won or lost.</summary>
    Stage,

    /// <summary>The deal's value. Required.</summary>
    Amount,

    /// <summary>The ISO-4217 currency of the amount. Required.</summary>
    Currency,

    /// <summary>When the deal was created.</summary>
    Created,

    /// <summary>The expected decision date.</summary>
    ExpectedClose,

    /// <summary>When a won or lost deal closed.</summary>
    Closed,

    /// <summary>won, lost or open.</summary>
    Outcome,

    /// <summary>The loss reason (or what decided a win).</summary>
    Reason,

    /// <summary>The owner's probability override, 0–100.</summary>
    Probability,
}

/// <summary>The canonical column names of <see cref="ImportField"/>.</summary>
internal static class ImportFields
{
    /// <summary>The prefix of the canonical stage-date columns: <c>entered_qualification</c> is the date a deal entered <c>qualification</c>.</summary>
    public const string StageDatePrefix = "entered_";

    public static IReadOnlyList<ImportField> All { get; } = Enum.GetValues<ImportField>();

    public static string CanonicalName(ImportField field) => field switch
    {
        ImportField.Id => "id",
        ImportField.Name => "name",
        ImportField.Account => "account",
        ImportField.Owner => "owner",
        ImportField.Stage => "stage",
        ImportField.Amount => "amount",
        ImportField.Currency => "currency",
        ImportField.Created => "created",
        ImportField.ExpectedClose => "expected_close",
        ImportField.Closed => "closed",
        ImportField.Outcome => "outcome",
        ImportField.Reason => "reason",
        ImportField.Probability => "probability",
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "Not an import field."),
    };

    public static bool TryParse(string name, out ImportField field)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(CanonicalName(candidate), name.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                field = candidate;
                return true;
            }
        }

        field = default;
        return false;
    }
}
