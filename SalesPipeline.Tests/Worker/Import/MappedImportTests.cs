using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Import;
using Xunit;
using static SalesPipeline.Tests.Worker.Import.ImportKit;

namespace SalesPipeline.Tests.Worker.Import;

/// <summary>
/// What each documented mapping key does to the deals an import stores: value maps (outcomes, owners), the separator, date
/// patterns and the time zone, the expected-close default, and the README's own example mapping run against a file.
/// </summary>
public sealed class MappedImportTests
{
    private static readonly Instant Jan10 = Instant.FromUtc(2025, 1, 10, 0, 0);

    [Fact]
    public async Task ImportAsync_OutcomesValueMap_DecidesWonLostAndOpen()
    {
        var store = new InMemoryStore();
        var mapping = ImportMapping.FromJson("""
            { "columns": { "outcome": "Status" }, "outcomes": { "Closed Won": "won", "Closed Lost": "lost", "Open": "open" } }
            """);
        var csv = "id,name,owner,stage,amount,currency,created,closed,Status,reason\n" +
                  "D-1,Fleet,anna,,5000,EUR,2025-01-05,2025-04-01,Closed Won,References\n" +
                  "D-2,ERP,anna,,100,EUR,2025-01-05,2025-03-01,closed lost,price\n" +
                  "D-3,CRM,anna,offer,100,EUR,2025-01-05,,Open,\n";

        var result = await ImportAsync(csv, store, mapping: mapping);

        Assert.Equal(new ImportResult(3, 3, 0, 0, 0, [], true), result with { Errors = [] });
        var deals = (await DealsAsync(store)).ToDictionary(d => d.ExternalId!);

        // No stage in the file: the mapped outcome alone puts the deal in the won or lost stage (values match ignoring case).
        Assert.Equal(Stages.Won, deals["D-1"].Stage);
        Assert.Equal(new Outcome(OutcomeKind.Won, "References", null, Instant.FromUtc(2025, 4, 1, 0, 0)), deals["D-1"].Outcome);
        Assert.Equal(Stages.Lost, deals["D-2"].Stage);
        Assert.Equal(new Outcome(OutcomeKind.Lost, "Price", null, Instant.FromUtc(2025, 3, 1, 0, 0)), deals["D-2"].Outcome);
        Assert.Equal(Stages.Offer, deals["D-3"].Stage);
        Assert.Null(deals["D-3"].Outcome);
    }

    [Fact]
    public async Task ImportAsync_MappedOutcomeContradictingTheStage_RejectedWithTheFilesValue()
    {
        var store = new InMemoryStore();
        var mapping = ImportMapping.FromJson("""{ "columns": { "outcome": "Status" }, "outcomes": { "Closed Won": "won" } }""");
        var csv = "id,name,owner,stage,amount,currency,closed,Status\n" +
                  "D-1,Fleet,anna,won,5000,EUR,2025-04-01,Closed Won\n" +
                  "D-2,ERP,anna,negotiation,100,EUR,,Closed Won\n";

        var result = await ImportAsync(csv, store, mapping: mapping);

        Assert.Equal(new ImportError(3, "Status", "Closed Won", "says won but stage 'negotiation' is open."), Assert.Single(result.Errors));
        Assert.False(result.Committed);
        Assert.Empty(await DealsAsync(store));
    }

    [Fact]
    public async Task ImportAsync_OwnersValueMap_StoresTheMappedUserIdAndKeepsUnmappedOwners()
    {
        var store = new InMemoryStore();
        var mapping = ImportMapping.FromJson("""{ "columns": { "owner": "Sales Rep" }, "owners": { "Anna K.": "anna", "Piotr N.": "piotr" } }""");
        var csv = "id,name,Sales Rep,stage,amount,currency\n" +
                  "D-1,ERP,Anna K.,qualification,100,EUR\n" +
                  "D-2,CRM,piotr n.,qualification,100,EUR\n" +
                  "D-3,Fleet,Marta W.,qualification,100,EUR\n";

        await ImportAsync(csv, store, mapping: mapping);

        var owners = (await DealsAsync(store)).OrderBy(d => d.ExternalId, StringComparer.Ordinal).Select(d => d.Owner);
        Assert.Equal([new UserId("anna"), new UserId("piotr"), new UserId("Marta W.")], owners);
    }

