using System.Globalization;

namespace SalesPipeline.Benchmarks;

/// <summary>
/// The deal counts the benchmarks run at. Each class that takes a number of deals names its committed sizes through
/// <see cref="Or"/> (a <c>[ParamsSource]</c>); <c>--deals 10000</c> on the command line replaces them for every class,
/// so an analyst can rerun the whole suite quickly at 10^4 (or at any other list, <c>--deals 10000,100000</c>).
/// </summary>
public static class BenchmarkSizes
{
    /// <summary>The command-line option that replaces every class's deal counts.</summary>
    public const string Option = "--deals";

    /// <summary>The size of a quick run, and the one the smoke test runs every benchmark at.</summary>
    public const int Quick = 10_000;

    /// <summary>Gets or sets the deal counts that replace every class's own; <see langword="null"/> keeps the classes' sizes.</summary>
    public static IReadOnlyList<int>? Override { get; set; }

    /// <summary>Gives the deal counts a class runs at.</summary>
    /// <param name="committed">The sizes of the class's committed results.</param>
    /// <returns><see cref="Override"/> when set, otherwise <paramref name="committed"/>.</returns>
    public static IEnumerable<int> Or(params int[] committed) => Override ?? committed;

    /// <summary>
    /// Takes <see cref="Option"/> and its value out of the command line, setting <see cref="Override"/>; the rest goes to
    /// BenchmarkDotNet.
    /// </summary>
    /// <param name="args">The program's arguments.</param>
    /// <param name="error">What is wrong with the option, or <see langword="null"/>.</param>
    /// <returns>The arguments without the option.</returns>
    public static string[] TakeOption(string[] args, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        error = null;
        var rest = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            if (!string.Equals(args[i], Option, StringComparison.Ordinal))
            {
                rest.Add(args[i]);
                continue;
            }

            var sizes = i + 1 < args.Length ? Parse(args[++i]) : null;
            if (sizes is null)
            {
                error = $"{Option} takes a comma-separated list of whole numbers of deals from 1 to 100000000, for example '{Option} 10000'.";
                return args;
            }

            Override = sizes;
        }

        return [.. rest];
    }

    private static int[]? Parse(string value)
    {
        var parts = value.Split(',', StringSplitOptions.TrimEntries);
        var sizes = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] is < 1 or > 100_000_000)
            {
                return null;
            }
        }

        return sizes;
    }
}
