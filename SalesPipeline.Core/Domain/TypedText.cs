using System.Buffers;
using System.Globalization;
using System.Xml;

namespace SalesPipeline.Domain;

/// <summary>
/// The rule for text that enters the store from people and files: tabs and line breaks are text; every other control
/// character (C0, DEL, C1) is not — it comes from a wrong encoding or binary data and corrupts whatever reads the text back.
/// Nor is what no document can hold: a Unicode noncharacter (such as U+FFFE or U+FFFF) or half of a surrogate pair without
/// its other half; every character XML 1.0 cannot hold is one of these, so text that keeps the rule can be written into any
/// workbook or offer. A character outside the Basic Multilingual Plane (such as an emoji, a surrogate pair) is text.
/// Every name, id, note and reason the domain accepts is held to it; importers use it to name the row and column at fault.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class TypedText
{
    // C0 controls other than tab, line feed and carriage return; DEL; C1 controls.
    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Where(c => c is not ('\t' or '\n' or '\r')).Select(c => (char)c), .. Enumerable.Range(0x7F, 0x21).Select(c => (char)c)]);

    // Every character that may break the rule: the control characters, the surrogates (text only as a pair) and the
    // noncharacters of the Basic Multilingual Plane. Searching for these first keeps the check of ordinary text fast.
    private static readonly SearchValues<char> Suspects = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Where(c => c is not ('\t' or '\n' or '\r')).Select(c => (char)c), .. Enumerable.Range(0x7F, 0x21).Select(c => (char)c),
         .. Enumerable.Range(0xD800, 0x800).Select(c => (char)c), .. Enumerable.Range(0xFDD0, 0x20).Select(c => (char)c), '\uFFFE', '\uFFFF']);

    /// <summary>Finds the first control character other than tab, line feed and carriage return.</summary>
    /// <param name="text">The text.</param>
    /// <returns>Its index, or -1 when the text holds none.</returns>
    public static int IndexOfControlCharacter(ReadOnlySpan<char> text) => text.IndexOfAny(ControlCharacters);

    /// <summary>
    /// Says what is wrong with text that breaks the rule: it holds a control character other than tab and line breaks, a
    /// noncharacter, or half of a surrogate pair without its other half.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <returns>The fault (which character, where, and what to do) of the first character at fault, or <see langword="null"/> when the text is good.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static string? ControlCharacterFault(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = 0;
        while (true)
        {
            var found = text.AsSpan(at).IndexOfAny(Suspects);
            if (found < 0)
            {
                return null;
            }

            at += found;
            var c = text[at];
            if (ControlCharacters.Contains(c))
            {
                return ControlCharacterAt(c, at);
            }

            if (at + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[at + 1], c))
            {
                var pair = char.ConvertToUtf32(c, text[at + 1]);
                if (IsNoncharacter(pair))
                {
                    return NoncharacterFault(pair, at);
                }

                at += 2;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return string.Create(
                    CultureInfo.InvariantCulture,
                    $"half of a surrogate pair (U+{(int)c:X4}) at position {at + 1} without its other half: the text was cut inside a character or decoded with a wrong encoding, and no document can hold it. Remove it, or type the character again.");
            }

            if (IsNoncharacter(c) || !XmlConvert.IsXmlChar(c))
            {
                return NoncharacterFault(c, at);
            }

            at++;
        }
    }

    /// <summary>
    /// Says what is wrong with stored text by the rule earlier versions stored it under: a control character other than tab and
    /// line breaks. A noncharacter or half of a surrogate pair, refused where text is typed, passes, so that a record stored
    /// with one before that rule stays readable.
    /// </summary>
    internal static string? StoredTextFault(string text) =>
        IndexOfControlCharacter(text) is var at and >= 0 ? ControlCharacterAt(text[at], at) : null;

    private static string ControlCharacterAt(char c, int at) =>
        string.Create(CultureInfo.InvariantCulture, $"a control character (U+{(int)c:X4}) at position {at + 1}: text may hold tabs and line breaks but no other control characters. Remove it.");

    // Unicode's noncharacters: U+FDD0 to U+FDEF, and the last two code points of every plane (U+FFFE, U+FFFF, U+1FFFE…).
    private static bool IsNoncharacter(int codePoint) => codePoint is >= 0xFDD0 and <= 0xFDEF || (codePoint & 0xFFFE) == 0xFFFE;

    private static string NoncharacterFault(int codePoint, int at) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"a noncharacter (U+{codePoint:X4}) at position {at + 1}: Unicode keeps it for programs' own use, never for text; it usually comes from a wrong encoding or byte order. Remove it.");
}
