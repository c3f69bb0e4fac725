using System.Globalization;

namespace SalesPipeline.Reporting.Worker.Import;

/// <summary>
/// Reads numbers as a file in one culture writes them, strictly: digits, at most one decimal separator, and grouping
/// separators only between groups of the culture's sizes (three digits), so <c>1,2,3</c> is not 123. A value whose meaning
/// depends on the culture — one grouping separator followed by other than three digits, such as <c>1234,56</c> in the
/// invariant culture — is refused with a hint to set <c>numberCulture</c>. In a culture that groups with a space, any of
/// space, no-break space (U+00A0) and narrow no-break space (U+202F) is a grouping separator, as exports mix them.
/// </summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
internal sealed class ImportNumbers
{
    private readonly string _group;
    private readonly string _decimal;
    private readonly string _negative;
    private readonly bool _spaceGroups;
    private readonly int[] _groupSizes;

    public ImportNumbers(CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        Culture = culture;
        var format = culture.NumberFormat;
        _group = format.NumberGroupSeparator;
        _decimal = format.NumberDecimalSeparator;
        _negative = format.NegativeSign;
        _spaceGroups = _group.Length == 1 && IsSpace(_group[0]);
        _groupSizes = format.NumberGroupSizes is { Length: > 0 } sizes && sizes[0] > 0 ? sizes : [3];
        Example = 1234.5m.ToString(culture);
    }

    /// <summary>Gets the culture.</summary>
    public CultureInfo Culture { get; }

    /// <summary>Gets an amount written in the culture, for messages.</summary>
    public string Example { get; }

    /// <summary>Reads a number.</summary>
    /// <param name="text">The text (surrounding white space is ignored).</param>
    /// <param name="value">The number.</param>
    /// <param name="fault">What is wrong and what to write instead, when it is not a number.</param>
    /// <returns>Whether <paramref name="text"/> is a number.</returns>
    public bool TryParse(string text, out decimal value, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? fault)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = 0;
        var span = text.AsSpan().Trim();
        var negative = false;
        if (_negative.Length > 0 && span.StartsWith(_negative, StringComparison.Ordinal))
        {
            negative = true;
            span = span[_negative.Length..];
        }
        else if (span.StartsWith("-", StringComparison.Ordinal))
        {
            negative = true;
            span = span[1..];
        }
        else if (span.StartsWith("+", StringComparison.Ordinal))
        {
            span = span[1..];
        }

        // The digits (with '.' for the decimal separator) and the lengths of the integer part's groups.
        const int MaxDigits = 40;
        const int MaxGroups = 14;
        Span<char> digits = stackalloc char[MaxDigits + 1];
        Span<int> groups = stackalloc int[MaxGroups];
        var digitCount = 0;
        var groupCount = 0;
        var run = 0;
        var fraction = -1;
        for (var i = 0; i < span.Length; i++)
        {
            var c = span[i];
            if (char.IsAsciiDigit(c))
            {
                if (digitCount == MaxDigits)
                {
                    fault = "the number is too large.";
                    return false;
                }

                digits[digitCount++] = c;
                run++;
            }
            else if (fraction < 0 && run > 0 && span[i..].StartsWith(_decimal, StringComparison.Ordinal))
            {
                groups[groupCount++] = run;
                fraction = digitCount;
                digits[digitCount++] = '.';
                run = 0;
                i += _decimal.Length - 1;
            }
            else if (fraction < 0 && run > 0 && groupCount < MaxGroups - 1 && IsGroupSeparatorAt(span, i, out var length))
            {
                groups[groupCount++] = run;
                run = 0;
                i += length - 1;
            }
            else
            {
                fault = $"not a number; expected an amount such as {Example}.";
                return false;
            }
        }

        if (run == 0)
        {
            // Empty, or ending in a separator.
            fault = $"not a number; expected an amount such as {Example}.";
            return false;
        }

        if (fraction < 0)
        {
            groups[groupCount++] = run;
        }

        if (groupCount > 1 && !GroupedCorrectly(groups[..groupCount]))
        {
            fault = groupCount == 2 && fraction < 0 && !_spaceGroups && groups[1] != _groupSizes[0]
                ? $"the meaning depends on the culture: in {CultureName} '{_group}' only separates groups of three digits, as in {1234567.5m.ToString("#,##0.0#", Culture)}. If it is the decimal separator, set \"numberCulture\" in the mapping to the file's culture, such as \"pl-PL\" for 1 234,56; otherwise write {Example}."
                : $"'{Describe(_group)}' separates groups of three digits only, such as {1234567.5m.ToString("#,##0.0#", Culture)}; expected an amount such as {Example}.";
            return false;
        }

        if (!decimal.TryParse(digits[..digitCount], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value))
        {
            fault = "the number is too large.";
            return false;
        }

        value = negative ? -value : value;
        fault = null;
        return true;
    }

    private string CultureName => Culture.Name.Length == 0 ? "the invariant culture (the default)" : $"culture '{Culture.Name}'";

    private static bool IsSpace(char c) => c is ' ' or '\u00A0' or '\u202F';

    private static string Describe(string separator) => separator switch
    {
        " " => "space",
        "\u00A0" => "no-break space",
        "\u202F" => "narrow no-break space",
        _ => separator,
    };

    private bool IsGroupSeparatorAt(ReadOnlySpan<char> span, int i, out int length)
    {
        if (_spaceGroups && IsSpace(span[i]))
        {
            length = 1;
            return true;
        }

        length = _group.Length;
        return _group.Length > 0 && span[i..].StartsWith(_group, StringComparison.Ordinal);
    }

    /// <summary>The groups, from the right, have the culture's sizes; the leftmost may be shorter but not empty.</summary>
    private bool GroupedCorrectly(ReadOnlySpan<int> groups)
    {
        var size = 0;
        for (var k = 0; k < groups.Length; k++)
        {
            var group = groups[groups.Length - 1 - k];
            if (k < _groupSizes.Length)
            {
                size = _groupSizes[k];
            }

            // A size of 0 after others means no further grouping.
            if (size == 0)
            {
                return false;
            }

            var leftmost = k == groups.Length - 1;
            if (leftmost ? group > size : group != size)
            {
                return false;
            }
        }

        return true;
    }
}
