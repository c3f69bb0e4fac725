namespace SalesPipeline.Domain;

/// <summary>Checks of user-typed text (length, and <see cref="TypedText"/>'s rule), with messages that say what to do.</summary>
internal static class Text
{
    public static string Required(string? value, string paramName, int maxLength)
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

        if (TypedText.ControlCharacterFault(trimmed) is { } fault)
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
