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
        for (var i = 0; i < scripts.Count; i++)
        {
            if (scripts[i].Version != i + 1)
            {
                throw new InvalidOperationException($"The {provider} migrations must be numbered 1, 2, 3… without gaps; found {string.Join(", ", scripts.Select(s => s.Version))}.");
            }
        }

        return scripts;
    }

    [GeneratedRegex(@"^(\d{4})_([a-z0-9_]+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex ScriptName();
}

/// <summary>What a migration run found and did.</summary>
/// <param name="FromVersion">The schema version before the run (0 for an empty database).</param>
/// <param name="ToVersion">The schema version after it.</param>
internal sealed record MigrationResult(int FromVersion, int ToVersion)
{
    public bool Applied => ToVersion != FromVersion;
}
