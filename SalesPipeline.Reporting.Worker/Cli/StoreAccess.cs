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

    public static readonly Option<TimeSpan?> BusyTimeoutOption = new("--busy-timeout")
    {
        Description = "With SQLite: how many seconds to wait for another process's lock on the database before failing. Default: 30.",
        Recursive = true,
        CustomParser = ParseSeconds,
    };

    static StoreAccess() => ProviderOption.AcceptOnlyFromAmong("sqlite", "postgres");

    /// <summary>The SQLite files of the database <c>--db</c> names (the file, its write-ahead log, shared memory and journal); none for PostgreSQL.</summary>
    public static IEnumerable<string> DatabaseFiles(ParseResult parse)
    {
        if (parse.GetValue(ProviderOption) == "postgres")
        {
            return [];
        }

        var file = SqliteFile(parse.GetValue(DbOption));
        return [file, file + "-wal", file + "-shm", file + "-journal"];
    }

    /// <summary>Says what is wrong with the database and what to do, in terms of this command line's options.</summary>
    public static string Explain(StorageUnavailableException e, ParseResult parse)
    {
        var postgres = parse.GetValue(ProviderOption) == "postgres";
        var remedy = e.Reason switch
        {
            StorageUnavailableReason.FolderMissing => "Create the folder, or point --db at a file in an existing folder.",
            StorageUnavailableReason.CannotOpen => "Check that you may read and write the file and create files in its folder, or point --db at another file.",
            StorageUnavailableReason.ReadOnly when postgres => "Point --db at the primary server.",
            StorageUnavailableReason.ReadOnly => "Give write permission to the file and its folder (SQLite writes '-wal' and '-shm' files beside it), or point --db at a writable copy.",
            StorageUnavailableReason.NotADatabase => "Point --db at a SalesPipeline database, or at a new file name to start one.",
            StorageUnavailableReason.Locked => "Try again when the other work has finished, or wait longer with --busy-timeout SECONDS.",
            StorageUnavailableReason.DatabaseMissing => "Create it (CREATE DATABASE …), or fix Database= in --db.",
            StorageUnavailableReason.LoginRefused => "Check Username= and Password= in --db.",
            StorageUnavailableReason.Unreachable => "Check that the server runs and accepts connections, and fix Host= and Port= in --db if they are wrong.",
            _ => null,
        };
        return remedy is null ? e.Message : $"{e.Problem} {remedy}";
    }

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
            var busyTimeout = parse.GetValue(BusyTimeoutOption);
            builder.UseSqlite(connectionString, o =>
            {
                o.AutoMigrate = create;
                if (busyTimeout is { } timeout)
                {
                    o.BusyTimeout = timeout;
                }
            });
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
        IReadOnlyDictionary<PipelineId, string> stored;
        try
        {
            stored = await services.GetRequiredService<IPipelineDefinitionStore>().LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await services.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (stored.Count == 0)
        {
            return services;
        }

        await services.DisposeAsync().ConfigureAwait(false);
        var pipelines = new Dictionary<PipelineId, PipelineDefinition> { [PipelineDefinition.Default.Id] = PipelineDefinition.Default };
        foreach (var (id, json) in stored)
        {
            try
            {
                pipelines[id] = PipelineDefinition.FromJson(json);
            }
            catch (PipelineDefinitionException e)
            {
                throw new CliInputException(
                    $"The pipeline '{id}' stored in {Describe(parse)} is no longer valid; store a corrected definition with 'salespipeline pipeline import --file FILE.json'. {e.Message}");
            }
        }

        return Open(parse, clock, create, new PipelineCatalog(pipelines.Values, PipelineDefinition.Default.Id));
    }

    /// <summary>Describes the database for messages, without a password; a SQLite file by its full path.</summary>
    public static string Describe(ParseResult parse)
    {
        var db = parse.GetValue(DbOption);
        if (parse.GetValue(ProviderOption) == "postgres")
        {
            var parts = (db ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries)
                .Where(p => p.Split('=')[0].Trim().ToUpperInvariant() is not ("PASSWORD" or "PWD"));
            return "PostgreSQL " + string.Join(';', parts);
        }

        return "SQLite " + Path.GetFullPath(SqliteFile(db));
    }

    private static string SqliteConnectionString(string? db, bool create)
    {
        var file = SqliteFile(db);
        if (Directory.Exists(file))
        {
            throw new CliInputException($"--db '{file}' is a folder; give the database file, for example '{Path.Combine(file, DefaultSqliteFile)}'.");
        }

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

    private static TimeSpan? ParseSeconds(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0 and <= 86_400)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        result.AddError($"--busy-timeout '{text}' is not a number of seconds between 0 and 86400 (one day); for example --busy-timeout 60.");
        return null;
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
        catch (ArgumentException)
        {
            // Not echoed: a connection string meant for PostgreSQL carries a password.
            throw new CliInputException("--db is neither a file path nor a SQLite connection string (it has a setting SQLite does not know). Give a file path such as crm.db, or add --provider postgres for a PostgreSQL connection string.");
        }
    }

    /// <summary>Tells whether a storage failure is the user's input (a database that is missing, unreachable or too new).</summary>
    public static bool IsBadInput(Exception e) => e is SchemaVersionException or StorageUnavailableException;

}
