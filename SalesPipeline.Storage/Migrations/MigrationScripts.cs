using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace SalesPipeline.Storage.Migrations;

/// <summary>A numbered migration script embedded in the assembly.</summary>
/// <param name="Version">Its number; the schema version once it is applied.</param>
/// <param name="Name">Its name, such as <c>initial</c>.</param>
/// <param name="Sql">Its text.</param>
internal sealed record MigrationScript(int Version, string Name, string Sql);

/// <summary>
/// The embedded scripts of each provider (Migrations/Scripts/{Sqlite,Postgres}/NNNN_name.sql). Both providers carry the
/// same numbers, so "schema version 3" means the same tables on either database.
/// </summary>
internal static partial class MigrationScripts
{
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";

    private static readonly Lazy<IReadOnlyList<MigrationScript>> SqliteScripts = new(() => Load(Sqlite));
    private static readonly Lazy<IReadOnlyList<MigrationScript>> PostgresScripts = new(() => Load(Postgres));

    public static IReadOnlyList<MigrationScript> For(string provider) => provider switch
    {
        Sqlite => SqliteScripts.Value,
        Postgres => PostgresScripts.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown storage provider."),
    };

    public static int Latest(string provider) => For(provider)[^1].Version;

    /// <summary>The names of the tables the provider's scripts create (temporary ones aside), in name order.</summary>
    public static IReadOnlyList<string> Tables(string provider) =>
        [.. For(provider).SelectMany(s => CreatedTable().Matches(s.Sql)).Select(m => m.Groups[1].Value.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal)];

    private static List<MigrationScript> Load(string provider)
    {
        var assembly = typeof(MigrationScripts).Assembly;
        var prefix = $"SalesPipeline.Storage.Migrations.{provider}.";
        var scripts = new List<MigrationScript>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var match = ScriptName().Match(resource[prefix.Length..]);
            if (!match.Success)
            {
                throw new InvalidOperationException($"Embedded migration '{resource}' is not named NNNN_name.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            scripts.Add(new MigrationScript(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value, reader.ReadToEnd()));
        }

        scripts.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < scripts.Count; i++)
        {
            if (scripts[i].Version == scripts[i - 1].Version)
            {
                throw new InvalidOperationException($"The {provider} migrations must each have their own number; found {string.Join(", ", scripts.Select(s => s.Version))}.");
            }
        }

        return scripts;
    }

    /// <summary>
    /// The scripts not yet applied to a database, in number order. A script is pending when its number is not recorded, even
    /// below the highest recorded one: scripts developed side by side may be numbered in one order and arrive in another.
    /// </summary>
    /// <param name="provider">The provider.</param>
    /// <param name="applied">The versions the database records.</param>
    /// <param name="target">The database, for the message.</param>
    /// <exception cref="SchemaVersionException">The database records a version this application does not know (a newer application migrated it).</exception>
    public static IReadOnlyList<MigrationScript> Pending(string provider, IReadOnlyCollection<int> applied, string target)
    {
        var scripts = For(provider);
        var unknown = applied.Where(v => scripts.All(s => s.Version != v)).ToList();
        if (unknown.Count > 0)
        {
            throw new SchemaVersionException(target, unknown.Max(), Latest(provider));
        }

        return [.. scripts.Where(s => !applied.Contains(s.Version))];
    }

    [GeneratedRegex(@"^(\d{4})_([a-z0-9_]+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex ScriptName();

    [GeneratedRegex(@"\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex CreatedTable();
}

/// <summary>What a migration run found and did.</summary>
/// <param name="FromVersion">The schema version before the run (0 for an empty database).</param>
/// <param name="ToVersion">The schema version after it.</param>
/// <param name="ScriptsApplied">How many scripts the run applied.</param>
public sealed record MigrationResult(int FromVersion, int ToVersion, int ScriptsApplied)
{
    /// <summary>Gets a value indicating whether the run applied any script.</summary>
    public bool Applied => ScriptsApplied > 0;
}
