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
    public void FromJson_OwnerUserIdWithANoncharacter_IsAFaultNamingTheEntry()
    {
        var e = Assert.Throws<ImportConfigurationException>(() => ImportMapping.FromJson("""{ "owners": { "Anna K.": "anna\uFFFE" } }"""));

        Assert.StartsWith("owners.Anna K.: the user id holds a noncharacter (U+FFFE) at position 5", Assert.Single(e.Faults), StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_UnknownKeys_EachNamedWithTheNearestKey()
    {
        var e = Assert.Throws<ImportConfigurationException>(() => ImportMapping.FromJson("""{ "colums": {}, "Defaults": {}, "colour": "red" }"""));

        Assert.Equal(3, e.Faults.Count);
        Assert.StartsWith("'colums' is not a mapping key (did you mean 'columns'?); the keys are pipelineFile, separator, encoding, columns,", e.Faults[0], StringComparison.Ordinal);
        Assert.StartsWith("'Defaults' is not a mapping key (did you mean 'defaults'?)", e.Faults[1], StringComparison.Ordinal);
        Assert.StartsWith("'colour' is not a mapping key", e.Faults[2], StringComparison.Ordinal);
        NoDotNetJargon(e);
    }

    [Theory]
    [InlineData("""{ "expectedCloseDays": "60" }""", "expectedCloseDays must be a whole number of days such as 60, was the text \"60\".")]
    [InlineData("""{ "expectedCloseDays": 1.5 }""", "expectedCloseDays must be a whole number of days such as 60, was the number 1.5.")]
    [InlineData("""{ "expectedCloseDays": 99999999999 }""", "expectedCloseDays must be a whole number of days such as 60, was the number 99999999999.")]
    [InlineData("""{ "separator": 59 }""", "separator must be text, one character such as \";\"; was the number 59.")]
    [InlineData("""{ "timeZone": ["Europe/Warsaw"] }""", "timeZone must be text, an IANA time zone id such as \"Europe/Warsaw\"; was a list.")]
    [InlineData("""{ "columns": ["owner"] }""", "columns must be an object in which each entry gives a field and the column it is read from, such as {\"owner\": \"Sales Rep\"}; was a list.")]
    [InlineData("""{ "columns": { "owner": 7 } }""", "columns.owner must be text, as in a field and the column it is read from, such as {\"owner\": \"Sales Rep\"}; was the number 7.")]
    [InlineData("""{ "defaults": { "amount": 0 } }""", "defaults.amount must be text, as in a field and the value used when its cell is empty, such as {\"currency\": \"PLN\"}; was the number 0.")]
    [InlineData("""{ "dateFormats": "uuuu-MM-dd" }""", "dateFormats must be a list of date patterns such as [\"M/d/uuuu\", \"uuuu-MM-dd\"]; was the text \"uuuu-MM-dd\".")]
    [InlineData("""{ "dateFormats": ["uuuu-MM-dd", true] }""", "dateFormats: item 2 must be text, one of date patterns such as [\"M/d/uuuu\", \"uuuu-MM-dd\"]; was true.")]
    [InlineData("""{ "stages": { "Won": "won", "Won": "won" } }""", "stages.Won is given twice: keep one.")]
    [InlineData("""{ "columns": {}, "columns": {} }""", "'columns' is given twice: keep one.")]
    [InlineData("""{ "encoding": "klingon-1" }""", "encoding: 'klingon-1' is not an encoding name; examples: 'utf-8' (the default), 'windows-1250', 'iso-8859-2', 'iso-8859-1'.")]
    [InlineData("""{ "numberCulture": "xx-NOPE" }""", "numberCulture: 'xx-NOPE' is not a culture name such as 'en-US' or 'pl-PL'.")]
    [InlineData("""{ "dateFormats": ["QQ"] }""", "dateFormats: 'QQ' is not a date pattern: use uuuu for the year, MM or M for the month, dd or d for the day, HH:mm for the time, and quote other letters; examples: 'uuuu-MM-dd', 'M/d/uuuu', 'dd.MM.uuuu HH:mm'.")]
    public void FromJson_ValueOfTheWrongKind_NamesTheKeyAndWhatIsExpected(string json, string fault)
    {
        var e = Assert.Throws<ImportConfigurationException>(() => ImportMapping.FromJson(json));

        Assert.Equal(fault, Assert.Single(e.Faults));
        NoDotNetJargon(e);
    }

    [Theory]
    [InlineData("\n", "separator: U+000A is a control character; use one character such as ',' or ';', or a tab (\"\\t\").")]
    [InlineData("\r", "separator: U+000D is a control character; use one character such as ',' or ';', or a tab (\"\\t\").")]
    [InlineData("\u0000", "separator: U+0000 is a control character; use one character such as ',' or ';', or a tab (\"\\t\").")]
    [InlineData("\u001f", "separator: U+001F is a control character; use one character such as ',' or ';', or a tab (\"\\t\").")]
    [InlineData("\u007f", "separator: U+007F is a control character; use one character such as ',' or ';', or a tab (\"\\t\").")]
    [InlineData("x", "separator: 'x' (U+0078) is a letter, which fields are written in; use one character such as ',' or ';', or a tab (\"\\t\").")]
    [InlineData("7", "separator: '7' (U+0037) is a digit, which fields are written in; use one character such as ',' or ';', or a tab (\"\\t\").")]
    [InlineData("\"", "separator: '\"' (U+0022) is the quote, which encloses fields; use one character such as ',' or ';', or a tab (\"\\t\").")]
    [InlineData("§", "separator: '§' (U+00A7) is not an ASCII character; use one character such as ',' or ';', or a tab (\"\\t\").")]
    [InlineData(";\n", "separator: ';U+000A' is 2 characters; use one character such as ',' or ';', or a tab (\"\\t\").")]
    public void FromJson_SeparatorNoFileCanBeSplitBy_RefusedNamingTheCharacter(string separator, string fault)
    {
        var json = $$"""{ "separator": {{System.Text.Json.JsonSerializer.Serialize(separator)}} }""";

        var e = Assert.Throws<ImportConfigurationException>(() => ImportMapping.FromJson(json));

        Assert.Equal(fault, Assert.Single(e.Faults));
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("\t", '\t')]
    [InlineData(";", ';')]
    [InlineData("|", '|')]
    [InlineData(" ", ' ')]
    public void FromJson_SeparatorATabOrAPunctuationMark_IsAccepted(string separator, char expected)
    {
        var mapping = ImportMapping.FromJson($$"""{ "separator": {{System.Text.Json.JsonSerializer.Serialize(separator)}} }""");

        Assert.Equal(expected, mapping.Separator);
    }

    [Theory]
    [InlineData("""{ "columns": { "owner": "x" """, "line 1")]
    [InlineData("[1, 2]", "it is a list")]
    [InlineData("\"text\"", "it is the text")]
    [InlineData("null", "it is null")]
    [InlineData("{\n  \"columns\": { \"owner\" \"x\" }\n}", "line 2, position")]
    public void FromJson_NotAnObject_SaysWhereAndWhatAMappingLooksLike(string json, string where)
    {
        var e = Assert.Throws<ImportConfigurationException>(() => ImportMapping.FromJson(json));

        Assert.Contains(where, Assert.Single(e.Faults), StringComparison.Ordinal);
        Assert.Contains("{\"columns\": {\"owner\": \"Sales Rep\"}}", e.Faults[0], StringComparison.Ordinal);
        NoDotNetJargon(e);
    }

    [Theory]
    [InlineData("amount", "12,5", "defaults.amount: '12,5': the meaning depends on the culture")]
    [InlineData("amount", "-1", "defaults.amount: '-1': the amount must not be negative.")]
    [InlineData("currency", "ZZZ", "defaults.currency: 'ZZZ': not an active ISO-4217 currency code")]
    [InlineData("probability", "150", "defaults.probability: '150': a probability must be between 0 and 100.")]
    [InlineData("created", "31/12/2017", "defaults.created: '31/12/2017': not a date; expected 'uuuu-MM-dd'.")]
    [InlineData("closed", "0017-12-31", "defaults.closed: '0017-12-31': not a plausible date")]
    [InlineData("created", "9999-12-31T23:00:00-05:00", "defaults.created: '9999-12-31T23:00:00-05:00': not a plausible date: expected a year between 1900 and 2200.")]
    [InlineData("expected_close", "soon", "defaults.expected_close: 'soon': not a date")]
    [InlineData("outcome", "maybe", "defaults.outcome: 'maybe': unknown outcome; expected won, lost or open.")]
    [InlineData("name", "a\u0000b", "defaults.name: 'a\u0000b': a control character (U+0000) at position 2")]
    public void FromJson_InvalidDefault_RefusedWhenTheMappingLoads(string field, string value, string fault)
    {
        var json = $$"""{ "defaults": { "{{field}}": {{System.Text.Json.JsonSerializer.Serialize(value)}} } }""";

        var e = Assert.Throws<ImportConfigurationException>(() => ImportMapping.FromJson(json));

        Assert.StartsWith(fault, Assert.Single(e.Faults), StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_DefaultsInTheMappingsCulture_AreAccepted()
    {
        var mapping = ImportMapping.FromJson("""{ "numberCulture": "pl-PL", "defaults": { "amount": "1 234,5", "created": "2024-01-31" } }""");

        Assert.Equal("1 234,5", mapping.Defaults[ImportField.Amount]);
        Assert.Equal(NodaTime.Instant.FromUtc(2024, 1, 31, 0, 0), mapping.CreatedDefault);
    }

    [Theory]
    [InlineData("windows-1250", 1250)]
    [InlineData("iso-8859-2", 28592)]
    [InlineData("iso-8859-1", 28591)]
    [InlineData("cp1252", 1252)]
    public void FromJson_Encoding_IsFoundByName(string name, int codePage)
    {
        var mapping = ImportMapping.FromJson($$"""{ "encoding": "{{name}}" }""");

        Assert.Equal(codePage, mapping.Encoding!.CodePage);
    }

    [Fact]
    public void FromJson_EncodingUtf8_IsTheDefault()
    {
        Assert.Null(ImportMapping.FromJson("""{ "encoding": "utf-8" }""").Encoding);
    }

    private static void NoDotNetJargon(ImportConfigurationException e)
    {
        foreach (var jargon in new[] { "System.", "Int32", "String", "MappingDocument", "Exception", "could not be converted", "Path: $", "LineNumber", "BytePosition" })
        {
            Assert.DoesNotContain(jargon, e.Message, StringComparison.Ordinal);
        }
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

    [Fact]
    public void Fingerprint_SameFirstHalfOtherSecond_IsAnotherIdsFingerprint()
    {
        // The table's hash is the first half alone, so fingerprints that share it meet in one bucket and only the second
        // half tells them apart.
        Assert.NotEqual(new IdFingerprints.Fingerprint(1, 2), new IdFingerprints.Fingerprint(1, 3));
        Assert.Equal(new IdFingerprints.Fingerprint(1, 2), new IdFingerprints.Fingerprint(1, 2));

        var table = new Dictionary<IdFingerprints.Fingerprint, int> { [new(1, 2)] = 1 };
        Assert.True(table.TryAdd(new IdFingerprints.Fingerprint(1, 3), 2));
        Assert.Equal((1, 2), (table[new(1, 2)], table[new(1, 3)]));
    }
}
