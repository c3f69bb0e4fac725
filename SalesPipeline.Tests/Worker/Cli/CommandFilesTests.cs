using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using SalesPipeline.Reporting.Worker.Cli;
using Xunit;

namespace SalesPipeline.Tests.Worker.Cli;

/// <summary>
/// No command writes over a file it reads or writes otherwise: an output that is one of its inputs, however spelt, is
/// refused with exit code 2 before any work, and every input stays byte for byte as it was.
/// </summary>
public sealed class CommandFilesTests
{
    /// <summary>A command that writes a file, with the output aimed at one of its inputs.</summary>
    public enum Collision
    {
        ReportOutIsDb,
        ImportRejectsIsCsv,
        ImportRejectsIsMapping,
        ImportRejectsIsPipelineFile,
        ImportRejectsIsDb,
        ImportRejectsIsDbWal,
        ImportDbIsCsv,
        DemoOutHoldsDb,
        PipelineImportDbIsDefinition,
        PipelineImportFileIsDb,
        LeadsImportFileIsDb,
        RunFolderIsDb,
        RunFolderIsConfig,
        RunFolderHoldsDbUnderAWorkbookName,
        AgendaIcsIsDb,
        DocsGetOutIsDb,
    }

    /// <summary>How the output's path is written.</summary>
    public enum Spelling
    {
        Absolute,
        Relative,
        DotSlash,
        UpAndDown,
        SymbolicLink,
        HardLink,
    }

    // The store and the report period: the last full quarter at CliRunner.Now is Q3 2026.
    private const string DemoWorkbook = "pipeline-2026-Q3.xlsx";

    private static readonly Lazy<string> TemplateDatabase = new(() =>
    {
        var folder = Directory.CreateTempSubdirectory("salespipeline-files-template-").FullName;
        var db = Path.Combine(folder, "template.db");
        var result = CliRunner.RunAsync("--db", db, "db", "migrate").GetAwaiter().GetResult();
        Assert.True(result.ExitCode == 0, result.ToString());
        SqliteConnection.ClearAllPools();
        return db;
    });

    /// <summary>Every collision in every spelling.</summary>
    public static TheoryData<Collision, Spelling> Collisions()
    {
        var data = new TheoryData<Collision, Spelling>();
        foreach (var collision in Enum.GetValues<Collision>())
        {
            foreach (var spelling in Enum.GetValues<Spelling>())
            {
                data.Add(collision, spelling);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Collisions))]
    public Task Command_OutputIsOneOfItsInputs_RefusedBeforeAnyWorkAndInputsUnchanged(Collision collision, Spelling spelling) =>
        RefusedAsync(collision, spelling);

