using System.CommandLine;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Storage;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary>Which database the command works on: the global <c>--db</c> and <c>--provider</c> options.</summary>
internal static class StoreAccess
{
    public const string DefaultSqliteFile = "salespipeline.db";

    public static readonly Option<string?> DbOption = new("--db")
    {
        Description = $"The database: a SQLite file path or connection string, or a PostgreSQL connection string with --provider postgres. Default: the SQLite file '{DefaultSqliteFile}' in the current folder.",
        Recursive = true,
    };

    public static readonly Option<string> ProviderOption = new("--provider")
    {
        Description = "The database kind: sqlite (an embedded file, the default) or postgres (a shared server).",
        DefaultValueFactory = _ => "sqlite",
        Recursive = true,
    };

    static StoreAccess() => ProviderOption.AcceptOnlyFromAmong("sqlite", "postgres");

    /// <summary>
    /// Opens the store for one command. With <paramref name="create"/> a missing SQLite file is created and
    /// migrated; without it, a missing file or an unmigrated database is refused as bad input.
    /// </summary>
    public static ServiceProvider Open(ParseResult parse, IClock clock, bool create, PipelineCatalog? pipelines = null)
    {
        var db = parse.GetValue(DbOption);
        var provider = parse.GetValue(ProviderOption);
        var services = new ServiceCollection();
        services.AddSingleton(clock);
        var builder = services.AddSalesPipeline(o =>
        {
            if (pipelines is not null)
            {
                o.UsePipelines(pipelines.All);
                o.DefaultPipeline = pipelines.Default.Id.Value;
            }
        });
        if (provider == "postgres")
        {
            if (string.IsNullOrWhiteSpace(db))
            {
                throw new CliInputException("--provider postgres needs --db \"Host=…;Database=…;Username=…;Password=…\".");
            }

            builder.UsePostgres(db, o => o.AutoMigrate = create);
        }
        else
        {
            var connectionString = SqliteConnectionString(db, create);
            builder.UseSqlite(connectionString, o => o.AutoMigrate = create);
        }

        return services.BuildServiceProvider();
    }

    /// <summary>
    /// Opens the store with its pipelines: the default pipeline plus every definition imported into the database
    /// (an imported definition with the default's id replaces it).
    /// </summary>
    public static async Task<ServiceProvider> OpenWithPipelinesAsync(ParseResult parse, IClock clock, bool create, CancellationToken cancellationToken)
    {
        var services = Open(parse, clock, create);
        PipelineCatalog catalog;
        try
        {
            catalog = await PipelineCatalog.LoadAsync(services.GetRequiredService<IPipelineDefinitionStore>(), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await services.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (ReferenceEquals(catalog, PipelineCatalog.DefaultOnly))
        {
            return services;
        }

        await services.DisposeAsync().ConfigureAwait(false);
        return Open(parse, clock, create, catalog);
    }

    /// <summary>Describes the database for messages, without a password; a SQLite file by its full path.</summary>
    public static string Describe(ParseResult parse)
    {
        var db = parse.GetValue(DbOption);
        if (parse.GetValue(ProviderOption) == "postgres")
        {
            var parts = (db ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries)
                .Where(p => !p.TrimStart().StartsWith("password", StringComparison.OrdinalIgnoreCase));
            return "PostgreSQL " + string.Join(';', parts);
        }

        return "SQLite " + Path.GetFullPath(SqliteFile(db));
    }

    private static string SqliteConnectionString(string? db, bool create)
    {
        var file = SqliteFile(db);
        if (!create && !File.Exists(file))
        {
            throw new CliInputException($"The database '{Path.GetFullPath(file)}' does not exist. Create it with 'salespipeline db migrate' or 'salespipeline demo', or point --db at an existing one.");
        }

        if (create && Path.GetDirectoryName(Path.GetFullPath(file)) is { } folder && !Directory.Exists(folder))
        {
            throw new CliInputException($"The folder of the database '{Path.GetFullPath(file)}' does not exist.");
        }

        return db is not null && db.Contains('=', StringComparison.Ordinal) ? db : new SqliteConnectionStringBuilder { DataSource = file }.ToString();
    }

    private static string SqliteFile(string? db)
    {
        if (string.IsNullOrWhiteSpace(db))
        {
            return DefaultSqliteFile;
        }

        if (!db.Contains('=', StringComparison.Ordinal))
        {
            return db;
        }

        try
        {
            return new SqliteConnectionStringBuilder(db).DataSource;
        }
        catch (ArgumentException e)
        {
            throw new CliInputException($"--db '{db}' is neither a file path nor a valid SQLite connection string: {e.Message}");
        }
    }

    /// <summary>Tells whether a storage failure is the user's input (a database that is missing, unreachable or too new).</summary>
    public static bool IsBadInput(Exception e) => e is SchemaVersionException or StorageUnavailableException;
}
