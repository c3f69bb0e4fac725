using System.Globalization;
using Microsoft.Extensions.Configuration;
using SalesPipeline.Leads;
using SalesPipeline.Reporting.Worker.Scheduling;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary>
/// The lead options from configuration — <c>appsettings.json</c> in the working folder, then <c>SALESPIPELINE__Leads__…</c>
/// environment variables — section <c>SalesPipeline:Leads</c>: <c>DefaultLeadLimit</c>, <c>DisqualifyReasons</c>,
/// <c>SelfServiceOffGroups</c>, <c>ExpectedCloseDays</c>, <c>DefaultCurrency</c>. A key left out keeps the library's default.
/// </summary>
internal static class LeadSettings
{
    private static readonly string[] Keys = ["DefaultLeadLimit", "DisqualifyReasons", "SelfServiceOffGroups", "ExpectedCloseDays", "DefaultCurrency"];

    /// <summary>Reads the section from the working folder's configuration into <paramref name="options"/>.</summary>
    /// <exception cref="CliInputException">A value is not what its key takes; every fault is listed.</exception>
    public static void Apply(LeadOptions options) => Apply(SchedulerConfiguration.Build(null, Directory.GetCurrentDirectory()), options);

    /// <summary>Reads the section of <paramref name="configuration"/> into <paramref name="options"/>.</summary>
    /// <exception cref="CliInputException">A value is not what its key takes; every fault is listed.</exception>
    public static void Apply(IConfiguration configuration, LeadOptions options)
    {
        var section = configuration.GetSection(SchedulerConfiguration.Section).GetSection("Leads");
        var where = section.Path;
        var problems = new List<string>();
        foreach (var unknown in section.GetChildren().Select(c => c.Key).Where(k => !Keys.Contains(k, StringComparer.OrdinalIgnoreCase)))
        {
            problems.Add($"{where}:{unknown} is not a lead setting; the settings are {string.Join(", ", Keys)}.");
        }

        options.DefaultLeadLimit = Whole(section, "DefaultLeadLimit", options.DefaultLeadLimit, 0, 100_000, problems);
        options.ExpectedCloseDays = Whole(section, "ExpectedCloseDays", options.ExpectedCloseDays, 1, 3650, problems);
        if (section["DefaultCurrency"] is { } currency)
        {
            try
            {
                options.DefaultCurrency = Domain.Money.Zero(currency).Currency;
            }
            catch (ArgumentException)
            {
                problems.Add($"{where}:DefaultCurrency '{currency}' is not an ISO 4217 currency code such as EUR or PLN.");
            }
        }

        if (List(section, "DisqualifyReasons", problems) is { } reasons)
        {
            options.DisqualifyReasons.Clear();
            foreach (var reason in reasons)
            {
                options.DisqualifyReasons.Add(reason);
            }
        }

        if (List(section, "SelfServiceOffGroups", problems) is { } groups)
        {
            options.SelfServiceOffGroups.Clear();
            options.SelfServiceOffGroups.UnionWith(groups);
        }

        if (problems.Count > 0)
        {
            throw new CliInputException($"the lead settings have {problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")}: {string.Join(" ", problems)}");
        }
    }

    private static int Whole(IConfigurationSection section, string key, int current, int min, int max, List<string> problems)
    {
        if (section[key] is not { } text)
        {
            return current;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        problems.Add($"{section.Path}:{key} '{text}' is not a whole number from {min} to {max}.");
        return current;
    }

    /// <summary>A list given as a JSON array (or environment variables <c>…__0</c>, <c>…__1</c>); <see langword="null"/> when absent.</summary>
    private static List<string>? List(IConfigurationSection section, string key, List<string> problems)
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
}
