using System.Globalization;
using System.Text;
using NodaTime;
using SalesPipeline.Process;

namespace SalesPipeline.Benchmarks;

/// <summary>
/// The canonical CSV export the import benchmarks read: one deal per row, created on a random day of 2024, with
/// <c>entered_*</c> stage dates (about 2.5 history rows per deal), a fifth won and a fifth lost, 2,000 accounts, 50 owners,
/// every hundredth name quoted (it holds a comma). The same seed gives the same file.
/// </summary>
public static class ImportCsvFile
{
    /// <summary>The header: <see cref="SalesPipeline.Reporting.Worker.Import.ImportMapping.Canonical"/>'s columns.</summary>
    public const string Header = "id,name,account,owner,stage,amount,currency,created,expected_close,closed,outcome,reason,probability,entered_qualification,entered_offer,entered_negotiation";

    /// <summary>Writes a file of <paramref name="rows"/> deals, with ids <c>crm-0</c>, <c>crm-1</c>…, to <paramref name="path"/>.</summary>
    /// <param name="path">The file, replaced if it exists.</param>
    /// <param name="rows">The number of rows after the header.</param>
    public static void Write(string path, int rows)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        writer.Write(Header + "\r\n");
        var random = new Random(20_260_115);
        var open = PipelineDefinition.Default.OpenStages;
        for (var i = 0; i < rows; i++)
        {
            var created = new LocalDate(2024, 1, 1).PlusDays(random.Next(0, 365));
            var depth = random.Next(0, open.Count);
            var day = created;
            var entered = new string[3];
            for (var s = 1; s <= depth; s++)
            {
                day = day.PlusDays(random.Next(1, 30));
                entered[s - 1] = Iso(day);
            }

            var (stage, closed) = random.Next(5) switch
            {
                0 => ("won", Iso(day.PlusDays(random.Next(1, 30)))),
                1 => ("lost", Iso(day.PlusDays(random.Next(1, 30)))),
                _ => (open[depth].Value, string.Empty),
            };
            var name = i % 100 == 0 ? $"\"Deal {i}, phase 2\"" : $"Deal {i}";
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"crm-{i},{name},Account {i % 2_000},rep-{i % 50:00},{stage},{random.Next(100, 5_000_000) / 100m},PLN,{Iso(created)},{Iso(created.PlusDays(90))},{closed},,{(stage == "lost" ? "Price" : string.Empty)},,{entered[0]},{entered[1]},{entered[2]}\r\n"));
        }
    }

    private static string Iso(LocalDate date) => date.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture);
}
