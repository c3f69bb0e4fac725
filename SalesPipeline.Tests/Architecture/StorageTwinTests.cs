using System.Text.RegularExpressions;
using SalesPipeline.Tests.Docs;
using Xunit;

namespace SalesPipeline.Tests.Architecture;

/// <summary>
/// The storage is one relational layer over a dialect seam: no SQLite code is a copy of PostgreSQL code with the provider's
/// name changed. The scan compares every run of <see cref="TwinScan.RunLength"/> lines of a SQLite source file with those of
/// the PostgreSQL ones, after dropping blank lines, lines that are comments (starting with //), punctuation-only lines,
/// usings and namespace lines, and after writing the providers' names (SQLite, PostgreSQL, Npgsql) the same way, so a copy
/// that only renamed them is found.
/// </summary>
public sealed class StorageTwinTests
{
    /// <summary>
    /// The runs the two databases share, thin boilerplate: the fields and the start of each constructor (check the options,
    /// parse the connection string with the provider's own ADO.NET builder, word the failure with its own example), and the
    /// lines that open a connection and migrate it, each through its own provider's calls; five runs of six lines in all.
    /// </summary>
    private static readonly (string Sqlite, string Postgres, int MaxWindows)[] Boilerplate =
    [
        ("Sqlite/SqliteDatabase.cs", "Postgres/PostgresDatabase.cs", 5),
    ];

    [Fact]
    public void StorageSources_SqliteAgainstPostgres_ShareNoRunOfSixLinesBeyondTheDatabasesBoilerplate()
    {
        var storage = Path.Combine(ReadmeTests.RepoRoot(), "SalesPipeline.Storage");
        var sources = Directory.EnumerateFiles(storage, "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(storage, path).Replace('\\', '/'))
            .Where(path => !path.StartsWith("bin/", StringComparison.Ordinal) && !path.StartsWith("obj/", StringComparison.Ordinal))
            .ToDictionary(path => path, path => File.ReadAllText(Path.Combine(storage, path)));

        var twins = TwinScan.Pairs(sources);

        Assert.Contains(sources.Keys, path => TwinScan.SideOf(path) == TwinScan.Side.Sqlite);
        Assert.Contains(sources.Keys, path => TwinScan.SideOf(path) == TwinScan.Side.Postgres);
        var unexpected = twins
            .Where(twin => !Boilerplate.Any(b => b.Sqlite == twin.SqlitePath && b.Postgres == twin.PostgresPath && twin.Windows <= b.MaxWindows))
            .Select(twin => $"{twin.SqlitePath}:{twin.SqliteLine} ~ {twin.PostgresPath}:{twin.PostgresLine} ({twin.Windows} shared runs)")
            .ToList();
        Assert.True(unexpected.Count == 0, "SQLite/PostgreSQL twins; write the code once over IStoreDialect:\n" + string.Join('\n', unexpected));
    }

    [Fact]
    public void Pairs_ACopyWithTheProviderRenamedAndRecommented_IsFoundAtItsFirstLines()
    {
        const string sqlite = """
            namespace SalesPipeline.Storage.Sqlite;

            internal sealed class SqliteAccountStore(SqliteDatabase database)
            {
                // SQLite's accounts.
                public async Task<Account?> GetAsync(AccountId id, CancellationToken cancellationToken)
                {
                    var row = await database.WithConnectionAsync(
                        connection => connection.QuerySingleOrDefaultAsync<SqliteAccountRow>(Select, new { Id = id.Value }),
                        cancellationToken).ConfigureAwait(false);
                    return row?.ToAccount();
                }
            }
            """;
        const string postgres = """
            namespace SalesPipeline.Storage.Postgres;

            /// <summary>PostgreSQL's accounts.</summary>
            internal sealed class PostgresAccountStore(PostgresDatabase database)
            {
                public async Task<Account?> GetAsync(AccountId id, CancellationToken cancellationToken)
                {

                    var row = await database.WithConnectionAsync(
                        connection => connection.QuerySingleOrDefaultAsync<PostgreSQLAccountRow>(Select, new { Id = id.Value }),
                        cancellationToken).ConfigureAwait(false);
                    return row?.ToAccount();
                }
            }
            """;

        var twin = Assert.Single(TwinScan.Pairs(new Dictionary<string, string>
        {
            ["Sqlite/SqliteAccountStore.cs"] = sqlite,
            ["Postgres/PostgresAccountStore.cs"] = postgres,
            ["Internal/RelationalAccountStore.cs"] = sqlite,
        }));

        Assert.Equal(("Sqlite/SqliteAccountStore.cs", 3, "Postgres/PostgresAccountStore.cs", 4, 1), (twin.SqlitePath, twin.SqliteLine, twin.PostgresPath, twin.PostgresLine, twin.Windows));
    }

    [Fact]
    public void Pairs_FiveSharedLinesOrSixWithOneChanged_AreNoTwin()
    {
        const string sqlite = "a = 1;\nb = 2;\nc = 3;\nd = 4;\ne = 5;\nf = 6;\ng = 7;\n";
        const string postgres = "a = 1;\nb = 2;\nc = 3;\nd = 4;\ne = 5;\nx = 6;\ng = 7;\n";

        Assert.Empty(TwinScan.Pairs(new Dictionary<string, string> { ["Sqlite/A.cs"] = sqlite, ["Postgres/A.cs"] = postgres }));
        Assert.Single(TwinScan.Pairs(new Dictionary<string, string> { ["Sqlite/A.cs"] = sqlite, ["Postgres/A.cs"] = sqlite }));
    }
}

/// <summary>Finds runs of lines a SQLite source file and a PostgreSQL one share (see <see cref="StorageTwinTests"/>).</summary>
internal static partial class TwinScan
{
    public const int RunLength = 6;

