using Microsoft.Data.Sqlite;
using SalesPipeline.Reporting.Worker.Cli;
using Xunit;

namespace SalesPipeline.Tests.Worker.Cli;

/// <summary>The list commands' <c>--format table|csv|json</c> output for values people typed: formulas, quotes, line breaks.</summary>
public sealed class ListOutputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-list-").FullName;

    private string[] Db => ["--db", Path.Combine(_folder, "crm.db")];

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"")]
    [InlineData("+48 600", "\"'+48 600\"")]
    [InlineData("-cmd|' /C calc'!A0", "\"'-cmd|' /C calc'!A0\"")]
    [InlineData("@SUM(A1)", "\"'@SUM(A1)\"")]
    [InlineData("\tx", "\"'\tx\"")]
    [InlineData("\r\nx", "\"'\r\nx\"")]
    [InlineData("Acme, \"Inc\"", "\"Acme, \"\"Inc\"\"\"")]
    [InlineData("a=b-c", "a=b-c")]
    [InlineData("Żółć", "Żółć")]
    public async Task WriteAsync_Csv_TextASpreadsheetWouldTakeForAFormulaStaysText(string value, string field)
    {
        var output = new StringWriter();

        await ListOutput.WriteAsync(output, "csv", ["id", "name"], [["1", value]]);

        Assert.Equal($"id,name{Environment.NewLine}1,{field}{Environment.NewLine}", output.ToString());
    }

    [Fact]
    public async Task WriteAsync_TableWithLineBreaksAndTabs_KeepsEachRowOnOneAlignedLine()
    {
        var output = new StringWriter();

        await ListOutput.WriteAsync(output, "table", ["name", "owner"], [["Multi\nline\r\n\"deal\"", "bob"], ["tab\there", "ann"], ["Zo\u0308e", "eve"], [null, "joe"]]);

        Assert.Equal(
            [
                "name               owner",
                "Multi\u21B5line\u21B5\"deal\"  bob",
                "tab here           ann",
                "Zo\u0308e                eve",
                "                   joe",
            ],
            output.ToString().Split(Environment.NewLine)[..^1]);
    }

    [Fact]
    public async Task WriteAsync_JsonWithLettersQuotesAndLineBreaks_WritesLettersAsTheyAreAndStaysValid()
    {
        var output = new StringWriter();
        const string name = "Bob Żółć \"=1+2\" <b>\nx'y";

        await ListOutput.WriteAsync(output, "json", ["name", "manager"], [[name, null]]);

        Assert.Contains("\"name\": \"Bob Żółć \\\"=1+2\\\" <b>\\nx'y\"", output.ToString(), StringComparison.Ordinal);
        var row = System.Text.Json.JsonDocument.Parse(output.ToString()).RootElement[0];
        Assert.Equal((name, System.Text.Json.JsonValueKind.Null), (row.GetProperty("name").GetString(), row.GetProperty("manager").ValueKind));
    }

    [Fact]
    public async Task UsersList_CsvWithAFormulaAsName_WritesItAsText()
    {
        Assert.Equal(0, (await Run("users", "add", "ada", "--name", "=1+2", "--role", "admin", "--group", "hq")).ExitCode);

        var csv = await Run("users", "list", "--format", "csv");

        Assert.Equal(0, csv.ExitCode);
        Assert.Equal("ada,\"'=1+2\",admin,hq,,25,yes", csv.Output.Split(Environment.NewLine)[1]);
    }

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync([.. Db, .. args]);
}
