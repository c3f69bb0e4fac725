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

    /// <summary>Reads the section of <paramref name="configuration"/> into <paramref name="options"/>.</summary>
    /// <exception cref="CliInputException">A value is not what its key takes; every fault is listed.</exception>
    public static void Apply(IConfiguration configuration, LeadOptions options)
    {
        var section = configuration.GetSection(SchedulerConfiguration.Section).GetSection("Leads");
        var where = section.Path;
        var problems = new List<string>();
        SettingsSection.RefuseUnknown(section, Keys, "lead", problems);
        options.DefaultLeadLimit = (int)SettingsSection.Whole(section, "DefaultLeadLimit", options.DefaultLeadLimit, 0, 100_000, problems);
        options.ExpectedCloseDays = (int)SettingsSection.Whole(section, "ExpectedCloseDays", options.ExpectedCloseDays, 1, 3650, problems);
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

        if (SettingsSection.List(section, "DisqualifyReasons", problems) is { } reasons)
        {
            options.DisqualifyReasons.Clear();
            foreach (var reason in reasons)
            {
                options.DisqualifyReasons.Add(reason);
            }
        }

        if (SettingsSection.List(section, "SelfServiceOffGroups", problems) is { } groups)
        {
            options.SelfServiceOffGroups.Clear();
            options.SelfServiceOffGroups.UnionWith(groups);
        }

        SettingsSection.ThrowIfAny(problems, "lead");
    }
}