    [Theory]
    [InlineData("out.xlsx", "other.xlsx", false)]
    [InlineData("out.xlsx", "out.xlsx", true)]
    [InlineData("out.xlsx", "sub/../out.xlsx", true)]
    [InlineData("out.xlsx", "./out.xlsx", true)]
    public void Same_PathsSpeltDifferently_SameOnlyWhenOneFile(string a, string b, bool same)
    {
        var folder = Directory.CreateTempSubdirectory("salespipeline-identity-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "sub"));
            File.WriteAllText(Path.Combine(folder, "out.xlsx"), "x");
            Assert.Equal(same, FileIdentity.Same(Path.Combine(folder, a), Path.Combine(folder, b)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Same_HardLinkAndSymbolicLink_SameFileAsTheOriginal()
    {
        var folder = Directory.CreateTempSubdirectory("salespipeline-identity-").FullName;
        try
        {
            var original = Path.Combine(folder, "crm.db");
            File.WriteAllText(original, "x");
            var hard = Path.Combine(folder, "hard.xlsx");
            ReadOnlyPaths.Run("ln", original, hard);
            var symbolic = Path.Combine(folder, "symbolic.xlsx");
            File.CreateSymbolicLink(symbolic, original);
            var copy = Path.Combine(folder, "copy.db");
            File.Copy(original, copy);

            Assert.True(FileIdentity.Same(original, hard), "a hard link is the same file");
            Assert.True(FileIdentity.Same(original, symbolic), "a symbolic link names the same file");
            Assert.False(FileIdentity.Same(original, copy), "a copy is another file");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Device and inode numbers are read through a native helper that needs no C library newer than glibc 2.17 (libc's own
    /// <c>stat</c> symbol appeared only in glibc 2.33), so the same-file rule holds on older Linux distributions too.
    /// </summary>
    [Theory]
    [InlineData("linux-x64")]
    [InlineData("linux-arm64")]
    public void FileIdentity_NativeHelper_NeedsNoGlibcNewerThan2_17(string runtime)
    {
        var library = Path.Combine(AppContext.BaseDirectory, "runtimes", runtime, "native", "libMono.Unix.so");
        Assert.True(File.Exists(library), $"{library} is not shipped");
        using var readelf = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("readelf", ["--version-info", "--wide", library]) { RedirectStandardOutput = true })!;
        var output = readelf.StandardOutput.ReadToEnd();
        readelf.WaitForExit();
        Assert.Equal(0, readelf.ExitCode);

        var needed = System.Text.RegularExpressions.Regex.Matches(output, @"Name: GLIBC_(\d+)\.(\d+)")
            .Select(m => new Version(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
        Assert.NotEmpty(needed);
        Assert.True(needed.Max() <= new Version(2, 17), $"{runtime} needs glibc {needed.Max()}");
    }

    [Fact]
    public void Same_FileThatDoesNotExistYet_ComparedByFolderAndName()
    {
        var folder = Directory.CreateTempSubdirectory("salespipeline-identity-").FullName;
        try
        {
            var alias = Path.Combine(folder, "alias");
            Directory.CreateSymbolicLink(alias, folder);

            Assert.True(FileIdentity.Same(Path.Combine(folder, "new.db"), Path.Combine(alias, "new.db")));
            Assert.False(FileIdentity.Same(Path.Combine(folder, "new.db"), Path.Combine(alias, "other.db")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task RefusedAsync(Collision collision, Spelling spelling)
    {
        var folder = Directory.CreateTempSubdirectory("salespipeline-files-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "sub"));
            var db = Path.Combine(folder, "store.xlsx");
            File.Copy(TemplateDatabase.Value, db);
            var csv = Write(folder, "deals.csv", "id,name,owner,stage,amount,currency\nD-1,ERP,anna,identification,10,PLN\n");
            var definition = Write(folder, "pipeline.json", PipelineDefinitionJson());
            var mapping = Write(folder, "mapping.json", """{ "pipelineFile": "pipeline.json" }""");
            var wal = Write(folder, "store.xlsx-wal", string.Empty);
            var demoFolder = Path.Combine(folder, "reports");
            Directory.CreateDirectory(demoFolder);
            var demoDb = Path.Combine(demoFolder, DemoWorkbook);
            File.Copy(TemplateDatabase.Value, demoDb);

            var workbookNamedDb = Path.Combine(demoFolder, "weekly_2026-11-16_2026-11-22.xlsx");
            File.Copy(TemplateDatabase.Value, workbookNamedDb);
            string Config(string deliveryFolder) => Write(folder, "schedules.json", new JsonObject
            {
                ["SalesPipeline"] = new JsonObject
                {
                    ["Schedules"] = new JsonArray(new JsonObject
                    {
                        ["Name"] = "weekly", ["Cron"] = "0 6 * * 1", ["TimeZone"] = "UTC", ["Period"] = "PreviousWeek", ["Folder"] = deliveryFolder,
                    }),
                },
            }.ToJsonString());
            var config = Write(folder, "schedules.json", "{}");
            var icsNamedDb = Path.Combine(folder, "calendar.ics");
            File.Copy(TemplateDatabase.Value, icsNamedDb);

            string Spell(string target, string extension) => SpellPath(folder, target, spelling, extension);
            string[] import = ["import", "--file", csv, "--skip-invalid"];
            string[] args = collision switch
            {
                Collision.ReportOutIsDb => ["--db", db, "report", "--from", "2026-07-01", "--to", "2026-09-30", "--out", Spell(db, ".xlsx")],
                Collision.ImportRejectsIsCsv => ["--db", db, .. import, "--rejects", Spell(csv, ".csv")],
                Collision.ImportRejectsIsMapping => ["--db", db, .. import, "--mapping", mapping, "--rejects", Spell(mapping, ".json")],
                Collision.ImportRejectsIsPipelineFile => ["--db", db, .. import, "--mapping", mapping, "--rejects", Spell(definition, ".json")],
                Collision.ImportRejectsIsDb => ["--db", db, .. import, "--rejects", Spell(db, ".xlsx")],
                Collision.ImportRejectsIsDbWal => ["--db", db, .. import, "--rejects", Spell(wal, "-wal")],
                Collision.ImportDbIsCsv => ["--db", Spell(csv, ".csv"), "import", "--file", csv],
                Collision.DemoOutHoldsDb => ["--db", demoDb, "demo", "--deals", "5", "--out", SpellFolder(folder, demoFolder, spelling)],
                Collision.PipelineImportDbIsDefinition => ["--db", Spell(definition, ".json"), "pipeline", "import", "--file", definition],
                Collision.PipelineImportFileIsDb => ["--db", db, "pipeline", "import", "--file", Spell(db, ".xlsx")],
                Collision.LeadsImportFileIsDb => ["--db", db, "--as", "admin", "leads", "import", "--file", Spell(db, ".xlsx")],
                Collision.RunFolderIsDb => ["--db", db, "run", "--once", "--config", Config(Spell(db, ".xlsx"))],
                Collision.RunFolderIsConfig => ["--db", db, "run", "--once", "--config", Config(Spell(config, ".json"))],
                Collision.RunFolderHoldsDbUnderAWorkbookName => ["--db", workbookNamedDb, "run", "--once", "--config", Config(SpellFolder(folder, demoFolder, spelling))],
                Collision.AgendaIcsIsDb => ["--db", icsNamedDb, "--as", "admin", "agenda", "--ics", Spell(icsNamedDb, ".ics")],
                Collision.DocsGetOutIsDb => ["--db", db, "--as", "admin", "docs", "get", "0f8fad5b-d9cb-469f-a165-70867728950e", "--out", Spell(db, ".xlsx")],
                _ => throw new ArgumentOutOfRangeException(nameof(collision)),
            };
            var before = Snapshot(folder);

            var result = await CliRunner.RunAsync(args);
            SqliteConnection.ClearAllPools();

            var after = Snapshot(folder);
            Assert.True(result.ExitCode == CliApp.BadInput, $"{collision} spelt {spelling}: {result}");
            Assert.Contains("is the same file as", result.Error, StringComparison.Ordinal);
            Assert.Equal(before, after);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Every file under the folder (links not followed) with a hash of its bytes.</summary>
    private static SortedDictionary<string, string> Snapshot(string folder)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories))
        {
            var info = new FileInfo(file);
            files[Path.GetRelativePath(folder, file)] = info.LinkTarget is not null || Directory.Exists(file)
                ? "link or folder"
                : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));
        }

        return files;
    }

    private static string SpellPath(string folder, string target, Spelling spelling, string extension)
    {
        var name = Path.GetFileName(target);
        switch (spelling)
        {
            case Spelling.Absolute:
                return target;
            case Spelling.Relative:
                return Path.GetRelativePath(Environment.CurrentDirectory, target);
            case Spelling.DotSlash:
                return "./" + Path.GetRelativePath(Environment.CurrentDirectory, target);
            case Spelling.UpAndDown:
                return Path.Combine(folder, "sub", "..", name);
            case Spelling.SymbolicLink:
                var symbolic = Path.Combine(folder, "sub", "alias" + extension);
                File.CreateSymbolicLink(symbolic, target);
                return symbolic;
            default:
                var hard = Path.Combine(folder, "sub", "hard" + extension);
                ReadOnlyPaths.Run("ln", target, hard);
                return hard;
        }
    }

    private static string SpellFolder(string folder, string target, Spelling spelling)
    {
        switch (spelling)
        {
            case Spelling.Relative:
                return Path.GetRelativePath(Environment.CurrentDirectory, target);
            case Spelling.DotSlash:
                return "./" + Path.GetRelativePath(Environment.CurrentDirectory, target);
            case Spelling.UpAndDown:
                return Path.Combine(folder, "sub", "..", Path.GetFileName(target));
            case Spelling.SymbolicLink or Spelling.HardLink:
                // A folder cannot be hard-linked; both go through a symbolic link to it.
                var alias = Path.Combine(folder, "sub", "reports-alias");
                Directory.CreateSymbolicLink(alias, target);
                return alias;
            default:
                return target;
        }
    }

    private static string Write(string folder, string name, string content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static string PipelineDefinitionJson() => SalesPipeline.Process.PipelineDefinition.Default.ToJson();
}
