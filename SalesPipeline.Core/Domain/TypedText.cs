using System.Buffers;
using System.Globalization;

namespace SalesPipeline.Domain;

/// <summary>
/// The rule for text that enters the store from people and files: tabs and line breaks are text; every other control
/// character (C0, DEL, C1) is not — it comes from a wrong encoding or binary data and corrupts whatever reads the text back.
/// Every name, id, note and reason the domain accepts is held to it; importers use it to name the row and column at fault.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class TypedText
{
    // C0 controls other than tab, line feed and carriage return; DEL; C1 controls.
    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Where(c => c is not ('\t' or '\n' or '\r')).Select(c => (char)c), .. Enumerable.Range(0x7F, 0x21).Select(c => (char)c)]);

    /// <summary>Finds the first control character other than tab, line feed and carriage return.</summary>
    /// <param name="text">The text.</param>
    /// <returns>Its index, or -1 when the text holds none.</returns>
    public static int IndexOfControlCharacter(ReadOnlySpan<char> text) => text.IndexOfAny(ControlCharacters);

    /// <summary>Says what is wrong with text that holds a control character other than tab and line breaks.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The fault (which character, where, and what to do), or <see langword="null"/> when the text is good.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static string? ControlCharacterFault(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = IndexOfControlCharacter(text);
        return at < 0
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"a control character (U+{(int)text[at]:X4}) at position {at + 1}: text may hold tabs and line breaks but no other control characters. Remove it.");
    }
}
