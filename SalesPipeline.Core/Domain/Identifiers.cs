using System.Text.RegularExpressions;

namespace SalesPipeline.Domain;

/// <summary>Identifies an opportunity (a deal).</summary>
/// <param name="Value">The underlying unique value.</param>
public readonly record struct OpportunityId(Guid Value)
{
    /// <summary>Creates a new, random identifier.</summary>
    /// <returns>A fresh identifier.</returns>
    public static OpportunityId New() => new(Guid.NewGuid());

    /// <inheritdoc />
    public override string ToString() => Value.ToString("D");
}

/// <summary>Identifies an account (a client company).</summary>
/// <param name="Value">The underlying unique value.</param>
public readonly record struct AccountId(Guid Value)
{
    /// <summary>Creates a new, random identifier.</summary>
    /// <returns>A fresh identifier.</returns>
    public static AccountId New() => new(Guid.NewGuid());

    /// <inheritdoc />
    public override string ToString() => Value.ToString("D");
}

/// <summary>Identifies an activity logged on an opportunity.</summary>
/// <param name="Value">The underlying unique value.</param>
public readonly record struct ActivityId(Guid Value)
{
    /// <summary>Creates a new, random identifier.</summary>
    /// <returns>A fresh identifier.</returns>
    public static ActivityId New() => new(Guid.NewGuid());

    /// <inheritdoc />
    public override string ToString() => Value.ToString("D");
}

/// <summary>Identifies one version of a stored document (an offer template, a price list, an NDA…).</summary>
/// <param name="Value">The underlying unique value.</param>
public readonly record struct DocumentId(Guid Value)
{
    /// <summary>Creates a new, random identifier.</summary>
    /// <returns>A fresh identifier.</returns>
    public static DocumentId New() => new(Guid.NewGuid());

    /// <summary>Parses an identifier as printed by <see cref="ToString"/>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The identifier.</returns>
    /// <exception cref="ArgumentException">The text is not a document id.</exception>
    public static DocumentId Parse(string text) =>
        Guid.TryParse(text?.Trim(), out var value)
            ? new DocumentId(value)
            : throw new ArgumentException($"'{text}' is not a document id; a document id looks like 3f2b8c1e-0000-0000-0000-000000000000.", nameof(text));

    /// <inheritdoc />
    public override string ToString() => Value.ToString("D");
}

/// <summary>
/// Identifies a person who uses the system: a salesperson, a manager or an administrator,
/// by the login or name the host application uses for them.
/// </summary>
public readonly record struct UserId
{
    /// <summary>Creates a user identifier.</summary>
    /// <param name="value">The login or name; not empty, at most 200 characters.</param>
    /// <exception cref="ArgumentException">The value is empty, blank, longer than 200 characters or holds a character <see cref="TypedText"/> refuses (a control character, a noncharacter, half of a surrogate pair).</exception>
    public UserId(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        if (value.Length > 200)
        {
            throw new ArgumentException($"A user id is at most 200 characters long, was {value.Length}.", nameof(value));
        }

        // Ids are read back from the store through this constructor too, so it holds them to the rule they were stored under;
        // a new person's id is held to the whole of TypedText's rule where the person is added.
        if (TypedText.StoredTextFault(value) is { } fault)
        {
            throw new ArgumentException($"A user id holds {fault}", nameof(value));
        }

        Value = value.Trim();
    }

    /// <summary>Gets the login or name.</summary>
    public string Value { get; }

    /// <inheritdoc />
    public override string ToString() => Value ?? string.Empty;
}

/// <summary>
/// Identifies a stage of a pipeline, such as <c>qualification</c>. Stage ids are slugs: lower-case
/// ASCII letters, digits and hyphens, starting with a letter, at most 64 characters.
/// </summary>
public readonly partial record struct StageId
{
    /// <summary>Creates a stage identifier.</summary>
    /// <param name="value">The slug, for example <c>negotiation</c>.</param>
    /// <exception cref="ArgumentException">The value is not a slug.</exception>
    public StageId(string value)
    {
        if (!IsValid(value))
        {
            throw new ArgumentException(
                $"'{value}' is not a valid stage id: use lower-case letters, digits and hyphens, starting with a letter, at most 64 characters (for example 'negotiation').",
                nameof(value));
        }

        Value = value;
    }

    /// <summary>Gets the slug.</summary>
    public string Value { get; }

    /// <summary>Tells whether a text is a valid stage id.</summary>
    /// <param name="value">The candidate text.</param>
    /// <returns><see langword="true"/> when <paramref name="value"/> can be a stage id.</returns>
    public static bool IsValid(string? value) => value is not null && SlugPattern().IsMatch(value);

    /// <inheritdoc />
    public override string ToString() => Value ?? string.Empty;

    [GeneratedRegex(@"^[a-z][a-z0-9-]{0,63}\z", RegexOptions.CultureInvariant)]
    internal static partial Regex SlugPattern();
}

/// <summary>
/// Identifies a pipeline (a sales process), such as <c>new-business</c> or <c>renewals</c>.
/// Uses the same slug rules as <see cref="StageId"/>.
/// </summary>
public readonly record struct PipelineId
{
    /// <summary>Creates a pipeline identifier.</summary>
    /// <param name="value">The slug, for example <c>renewals</c>.</param>
    /// <exception cref="ArgumentException">The value is not a slug.</exception>
    public PipelineId(string value)
    {
        if (!StageId.IsValid(value))
        {
            throw new ArgumentException(
                $"'{value}' is not a valid pipeline id: use lower-case letters, digits and hyphens, starting with a letter, at most 64 characters (for example 'new-business').",
                nameof(value));
        }

        Value = value;
    }

    /// <summary>Gets the slug.</summary>
    public string Value { get; }

    /// <inheritdoc />
    public override string ToString() => Value ?? string.Empty;
}
