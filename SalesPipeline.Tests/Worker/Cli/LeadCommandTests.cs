using System.Text.Json;
using Microsoft.Data.Sqlite;
using Xunit;

namespace SalesPipeline.Tests.Worker.Cli;

/// <summary>The users, leads and deals commands on a fresh SQLite file: exit codes, printed ids, formats and refusals.</summary>
public sealed class LeadCommandTests : IDisposable
{
    private const string Header = "id,company,segment,contact,phone,email,source,notes,owner";

    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-leads-").FullName;

    private string[] Db => ["--db", Path.Combine(_folder, "crm.db")];

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task UsersAdd_FirstAdminNeedsNoAs_LaterPeopleNeedAnActingAdmin()
    {
        var first = await Run("users", "add", "ada", "--name", "Ada", "--role", "admin", "--group", "hq");
        Assert.Equal((0, "ada"), (first.ExitCode, first.Output.Trim()));

        var noActor = await Run("users", "add", "sam", "--name", "Sam", "--role", "salesperson", "--group", "north");
        Assert.Equal(2, noActor.ExitCode);
        Assert.Contains("an acting admin must be named to add another. Name the acting admin with --as USER.", noActor.Error, StringComparison.Ordinal);

        Assert.Equal(0, (await Run("--as", "ada", "users", "add", "sam", "--name", "Sam", "--role", "salesperson", "--group", "north", "--lead-limit", "1")).ExitCode);
        var bySalesperson = await Run("--as", "sam", "users", "add", "eve", "--name", "Eve", "--role", "admin", "--group", "hq");
        Assert.Equal(3, bySalesperson.ExitCode);
        Assert.Equal("refused: 'sam' may not add person 'eve': only an admin may do this, and they are a salesperson. Nothing was changed.", bySalesperson.Error.Trim());

        var list = await Run("users", "list", "--format", "json");
        var people = JsonDocument.Parse(list.Output).RootElement.EnumerateArray().Select(e => (e.GetProperty("id").GetString(), e.GetProperty("role").GetString(), e.GetProperty("lead_limit").GetString())).ToList();
        Assert.Equal([("ada", "admin", "25"), ("sam", "salesperson", "1")], people);
    }

    [Theory]
    [InlineData("unknown role", "'boss' is not a role: use one of salesperson, manager, admin.", "users", "add", "x", "--name", "X", "--role", "boss", "--group", "north")]
    [InlineData("limit below zero", "'lead-limit' must be 0 or more, was -1.", "users", "add", "x", "--name", "X", "--role", "salesperson", "--group", "north", "--lead-limit", "-1")]
    [InlineData("unknown user to change", "No person has id 'ghost'; check the id against the stored people.", "users", "set", "ghost", "--lead-limit", "3")]
    [InlineData("value without currency", "Give --value and --currency together", "leads", "convert", "L1", "--value", "100")]
    [InlineData("control character in a name", "error: 'name' holds a control character (U+0007) at position 2", "users", "add", "bob", "--name", "B\u0007ob", "--role", "salesperson", "--group", "north")]
    [InlineData("control character in a user id", "error: A user id holds a control character (U+001B) at position 4", "users", "add", "bob\u001B", "--name", "Bob", "--role", "salesperson", "--group", "north")]
    [InlineData("line feed in a user id", "error: A user id holds a line break (U+000A) at position 3: a user id is one line of text without tabs.", "users", "add", "bo\nb", "--name", "Bob", "--role", "salesperson", "--group", "north")]
    [InlineData("carriage return in a user id", "error: A user id holds a line break (U+000D) at position 3", "users", "add", "bo\rb", "--name", "Bob", "--role", "salesperson", "--group", "north")]
    [InlineData("tab in a user id", "error: A user id holds a tab (U+0009) at position 3", "users", "add", "bo\tb", "--name", "Bob", "--role", "salesperson", "--group", "north")]
    [InlineData("tab in a new manager's id", "error: 'manager' holds a tab (U+0009) at position 3", "users", "set", "sam", "--manager", "mo\tna")]
    [InlineData("not a deal id", "'nope' is not a deal id", "deals", "move", "nope", "qualification")]
    [InlineData("not an instant", "--next-contact 'tomorrow' is not an instant", "deals", "log", "00000000-0000-0000-0000-000000000001", "--kind", "call", "--subject", "Hi", "--next-contact", "tomorrow")]
    public async Task Command_BadInput_ExitsTwoWithOneLineAndChangesNothing(string name, string says, params string[] args)
    {
        await SeedAsync();
        var before = await Run("users", "list", "--format", "csv");

        var result = await Run(["--as", "ada", .. args]);

        Assert.True(result.ExitCode == 2, $"{name}: {result}");
        Assert.Contains(says, result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.DoesNotContain("(Parameter", result.Error, StringComparison.Ordinal);
        Assert.Equal(before.Output, (await Run("users", "list", "--format", "csv")).Output);
    }

    [Fact]
    public async Task UsersList_PersonStoredEarlierWithATabInTheirId_IsListedAndMayBeChanged()
    {
        await SeedAsync();
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "crm.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO people (id, display_name, role, member_of, manager, lead_limit, active, version) VALUES ('old\tid', 'Old', 'salesperson', 'north', 'mona', 3, 1, 1)";
            await insert.ExecuteNonQueryAsync();
        }

        var set = await Run("--as", "ada", "users", "set", "old\tid", "--lead-limit", "4");
        var list = await Run("users", "list", "--format", "json");

        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal(0, list.ExitCode);
        var old = Assert.Single(JsonDocument.Parse(list.Output).RootElement.EnumerateArray(), e => e.GetProperty("id").GetString() == "old\tid");
        Assert.Equal(("4", "mona"), (old.GetProperty("lead_limit").GetString(), old.GetProperty("manager").GetString()));
    }