    [Fact]
    public async Task ImportAsync_SemicolonSeparator_SplitsOnItAndKeepsQuotedSemicolons()
    {
        var store = new InMemoryStore();
        var mapping = ImportMapping.FromJson("""{ "separator": ";", "numberCulture": "pl-PL" }""");
        var csv = "id;name;account;owner;stage;amount;currency\n" +
                  "D-1;\"Rollout; phase 1\";\"Nowak; Syn SA\";anna;offer;1200,50;PLN\n" +
                  "D-2;Fleet, renewal;Kowalski;piotr;qualification;300;EUR\n";

        var result = await ImportAsync(csv, store, mapping: mapping);

        Assert.Equal((2L, 2L, 0L), (result.Read, result.Imported, result.Rejected));
        var deals = (await DealsAsync(store)).ToDictionary(d => d.ExternalId!);
        var accounts = (await AccountsAsync(store)).ToDictionary(a => a.Id, a => a.Name);
        Assert.Equal(("Rollout; phase 1", "Nowak; Syn SA", Money.Of(1200.50m, "PLN"), Stages.Offer), (deals["D-1"].Name, accounts[deals["D-1"].Account!.Value], deals["D-1"].Value, deals["D-1"].Stage));
        Assert.Equal(("Fleet, renewal", "Kowalski", new UserId("piotr"), Money.Of(300m, "EUR")), (deals["D-2"].Name, accounts[deals["D-2"].Account!.Value], deals["D-2"].Owner, deals["D-2"].Value));
    }

    [Fact]
    public async Task ImportAsync_UsDateFormat_ReadsMonthBeforeDay()
    {
        var store = new InMemoryStore();
        var mapping = ImportMapping.FromJson("""{ "dateFormats": ["M/d/uuuu"] }""");
        var csv = Csv(
            Row("D-1", created: "1/10/2025", expectedClose: "6/30/2025"),
            Row("D-2", stage: "won", created: "2/3/2025", expectedClose: string.Empty, closed: "12/1/2025"));

        await ImportAsync(csv, store, mapping: mapping);

        var deals = (await DealsAsync(store)).ToDictionary(d => d.ExternalId!);
        Assert.Equal((Jan10, new LocalDate(2025, 6, 30)), (deals["D-1"].CreatedAt, deals["D-1"].ExpectedClose));
        Assert.Equal(Instant.FromUtc(2025, 2, 3, 0, 0), deals["D-2"].CreatedAt);
        Assert.Equal(Instant.FromUtc(2025, 12, 1, 0, 0), deals["D-2"].Outcome!.ClosedAt);
        Assert.Equal(new LocalDate(2025, 12, 1), deals["D-2"].ExpectedClose);
    }

    [Fact]
    public async Task ImportAsync_SeveralDateFormats_TriesThemInOrderOnEachValue()
    {
        var store = new InMemoryStore();
        var mapping = ImportMapping.FromJson("""{ "dateFormats": ["d/M/uuuu", "M/d/uuuu", "uuuu-MM-dd"] }""");
        var csv = Csv(
            Row("D-1", created: "3/4/2025"), // both slash patterns fit: the first listed (day first) wins
            Row("D-2", created: "4/13/2025"), // no month 13: the second pattern reads it
            Row("D-3", created: "2025-04-20", expectedClose: "31/12/2025"));

        await ImportAsync(csv, store, mapping: mapping);

        var deals = (await DealsAsync(store)).ToDictionary(d => d.ExternalId!);
        Assert.Equal(Instant.FromUtc(2025, 4, 3, 0, 0), deals["D-1"].CreatedAt);
        Assert.Equal(Instant.FromUtc(2025, 4, 13, 0, 0), deals["D-2"].CreatedAt);
        Assert.Equal(Instant.FromUtc(2025, 4, 20, 0, 0), deals["D-3"].CreatedAt);
        Assert.Equal(new LocalDate(2025, 6, 30), deals["D-1"].ExpectedClose);
        Assert.Equal(new LocalDate(2025, 12, 31), deals["D-3"].ExpectedClose);
    }

