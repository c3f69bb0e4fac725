using System.Text.Json;
using Microsoft.Data.Sqlite;
using SalesPipeline.Tests.Core.Documents;
using Xunit;

namespace SalesPipeline.Tests.Worker.Cli;

/// <summary>The docs and offer commands on a fresh SQLite file: printed ids, formats, exit codes and refusals that store nothing.</summary>
public sealed class DocumentCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-docs-").FullName;

    private string[] Db => ["--db", Path.Combine(_folder, "crm.db")];

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task DocsAndOffer_UploadGenerateAndRead_PrintIdsAndHoldTheDealsValues()
    {
        var ids = await SeedAsync();

        var offer = await Run("--as", "sam", "offer", "create", "--deal", ids["deal"], "--template", ids["template"], "--price-list", ids["prices"], "--lines", "2,1");
        Assert.True(offer.ExitCode == 0 && Guid.TryParse(offer.Output.Trim(), out _), offer.ToString());
        var file = Path.Combine(_folder, "offer.docx");
        var get = await Run("--as", "mona", "docs", "get", offer.Output.Trim(), "--out", file);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.StartsWith("Wrote 'Offer – Acme' version 1 (", get.Output, StringComparison.Ordinal);
        Assert.Equal(["Offer for Acme (Acme), 1,200.00 PLN, by Sam", "Training: 900.00; Licence: 1200.00"], Docx.Paragraphs(await File.ReadAllBytesAsync(file)));

        var list = await Run("--as", "sam", "docs", "list", "--format", "json");
        var rows = JsonDocument.Parse(list.Output).RootElement.EnumerateArray().Select(e => (e.GetProperty("title").GetString(), e.GetProperty("kind").GetString(), e.GetProperty("version").GetString())).ToList();
        Assert.Equal([("Offer template", "offer-template", "1"), ("Offer – Acme", "offer", "1"), ("Prices 2026", "price-list", "1")], rows);
        var samTable = (await Run("--as", "sam", "docs", "list")).Output.Trim().Split('\n');
        Assert.Equal(4, samTable.Length);
        Assert.StartsWith("id  ", samTable[0], StringComparison.Ordinal);
        Assert.Contains(samTable[1..], l => l.Contains("Offer template", StringComparison.Ordinal) && l.Contains("offer-template", StringComparison.Ordinal));
        Assert.Contains(samTable[1..], l => l.Contains("Prices 2026", StringComparison.Ordinal) && l.Contains("price-list", StringComparison.Ordinal));
        Assert.Contains(samTable[1..], l => l.Contains("Offer – Acme", StringComparison.Ordinal) && l.Contains(" offer ", StringComparison.Ordinal));
        var table = await Run("--as", "tom", "docs", "list");
        Assert.Equal("id  title  version  kind  file  size  groups  uploaded-by  uploaded-at", table.Output.Trim());
    }

    [Fact]
    public async Task DocsAdd_SameTitleAgain_AddsAVersionAndGetVersionReadsTheEarlierOne()
    {
        await SeedAsync();
        var first = await Run("--as", "sam", "docs", "add", "--file", Write("terms.txt", "first terms"), "--kind", "contract", "--groups", "north", "--title", "Terms");
        var second = await Run("--as", "sam", "docs", "add", "--file", Write("terms2.txt", "second terms"), "--kind", "contract", "--groups", "north", "--title", "Terms");
        Assert.Equal((0, 0), (first.ExitCode, second.ExitCode));

        var out1 = Path.Combine(_folder, "v1.txt");
        Assert.Equal(0, (await Run("--as", "mona", "docs", "get", second.Output.Trim(), "--version", "1", "--out", out1)).ExitCode);
        Assert.Equal("first terms\n", await File.ReadAllTextAsync(out1));
        var csv = await Run("--as", "sam", "docs", "list", "--all-versions", "--format", "csv");
        Assert.Equal(2, csv.Output.Split('\n').Count(l => l.Contains(",Terms,", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("oversized file", 2, "is larger than the document size limit of 10485760 bytes", "--as", "sam", "docs", "add", "--file", "{big}", "--kind", "other", "--groups", "north")]
    [InlineData("unknown kind", 2, "Argument 'memo' not recognized. Must be one of: 'offer-template'", "--as", "sam", "docs", "add", "--file", "{text}", "--kind", "memo", "--groups", "north")]
    [InlineData("unknown group", 2, "No one is in group 'west'", "--as", "ada", "docs", "add", "--file", "{text}", "--kind", "other", "--groups", "north,west")]
    [InlineData("group the uploader is not in", 3, "may not share a document with group 'south'", "--as", "sam", "docs", "add", "--file", "{text}", "--kind", "other", "--groups", "south")]
    [InlineData("missing file", 2, "does not exist", "--as", "sam", "docs", "add", "--file", "{folder}/nope.pdf", "--kind", "other", "--groups", "north")]
    [InlineData("upload the database itself", 2, "is the same file as --file", "--as", "sam", "docs", "add", "--file", "{folder}/crm.db", "--kind", "other", "--groups", "north")]
    [InlineData("template with an unknown placeholder", 2, "uses {{contact}}, which has no value", "--as", "sam", "offer", "create", "--deal", "{deal}", "--template", "{odd}")]
    [InlineData("template that is not a .docx", 2, "is not a Word document (.docx)", "--as", "sam", "offer", "create", "--deal", "{deal}", "--template", "{fake}")]
    [InlineData("price list given as the template", 2, "not an offer-template", "--as", "sam", "offer", "create", "--deal", "{deal}", "--template", "{prices}")]
    [InlineData("bad --lines", 2, "--lines '1,x' must be price-list line numbers", "--as", "sam", "offer", "create", "--deal", "{deal}", "--template", "{template}", "--price-list", "{prices}", "--lines", "1,x")]
    [InlineData("--lines without a price list", 2, "Give --price-list and --lines together", "--as", "sam", "offer", "create", "--deal", "{deal}", "--template", "{template}", "--lines", "1")]
    [InlineData("line not in the price list", 2, "has lines 1 to 2; there is no line 9", "--as", "sam", "offer", "create", "--deal", "{deal}", "--template", "{template}", "--price-list", "{prices}", "--lines", "1,9")]
    [InlineData("offer for someone else's deal", 3, "a salesperson works only on their own", "--as", "tom", "offer", "create", "--deal", "{deal}", "--template", "{template}")]
    [InlineData("not a document id", 2, "ID 'nope' is not a document id", "--as", "sam", "docs", "get", "nope", "--out", "{folder}/x.bin")]
    [InlineData("no such version", 2, "has versions 1 to 1, not 7", "--as", "sam", "docs", "get", "{template}", "--version", "7", "--out", "{folder}/x.bin")]
    [InlineData("--out is the database", 2, "is the same file as --db", "--as", "sam", "docs", "get", "{template}", "--out", "{folder}/crm.db")]
    [InlineData("reader outside the groups", 3, "may not read document", "--as", "tom", "docs", "get", "{template}", "--out", "{folder}/x.bin")]
    [InlineData("unknown acting user", 3, "no person has this user id", "--as", "ghost", "docs", "list")]
    public async Task Command_BadInput_ExitsWithOneClearLineAndStoresNothing(string name, int exit, string says, params string[] args)
    {
        var ids = await SeedAsync();
        ids["big"] = Path.Combine(_folder, "big.bin");
        await File.WriteAllBytesAsync(ids["big"], new byte[(10 * 1024 * 1024) + 1]);
        ids["text"] = Write("notes.txt", "notes");
        ids["folder"] = _folder;
        ids["odd"] = await AddAsync("odd.docx", Docx.Template("Dear {{contact}}, {{deal}}"), "offer-template");
        ids["fake"] = await AddAsync("fake.docx", "not a zip"u8.ToArray(), "offer-template");
        var before = await Run("--as", "ada", "docs", "list", "--all-versions", "--format", "csv");
        var dealBefore = await Run("--as", "ada", "deals", "show", ids["deal"]);
        Assert.True(before.ExitCode == 0 && dealBefore.ExitCode == 0, $"{before}\n{dealBefore}");

        var result = await Run([.. args.Select(a => ids.Aggregate(a, (text, id) => text.Replace("{" + id.Key + "}", id.Value, StringComparison.Ordinal)))]);

        Assert.True(result.ExitCode == exit, $"{name}: {result}");
        Assert.True(result.Error.Contains(says, StringComparison.Ordinal), $"{name}: {result}");
        Assert.True(result.Error.Trim().Split('\n').Length <= 2, result.ToString());
        Assert.DoesNotContain("Exception", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Offer template", result.Error, StringComparison.Ordinal);
        Assert.Equal(before.Output, (await Run("--as", "ada", "docs", "list", "--all-versions", "--format", "csv")).Output);
        Assert.Equal(dealBefore.Output, (await Run("--as", "ada", "deals", "show", ids["deal"])).Output);
        Assert.False(File.Exists(Path.Combine(_folder, "x.bin")));
    }

    [Fact]
    public async Task TextNoOfferCanHold_IsRefusedWhereItIsTypedAndAnEmojiReachesTheOffer()
    {
        var ids = await SeedAsync();
        var before = await Run("--as", "ada", "docs", "list", "--all-versions", "--format", "csv");

        var lead = await Run("--as", "mona", "leads", "import", "--file", Write("odd-leads.csv", "id,company,segment,contact,phone,email,source,notes,owner", "L2,Ac\uFFFEme,retail,Jan,1,,fair,,sam"));
        var title = await Run("--as", "sam", "offer", "create", "--deal", ids["deal"], "--template", ids["template"], "--price-list", ids["prices"], "--lines", "1,2", "--title", "Offer \uD83D for Acme");
        var subject = await Run("--as", "sam", "deals", "log", ids["deal"], "--kind", "call", "--subject", "Call\uFFFF");

        Assert.True(lead.ExitCode == 2 && lead.Error.Contains("Row 2: 'company' holds a noncharacter (U+FFFE) at position 3", StringComparison.Ordinal), lead.ToString());
        Assert.True(title.ExitCode == 2 && title.Error.StartsWith("error: 'title' holds half of a surrogate pair (U+D83D) at position 7 without its other half", StringComparison.Ordinal), title.ToString());
        Assert.True(subject.ExitCode == 2 && subject.Error.Contains("'subject' holds a noncharacter (U+FFFF) at position 5", StringComparison.Ordinal), subject.ToString());
        Assert.Equal(before.Output, (await Run("--as", "ada", "docs", "list", "--all-versions", "--format", "csv")).Output);

        Assert.Equal(0, (await Run("--as", "mona", "leads", "import", "--file", Write("emoji-leads.csv", "id,company,segment,contact,phone,email,source,notes,owner", "L3,Acme \U0001F680,retail,Jan,1,,fair,,sam"))).ExitCode);
        var deal = (await Run("--as", "sam", "leads", "convert", "L3", "--value", "1200", "--currency", "PLN")).Output.Trim();
        var offer = await Run("--as", "sam", "offer", "create", "--deal", deal, "--template", ids["template"], "--price-list", ids["prices"], "--lines", "1,2");
        Assert.True(offer.ExitCode == 0, offer.ToString());
        var file = Path.Combine(_folder, "emoji.docx");
        Assert.Equal(0, (await Run("--as", "sam", "docs", "get", offer.Output.Trim(), "--out", file)).ExitCode);
        Assert.Equal("Offer for Acme \U0001F680 (Acme \U0001F680), 1,200.00 PLN, by Sam", Docx.Paragraphs(await File.ReadAllBytesAsync(file))[0]);
    }

    [Fact]
    public async Task DocsAdd_PriceListWithANumberNoPriceCanBe_ExitsTwoNamingTheCellAndStoresNothing()
    {
        var ids = await SeedAsync();
        var before = await Run("--as", "ada", "docs", "list", "--all-versions", "--format", "csv");
        var path = Path.Combine(_folder, "prices-2027.xlsx");
        await File.WriteAllBytesAsync(path, Xlsx.Rows(["Item", "Unit price"], ["Licence", 1300], ["Training", 1E+300]));

        var result = await Run("--as", "mona", "docs", "add", "--file", path, "--kind", "price-list", "--groups", "north", "--title", "Prices 2026");

        Assert.Equal(
            (2, "error: The price list 'prices-2027.xlsx' at line 2, column 'Unit price' (cell B3) holds 1E+300, more than a price can be (at most 79,228,162,514,264,337,593,543,950,335). Correct the cell and upload the list again. Nothing was stored."),
            (result.ExitCode, result.Error.Trim()));
        Assert.Equal(before.Output, (await Run("--as", "ada", "docs", "list", "--all-versions", "--format", "csv")).Output);
        Assert.Equal(0, (await Run("--as", "sam", "offer", "create", "--deal", ids["deal"], "--template", ids["template"], "--price-list", ids["prices"], "--lines", "1,2")).ExitCode);
    }

    [Theory]
    [InlineData("a folder", "error: --out '{out}' is a folder; give a file name.")]
    [InlineData("in a missing folder", "error: --out: the folder '{parent}' does not exist.")]
    [InlineData("in a folder that cannot be written", "error: --out: cannot write in the folder '{parent}' (")]
    public async Task DocsGet_OutCannotBeWritten_ExitsTwoWithOneLineAndWritesNothing(string what, string says)
    {
        var ids = await SeedAsync();
        var target = Directory.CreateDirectory(Path.Combine(_folder, "target")).FullName;
        var (output, parent) = what switch
        {
            "a folder" => (Directory.CreateDirectory(Path.Combine(target, "terms.docx")).FullName, target),
            "in a missing folder" => (Path.Combine(target, "no", "such", "terms.docx"), Path.Combine(target, "no", "such")),
            _ => (Path.Combine(target, "terms.docx"), target),
        };
        var before = Directory.GetFileSystemEntries(target, "*", SearchOption.AllDirectories);
        if (what == "in a folder that cannot be written")
        {
            ReadOnlyPaths.MakeReadOnly(target);
        }

        CliResult result;
        try
        {
            result = await Run("--as", "sam", "docs", "get", ids["template"], "--out", output);
        }
        finally
        {
            ReadOnlyPaths.MakeWritable(target);
        }

        Assert.True(result.ExitCode == 2, $"{what}: {result}");
        Assert.StartsWith(says.Replace("{out}", output, StringComparison.Ordinal).Replace("{parent}", parent, StringComparison.Ordinal), result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.Empty(result.Output);
        Assert.Equal(before, Directory.GetFileSystemEntries(target, "*", SearchOption.AllDirectories));
    }

    /// <summary>People (Ada admin; Mona manager and Sam in north; Tom in south), a template, a price list and Sam's deal for Acme.</summary>
    private async Task<Dictionary<string, string>> SeedAsync()
    {
        Assert.Equal(0, (await Run("users", "add", "ada", "--name", "Ada", "--role", "admin", "--group", "hq")).ExitCode);
        foreach (var args in new[]
        {
            new[] { "mona", "--name", "Mona", "--role", "manager", "--group", "north" },
            ["sam", "--name", "Sam", "--role", "salesperson", "--group", "north", "--manager", "mona"],
            ["tom", "--name", "Tom", "--role", "salesperson", "--group", "south"],
        })
        {
            var added = await Run(["--as", "ada", "users", "add", .. args]);
            Assert.True(added.ExitCode == 0, added.ToString());
        }

        var ids = new Dictionary<string, string>
        {
            ["template"] = await AddAsync("Offer template.docx", Docx.WithRuns(["Offer for {{deal}} ({{acc", "ount}}), {{value}}, by {{owner}}"], ["{{line1.item}}: {{line1.unit-price}}; {{line2.item}}: {{line2.unit-price}}"]), "offer-template"),
            ["prices"] = await AddAsync("prices.xlsx", Xlsx.PriceList(("Licence", 1200m), ("Training", 900m)), "price-list", "Prices 2026"),
        };
        Assert.Equal(0, (await Run("--as", "ada", "leads", "import", "--file", Write("leads.csv", "id,company,segment,contact,phone,email,source,notes,owner", "L1,Acme,retail,Jan,1,,fair,,sam"))).ExitCode);
        var deal = await Run("--as", "sam", "leads", "convert", "L1", "--value", "1200", "--currency", "PLN");
        Assert.True(deal.ExitCode == 0, deal.ToString());
        ids["deal"] = deal.Output.Trim();
        return ids;
    }

    private async Task<string> AddAsync(string fileName, byte[] content, string kind, string? title = null)
    {
        var path = Path.Combine(_folder, fileName);
        await File.WriteAllBytesAsync(path, content);
        var added = await Run(["--as", "mona", "docs", "add", "--file", path, "--kind", kind, "--groups", "north", .. title is null ? Array.Empty<string>() : ["--title", title]]);
        Assert.True(added.ExitCode == 0 && Guid.TryParse(added.Output.Trim(), out _), added.ToString());
        return added.Output.Trim();
    }

    private Task<CliResult> Run(params string[] args) => CliRunner.RunAsync([.. Db, .. args]);

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }
}
