using SalesPipeline.InMemory;
using SalesPipeline.Reporting.Worker.Import;
using Xunit;
using static SalesPipeline.Tests.Worker.Import.ImportKit;

namespace SalesPipeline.Tests.Worker.Import;

/// <summary>
/// Every validation rule, one test each: the row's number (the header is row 1), the column as the file names it, the value
/// found and the reason, and that nothing was imported (the default is all or nothing; row 2 is always valid).
/// </summary>
public sealed class RowValidationTests
{
    [Fact]
    public async Task Amount_NotANumber_RejectedWithColumnAndValue()
    {
        var error = await TheErrorAsync(Row("D-2", amount: "12.5x"));

        Assert.Equal(new ImportError(3, "amount", "12.5x", "not a number; expected an amount such as 1234.5."), error);
    }

    [Fact]
    public async Task Amount_Negative_Rejected()
    {
        var error = await TheErrorAsync(Row("D-2", amount: "-5"));

        Assert.Equal(new ImportError(3, "amount", "-5", "the amount must not be negative."), error);
    }

    [Fact]
    public async Task Amount_MoreDecimalsThanTheCurrency_RejectedInPlainWords()
    {
        // Money.Of accepts 10.001 PLN; Opportunity.Restore would refuse it in .NET's words ("(Parameter 'value')"): the import says it in its own.
        var error = await TheErrorAsync(Row("D-2", amount: "10.001"));

        Assert.Equal(3, error.Row);
        Assert.Equal("amount", error.Column);
        Assert.Equal("10.001", error.Value);
        Assert.Equal("the amount has more decimal places than PLN has (2); round it, such as to 10.00.", error.Reason);
    }

    [Fact]
    public async Task Currency_Unknown_Rejected()
    {
        var error = await TheErrorAsync(Row("D-2", currency: "ZZZ"));

        Assert.Equal(new ImportError(3, "currency", "ZZZ", "not an active ISO-4217 currency code such as EUR, PLN or USD."), error);
    }

    [Fact]
    public async Task Created_NotADate_Rejected()
    {
        var error = await TheErrorAsync(Row("D-2", created: "2025-13-01"));

        Assert.Equal(new ImportError(3, "created", "2025-13-01", "not a date; expected 'uuuu-MM-dd'."), error);
    }

    [Fact]
    public async Task ExpectedClose_ImplausibleYear_Rejected()
    {
        var error = await TheErrorAsync(Row("D-2", expectedClose: "0025-06-30"));

        Assert.Equal(new ImportError(3, "expected_close", "0025-06-30", "not a plausible date: expected a year between 1900 and 2200."), error);
    }

