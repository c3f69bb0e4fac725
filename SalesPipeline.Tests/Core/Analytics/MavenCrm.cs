using System.Globalization;
using NodaTime;
using NodaTime.Text;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Tests.Core.Analytics;

/// <summary>
/// Reads the Maven Analytics "CRM Sales Opportunities" data set (<c>../shared/data/maven-crm/</c>, see its README) as recorded
/// history: each row becomes an <see cref="OpportunityState"/> whose stage changes are <see cref="StageChangeKind.Imported"/> facts,
/// checked by <see cref="Opportunity.Restore"/>, on the pipeline the file describes (Prospecting &gt; Engaging &gt; Won / Lost).
/// <list type="bullet">
/// <item>History: a Prospecting row is created in prospecting; every other row is created in engaging on its engage_date
/// (the file does not say when it was prospected, so no prospecting entry is invented); a Won or Lost row then closes on its
/// close_date. Dates are midnight UTC.</item>
/// <item>Created instant: engage_date; Prospecting rows have none, so they fall back to <see cref="ExportDate"/>, the last date in
/// the file, when they were still being prospected.</item>
/// <item>Value (USD): a Won row's close_value; every other row's product list price from products.csv (open rows have no
/// close_value, and Lost rows carry 0, which would make every value-based win rate 100 %). The file's <c>GTXPro</c> is
/// products.csv's <c>GTX Pro</c>.</item>
/// <item>Expected close: close_date, or <see cref="ExportDate"/> for open rows (the file has no expected close date).</item>
/// <item>Owner: sales_agent. No loss reasons are recorded.</item>
/// </list>
/// </summary>
internal static class MavenCrm
{
    /// <summary>The last date in the file (the latest close_date), taken as the day it was exported.</summary>
    public static LocalDate ExportDate { get; } = new(2017, 12, 31);

    /// <summary>The instant the snapshot is taken at: the end of <see cref="ExportDate"/>.</summary>
    public static Instant AsOf { get; } = Instant.FromUtc(2018, 1, 1, 0, 0);

    /// <summary>Prospecting 10 %, engaging 50 %, won, lost.</summary>
    public static PipelineDefinition Pipeline { get; } = new PipelineDefinitionBuilder("maven-crm", "Maven CRM")
        .AddStage("prospecting", StageKind.Open, 10)
        .AddStage("engaging", StageKind.Open, 50)
        .AddStage("won", StageKind.Won, 100)
        .AddStage("lost", StageKind.Lost, 0)
        .AllowMove("prospecting", "engaging")
        .AllowMove("prospecting", "lost")
        .AllowMove("engaging", "won")
        .AllowMove("engaging", "lost")
        .Build();

    public static string Directory { get; } = FindDirectory();

    /// <summary>The rows of sales_pipeline.csv as plain fields (header dropped; CRLF line ends).</summary>
    public static IReadOnlyList<string[]> Rows { get; } = ReadCsv("sales_pipeline.csv", expectedFields: 8);

    public static IReadOnlyList<OpportunityState> Deals { get; } = Load();

    private static IReadOnlyList<OpportunityState> Load()
    {
        var prices = ReadCsv("products.csv", expectedFields: 3).ToDictionary(r => r[0], r => decimal.Parse(r[2], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        prices["GTXPro"] = prices["GTX Pro"];
        return
        [
            .. Rows.Select(r =>
            {
                var (id, agent, product, account, stage, engage, close, closeValue) = (r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
                var created = engage.Length == 0 ? Midnight(ExportDate) : Midnight(Date(engage));
                var path = new List<(string, Instant)> { (stage == "Prospecting" ? "prospecting" : "engaging", created) };
                if (stage is "Won" or "Lost")
                {
                    path.Add((stage.ToLowerInvariant(), Midnight(Date(close))));
                }

                var value = stage == "Won" ? decimal.Parse(closeValue, CultureInfo.InvariantCulture) : prices[product];
                return TestDeals.Deal(
                    Pipeline,
                    account.Length == 0 ? product : $"{product} for {account}",
                    Money.Of(value, "USD"),
                    agent,
                    path,
                    expectedClose: close.Length == 0 ? ExportDate : Date(close),
                    moveKind: StageChangeKind.Imported,
                    externalId: id);
            }),
        ];
    }

    private static string[][] ReadCsv(string file, int expectedFields)
    {
        var lines = File.ReadAllText(Path.Combine(Directory, file)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        var bad = rows.FirstOrDefault(r => r.Length != expectedFields);
        return bad is null ? rows : throw new InvalidDataException($"{file}: a row has {bad.Length} fields, expected {expectedFields}: {string.Join(',', bad)}");
    }

    private static LocalDate Date(string text) => LocalDatePattern.Iso.Parse(text).Value;

    private static Instant Midnight(LocalDate date) => date.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();

    /// <summary>
    /// <c>SALESPIPELINE_MAVEN_CRM</c> when set, else <c>shared/data/maven-crm</c> beside an ancestor of the test binaries
    /// (the repository sits in <c>/work/main</c> beside <c>/work/shared</c>). A missing data set fails the tests; it never skips them.
    /// </summary>
    private static string FindDirectory()
    {
        if (Environment.GetEnvironmentVariable("SALESPIPELINE_MAVEN_CRM") is { Length: > 0 } configured)
        {
            return configured;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "maven-crm");
            if (File.Exists(Path.Combine(candidate, "sales_pipeline.csv")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            $"The Maven CRM data set (shared/data/maven-crm/sales_pipeline.csv) was not found above {AppContext.BaseDirectory}; set SALESPIPELINE_MAVEN_CRM to its folder.");
    }
}
