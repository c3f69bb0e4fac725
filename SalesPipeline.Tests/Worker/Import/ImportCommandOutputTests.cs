using Microsoft.Data.Sqlite;
using NodaTime.Testing;
using SalesPipeline.Reporting.Worker.Cli;
using Xunit;
using static SalesPipeline.Tests.Worker.Import.ImportKit;

namespace SalesPipeline.Tests.Worker.Import;

/// <summary>
/// <c>import --skip-invalid --rejects</c> whose rejects file cannot be written: refused before the import starts (exit 2,
/// nothing imported), never a committed import followed by a failure that loses the rejected rows.
/// </summary>
public sealed class ImportCommandOutputTests : ImportCommandTestBase
{
    [Fact]
    public async Task Import_RejectsIsAFolder_ExitsTwoBeforeImportingAnything()
    {
        var db = Path.Combine(Folder.FullName, "crm.db");
        var file = Write("deals.csv", Csv(Row("D-1"), Row("D-2", amount: "-5")));
        var rejects = Directory.CreateDirectory(Path.Combine(Folder.FullName, "rejects.csv")).FullName;

        var code = await CliApp.RunAsync(["--db", db, "import", "--file", file, "--skip-invalid", "--rejects", rejects], Output, Error, new FakeClock(Now));

        Assert.Equal(CliApp.BadInput, code);
        Assert.StartsWith($"error: --rejects '{rejects}' is a folder; give a file name.", Error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(db), "Nothing may be imported (the database is not even created).");
    }

    [Fact]
    public async Task Import_RejectsInAFolderThatCannotBeWritten_ExitsTwoBeforeImportingAnything()
    {
        var db = Path.Combine(Folder.FullName, "crm.db");
        var file = Write("deals.csv", Csv(Row("D-1"), Row("D-2", amount: "-5")));
        var locked = Directory.CreateDirectory(Path.Combine(Folder.FullName, "locked")).FullName;
        ReadOnlyPaths.MakeReadOnly(locked);
        try
        {
            var code = await CliApp.RunAsync(
                ["--db", db, "import", "--file", file, "--skip-invalid", "--rejects", Path.Combine(locked, "rejects.csv")], Output, Error, new FakeClock(Now));

            Assert.Equal(CliApp.BadInput, code);
            Assert.StartsWith($"error: --rejects: cannot write in the folder '{locked}'", Error.ToString(), StringComparison.Ordinal);
            Assert.Contains("choose a folder you may write in", Error.ToString(), StringComparison.Ordinal);
            Assert.False(File.Exists(db), "Nothing may be imported (the database is not even created).");
        }
        finally
        {
            ReadOnlyPaths.MakeWritable(locked);
        }
    }

    [Fact]
    public async Task Import_RejectsFolderMissing_ExitsTwoBeforeImportingAnything()
    {
        var db = Path.Combine(Folder.FullName, "crm.db");
        var file = Write("deals.csv", Csv(Row("D-1"), Row("D-2", amount: "-5")));
        var missing = Path.Combine(Folder.FullName, "no", "such");

        var code = await CliApp.RunAsync(["--db", db, "import", "--file", file, "--skip-invalid", "--rejects", Path.Combine(missing, "r.csv")], Output, Error, new FakeClock(Now));

        Assert.Equal(CliApp.BadInput, code);
        Assert.StartsWith($"error: --rejects: the folder '{missing}' does not exist.", Error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(db));
    }

    [Fact]
    public async Task Import_RejectsWritable_ImportsTheValidRowsAndWritesTheRejects()
    {
        var db = Path.Combine(Folder.FullName, "crm.db");
        var file = Write("deals.csv", Csv(Row("D-1"), Row("D-2", amount: "-5")));
        var rejects = Path.Combine(Folder.FullName, "rejects.csv");

        var code = await CliApp.RunAsync(["--db", db, "import", "--file", file, "--skip-invalid", "--rejects", rejects], Output, Error, new FakeClock(Now));
        SqliteConnection.ClearAllPools();

        Assert.True(code == CliApp.Success, Error.ToString());
        Assert.Contains("1 imported", Output.ToString(), StringComparison.Ordinal);
        Assert.Contains("D-2", await File.ReadAllTextAsync(rejects), StringComparison.Ordinal);
    }
}
