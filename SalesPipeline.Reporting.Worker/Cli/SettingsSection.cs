using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary>
/// Reads one section of the command-line settings (<c>SalesPipeline:Leads</c>, <c>SalesPipeline:Documents</c>): unknown
/// keys, whole numbers and lists, each fault collected so that every one is reported at once.
/// </summary>
internal static class SettingsSection
{
    /// <summary>Adds a problem for every key of <paramref name="section"/> that is not one of <paramref name="keys"/>.</summary>
    public static void RefuseUnknown(IConfigurationSection section, string[] keys, string what, List<string> problems)
    {
        foreach (var unknown in section.GetChildren().Select(c => c.Key).Where(k => !keys.Contains(k, StringComparer.OrdinalIgnoreCase)))
        {
            problems.Add($"{section.Path}:{unknown} is not a {what} setting; the settings are {string.Join(", ", keys)}.");
        }
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>; <paramref name="current"/> when the key is absent or wrong.</summary>
    public static long Whole(IConfigurationSection section, string key, long current, long min, long max, List<string> problems)
    {
        if (section[key] is not { } text)
        {
            return current;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        problems.Add($"{section.Path}:{key} '{text}' is not a whole number from {min} to {max}.");
        return current;
    }

    /// <summary>A list given as a JSON array (or environment variables <c>…__0</c>, <c>…__1</c>); <see langword="null"/> when absent.</summary>
    public static List<string>? List(IConfigurationSection section, string key, List<string> problems)
    {
        var child = section.GetSection(key);
        if (!child.Exists())
        {
            return null;
        }

        if (child.Value is not null)
        {
            problems.Add($"{child.Path} must be a list, such as [\"no-budget\", \"duplicate\"], was the text '{child.Value}'.");
            return null;
        }

        var values = child.GetChildren().Select(c => c.Value?.Trim()).ToList();
        if (values.Count == 0 || values.Any(string.IsNullOrEmpty))
        {
            problems.Add($"{child.Path} must hold at least one entry, none of them empty.");
            return null;
        }

        return [.. values.OfType<string>()];
    }

    /// <summary>Refuses the settings when any problem was found, listing them all.</summary>
    /// <exception cref="CliInputException">There are problems.</exception>
    public static void ThrowIfAny(List<string> problems, string what)
    {
        if (problems.Count > 0)
        {
            throw new CliInputException($"the {what} settings have {problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")}: {string.Join(" ", problems)}");
        }
    }
}
