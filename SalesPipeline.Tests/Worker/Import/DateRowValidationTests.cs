using SalesPipeline.Reporting.Worker.Import;
using Xunit;
using static SalesPipeline.Tests.Worker.Import.ImportKit;

namespace SalesPipeline.Tests.Worker.Import;

/// <summary>
/// The date checks RowValidationTests leaves out: close and stage-entry dates that do not parse, a lost deal without a close
/// date. As there, row 2 is valid, row 3 is not, and nothing is imported.
/// </summary>
public sealed class DateRowValidationTests
{
    [Fact]
    public async Task Closed_NotADate_Rejected()
    {
        var error = await TheOnlyErrorAsync(Csv(Row("D-1"), Row("D-2", stage: "won", closed: "2025-02-30")));

        Assert.Equal(new ImportError(3, "closed", "2025-02-30", "not a date; expected 'uuuu-MM-dd'."), error);
    }

    [Fact]
    public async Task Closed_NotADateInAnyMappedFormat_RejectedListingEveryFormat()
    {
        var mapping = ImportMapping.FromJson("""{ "columns": { "closed": "Closed On" }, "dateFormats": ["M/d/uuuu", "uuuu-MM-dd"] }""");
        var csv = "id,name,owner,stage,amount,currency,Closed On\n" +
                  "D-1,Deal,anna,won,100,EUR,3/1/2025\n" +
                  "D-2,Deal,anna,won,100,EUR,01.03.2025\n";

        var error = await TheOnlyErrorAsync(csv, mapping);

        Assert.Equal(new ImportError(3, "Closed On", "01.03.2025", "not a date; expected 'M/d/uuuu' or 'uuuu-MM-dd'."), error);
    }

    [Fact]
    public async Task StageDate_NotADate_RejectedWithTheColumnAsTheFileNamesIt()
    {
        var csv = "id,name,owner,stage,amount,currency,entered_qualification,Entered_Offer\n" +
                  "D-1,Deal,anna,offer,100,EUR,2025-02-01,2025-03-01\n" +
                  "D-2,Deal,anna,offer,100,EUR,2025-02-01,early March\n";

        var error = await TheOnlyErrorAsync(csv);

        Assert.Equal(new ImportError(3, "Entered_Offer", "early March", "not a date; expected 'uuuu-MM-dd'."), error);
    }

    [Fact]
    public async Task MappedStageDate_NotADate_Rejected()
    {
        var mapping = ImportMapping.FromJson("""{ "stageDates": { "qualification": "Demo Date" } }""");
        var csv = "id,name,owner,stage,amount,currency,Demo Date\n" +
                  "D-1,Deal,anna,offer,100,EUR,2025-02-01\n" +
                  "D-2,Deal,anna,offer,100,EUR,2025-02-31\n";

        var error = await TheOnlyErrorAsync(csv, mapping);

        Assert.Equal(new ImportError(3, "Demo Date", "2025-02-31", "not a date; expected 'uuuu-MM-dd'."), error);
    }

    /// <summary>
    /// Dates at the calendar's end (or its start) that NodaTime cannot place in a zone, or move by their offset, without
    /// overflowing: each is this row's error, as any implausible date is, and nothing is stored.
    /// </summary>
    [Theory]
    [InlineData("{}", "closed", "9999-12-31T23:00:00-05:00")]
    [InlineData("{}", "closed", "-9998-01-01T00:00:00+05:00")]
    [InlineData("""{ "timeZone": "America/New_York", "dateFormats": ["uuuu-MM-dd HH:mm", "uuuu-MM-dd"] }""", "closed", "9999-12-31 23:00")]
    [InlineData("""{ "timeZone": "America/New_York" }""", "closed", "9999-12-31")]
    [InlineData("""{ "timeZone": "Pacific/Kiritimati" }""", "closed", "0001-01-01")]
    [InlineData("{}", "entered_offer", "9999-12-31T23:59:59-12:00")]
    public async Task DateAtTheCalendarsEnd_RejectedAsImplausible(string mapping, string column, string value)
    {
        var csv = "id,name,owner,stage,amount,currency,created,closed,entered_offer\n" +
                  "D-1,Deal,anna,won,100,EUR,2025-01-01,2025-03-01,\n" +
                  $"D-2,Deal,anna,won,100,EUR,2025-01-01,{(column == "closed" ? value : "2025-03-01")},{(column == "entered_offer" ? value : string.Empty)}\n";

        var error = await TheOnlyErrorAsync(csv, ImportMapping.FromJson(mapping));

        Assert.Equal(new ImportError(3, column, value, "not a plausible date: expected a year between 1900 and 2200."), error);
    }

    [Theory]
    [InlineData("lost", "")]
    [InlineData("", "lost")]
    public async Task LostDeal_WithoutCloseDate_Rejected(string stage, string outcome)
    {
        var error = await TheOnlyErrorAsync(Csv(Row("D-1"), Row("D-2", stage: stage, outcome: outcome, reason: "price")));

        Assert.Equal(new ImportError(3, "closed", string.Empty, "a lost deal needs a close date."), error);
    }

}