    [Fact]
    public async Task ImportAsync_DateTimePatternWithATimeZone_IsThatLocalTimeInTheZone()
    {
        var store = new InMemoryStore();
        var mapping = ImportMapping.FromJson("""{ "dateFormats": ["uuuu-MM-dd HH:mm", "uuuu-MM-dd"], "timeZone": "America/New_York" }""");
        var csv = Csv(
            Row("D-1", created: "2025-01-10 09:30"), // EST, UTC-5
            Row("D-2", stage: "won", created: "2025-07-01 09:30", expectedClose: string.Empty, closed: "2025-07-10 22:30"), // EDT, UTC-4
            Row("D-3", created: "2025-01-10")); // a date alone: midnight there

        await ImportAsync(csv, store, mapping: mapping);

        var deals = (await DealsAsync(store)).ToDictionary(d => d.ExternalId!);
        Assert.Equal(Instant.FromUtc(2025, 1, 10, 14, 30), deals["D-1"].CreatedAt);
        Assert.Equal(Instant.FromUtc(2025, 7, 1, 13, 30), deals["D-2"].CreatedAt);
        Assert.Equal(Instant.FromUtc(2025, 7, 11, 2, 30), deals["D-2"].Outcome!.ClosedAt);
        Assert.Equal(Instant.FromUtc(2025, 7, 11, 2, 30), deals["D-2"].History[^1].At);

        // The close date of a deal without an expected close is the day it closed in New York, not in UTC (already July 11).
        Assert.Equal(new LocalDate(2025, 7, 10), deals["D-2"].ExpectedClose);
        Assert.Equal(Instant.FromUtc(2025, 1, 10, 5, 0), deals["D-3"].CreatedAt);
    }

    [Fact]
    public async Task ImportAsync_NoExpectedClose_CreatedPlusTheMappingsExpectedCloseDays()
    {
        var store = new InMemoryStore();
        var mapping = ImportMapping.FromJson("""{ "expectedCloseDays": 30 }""");
        var csv = Csv(
            Row("D-1", created: "2025-01-10", expectedClose: string.Empty),
            Row("D-2", created: "2025-01-10", expectedClose: "2025-06-30"),
            Row("D-3", created: string.Empty, expectedClose: string.Empty),
            Row("D-4", stage: "won", created: "2025-01-10", expectedClose: string.Empty, closed: "2025-03-01"));

        await ImportAsync(csv, store, mapping: mapping);

        var expected = (await DealsAsync(store)).ToDictionary(d => d.ExternalId!, d => d.ExpectedClose);
        Assert.Equal(new LocalDate(2025, 2, 9), expected["D-1"]); // 2025-01-10 + 30 days
        Assert.Equal(new LocalDate(2025, 6, 30), expected["D-2"]); // given: kept
        Assert.Equal(new LocalDate(2026, 2, 14), expected["D-3"]); // undated: created at the import (2026-01-15) + 30 days
        Assert.Equal(new LocalDate(2025, 3, 1), expected["D-4"]); // closed: the close date, not created + 30
    }

    [Fact]
    public async Task ImportAsync_NoExpectedCloseWithoutMapping_CreatedPlusNinetyDays()
    {
        var store = new InMemoryStore();

        await ImportAsync(Csv(Row("D-1", created: "2025-01-10", expectedClose: string.Empty)), store);

        Assert.Equal(new LocalDate(2025, 4, 10), Assert.Single(await DealsAsync(store)).ExpectedClose);
    }

