using System.Globalization;

namespace SalesPipeline.Domain;

/// <summary>Checks of user-typed text (length, and <see cref="TypedText"/>'s rule), with messages that say what to do.</summary>
internal static class Text
{
    public static string Required(string? value, string paramName, int maxLength) => Checked(value, paramName, maxLength, typed: true);

    /// <summary>
    /// Checks a stored name as <see cref="Required"/> does, but for the characters only as earlier versions did: no control
    /// character other than tab and line breaks. A noncharacter or half of a surrogate pair, refused where text is typed, is
    /// not refused here, so a record stored with one before that rule stays readable.
    /// </summary>
    public static string Stored(string? value, string paramName, int maxLength) => Checked(value, paramName, maxLength, typed: false);

    /// <summary>
    /// A user id newly given (an owner, a manager, a new person), held to <see cref="NewUserFault"/>: <see cref="UserId"/>
    /// holds ids only to the rule they were stored under, as it reads them back too.
    /// </summary>
    public static UserId NewUser(UserId user, string paramName) =>
        NewUserFault(user.Value ?? string.Empty) is { } fault ? throw new ArgumentException($"'{paramName}' holds {fault}", paramName) : user;

    /// <summary>
    /// Says what is wrong with a user id newly given: it holds a tab or a line break (an id is one line, as lists, tables and
    /// messages show it), or breaks the rest of <see cref="TypedText"/>'s rule. An id stored earlier with a tab or line break
    /// stays readable, as <see cref="UserId"/> reads ids back by the rule they were stored under.
    /// </summary>
    /// <param name="id">The id.</param>
    /// <returns>The fault (which character, where, and what to do), or <see langword="null"/> when the id is good.</returns>
    public static string? NewUserFault(string id) =>
        id.AsSpan().IndexOfAny('\t', '\n', '\r') is var at and >= 0
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"{(id[at] == '\t' ? "a tab" : "a line break")} (U+{(int)id[at]:X4}) at position {at + 1}: a user id is one line of text without tabs. Remove it.")
            : TypedText.ControlCharacterFault(id);

    private static string Checked(string? value, string paramName, int maxLength, bool typed)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"'{paramName}' must not be empty.", paramName);
        }

        var trimmed = value.Trim();
        if (trimmed.Length > maxLength)
        {
            throw new ArgumentException($"'{paramName}' must be at most {maxLength} characters long, was {trimmed.Length}.", paramName);
        }

        if ((typed ? TypedText.ControlCharacterFault(trimmed) : TypedText.StoredTextFault(trimmed)) is { } fault)
        {
            throw new ArgumentException($"'{paramName}' holds {fault}", paramName);
        }

        return trimmed;
    }

    /// <summary>An argument exception's message as the domain wrote it, without the parameter note .NET appends.</summary>
    public static string WithoutParameter(ArgumentException exception) =>
        exception.ParamName is { } name ? exception.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : exception.Message;

    public static string? Optional(string? value, string paramName, int maxLength) =>
        string.IsNullOrWhiteSpace(value) ? null : Required(value, paramName, maxLength);
}
