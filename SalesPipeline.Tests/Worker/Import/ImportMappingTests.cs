using SalesPipeline.Reporting.Worker.Import;
using Xunit;

namespace SalesPipeline.Tests.Worker.Import;

public sealed class ImportMappingTests
{
    [Fact]
    public void FromJson_ExampleInTheReadme_IsAValidMapping()
    {
        var json = ImportKit.ReadmeMappingJson();

        var mapping = ImportMapping.FromJson(json, "/data");

        Assert.Equal(';', mapping.Separator);
        Assert.Equal("Europe/Warsaw", mapping.Dates.Zone.Id);
        Assert.Equal("/data/other-crm.pipeline.json", mapping.PipelineFile);
        Assert.Equal("won", mapping.Stages["closed won"]);
        Assert.Equal("{Product} – {Company}", mapping.Templates[ImportField.Name].Text);
    }

    [Fact]
    public void FromJson_SeveralFaults_ReportsEveryOne()
    {
        var json = """
            {
              "columns": { "colour": "x", "name": "{product" },
              "stages": { "Won": "Won!" },
              "outcomes": { "Y": "maybe" },
              "dateFormats": ["uuuu-MM-dd", "QQ"],
              "timeZone": "Mars/Olympus",
              "defaults": { "id": "1" },
              "expectedCloseDays": -1,
              "separator": "ab"
            }
            """;

        var e = Assert.Throws<ImportConfigurationException>(() => ImportMapping.FromJson(json));

        Assert.Equal(9, e.Faults.Count);
    }

    [Fact]
    public void FromJson_UnknownKey_IsRefused()
    {
        var e = Assert.Throws<ImportConfigurationException>(() => ImportMapping.FromJson("""{ "colums": {} }"""));

        Assert.Contains("not a valid mapping", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{product} – {account}", "GTX Basic", "Acme", "GTX Basic – Acme")]
    [InlineData("{product} – {account}", "GTX Basic", "", "GTX Basic")]
    [InlineData("{product} – {account}", "", "Acme", "Acme")]
    [InlineData("{product} – {account}", "", "", "")]
    [InlineData("Deal {product} (imported)", "ERP", "", "Deal ERP (imported)")]
    public void NameTemplate_EmptyPlaceholders_DropTheirSeparator(string text, string product, string account, string expected)
    {
        Assert.True(NameTemplate.TryParse(text, out var template, out _));

        var values = new[] { product, account };
        Assert.Equal(expected, template.Render(i => values[i]));
    }

    [Fact]
    public void IdFingerprints_DifferentIds_DifferentFingerprints()
    {
        var ids = new IdFingerprints();

        Assert.All(Enumerable.Range(0, 200_000), i => Assert.True(ids.TryAdd("D" + i, i, out _)));
        Assert.False(ids.TryAdd("D17", 999_999, out var first));
        Assert.Equal(17, first);
    }
}
