using System.Text;
using Microsoft.Data.Sqlite;
using NodaTime.Testing;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Cli;
using Xunit;
using static SalesPipeline.Tests.Worker.Import.ImportKit;

namespace SalesPipeline.Tests.Worker.Import;

/// <summary>
/// Input that would once have been stored wrongly or silently: each class is refused through the real command line with a
/// message naming the row, column, key or file, exit code 2, and a SQLite database (already holding a deal and a stored
/// pipeline) byte-for-byte the same in every table afterwards.
/// </summary>
public sealed class ImportCommandRefusalTests : ImportCommandTestBase
{
    private const string RenewalsJson = """
        {
          "id": "renewals",
          "name": "Renewals",
          "lossReasons": ["Price"],
          "stages": [
            { "id": "review", "names": { "en": "Review" }, "kind": "open", "probability": 60 },
            { "id": "renewed", "names": { "en": "Renewed" }, "kind": "won", "probability": 100 },
            { "id": "churned", "names": { "en": "Churned" }, "kind": "lost", "probability": 0, "requirements": ["loss-reason"] }
          ],
          "moves": [ { "from": "review", "to": "renewed" }, { "from": "review", "to": "churned" } ]
        }
        """;

    /// <summary>The default process with its negotiation stage renamed, ids and names: a negotiation value no longer names any stage.</summary>
    private static readonly string WithoutNegotiation = PipelineDefinition.Default.ToJson()
        .Replace("\"negotiation\"", "\"closing\"", StringComparison.Ordinal)
        .Replace("Negotiation", "Closing", StringComparison.Ordinal)
        .Replace("Negocjacje", "Zamykanie", StringComparison.Ordinal);

    private string Db => Path.Combine(Folder.FullName, "crm.db");

    public static TheoryData<string, string[], string> BadNumbers => new()
    {
        { "decimal comma", ["D-2", "1234,56"], "row 2, column 'amount', value '1234,56': the meaning depends on the culture" },
        { "comma and one digit", ["D-2", "1,2"], "row 2, column 'amount', value '1,2': the meaning depends on the culture" },
        { "comma and four digits", ["D-2", "1,2345"], "row 2, column 'amount', value '1,2345': the meaning depends on the culture" },
        { "grouping every digit", ["D-2", "1,2,3"], "row 2, column 'amount', value '1,2,3': ',' separates groups of three digits only" },
        { "grouping before a point", ["D-2", "12,34.5"], "row 2, column 'amount', value '12,34.5': ',' separates groups of three digits only" },
    };

    [Theory]
    [MemberData(nameof(BadNumbers))]
    public async Task Import_NumberWithGroupingOutOfPlaceOrCultureDependent_ExitsTwoAndChangesNothing(string why, string[] row, string expected)
    {
        _ = why;
        var file = Write("deals.csv", Csv(Row(row[0], amount: $"\"{row[1]}\"")));

        await AssertRefusedAsync(["import", "--file", file], expected);
    }