    [Theory]
    [InlineData("mona", "sam", "error: 'sam' cannot be the manager of 'mona': the managers would go round in a loop, mona → sam → mona. Give 'mona' another manager, or first change the manager of someone else in the loop.")]
    [InlineData("sam", "sam", "error: 'sam' cannot be their own manager (sam → sam); name someone else, or no manager.")]
    public async Task UsersSet_ManagerClosingALoop_ExitsTwoWithOneLineNamingTheLoopAndChangesNothing(string person, string manager, string expected)
    {
        await SeedAsync();
        var before = await Run("users", "list", "--format", "csv");

        var result = await Run("--as", "ada", "users", "set", person, "--manager", manager);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal(expected, result.Error.Trim());
        Assert.Equal(before.Output, (await Run("users", "list", "--format", "csv")).Output);
    }

    [Theory]
    [InlineData("error: 'ivy' is inactive, so they cannot be the manager of 'sam'; name an active person, or no manager.", "users", "set", "sam", "--manager", "ivy")]
    [InlineData("error: 'ivy' is inactive, so they cannot be the manager of 'zoe'; name an active person, or no manager.", "users", "add", "zoe", "--name", "Zoe", "--role", "salesperson", "--group", "north", "--manager", "ivy")]
    [InlineData("error: 'mona' is the manager of active people ('sam', 'sue'); give them another manager, or none, before deactivating 'mona'.", "users", "set", "mona", "--active", "false")]
    public async Task Users_InactiveManager_ExitsTwoWithOneLineAndChangesNothing(string expected, params string[] args)
    {
        await SeedAsync();
        Assert.Equal(0, (await Run("--as", "ada", "users", "add", "ivy", "--name", "Ivy", "--role", "manager", "--group", "north")).ExitCode);
        Assert.Equal(0, (await Run("--as", "ada", "users", "set", "ivy", "--active", "false")).ExitCode);
        var before = await Run("users", "list", "--format", "csv");

        var result = await Run(["--as", "ada", .. args]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal(expected, result.Error.Trim());
        Assert.Equal(before.Output, (await Run("users", "list", "--format", "csv")).Output);
    }

    [Fact]
    public async Task Leads_ImportTakeLimitConvert_ExitCodesAndOutputAsDocumented()
    {
        await SeedAsync();
        var file = Write("leads.csv", Header, "L1,Acme,retail,Jan,1,jan@acme.example,fair,,", "L2,Beta,retail,Ewa,2,ewa@beta.example,fair,\"a, note\",", "L3,Gamma,b2b,Ola,3,,web,,tom");
        var import = await Run("--as", "ada", "leads", "import", "--file", file);
        Assert.Equal((0, "Imported 3 leads."), (import.ExitCode, import.Output.Trim()));

        Assert.Equal(0, (await Run("--as", "sam", "leads", "take", "L1")).ExitCode);
        var overLimit = await Run("--as", "mona", "leads", "assign", "L2", "--to", "sam");
        Assert.Equal(2, overLimit.ExitCode);
        Assert.Contains("they hold 1 active leads and their limit is 1", overLimit.Error, StringComparison.Ordinal);
        var outside = await Run("--as", "mona", "leads", "assign", "L2", "--to", "tom");
        Assert.Equal(3, outside.ExitCode);
        Assert.Contains("'tom' is not in any of their groups (north)", outside.Error, StringComparison.Ordinal);

        var convert = await Run("--as", "sam", "leads", "convert", "L1", "--value", "1200", "--currency", "PLN");
        Assert.True(convert.ExitCode == 0 && Guid.TryParse(convert.Output.Trim(), out _), convert.ToString());
        var again = await Run("--as", "sam", "leads", "convert", "L1");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("was already converted into deal", again.Error, StringComparison.Ordinal);

        var csv = (await Run("--as", "ada", "leads", "list", "--format", "csv")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,company,segment,contact,email,status,owner,reason,deal", csv[0]);
        Assert.StartsWith("L1,Acme,retail,Jan,jan@acme.example,converted,sam,,", csv[1], StringComparison.Ordinal);
        Assert.Equal("L2,Beta,retail,Ewa,ewa@beta.example,new,,,", csv[2]);
        Assert.Equal("L3,Gamma,b2b,Ola,,assigned,tom,,", csv[3]);

        var plan = await Run("--as", "mona", "leads", "distribute", "--group", "north", "--what-if");
        Assert.Equal(["L2 -> sue", "Would assign 1 leads; 0 did not fit."], plan.Output.Trim().Split('\n'));
        Assert.Equal(0, (await Run("--as", "mona", "leads", "disqualify", "L2", "--reason", "no-need")).ExitCode);
    }

    [Fact]
    public async Task DealsShowAndLeadsList_WithoutAs_ExitTwoSayingAsIsNeeded()
    {
        await SeedAsync();

        foreach (var args in new[] { new[] { "deals", "show", "00000000-0000-0000-0000-000000000001" }, ["leads", "list"] })
        {
            var result = await Run(args);
            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Equal("error: Name the acting user with --as USER (a person added with `users add`).", result.Error.Trim());
        }
    }

    [Fact]
    public async Task DealsShowAndLeadsList_AsSomeoneWhoMayNotSee_RefuseOrLeaveOut()
    {
        await SeedAsync();
        Assert.Equal(0, (await Run("--as", "ada", "leads", "import", "--file", Write("l.csv", Header, "L1,Acme,retail,,,,,,sam", "L2,Beta,retail,,,,,,tom", "L3,Gamma,retail,,,,,,"))).ExitCode);
        var deal = (await Run("--as", "sam", "leads", "convert", "L1")).Output.Trim();

        var byTom = await Run("--as", "tom", "deals", "show", deal);
        Assert.Equal(3, byTom.ExitCode);
        Assert.Equal($"refused: 'tom' may not see deal {deal}: it belongs to 'sam', and a salesperson works only on their own. Nothing was changed.", byTom.Error.Trim());
        Assert.Equal(0, (await Run("--as", "mona", "deals", "show", deal)).ExitCode);

        string Ids(CliResult r) => string.Join(',', r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[0]));
        Assert.Equal("L1,L3", Ids(await Run("--as", "sam", "leads", "list", "--format", "csv")));
        Assert.Equal("L2,L3", Ids(await Run("--as", "tom", "leads", "list", "--format", "csv")));
        Assert.Equal("L1,L3", Ids(await Run("--as", "mona", "leads", "list", "--format", "csv")));
        var othersLeads = await Run("--as", "sam", "leads", "list", "--owner", "tom");
        Assert.Equal(3, othersLeads.ExitCode);
        Assert.Contains("'sam' may not list the leads of 'tom'", othersLeads.Error, StringComparison.Ordinal);
        Assert.Equal(3, (await Run("--as", "ghost", "leads", "list")).ExitCode);
    }

    [Fact]
    public async Task LeadsImport_FileWithFaults_ExitsTwoNamingEachRowAndImportsNothing()
    {
        await SeedAsync();
        var badHeader = Write("header.csv", "id,company,email", "L1,Acme,a@b.example");
        var result = await Run("--as", "mona", "leads", "import", "--file", badHeader);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("missing: segment, contact, phone, source, notes, owner", result.Error, StringComparison.Ordinal);

        var badRows = Write("rows.csv", Header, "L1,Acme,retail,Jan,1,jan@acme.example,fair,,", "L2,Beta,retail", ",Gamma,b2b,Ola,3,,web,,");
        result = await Run("--as", "mona", "leads", "import", "--file", badRows);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Row 3: has 3 fields, the header has 9.", result.Error, StringComparison.Ordinal);
        Assert.Contains("Row 4: 'id' is empty", result.Error, StringComparison.Ordinal);

        var badValues = Write("values.csv", Header, "L1,Acme,retail,Jan,1,jan@@acme,fair,,", "L2,,retail,Ewa,2,,fair,,", "L3,Gamma,b2b,Ola,3,,web,,ghost", "L1,Delta,b2b,,,,,,");
        result = await Run("--as", "mona", "leads", "import", "--file", badValues);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Row 2: 'email' is not an e-mail address: 'jan@@acme'", result.Error, StringComparison.Ordinal);
        Assert.Contains("Row 3: 'company' must not be empty", result.Error, StringComparison.Ordinal);
        Assert.Contains("Row 4: The owner 'ghost' is not an active person", result.Error, StringComparison.Ordinal);
        Assert.Contains("Row 5: Lead id 'L1' appears more than once", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", result.Error, StringComparison.Ordinal);

        var bySalesperson = await Run("--as", "sam", "leads", "import", "--file", Write("ok.csv", Header, "L9,Acme,,,,,,,"));
        Assert.Equal(3, bySalesperson.ExitCode);

        // Only the header: nothing was imported.
        Assert.Single((await Run("--as", "ada", "leads", "list", "--format", "csv")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Deals_LogMoveWinAndRefusals_ExitCodesAsDocumented()
    {
        await SeedAsync();
        await Run("--as", "mona", "leads", "import", "--file", Write("l.csv", Header, "L1,Acme,retail,Jan,1,,fair,,sam"));
        var deal = (await Run("--as", "sam", "leads", "convert", "L1")).Output.Trim();

        Assert.Equal(3, (await Run("--as", "tom", "deals", "log", deal, "--kind", "call", "--subject", "Hi")).ExitCode);
        var blocked = await Run("--as", "sam", "deals", "move", deal, "qualification");
        Assert.Equal(2, blocked.ExitCode);
        var logged = await Run("--as", "sam", "deals", "log", deal, "--kind", "call", "--subject", "Intro", "--next-contact", "2026-12-01T09:00:00Z");
        Assert.True(logged.ExitCode == 0 && Guid.TryParse(logged.Output.Trim(), out _), logged.ToString());
        Assert.Equal($"{deal}: qualification (25 %)", (await Run("--as", "mona", "deals", "move", deal, "qualification")).Output.Trim());
        var lose = await Run("--as", "tom", "deals", "lose", deal, "--reason", "Price", "--comment", "Too dear");
        Assert.Equal(3, lose.ExitCode);

        var show = (await Run("--as", "sam", "deals", "show", deal)).Output;
        Assert.Contains("Converted from lead 'L1'.", show, StringComparison.Ordinal);
        Assert.Contains("Permitted moves: identification, lost", show, StringComparison.Ordinal);
        Assert.Contains("not offer: needs-and-budget", show, StringComparison.Ordinal);
        Assert.Contains("not won: move-not-allowed", show, StringComparison.Ordinal);
        var table = (await Run("--as", "sam", "deals", "list", "--owner", "sam")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id ", table[0], StringComparison.Ordinal);
        Assert.Contains("qualification", table[1], StringComparison.Ordinal);
        Assert.Equal(2, table.Length);
    }

    [Fact]
    public async Task DealsReopen_LostDeal_ShowsItOpenWithTheReopenInItsHistory()
    {
        var deal = await LostDealAsync();

        var reopened = await Run("--as", "sam", "deals", "reopen", deal, "--comment", "Budget found after all");

        Assert.Equal((0, $"{deal}: qualification (25 %)"), (reopened.ExitCode, reopened.Output.Trim()));
        var show = Lines((await Run("--as", "sam", "deals", "show", deal)).Output);
        Assert.EndsWith(", owner sam, pipeline new-business, stage qualification (25 %)", show[0], StringComparison.Ordinal);
        Assert.EndsWith("lost -> qualification by sam: Budget found after all", show[show.IndexOf("Permitted moves: identification, lost") - 1], StringComparison.Ordinal);
        var intoStage = await Run("--as", "sam", "deals", "lose", deal, "--reason", "Timing", "--comment", "Again");
        Assert.Equal(0, intoStage.ExitCode);
        Assert.Equal($"{deal}: identification (10 %)", (await Run("--as", "mona", "deals", "reopen", deal, "--comment", "New buyer", "--stage", "identification")).Output.Trim());
    }

    [Theory]
    [InlineData("an open deal", "error: Opportunity 'Acme' cannot be reopened from 'qualification' into 'qualification': only a closed deal can be reopened, and only into an open stage.", true, "--comment", "Why")]
    [InlineData("into a closed stage", "error: Opportunity 'Acme' cannot be reopened from 'lost' into 'won': only a closed deal can be reopened, and only into an open stage.", false, "--comment", "Why", "--stage", "won")]
    [InlineData("into a stage the pipeline lacks", "error: Pipeline 'new-business' has no stage 'closing'. Its stages are: identification, qualification, offer, negotiation, won, lost.", false, "--comment", "Why", "--stage", "closing")]
    [InlineData("into a stage id that is no slug", "error: 'Offer' is not a valid stage id", false, "--comment", "Why", "--stage", "Offer")]
    [InlineData("with an empty comment", "error: 'comment' must not be empty", false, "--comment", " ")]
    public async Task DealsReopen_RuleRefusal_ExitsTwoWithOneLineAndChangesNothing(string name, string says, bool open, params string[] options)
    {
        var deal = await LostDealAsync();
        if (open)
        {
            Assert.Equal(0, (await Run("--as", "sam", "deals", "reopen", deal, "--comment", "Back")).ExitCode);
        }

        var before = (await Run("--as", "sam", "deals", "show", deal)).Output;

        var result = await Run(["--as", "sam", "deals", "reopen", deal, .. options]);

        Assert.True(result.ExitCode == 2, $"{name}: {result}");
        Assert.StartsWith(says, result.Error.Trim(), StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.Equal(before, (await Run("--as", "sam", "deals", "show", deal)).Output);
    }

    [Fact]
    public async Task DealsReopen_UnknownDealOrNoDealId_ExitsTwoLikeTheOtherDealCommands()
    {
        await SeedAsync();
        const string Missing = "00000000-0000-0000-0000-000000000001";

        foreach (var command in new[] { new[] { "reopen", Missing, "--comment", "Why" }, ["win", Missing], ["reopen", "nope", "--comment", "Why"], ["win", "nope"] })
        {
            var result = await Run(["--as", "sam", "deals", .. command]);
            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Single(result.Error.Trim().Split('\n'));
        }

        Assert.Equal((await Run("--as", "sam", "deals", "win", Missing)).Error, (await Run("--as", "sam", "deals", "reopen", Missing, "--comment", "Why")).Error);
        Assert.Equal("error: 'nope' is not a deal id; list deals with `deals list`.", (await Run("--as", "sam", "deals", "reopen", "nope", "--comment", "Why")).Error.Trim());
    }

    [Fact]
    public async Task DealsReopen_BySomeoneWhoMayNotChangeTheDeal_ExitsThreeAndLeavesItLost()
    {
        var deal = await LostDealAsync();

        var byTom = await Run("--as", "tom", "deals", "reopen", deal, "--comment", "Mine now");

        Assert.Equal((3, $"refused: 'tom' may not reopen deal {deal}: it belongs to 'sam', and a salesperson works only on their own. Nothing was changed."), (byTom.ExitCode, byTom.Error.Trim()));
        Assert.Contains("stage lost (0 %)", (await Run("--as", "sam", "deals", "show", deal)).Output, StringComparison.Ordinal);
        Assert.Equal(3, (await Run("--as", "ghost", "deals", "reopen", deal, "--comment", "Why")).ExitCode);
    }

    [Fact]
    public async Task DealsLose_ReasonNotOnThePipelinesList_ExitsTwoWithOneLineListingTheReasonsAndKeepsItOpen()
    {
        var deal = await QualifiedDealAsync();

        var result = await Run("--as", "sam", "deals", "lose", deal, "--reason", "Too cheap", "--comment", "They went elsewhere");

        Assert.Equal(
            (2, "error: Opportunity 'Acme' cannot move from 'qualification' to 'lost': [loss-reason] 'Too cheap' is not one of the pipeline's loss reasons. "
                + "Give a loss reason from the pipeline's list: 'Price', 'Chose a competitor', 'No budget', 'No decision', 'Timing', 'Product fit', 'No relationship'."),
            (result.ExitCode, result.Error.Trim()));
        Assert.Contains("stage qualification (25 %)", (await Run("--as", "sam", "deals", "show", deal)).Output, StringComparison.Ordinal);
        Assert.Equal(0, (await Run("--as", "sam", "deals", "lose", deal, "--reason", "chose a competitor", "--comment", "They went elsewhere")).ExitCode);
    }

    [Fact]
    public async Task LeadsConvert_ValueOnACommaDecimalMachine_IsReadWithADecimalPoint()
    {
        await SeedAsync();
        Assert.Equal(0, (await Run("--as", "ada", "leads", "import", "--file", Write("l.csv", Header, "L1,Acme,retail,,,,,,sam", "L2,Beta,retail,,,,,,sue"))).ExitCode);
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        CliResult converted, grouped;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("de-DE");
            converted = await Run("--as", "sam", "leads", "convert", "L1", "--value", "1500.50", "--currency", "PLN");
            grouped = await Run("--as", "sue", "leads", "convert", "L2", "--value", "1.500,50", "--currency", "PLN");
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }

        Assert.True(converted.ExitCode == 0, converted.ToString());
        var row = Lines((await Run("--as", "sam", "deals", "list", "--format", "csv")).Output)[1].Split(',');
        Assert.Equal((1500.50m, "PLN"), (decimal.Parse(row[5], System.Globalization.CultureInfo.InvariantCulture), row[6]));
        Assert.Equal((2, "error: --value '1.500,50' is not a number; write it with a decimal point and no separators, for example 1500.50."), (grouped.ExitCode, grouped.Error.Split('\n')[0].Trim()));
        Assert.Equal(2, Lines((await Run("--as", "ada", "deals", "list", "--format", "csv")).Output).Count);
    }

    [Theory]
    [InlineData("1500.50", "PLN", "1500.50")]
    [InlineData("1500", "PLN", "1500.00")]
    [InlineData("0", "EUR", "0.00")]
    [InlineData("1500", "JPY", "1500")]
    [InlineData("12.5", "KWD", "12.500")]
    [InlineData("1234567.891", "BHD", "1234567.891")]
    public async Task DealsShowAndList_Amount_HasAtLeastTheCurrencysMinorDigits(string value, string currency, string shown)
    {
        await SeedAsync();
        Assert.Equal(0, (await Run("--as", "ada", "leads", "import", "--file", Write("l.csv", Header, "L1,Acme,retail,,,,,,sam"))).ExitCode);
        var deal = (await Run("--as", "sam", "leads", "convert", "L1", "--value", value, "--currency", currency)).Output.Trim();

        var show = Lines((await Run("--as", "sam", "deals", "show", deal)).Output);
        var row = Lines((await Run("--as", "sam", "deals", "list", "--format", "csv")).Output)[1].Split(',');

        Assert.StartsWith($"Acme ({deal}): {shown} {currency}, owner sam,", show[0], StringComparison.Ordinal);
        Assert.Equal((shown, currency), (row[5], row[6]));
    }

    [Fact]
    public async Task LeadsConvertAndDealsReassign_OwnerNotAnActivePerson_ExitTwoNamingThemAndChangeNothing()
    {
        await SeedAsync();
        Assert.Equal(0, (await Run("--as", "ada", "leads", "import", "--file", Write("l.csv", Header, "L1,Acme,retail,,,,,,sam", "L2,Beta,retail,,,,,,sue"))).ExitCode);
        var deal = (await Run("--as", "sue", "leads", "convert", "L2")).Output.Trim();
        Assert.Equal(0, (await Run("--as", "ada", "users", "set", "sam", "--active", "false")).ExitCode);
        var leadsBefore = (await Run("--as", "ada", "leads", "list", "--format", "csv")).Output;
        var dealsBefore = (await Run("--as", "ada", "deals", "list", "--format", "csv")).Output;

        var convert = await Run("--as", "ada", "leads", "convert", "L1");
        var toInactive = await Run("--as", "ada", "deals", "reassign", deal, "--to", "sam");
        var toUnknown = await Run("--as", "ada", "deals", "reassign", deal, "--to", "ghost");

        Assert.Equal((2, "error: 'sam' is not an active person, so they cannot own deals; assign the lead to an active person first."), (convert.ExitCode, convert.Error.Trim()));
        Assert.Equal((2, "error: 'sam' is not an active person, so they cannot own deals; check the id against the stored people."), (toInactive.ExitCode, toInactive.Error.Trim()));
        Assert.Equal((2, "error: 'ghost' is not an active person, so they cannot own deals; check the id against the stored people."), (toUnknown.ExitCode, toUnknown.Error.Trim()));
        Assert.Equal(leadsBefore, (await Run("--as", "ada", "leads", "list", "--format", "csv")).Output);
        Assert.Equal(dealsBefore, (await Run("--as", "ada", "deals", "list", "--format", "csv")).Output);
    }

    [Fact]
    public async Task DealsList_UnknownPipelineOrStage_ExitsTwoWithOneLine()
    {
        await SeedAsync();
        Assert.Equal(0, (await Run("--as", "ada", "leads", "import", "--file", Write("l.csv", Header, "L1,Acme,retail,,,,,,sam"))).ExitCode);
        Assert.Equal(0, (await Run("--as", "sam", "leads", "convert", "L1")).ExitCode);

        var pipeline = await Run("--as", "ada", "deals", "list", "--pipeline", "renewals");
        var stage = await Run("--as", "ada", "deals", "list", "--stage", "closing");
        var stageOfPipeline = await Run("--as", "ada", "deals", "list", "--pipeline", "new-business", "--stage", "closing");

        Assert.Equal((2, "error: No pipeline 'renewals' is registered; registered: new-business."), (pipeline.ExitCode, pipeline.Error.Trim()));
        Assert.Equal(2, stage.ExitCode);
        Assert.StartsWith("error: No pipeline has a stage 'closing'; the stages are: identification, qualification,", stage.Error.Trim(), StringComparison.Ordinal);
        Assert.Single(stage.Error.Trim().Split('\n'));
        Assert.Equal(2, stageOfPipeline.ExitCode);
        Assert.StartsWith("error: Pipeline 'new-business' has no stage 'closing'. Its stages are: identification,", stageOfPipeline.Error.Trim(), StringComparison.Ordinal);
        Assert.Equal(2, Lines((await Run("--as", "ada", "deals", "list", "--stage", "identification", "--format", "csv")).Output).Count);
        Assert.Single(Lines((await Run("--as", "ada", "deals", "list", "--stage", "offer", "--format", "csv")).Output));
    }

    [Fact]
    public async Task DealsAndLeadsList_OwnerNoPersonAndOwningNothing_ExitTwoWithOneLine()
    {
        await SeedAsync();
        Assert.Equal(0, (await Run("--as", "ada", "leads", "import", "--file", Write("l.csv", Header, "L1,Acme,retail,,,,,,sam"))).ExitCode);
        Assert.Equal(0, (await Run("--as", "sam", "leads", "convert", "L1")).ExitCode);

        var cased = await Run("--as", "ada", "deals", "list", "--owner", "Sam");
        var unknown = await Run("--as", "ada", "deals", "list", "--owner", "ghost", "--format", "csv");

        Assert.Equal((2, "error: No person has user id 'Sam', and no deal is owned by 'Sam': name a stored person or the owner of a deal (user ids match exactly, case included)."), (cased.ExitCode, cased.Error.Trim()));
        Assert.Equal((2, string.Empty), (unknown.ExitCode, unknown.Output));
        Assert.Equal(2, Lines((await Run("--as", "ada", "deals", "list", "--owner", "sam", "--format", "csv")).Output).Count);
        Assert.Single(Lines((await Run("--as", "ada", "deals", "list", "--owner", "sue", "--format", "csv")).Output));

        var leads = await Run("--as", "ada", "leads", "list", "--owner", "SAM");
        Assert.Equal((2, "error: No person has user id 'SAM', and no lead is held by 'SAM': name a stored person or the owner of a lead (user ids match exactly, case included)."), (leads.ExitCode, leads.Error.Trim()));
        Assert.Equal(2, Lines((await Run("--as", "ada", "leads", "list", "--owner", "sam", "--format", "csv")).Output).Count);
        Assert.Single(Lines((await Run("--as", "ada", "leads", "list", "--owner", "tom", "--format", "csv")).Output));
    }

    [Fact]
    public async Task DealsListAndReassign_ThroughTheAccessRules_ExitThreeWhenRefused()
    {
        await SeedAsync();
        await Run("--as", "mona", "leads", "import", "--file", Write("l.csv", Header, "L1,Acme,retail,Jan,1,,fair,,sam"));
        var deal = (await Run("--as", "sam", "leads", "convert", "L1")).Output.Trim();

        Assert.Equal(2, (await Run("deals", "list")).ExitCode);
        Assert.Equal(3, (await Run("--as", "tom", "deals", "list", "--owner", "sam")).ExitCode);
        Assert.Equal(["id,name,pipeline,stage,owner,value,currency,next_contact"], Lines((await Run("--as", "tom", "deals", "list", "--format", "csv")).Output));
        Assert.Equal(2, Lines((await Run("--as", "mona", "deals", "list", "--format", "csv")).Output).Count);

        var bySalesperson = await Run("--as", "sam", "deals", "reassign", deal, "--to", "sue");
        Assert.Equal(3, bySalesperson.ExitCode);
        Assert.Contains("only a manager (within their groups) or an admin reassigns deals", bySalesperson.Error, StringComparison.Ordinal);
        Assert.Equal(3, (await Run("--as", "mona", "deals", "reassign", deal, "--to", "tom")).ExitCode);
        var reassigned = await Run("--as", "mona", "deals", "reassign", deal, "--to", "sue");
        Assert.Equal((0, $"{deal}: owner sue"), (reassigned.ExitCode, reassigned.Output.Trim()));
        Assert.Contains(",sue,", Lines((await Run("--as", "sue", "deals", "list", "--format", "csv")).Output)[1], StringComparison.Ordinal);
        Assert.Single(Lines((await Run("--as", "sam", "deals", "list", "--format", "csv")).Output));
    }

    [Fact]
    public async Task UsersSet_ManagerClearedAndTheLastAdmin_AsDocumented()
    {
        await SeedAsync();

        Assert.Equal(0, (await Run("--as", "ada", "users", "set", "sam", "--no-manager")).ExitCode);
        Assert.Equal(0, (await Run("--as", "ada", "users", "set", "sue", "--manager", "")).ExitCode);
        var list = Lines((await Run("users", "list", "--format", "csv")).Output);
        Assert.Contains("sam,Sam,salesperson,north,,1,yes", list);
        Assert.Contains("sue,Sue,salesperson,north,,25,yes", list);

        var lockOut = await Run("--as", "ada", "users", "set", "ada", "--active", "false");
        Assert.Equal(2, lockOut.ExitCode);
        Assert.Contains("'ada' is the last active admin; deactivating them would leave nobody who may manage people", lockOut.Error, StringComparison.Ordinal);
        Assert.Contains("ada,Ada,admin,hq,,25,yes", Lines((await Run("users", "list", "--format", "csv")).Output));
    }

    [Fact]
    public async Task PipelineImport_ByANonAdmin_ExitsThreeAndStoresNothing()
    {
        await SeedAsync();
        var file = Path.Combine(_folder, "renewals.json");
        File.WriteAllText(file, SalesPipeline.Process.PipelineDefinition.Default.ToJson().Replace("\"new-business\"", "\"renewals\"", StringComparison.Ordinal));

        var refused = await Run("--as", "mona", "pipeline", "import", "--file", file);
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("'mona' may not store the definition of pipeline 'renewals': only an admin may do this", refused.Error, StringComparison.Ordinal);
        Assert.Equal(2, (await Run("pipeline", "export", "--pipeline", "renewals")).ExitCode);

        Assert.Equal(0, (await Run("--as", "ada", "pipeline", "import", "--file", file)).ExitCode);
        Assert.Equal(0, (await Run("pipeline", "export", "--pipeline", "renewals")).ExitCode);
    }

    /// <summary>Seeds the people, and a deal of sam's, 'Acme', in qualification.</summary>
    private async Task<string> QualifiedDealAsync()
    {
        await SeedAsync();
        Assert.Equal(0, (await Run("--as", "mona", "leads", "import", "--file", Write("l.csv", Header, "L1,Acme,retail,Jan,1,,fair,,sam"))).ExitCode);
        var deal = (await Run("--as", "sam", "leads", "convert", "L1")).Output.Trim();
        Assert.Equal(0, (await Run("--as", "sam", "deals", "log", deal, "--kind", "call", "--subject", "Intro")).ExitCode);
        Assert.Equal(0, (await Run("--as", "sam", "deals", "move", deal, "qualification")).ExitCode);
        return deal;
    }

    /// <summary>Seeds the people, and a deal of sam's, 'Acme', lost from qualification.</summary>
    private async Task<string> LostDealAsync()
    {
        var deal = await QualifiedDealAsync();
        var lost = await Run("--as", "sam", "deals", "lose", deal, "--reason", "Price", "--comment", "Too dear");
        Assert.True(lost.ExitCode == 0, lost.ToString());
        return deal;
    }

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];

    private async Task SeedAsync()
    {
        Assert.Equal(0, (await Run("users", "add", "ada", "--name", "Ada", "--role", "admin", "--group", "hq")).ExitCode);
        foreach (var args in new[]
        {
            new[] { "mona", "--name", "Mona", "--role", "manager", "--group", "north" },
            ["sam", "--name", "Sam", "--role", "salesperson", "--group", "north", "--manager", "mona", "--lead-limit", "1"],
            ["sue", "--name", "Sue", "--role", "salesperson", "--group", "north", "--manager", "mona"],
            ["tom", "--name", "Tom", "--role", "salesperson", "--group", "south"],
        })
        {
            var result = await Run(["--as", "ada", "users", "add", .. args]);
            Assert.True(result.ExitCode == 0, result.ToString());
        }
    }

    [Fact]
    public async Task LeadsConvert_NegativeValue_ExitsTwoWithOneLineAndConvertsNothing()
    {
        await SeedAsync();
        Assert.Equal(0, (await Run("--as", "ada", "leads", "import", "--file", Write("leads.csv", Header, "L1,Acme,retail,,,,,,sam"))).ExitCode);

        var result = await Run("--as", "sam", "leads", "convert", "L1", "--value", "-5", "--currency", "PLN");

        Assert.Equal((2, "error: 'value' must not be negative, was -5 PLN."), (result.ExitCode, result.Error.Trim()));
        Assert.Contains(",assigned,", (await Run("--as", "ada", "leads", "list", "--format", "csv")).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LeadsImport_Windows1250FileWithEncoding_ReadsItsLetters()
    {
        await SeedAsync();
        var file = WriteBytes("pl.csv", Windows1250($"{Header}\nL1,Łódź Żurawie,retail,Zofia Gęś,,,,,\n"));

        var import = await Run("--as", "mona", "leads", "import", "--file", file, "--encoding", "windows-1250");

        Assert.True(import.ExitCode == 0, import.ToString());
        var list = await Run("--as", "ada", "leads", "list", "--format", "json");
        var lead = Assert.Single(JsonDocument.Parse(list.Output).RootElement.EnumerateArray());
        Assert.Equal(("Łódź Żurawie", "Zofia Gęś"), (lead.GetProperty("company").GetString(), lead.GetProperty("contact").GetString()));
    }

    [Fact]
    public async Task LeadsImport_Utf8WithByteOrderMark_ReadsTheHeader()
    {
        await SeedAsync();
        var file = WriteBytes("bom.csv", [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes($"{Header}\nL1,Łódź,retail,,,,,,\n")]);

        var import = await Run("--as", "mona", "leads", "import", "--file", file);

        Assert.Equal((0, "Imported 1 leads."), (import.ExitCode, import.Output.Trim()));
    }

    public static TheoryData<string, byte[], string[], string> RefusedFiles => new()
    {
        { "not UTF-8", Windows1250($"{Header}\nL1,Łódź,retail,,,,,,\n"), [], "Row 2, column 'company': bytes that are not UTF-8" },
        { "a byte windows-1250 leaves undefined", [.. System.Text.Encoding.UTF8.GetBytes($"{Header}\nL1,Acme,"), 0x98, .. System.Text.Encoding.UTF8.GetBytes(",,,,,,\n")], ["--encoding", "windows-1250"], "Row 2: 'segment' holds a control character (U+0098) at position 1" },
        { "NUL in a company", System.Text.Encoding.UTF8.GetBytes($"{Header}\nL1,Ac\0me,retail,,,,,,\n"), [], "Row 2: 'company' holds a control character (U+0000) at position 3" },
        { "escape in notes", System.Text.Encoding.UTF8.GetBytes($"{Header}\nL1,Acme,retail,,,,,call \u001B[31m,\n"), [], "Row 2: 'notes' holds a control character (U+001B) at position 6" },
        { "bell in an id", System.Text.Encoding.UTF8.GetBytes($"{Header}\nL\u00071,Acme,retail,,,,,,\n"), [], "Row 2: 'id' holds a control character (U+0007) at position 2" },
        { "C1 control in an owner", System.Text.Encoding.UTF8.GetBytes($"{Header}\nL1,Acme,retail,,,,,,s\u0090am\n"), [], "Row 2: A user id holds a control character (U+0090) at position 2" },
        { "an unknown encoding", System.Text.Encoding.UTF8.GetBytes($"{Header}\nL1,Acme,,,,,,,\n"), ["--encoding", "klingon"], "--encoding 'klingon' is not an encoding name" },
        { "a column twice", System.Text.Encoding.UTF8.GetBytes($"{Header},notes\nL1,Acme,,,,,,,,\n"), [], "more than once: notes" },
    };

    [Theory]
    [MemberData(nameof(RefusedFiles))]
    public async Task LeadsImport_TextThatIsNotWhatTheFileSays_ExitsTwoNamingRowAndImportsNothing(string why, byte[] bytes, string[] options, string says)
    {
        await SeedAsync();
        var file = WriteBytes("leads.csv", bytes);

        var result = await Run(["--as", "mona", "leads", "import", "--file", file, .. options]);

        Assert.True(result.ExitCode == 2, $"{why}: {result}");
        Assert.Contains(says, result.Error, StringComparison.Ordinal);
        Assert.Single((await Run("--as", "ada", "leads", "list", "--format", "csv")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task LeadsImport_FolderOrLockedFile_ExitsTwoNamingTheFileBeforeOpeningTheStore()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_folder, "leads-folder")).FullName;
        var file = Write("locked.csv", Header, "L1,Acme,,,,,,,");

        // No database yet: the file is refused before the store is opened (which would say the database is missing).
        var asFolder = await Run("--as", "mona", "leads", "import", "--file", folder);
        Assert.Equal((2, $"error: --file '{folder}' is a folder; give a file."), (asFolder.ExitCode, asFolder.Error.Trim()));

        using (new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            var locked = await Run("--as", "mona", "leads", "import", "--file", file);
            Assert.Equal(2, locked.ExitCode);
            Assert.Contains($"--file: the file '{file}' cannot be read: another program holds it locked", locked.Error, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(Path.Combine(_folder, "crm.db")));
    }

    private static byte[] Windows1250(string text)
    {
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        return System.Text.Encoding.GetEncoding(1250).GetBytes(text);
    }

    private string WriteBytes(string name, byte[] bytes)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync([.. Db, .. args]);

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }
}
