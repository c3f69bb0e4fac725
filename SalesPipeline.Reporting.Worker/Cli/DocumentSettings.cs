using System.Globalization;
using Microsoft.Extensions.Configuration;
using SalesPipeline.Documents;
using SalesPipeline.Reporting.Worker.Scheduling;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary>
/// The document options from configuration — <c>appsettings.json</c> in the working folder, then
/// <c>SALESPIPELINE__Documents__…</c> environment variables — section <c>SalesPipeline:Documents</c>: <c>MaxSizeBytes</c>,
/// the largest document that <c>docs add</c> and <c>offer create</c> store, at most <see cref="DocumentOptions.LargestMaxSizeBytes"/>.
/// A key left out keeps the library's default (10 MB).
/// </summary>
internal static class DocumentSettings
{
    private static readonly string[] Keys = ["MaxSizeBytes"];

    /// <summary>Reads the section of <paramref name="configuration"/> into <paramref name="options"/>.</summary>
    /// <exception cref="CliInputException">A value is not what its key takes; every fault is listed.</exception>
    public static void Apply(IConfiguration configuration, DocumentOptions options)
    {
        var section = configuration.GetSection(SchedulerConfiguration.Section).GetSection("Documents");
        var problems = new List<string>();
        SettingsSection.RefuseUnknown(section, Keys, "document", problems);
        if (long.TryParse(section["MaxSizeBytes"], NumberStyles.None, CultureInfo.InvariantCulture, out var asked) && asked > DocumentOptions.LargestMaxSizeBytes)
        {
            problems.Add($"{section.Path}:MaxSizeBytes '{asked}' is more than one document stored in SQLite or PostgreSQL can hold; give at most {DocumentOptions.LargestMaxSizeBytes} bytes.");
        }
        else
        {
            options.MaxSizeBytes = SettingsSection.Whole(section, "MaxSizeBytes", options.MaxSizeBytes, 1, DocumentOptions.LargestMaxSizeBytes, problems);
        }

        SettingsSection.ThrowIfAny(problems, "document");
    }
}
