using ClosedXML.Excel;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Documents;
using SalesPipeline.Domain;
using SalesPipeline.Leads;
using SalesPipeline.People;
using SalesPipeline.Process;
using SalesPipeline.Tests.Storage;
using Xunit;

namespace SalesPipeline.Tests.Worker.Cli;

/// <summary>
/// The Leads sheet of a report for 2026-07-01 – 2026-09-30 on a small lead base whose figures are worked out by hand below,
/// not by the code under test.
/// </summary>
/// <remarks>
/// Sam (limit 6): L0 received 06-15 (before the period) and converted 07-20; L1–L4 and L6 received 07-10; L6 worked from
/// 07-11; L1 and L2 converted 08-01, L1's deal won 09-01; L3 disqualified 08-05; L4 and L6 still held.
/// So Sam: active 2 of 6 (33.3 %), received 5 (L1 L2 L3 L4 L6), converted 3 (L0 L1 L2), disqualified 1 (L3); of the 5
/// received, 2 converted (40 %) and 1 won (20 %).
/// Sue (limit 4): L5 taken 07-12 from the unassigned base, disqualified 09-30 23:00. So Sue: active 0 of 4 (0 %), received
/// 1, converted 0, disqualified 1; of 1 received, none converted (0 %) or won (0 %).
/// L7 is still unassigned. Ada and Mona are no salespeople and held no leads: no rows.
/// </remarks>
public abstract class LeadReportTests : IAsyncLifetime
{
    private static readonly UserId Ada = new("ada");
    private static readonly UserId Mona = new("mona");
    private static readonly UserId Sam = new("sam");
    private static readonly UserId Sue = new("sue");

    protected string Folder { get; } = Directory.CreateTempSubdirectory("salespipeline-leadsheet-").FullName;

    protected abstract string[] StoreArgs { get; }

    public virtual async Task InitializeAsync()
    {
        var clock = new FakeClock(Instant.FromUtc(2026, 6, 15, 9, 0));
        var services = new ServiceCollection().AddSingleton<IClock>(clock);
        Configure(services.AddSalesPipeline());
        await using var provider = services.BuildServiceProvider();
        var people = provider.GetRequiredService<IPeopleService>();
        var leads = provider.GetRequiredService<ILeadService>();
        var crm = provider.GetRequiredService<ISalesPipeline>();
        var documents = provider.GetRequiredService<IDocumentService>();
        await people.AddAsync(new NewPerson(Ada, "Ada Admin", Role.Admin, ["hq"]), null);
        await people.AddAsync(new NewPerson(Mona, "Mona Manager", Role.Manager, ["north"]), Ada);
        await people.AddAsync(new NewPerson(Sam, "Sam Seller", Role.Salesperson, ["north"], Mona, 6), Ada);
        await people.AddAsync(new NewPerson(Sue, "Sue Seller", Role.Salesperson, ["north"], Mona, 4), Ada);

        void At(int month, int day, int hour = 9) => clock.Reset(Instant.FromUtc(2026, month, day, hour, 0));
        static NewLead Lead(string id, UserId? owner = null) => new(new LeadId(id), $"Company {id}", "retail", null, null, null, "fair", null, owner);

        await leads.ImportAsync([Lead("L0", Sam)], Mona);
        At(7, 10);
        await leads.ImportAsync([Lead("L1", Sam), Lead("L2", Sam), Lead("L3", Sam), Lead("L4", Sam), Lead("L5"), Lead("L6", Sam), Lead("L7")], Mona);
        At(7, 11);
        await leads.StartWorkAsync(new LeadId("L6"), Sam);
        At(7, 12);
        await leads.TakeAsync(new LeadId("L5"), Sue);
        At(7, 20);
        await leads.ConvertAsync(new LeadId("L0"), null, null, Sam);
        At(8, 1);
        var won = await leads.ConvertAsync(new LeadId("L1"), null, Money.Of(1_000m, "PLN"), Sam);
        await leads.ConvertAsync(new LeadId("L2"), null, null, Sam);
        At(8, 5);
        await leads.DisqualifyAsync(new LeadId("L3"), "no-need", Sam);
        At(9, 1);
        await crm.LogActivityAsync(won.Id, NewActivity.Call("Intro"), Sam);
        await crm.MoveAsync(won.Id, Stages.Qualification, Sam);
        await crm.RecordQualificationAsync(won.Id, new QualificationData("Needs", null, Money.Of(1_000m, "PLN"), null), Sam);
        await crm.MoveAsync(won.Id, Stages.Offer, Sam);
        var offer = await documents.AddAsync(new NewDocument("Offer", DocumentKind.Offer, "offer.pdf", ["north"]), new MemoryStream([1]), Sam);
        await documents.AttachOfferAsync(won.Id, offer.Id, Sam);
        await crm.MoveAsync(won.Id, Stages.Negotiation, Sam);
        await crm.WinAsync(won.Id, Sam);
        At(9, 30, 23);
        await leads.DisqualifyAsync(new LeadId("L5"), "no-budget", Sue);
    }

    public virtual Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("en")]
    [InlineData("pl")]
    public async Task Report_KindLeads_RowsAreTheHandWorkedFigures(string culture)
    {
        var path = Path.Combine(Folder, $"leads-{culture}.xlsx");
        var result = await CliRunner.RunAsync([.. StoreArgs, "report", "--kind", "leads", "--from", "2026-07-01", "--to", "2026-09-30", "--culture", culture, "--out", path]);
        Assert.True(result.ExitCode == 0, result.ToString());

        using var workbook = new XLWorkbook(path);
        var sheet = workbook.Worksheet("Leads");
        Assert.Equal(Reporting.Worker.Exporting.LeadSheet.Headers(culture), sheet.Row(1).Cells(1, 10).Select(c => c.GetString()));
        Assert.Equal(3, sheet.LastRowUsed()!.RowNumber());
        Assert.Equal(["sam", "Sam Seller", "2", "6", "0.333333", "5", "3", "1", "0.4", "0.2"], Row(sheet, 2));
        Assert.Equal(["sue", "Sue Seller", "0", "4", "0", "1", "0", "1", "0", "0"], Row(sheet, 3));
        Assert.Equal(XLDataType.Number, sheet.Cell(2, 3).DataType);
    }

    internal abstract void Configure(DependencyInjection.SalesPipelineBuilder builder);

    private static List<string> Row(IXLWorksheet sheet, int row) =>
        [.. Enumerable.Range(1, 10).Select(c => sheet.Cell(row, c) is var cell && cell.DataType == XLDataType.Number
            ? Math.Round(cell.GetDouble(), 6).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : cell.GetString())];
}

public sealed class SqliteLeadReportTests : LeadReportTests
{
    private string Database => Path.Combine(Folder, "leads.db");

    protected override string[] StoreArgs => ["--db", Database];

    internal override void Configure(DependencyInjection.SalesPipelineBuilder builder) => builder.UseSqlite($"Data Source={Database}");
}

public sealed class PostgresLeadReportTests : LeadReportTests
{
    private string _connectionString = string.Empty;
    private string _database = string.Empty;

    protected override string[] StoreArgs => ["--provider", "postgres", "--db", _connectionString];

    public override async Task InitializeAsync()
    {
        (_connectionString, _database) = await PostgresStoreFixture.CreateDatabaseAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await PostgresStoreFixture.DropDatabaseAsync(_database);
    }

    internal override void Configure(DependencyInjection.SalesPipelineBuilder builder) => builder.UsePostgres(_connectionString);
}
