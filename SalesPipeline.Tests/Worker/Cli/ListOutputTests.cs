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
    public async Task WriteAsync_TableWithWideCombiningAndEmojiNames_StartsEveryColumnAtTheSameTerminalColumn()
    {
        var output = new StringWriter();

        await ListOutput.WriteAsync(
            output,
            "table",
            ["name", "owner", "stage"],
            [
                ["株式会社トヨタ", "anna", "offer"],
                ["Zo\u0308e Cafe\u0301", "田中", "won"],
                ["Rocket \U0001F680 Ltd", "bob", "lost"],
                ["\uFF21\uFF22\uFF23", "eve", "offer"],
                ["\U0001F468\u200D\U0001F469\u200D\U0001F467 Home", "joe", "won"],
                ["\U0001F1F5\U0001F1F1 Żółć", "ann", "won"],
            ]);

        // "name" is 14 terminal columns wide (seven CJK letters), "owner" 5: owner starts at column 16, stage at 23.
        Assert.Equal(
            [
                "name            owner  stage",
                "株式会社トヨタ  anna   offer",
                "Zo\u0308e Cafe\u0301        田中   won",
                "Rocket \U0001F680 Ltd   bob    lost",
                "\uFF21\uFF22\uFF23          eve    offer",
                "\U0001F468\u200D\U0001F469\u200D\U0001F467 Home         joe    won",
                "\U0001F1F5\U0001F1F1 Żółć         ann    won",
            ],
            output.ToString().Split(Environment.NewLine)[..^1]);
    }

    [Theory]
    [InlineData("abc", 3)]
    [InlineData("株式会社", 8)]
    [InlineData("\uFF21\uFF22", 4)]
    [InlineData("e\u0301\u0327", 1)]
    [InlineData("\U0001F680", 2)]
    [InlineData("\u2764\uFE0F", 1)]
    [InlineData("a\u200Bb", 2)]
    [InlineData("\U0001F468\u200D\U0001F469\u200D\U0001F467", 2)]
    [InlineData("\U0001F1F5\U0001F1F1", 2)]
    [InlineData("\u1100\u1161\u11A8", 2)]
    public void Width_Text_IsTheColumnsATerminalGivesIt(string text, int columns) =>
        Assert.Equal(columns, ListOutput.Width(text));

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