    [Fact]
    public async Task ImportAsync_ReadmeExampleMapping_ImportsAFileWithItsColumns()
    {
        // The README names the pipeline by file (other-crm.pipeline.json, not in the repository); its stage ids are the
        // default pipeline's, which the deals go into here.
        var store = new InMemoryStore();
        var mapping = ImportMapping.FromJson(ReadmeMappingJson(), "/data");
        var csv = "Deal ID;Product;Company;Sales Rep;Phase;Value;Closed On;Demo Date;Proposal Sent;outcome\n" +
                  "DL-1;ERP;Kowalski Logistics;Anna K.;Proposal;1 200,50;;3/1/2025;2025-03-15;\n" +
                  "DL-2;CRM;;Bob;Closed Won;5000;4/2/2025;;;Yes\n" +
                  "DL-3;Fleet;Nowak SA;;Closed Lost;;2025-05-06;;;No\n" +
                  "DL-4;Cloud;Nowak SA;anna k.;New;750;;;;\n";

        var result = await ImportAsync(csv, store, mapping: mapping);

        Assert.Equal(new ImportResult(4, 4, 0, 0, 0, [], true), result with { Errors = [] });
        var deals = (await DealsAsync(store)).ToDictionary(d => d.ExternalId!);
        var accounts = (await AccountsAsync(store)).ToDictionary(a => a.Name, a => a.Id);
        Assert.Equal(["Kowalski Logistics", "Nowak SA"], accounts.Keys.Order(StringComparer.Ordinal));

        // Warsaw: CET (UTC+1) until 2025-03-30, CEST (UTC+2) after; "3/1/2025" is March 1st (M/d/uuuu first), "2025-03-15" ISO.
        var open = deals["DL-1"];
        Assert.Equal(("ERP – Kowalski Logistics", accounts["Kowalski Logistics"], new UserId("anna"), Money.Of(1200.50m, "PLN")), (open.Name, open.Account!.Value, open.Owner, open.Value));
        Assert.Equal(
            [
                new StageChange(null, Stages.Qualification, Instant.FromUtc(2025, 2, 28, 23, 0), Importer, StageChangeKind.Imported),
                new StageChange(Stages.Qualification, Stages.Offer, Instant.FromUtc(2025, 3, 14, 23, 0), Importer, StageChangeKind.Imported),
            ],
            open.History);
        Assert.Equal(Instant.FromUtc(2025, 2, 28, 23, 0), open.CreatedAt);
        Assert.Equal(new LocalDate(2025, 4, 30), open.ExpectedClose); // created (2025-03-01 in Warsaw) + expectedCloseDays 60
        Assert.Null(open.Outcome);

        var won = deals["DL-2"];
        Assert.Equal(("CRM", (AccountId?)null, new UserId("Bob"), Money.Of(5000m, "PLN"), Stages.Won), (won.Name, won.Account, won.Owner, won.Value, won.Stage));
        Assert.Equal(new Outcome(OutcomeKind.Won, null, null, Instant.FromUtc(2025, 4, 1, 22, 0)), won.Outcome);
        Assert.Equal(new LocalDate(2025, 4, 2), won.ExpectedClose);

        var lost = deals["DL-3"];
        Assert.Equal(("Fleet – Nowak SA", accounts["Nowak SA"], new UserId("unassigned"), Money.Of(0m, "PLN"), Stages.Lost), (lost.Name, lost.Account!.Value, lost.Owner, lost.Value, lost.Stage));
        Assert.Equal(new Outcome(OutcomeKind.Lost, null, null, Instant.FromUtc(2025, 5, 5, 22, 0)), lost.Outcome);

        // No date at all: created when the import ran (2026-01-15), expected 60 days later.
        var undated = deals["DL-4"];
        Assert.Equal(("Cloud – Nowak SA", new UserId("anna"), Money.Of(750m, "PLN"), Stages.Identification), (undated.Name, undated.Owner, undated.Value, undated.Stage));
        Assert.Equal(Now, undated.CreatedAt);
        Assert.Equal(new LocalDate(2026, 3, 16), undated.ExpectedClose);
    }

    [Fact]
    public async Task ImportAsync_NumberCulturePolish_ReadsSpaceGroupsAndDecimalCommas()
    {
        var store = new InMemoryStore();
        var mapping = ImportMapping.FromJson("""{ "separator": ";", "numberCulture": "pl-PL" }""");
        var csv = "id;name;owner;stage;amount;currency\n" +
                  "D-1;A;anna;offer;1 234,56;PLN\n" +
                  "D-2;B;anna;offer;1\u00A0234,56;PLN\n" +
                  "D-3;C;anna;offer;1\u202F234,56;PLN\n" +
                  "D-4;D;anna;offer;1234,56;PLN\n" +
                  "D-5;E;anna;offer;12 345 678;PLN\n";

        var result = await ImportAsync(csv, store, mapping: mapping);

        Assert.True(result.Committed, string.Join("; ", result.Errors));
        var amounts = (await DealsAsync(store)).OrderBy(d => d.ExternalId, StringComparer.Ordinal).Select(d => d.Value.Amount);
        Assert.Equal([1234.56m, 1234.56m, 1234.56m, 1234.56m, 12_345_678m], amounts);
    }

    [Theory]
    [InlineData("windows-1250", "Łódź – Żółć Sp. z o.o.")]
    [InlineData("iso-8859-2", "Łódź – Żółć Sp. z o.o.")]
    [InlineData("iso-8859-1", "Müller Café – Señor Ñandú")]
    public async Task ImportAsync_EncodingOfTheFile_ReadsItsLetters(string encoding, string account)
    {
        var store = new InMemoryStore();
        var mapping = ImportMapping.FromJson($$"""{ "encoding": "{{encoding}}" }""");
        var text = $"id,name,account,owner,stage,amount,currency\nD-1,ERP,{account.Replace("–", "-", StringComparison.Ordinal)},anna,offer,10,PLN\n";
        var bytes = mapping.Encoding!.GetBytes(text);

        var result = await CsvImporter.ImportAsync(new MemoryStream(bytes), mapping, PipelineDefinition.Default, store, new ImportOptions(), Importer, new NodaTime.Testing.FakeClock(Now));

        Assert.True(result.Committed, string.Join("; ", result.Errors));
        Assert.Equal(account.Replace("–", "-", StringComparison.Ordinal), Assert.Single(await AccountsAsync(store)).Name);
    }
}