    public enum Side
    {
        Neither,
        Sqlite,
        Postgres,
    }

    /// <summary>A SQLite file and a PostgreSQL file that share runs: where the first shared run starts in each, and how many runs.</summary>
    public sealed record Twin(string SqlitePath, int SqliteLine, string PostgresPath, int PostgresLine, int Windows);

    /// <summary>The provider a source file belongs to, by its folder or its name.</summary>
    public static Side SideOf(string path)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        if (path.StartsWith("Sqlite/", StringComparison.Ordinal) || path.Contains("/Sqlite/", StringComparison.Ordinal) || name.StartsWith("Sqlite", StringComparison.Ordinal))
        {
            return Side.Sqlite;
        }

        return path.StartsWith("Postgres/", StringComparison.Ordinal) || path.Contains("/Postgres/", StringComparison.Ordinal)
            || name.StartsWith("Postgres", StringComparison.Ordinal) || name.StartsWith("Npgsql", StringComparison.Ordinal)
            ? Side.Postgres
            : Side.Neither;
    }

    /// <summary>Every pair of a SQLite and a PostgreSQL file of <paramref name="sources"/> (path to text) that share a run.</summary>
    public static List<Twin> Pairs(IReadOnlyDictionary<string, string> sources)
    {
        var sqliteRuns = new Dictionary<string, List<(string Path, int Line)>>(StringComparer.Ordinal);
        foreach (var (path, text) in sources.Where(s => SideOf(s.Key) == Side.Sqlite).OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            foreach (var (line, run) in Runs(text))
            {
                if (!sqliteRuns.TryGetValue(run, out var places))
                {
                    sqliteRuns[run] = places = [];
                }

                places.Add((path, line));
            }
        }

        var twins = new Dictionary<(string, string), Twin>();
        foreach (var (path, text) in sources.Where(s => SideOf(s.Key) == Side.Postgres).OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            foreach (var (line, run) in Runs(text))
            {
                foreach (var place in sqliteRuns.GetValueOrDefault(run) ?? [])
                {
                    twins[(place.Path, path)] = twins.TryGetValue((place.Path, path), out var twin)
                        ? twin with { Windows = twin.Windows + 1 }
                        : new Twin(place.Path, place.Line, path, line, 1);
                }
            }
        }

        return [.. twins.Values.OrderBy(t => t.SqlitePath, StringComparer.Ordinal).ThenBy(t => t.PostgresPath, StringComparer.Ordinal)];
    }

    /// <summary>Each run of <see cref="RunLength"/> kept lines of a file, with the number of its first line.</summary>
    private static IEnumerable<(int Line, string Run)> Runs(string text)
    {
        var kept = text.Split('\n')
            .Select((line, index) => (Line: index + 1, Text: Normalized(line)))
            .Where(l => l.Text is not null)
            .ToList();
        for (var start = 0; start + RunLength <= kept.Count; start++)
        {
            yield return (kept[start].Line, string.Join('\n', kept.Skip(start).Take(RunLength).Select(l => l.Text)));
        }
    }

    /// <summary>A line as compared (spaces collapsed, the providers' names alike), or null when it is not compared.</summary>
    private static string? Normalized(string line)
    {
        var text = Spaces().Replace(line.Trim(), " ");
        return text.Length == 0 || text.StartsWith("//", StringComparison.Ordinal) || text.StartsWith("using ", StringComparison.Ordinal)
            || text.StartsWith("namespace ", StringComparison.Ordinal) || PunctuationOnly().IsMatch(text)
            ? null
            : Provider().Replace(text, "Db");
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"^[{}()\[\];,]+$")]
    private static partial Regex PunctuationOnly();

    [GeneratedRegex("sqlite|postgres(?:ql)?|npgsql", RegexOptions.IgnoreCase)]
    private static partial Regex Provider();
}
