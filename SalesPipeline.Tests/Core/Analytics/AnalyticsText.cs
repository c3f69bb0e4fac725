using System.Globalization;
using System.Text;
using SalesPipeline.Analytics;

namespace SalesPipeline.Tests.Core.Analytics;

/// <summary>Canonical text of analytics results, so two results can be compared whole (records compare lists by reference).</summary>
internal static class AnalyticsText
{
    public static string Describe(SnapshotFunnel funnel)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"as of {funnel.AsOf}, closed {funnel.ClosedPeriod}, open {funnel.OpenCount}");
        foreach (var stage in funnel.Stages)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{stage.Stage} {stage.Count} {stage.CountShare}");
            Append(text, stage.Values);
        }

        Append(text, funnel.OpenValues);
        text.AppendLine(CultureInfo.InvariantCulture, $"won {funnel.Won.Count} {string.Join(", ", funnel.Won.Values)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"lost {funnel.Lost.Count} {string.Join(", ", funnel.Lost.Values)}");
        return text.ToString();
    }

    private static void Append(StringBuilder text, IEnumerable<OpenDealTotals> rows)
    {
        foreach (var row in rows)
        {
            // Values compare by number, not by the trailing zeros a decimal happens to carry.
            text.AppendLine(CultureInfo.InvariantCulture, $"  {row.Currency} {row.Count} {row.Value / 1.000000000000000000m} {row.WeightedValue / 1.000000000000000000m} {row.ValueShare}");
        }
    }
}