    [Fact]
    public async Task Import_DecimalCommaInvariant_SuggestsNumberCulture()
    {
        var file = Write("deals.csv", Csv(Row("D-2", amount: "\"1234,56\"")));

        var error = await AssertRefusedAsync(["import", "--file", file], "row 2, column 'amount'");

        Assert.Contains("set \"numberCulture\" in the mapping to the file's culture, such as \"pl-PL\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_InvalidUtf8Bytes_ExitsTwoNamingRowAndColumn()
    {
        // "Łódź" written in windows-1250 (A3 F3 64 9F) in a file read as UTF-8.
        var file = WriteBytes("deals.csv", Bytes(Csv("D-2,ERP,##,anna,qualification,10,PLN,2025-01-10,2025-06-30,,,,"), [0xA3, 0xF3, 0x64, 0x9F]));

        var error = await AssertRefusedAsync(["import", "--file", file], "row 2, column 'account', value '\uFFFD\uFFFDd\uFFFD': bytes that are not UTF-8");

        Assert.Contains("set \"encoding\" in the mapping", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_InvalidUtf8InAColumnTheImportDoesNotRead_StillRefused()
    {
        // A file with undecodable bytes anywhere was read in the wrong encoding: the text columns are wrong too, or soon will be.
        var csv = Bytes("id,name,owner,stage,amount,currency,notes\nD-2,ERP,anna,qualification,10,PLN,##\n", [0xE9]);
        var file = WriteBytes("deals.csv", csv);

        await AssertRefusedAsync(["import", "--file", file], "row 2, column 'notes', value '\uFFFD': bytes that are not UTF-8");
    }

    [Fact]
    public async Task Import_InvalidUtf8InTheHeader_ExitsTwoNamingTheColumn()
    {
        var file = WriteBytes("deals.csv", Bytes("id,name,owner,stage,amount,currency,##\nD-2,ERP,anna,qualification,10,PLN,x\n", [0xB3, 0xF3]));

        await AssertRefusedAsync(["import", "--file", file], "CSV header (row 1): column 7 ('\uFFFD\uFFFD'): bytes that are not UTF-8");
    }

    [Fact]
    public async Task Import_Windows1250ByteTheCodePageLacks_ExitsTwoNamingRowAndColumn()
    {
        // 0x98 is undefined in windows-1250: it decodes to a C1 control character, never text a person typed.
        var file = WriteBytes("deals.csv", Bytes(Csv("D-2,ERP,##,anna,qualification,10,PLN,2025-01-10,2025-06-30,,,,"), [0x98]));
        var mapping = Write("m.json", """{ "encoding": "windows-1250" }""");

        await AssertRefusedAsync(["import", "--file", file, "--mapping", mapping], "row 2, column 'account', value '\u0098': a control character (U+0098) at position 1");
    }

    public static TheoryData<string, string, string> ControlCharacters => new()
    {
        { "NUL in a name", Row("D-2", name: "ERP\0rollout"), "row 3, column 'name', value 'ERP\0rollout': a control character (U+0000) at position 4" },
        { "bell in an account", Row("D-2", account: "Acme\u0007"), "row 3, column 'account', value 'Acme\u0007': a control character (U+0007) at position 5" },
        { "escape in an owner", Row("D-2", owner: "\u001Banna"), "row 3, column 'owner', value '\u001Banna': a control character (U+001B) at position 1" },
        { "C1 control in a reason", Row("D-2", stage: "lost", closed: "2025-02-01", reason: "Price\u0090"), "row 3, column 'reason', value 'Price\u0090': a control character (U+0090) at position 6" },
        { "DEL in an id", Row("D\u007F2"), "row 3, column 'id', value 'D\u007F2': a control character (U+007F) at position 2" },
    };

    [Theory]
    [MemberData(nameof(ControlCharacters))]
    public async Task Import_ControlCharacterInText_ExitsTwoNamingRowAndColumn(string why, string row, string expected)
    {
        _ = why;
        var file = Write("deals.csv", Csv(Row("D-9"), row));

        await AssertRefusedAsync(["import", "--file", file], expected);
    }

    [Fact]
    public async Task Import_TabsAndLineBreaksInText_AreKept()
    {
        await SeedAsync();
        var file = Write("deals.csv", Csv(Row("D-2", name: "\"ERP\trollout\nphase 2\"")));

        var code = await CliApp.RunAsync(["import", "--file", file, "--db", Db], Output, Error, new FakeClock(Now));

        Assert.True(code == 0, Error.ToString());
        Assert.Equal("ERP\trollout\nphase 2", Scalar("SELECT name FROM opportunities WHERE external_id = 'D-2'"));
    }

    public static TheoryData<string, string, string> BadHeaders => new()
    {
        { "the same column twice", "id,name,owner,stage,amount,currency,amount", "The header has column 'amount' more than once (columns 5, 7)" },
        { "the same column twice in other case", "id,name,owner,stage,Amount,currency,AMOUNT", "The header has column 'Amount' more than once (columns 5, 7)" },
        { "a stage-date column for a stage the pipeline lacks", "id,name,owner,stage,amount,currency,entered_demo", "Column 'entered_demo' gives the date of entering stage 'demo', which pipeline 'new-business' does not have" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public async Task Import_ColumnSilentlyChosenOrDropped_ExitsTwoNamingTheColumn(string why, string header, string expected)
    {
        _ = why;
        var file = Write("deals.csv", $"{header}\nD-2,ERP,anna,qualification,10,PLN,2025-02-01\n");

        await AssertRefusedAsync(["import", "--file", file], expected);
    }

    [Fact]
    public async Task Import_StageDateColumnTheMappingReads_IsNotAnUnknownStage()
    {
        await SeedAsync();
        var mapping = Write("m.json", """{ "stageDates": { "offer": "entered_demo" } }""");
        var file = Write("deals.csv", "id,name,owner,stage,amount,currency,entered_demo\nD-2,ERP,anna,offer,10,PLN,2025-02-01\n");

        var code = await CliApp.RunAsync(["import", "--file", file, "--mapping", mapping, "--db", Db], Output, Error, new FakeClock(Now));

        Assert.True(code == 0, Error.ToString());
    }

    [Fact]
    public async Task Import_RowInAStageTheStoredDefinitionRemoved_ExitsTwoAndChangesNothing()
    {
        // The stored new-business has no negotiation: a row in it must be refused, not committed where no report can read it.
        await SeedAsync(storeDefault: WithoutNegotiation);
        var file = Write("deals.csv", Csv(Row("D-2", stage: "negotiation")));

        await AssertRefusedAsync(["import", "--file", file], "row 2, column 'stage', value 'negotiation': unknown stage", seeded: true);
    }

    [Fact]
    public async Task Import_RowInAStageOnlyTheStoredDefinitionHas_IsImported()
    {
        await SeedAsync(storeDefault: WithoutNegotiation);
        var file = Write("deals.csv", Csv(Row("D-2", stage: "closing")));

        var code = await CliApp.RunAsync(["import", "--file", file, "--db", Db], Output, Error, new FakeClock(Now));

        Assert.True(code == 0, Error.ToString());
        Assert.Equal("closing", Scalar("SELECT stage FROM opportunities WHERE external_id = 'D-2'"));
    }

    [Fact]
    public async Task Import_PipelineOptionNamingAStoredPipeline_ImportsIntoIt()
    {
        await SeedAsync();
        var file = Write("deals.csv", Csv(Row("R-1", stage: "review")));

        var code = await CliApp.RunAsync(["import", "--file", file, "--pipeline", "renewals", "--db", Db], Output, Error, new FakeClock(Now));

        Assert.True(code == 0, Error.ToString());
        Assert.Equal("renewals", Scalar("SELECT pipeline_id FROM opportunities WHERE external_id = 'R-1'"));
        Assert.Contains("→ pipeline 'renewals'", Output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_PipelineOptionNamingNoStoredPipeline_ExitsTwoListingTheStoredOnes()
    {
        var file = Write("deals.csv", Csv(Row("R-1", stage: "review")));

        await AssertRefusedAsync(["import", "--file", file, "--pipeline", "renewal"], "--pipeline 'renewal': the database has no such pipeline; it has new-business, renewals.");
    }

    [Fact]
    public async Task Import_MappingPipelineThatStrandsStoredDeals_ExitsTwoAndStoresNothing()
    {
        // D-1 is in qualification; a mapping bringing a new-business without qualification would strand it.
        var changed = PipelineDefinition.Default.ToJson().Replace("\"qualification\"", "\"discovery\"", StringComparison.Ordinal);
        Write("changed.pipeline.json", changed);
        var mapping = Write("m.json", """{ "pipelineFile": "changed.pipeline.json" }""");
        var file = Write("deals.csv", Csv(Row("D-2", stage: "discovery")));

        var error = await AssertRefusedAsync(["--as", "admin", "import", "--file", file, "--mapping", mapping], "the mapping's pipelineFile");

        Assert.Contains("it would replace the stored definition of 'new-business': 1 of the 1 deals in pipeline 'new-business' would not fit the new definition, for example 'ERP rollout': Pipeline 'new-business' has no stage 'qualification'.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_MappingPipelineThatStrandsADealOfAStoredPipeline_ExitsTwo()
    {
        await SeedAsync();
        var seed = Write("r.csv", Csv(Row("R-1", stage: "review")));
        Assert.Equal(0, await CliApp.RunAsync(["import", "--file", seed, "--pipeline", "renewals", "--db", Db], Output, Error, new FakeClock(Now)));
        Write("renewals.pipeline.json", RenewalsJson.Replace("\"review\"", "\"check\"", StringComparison.Ordinal));
        var mapping = Write("m.json", """{ "pipelineFile": "renewals.pipeline.json" }""");
        var file = Write("deals.csv", Csv(Row("R-2", stage: "check")));

        await AssertRefusedAsync(["--as", "admin", "import", "--file", file, "--mapping", mapping], "1 of the 1 deals in pipeline 'renewals' would not fit the new definition", seeded: true);
    }

    [Fact]
    public async Task Import_DateAtTheCalendarsEnd_ExitsTwoWithTheRowErrorAndChangesNothing()
    {
        var file = Write("deals.csv", Csv(Row("D-2"), Row("D-3", stage: "won", closed: "9999-12-31T23:00:00-05:00")));

        await AssertRefusedAsync(
            ["import", "--file", file],
            "row 3, column 'closed', value '9999-12-31T23:00:00-05:00': not a plausible date: expected a year between 1900 and 2200.");

        Assert.DoesNotContain("failed", Error.ToString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BadMappings => new()
    {
        { "an unknown key", """{ "colums": { "owner": "Rep" } }""", "'colums' is not a mapping key (did you mean 'columns'?)" },
        { "a number as text", """{ "expectedCloseDays": "60" }""", "expectedCloseDays must be a whole number of days such as 60, was the text \"60\"." },
        { "a list for an object", """{ "owners": ["anna"] }""", "owners must be an object in which each entry gives a value of the file and the user id it means" },
        { "a default amount in the wrong culture", """{ "defaults": { "amount": "0,5" } }""", "defaults.amount: '0,5': the meaning depends on the culture" },
        { "a default stage the pipeline lacks", """{ "defaults": { "stage": "demo" } }""", "The mapping's defaults.stage 'demo' is not a stage of pipeline 'new-business'" },
        { "a line break as the separator", """{ "separator": "\n" }""", "separator: U+000A is a control character; use one character such as ',' or ';', or a tab (\"\\t\")." },
        { "a letter as the separator", """{ "separator": "x" }""", "separator: 'x' (U+0078) is a letter, which fields are written in" },
        { "a digit as the separator", """{ "separator": "0" }""", "separator: '0' (U+0030) is a digit, which fields are written in" },
    };

    [Theory]
    [MemberData(nameof(BadMappings))]
    public async Task Import_BadMapping_ExitsTwoNamingTheKeyOnceNotPerRow(string why, string json, string expected)
    {
        _ = why;
        var mapping = Write("m.json", json);
        var file = Write("deals.csv", Csv(Row("D-2"), Row("D-3"), Row("D-4")));

        var error = await AssertRefusedAsync(["import", "--file", file, "--mapping", mapping], expected);

        Assert.Single(Lines(Error));
        Assert.DoesNotContain("row ", error, StringComparison.Ordinal);
        foreach (var jargon in new[] { "System.", "Int32", "Exception", "could not be converted", "Path: $" })
        {
            Assert.DoesNotContain(jargon, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Import_TabSeparatedFileWithATabSeparator_IsImported()
    {
        await SeedAsync();
        var mapping = Write("tabs.json", """{ "separator": "\t" }""");
        var file = Write("deals.tsv", Csv(Row("D-2"), Row("D-3")).Replace(',', '\t'));

        var code = await CliApp.RunAsync(["import", "--file", file, "--mapping", mapping, "--db", Db], Output, Error, new FakeClock(Now));

        Assert.True(code == CliApp.Success, Error.ToString());
        Assert.Contains("2 imported", Output.ToString(), StringComparison.Ordinal);
    }

    private static byte[] Bytes(string text, byte[] insteadOfHashes)
    {
        var at = text.IndexOf("##", StringComparison.Ordinal);
        return [.. Encoding.UTF8.GetBytes(text[..at]), .. insteadOfHashes, .. Encoding.UTF8.GetBytes(text[(at + 2)..])];
    }

    private string WriteBytes(string name, byte[] content)
    {
        var path = Path.Combine(Folder.FullName, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>A database with one deal (D-1, qualification, new-business) and a stored pipeline 'renewals'.</summary>
    private async Task SeedAsync(string? storeDefault = null)
    {
        var renewals = Write("renewals.json", RenewalsJson);
        Assert.Equal(0, await CliApp.RunAsync(["users", "add", "admin", "--name", "Admin", "--role", "admin", "--group", "hq", "--db", Db], Output, Error, new FakeClock(Now)));
        Assert.Equal(0, await CliApp.RunAsync(["--as", "admin", "pipeline", "import", "--file", renewals, "--db", Db], Output, Error, new FakeClock(Now)));
        if (storeDefault is not null)
        {
            Assert.Equal(0, await CliApp.RunAsync(["--as", "admin", "pipeline", "import", "--file", Write("default.json", storeDefault), "--db", Db], Output, Error, new FakeClock(Now)));
        }

        Assert.Equal(0, await CliApp.RunAsync(["import", "--file", Write("seed.csv", Csv(Row("D-1"))), "--db", Db], Output, Error, new FakeClock(Now)));
        Output.GetStringBuilder().Clear();
        Error.GetStringBuilder().Clear();
    }

    /// <summary>Runs the command against the seeded database; asserts exit 2, the message, and every table unchanged. Returns stderr.</summary>
    private async Task<string> AssertRefusedAsync(string[] args, string expected, bool seeded = false)
    {
        if (!seeded)
        {
            await SeedAsync();
        }

        var before = Snapshot();

        var code = await CliApp.RunAsync([.. args, "--db", Db], Output, Error, new FakeClock(Now));

        var error = Error.ToString();
        Assert.True(code == CliApp.BadInput, $"exit {code}\n{error}");
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
        return error;
    }

    /// <summary>Every row of every table, in a fixed order.</summary>
    private string Snapshot()
    {
        using var connection = Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var text = new StringBuilder();
        foreach (var table in tables)
        {
            using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\" ORDER BY 1";
            using var reader = select.ExecuteReader();
            text.Append(table).Append('\n');
            while (reader.Read())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    text.Append(reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('|');
                }

                text.Append('\n');
            }
        }

        return text.ToString();
    }

    private string? Scalar(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() as string;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Db, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        return connection;
    }

    protected override void Dispose(bool disposing)
    {
        SqliteConnection.ClearAllPools();
        base.Dispose(disposing);
    }
}