    [Fact]
    public async Task Stage_Unknown_RejectedListingTheKnownValues()
    {
        var error = await TheErrorAsync(Row("D-2", stage: "closing"));

        Assert.Equal(3, error.Row);
        Assert.Equal("stage", error.Column);
        Assert.Equal("closing", error.Value);
        Assert.StartsWith("unknown stage; expected one of ", error.Reason, StringComparison.Ordinal);
        Assert.Contains("'negotiation'", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stage_Missing_Rejected()
    {
        var error = await TheErrorAsync(Row("D-2", stage: string.Empty));

        Assert.Equal(new ImportError(3, "stage", string.Empty, "the stage is required (or a won/lost outcome)."), error);
    }

    [Fact]
    public async Task Outcome_ContradictsStage_Rejected()
    {
        var error = await TheErrorAsync(Row("D-2", stage: "negotiation", outcome: "won"));

        Assert.Equal(new ImportError(3, "outcome", "won", "says won but stage 'negotiation' is open."), error);
    }

    [Fact]
    public async Task WonDeal_WithoutCloseDate_Rejected()
    {
        var error = await TheErrorAsync(Row("D-2", stage: "won"));

        Assert.Equal(new ImportError(3, "closed", string.Empty, "a won deal needs a close date."), error);
    }

    [Fact]
    public async Task ClosedDeal_ClosingBeforeCreation_Rejected()
    {
        var error = await TheErrorAsync(Row("D-2", stage: "lost", created: "2025-03-01", closed: "2025-02-01"));

        Assert.Equal(new ImportError(3, "closed", "2025-02-01", "the deal closes before it was created (2025-03-01)."), error);
    }

    [Fact]
    public async Task OpenDeal_WithCloseDate_Rejected()
    {
        var error = await TheErrorAsync(Row("D-2", stage: "offer", closed: "2025-02-01"));

        Assert.Equal(new ImportError(3, "closed", "2025-02-01", "the deal is open (stage 'offer') but has a close date."), error);
    }

    [Fact]
    public async Task Id_DuplicateInTheFile_RejectedNamingTheFirstRow()
    {
        var error = await TheErrorAsync(Row("D-1", name: "Second deal with the same id"));

        Assert.Equal(new ImportError(3, "id", "D-1", "duplicate id: row 2 has the same id."), error);
    }

    [Fact]
    public async Task Id_Missing_Rejected()
    {
        var error = await TheErrorAsync(Row(string.Empty));

        Assert.Equal(new ImportError(3, "id", string.Empty, "the id is required: re-imports match deals on it."), error);
    }

    [Fact]
    public async Task Owner_Missing_Rejected()
    {
        var error = await TheErrorAsync(Row("D-2", owner: " "));

        Assert.Equal(new ImportError(3, "owner", string.Empty, "the owner is required (or give the mapping a default owner)."), error);
    }

    [Fact]
    public async Task Probability_OutOfRange_Rejected()
    {
        var error = await TheErrorAsync(Row("D-2", probability: "140"));

        Assert.Equal(new ImportError(3, "probability", "140", "a probability must be between 0 and 100."), error);
    }

    [Fact]
    public async Task Row_WithTooManyFields_Rejected()
    {
        var error = await TheErrorAsync(Row("D-2", name: "Acme, Inc. rollout"));

        Assert.Equal(new ImportError(3, string.Empty, string.Empty, "the row has 14 fields but the header has 13: a separator or a quote is probably missing or extra."), error);
    }

    [Fact]
    public async Task Row_WithAStrayQuote_RejectedAsMalformed()
    {
        var error = await TheErrorAsync(Row("D-2", name: "The \"big\" one"));

        Assert.Equal(3, error.Row);
        Assert.StartsWith("malformed quoting (a quote inside an unquoted field)", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StageDates_OutOfPipelineOrder_Rejected()
    {
        var csv = "id,name,owner,stage,amount,currency,entered_qualification,entered_offer\n" +
                  "D-1,Deal,anna,offer,100,EUR,2025-02-01,2025-03-01\n" +
                  "D-2,Deal,anna,negotiation,100,EUR,2025-02-01,2025-01-15\n";

        var error = await TheErrorAsync(csv: csv);

        Assert.Equal(new ImportError(3, "entered_offer", "2025-01-15", "the deal entered 'offer' before 'qualification' (2025-02-01), an earlier stage of the pipeline."), error);
    }

    [Fact]
    public async Task StageDate_BeforeCreation_Rejected()
    {
        var csv = "id,name,owner,stage,amount,currency,created,entered_qualification\n" +
                  "D-1,Deal,anna,qualification,100,EUR,2025-01-01,2025-02-01\n" +
                  "D-2,Deal,anna,qualification,100,EUR,2025-03-01,2025-02-01\n";

        var error = await TheErrorAsync(csv: csv);

        Assert.Equal(new ImportError(3, "entered_qualification", "2025-02-01", "the deal entered 'qualification' before it was created (2025-03-01)."), error);
    }

    [Fact]
    public async Task StageDate_ForALaterStageThanTheCurrentOne_Rejected()
    {
        var csv = "id,name,owner,stage,amount,currency,entered_offer\n" +
                  "D-1,Deal,anna,offer,100,EUR,2025-02-01\n" +
                  "D-2,Deal,anna,qualification,100,EUR,2025-02-01\n";

        var error = await TheErrorAsync(csv: csv);

        Assert.Equal(3, error.Row);
        Assert.Equal("entered_offer", error.Column);
        Assert.Equal("2025-02-01", error.Value);
        Assert.StartsWith("the deal is in 'qualification', which comes before 'offer' in the pipeline", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneRow_SeveralFaults_EveryOneReported()
    {
        var store = new InMemoryStore();

        var result = await ImportAsync(Csv(Row("D-1", amount: "abc", currency: "ZZZ", created: "yesterday")), store);

        Assert.Equal(["amount", "currency", "created"], result.Errors.Select(e => e.Column));
        Assert.Equal(3, result.ErrorCount);
        Assert.Equal(1, result.Rejected);
    }

    /// <summary>Imports a file whose row 2 is valid and row 3 is not; asserts nothing was imported and returns row 3's only error.</summary>
    private static Task<ImportError> TheErrorAsync(string? invalidRow = null, string? csv = null) =>
        TheOnlyErrorAsync(csv ?? Csv(Row("D-1"), invalidRow!));
}
