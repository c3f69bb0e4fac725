using System.CommandLine;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Documents;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Documents;
using SalesPipeline.Reporting.Worker.Scheduling;
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
    public static IEnumerable<string> DatabaseFiles(ParseResult parse) => DatabaseFiles(Choose(parse));

    /// <summary>The SQLite files of the chosen database (the file, its write-ahead log, shared memory and journal); none for PostgreSQL.</summary>
    public static IEnumerable<string> DatabaseFiles(StoreChoice choice)
    {
        ArgumentNullException.ThrowIfNull(choice);
        if (choice.Provider == "postgres")
        {
            return [];
        }

        var file = SqliteFile(choice.Db);
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
            StorageUnavailableReason.TimedOut => "Raise Command Timeout= in --db (0 waits without limit), or run it again when the server is less busy.",
            StorageUnavailableReason.Held => "Run it again when that session has ended, or raise Command Timeout= in --db (0 waits without limit).",
            _ => null,
        };
        return remedy is null ? e.Message : $"{e.Problem} {remedy}";
    }

    /// <summary>
    /// Says that a database is at an older schema than this version's, in terms of this command line: a command that only
    /// reads refuses it and leaves it as it is.
    /// </summary>
    public static string Explain(SchemaVersionException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return $"The database {e.Target} has schema version {e.DatabaseVersion}, but this version of salespipeline needs schema version {e.ApplicationVersion}; nothing was changed. " +
            "Migrate it first with 'salespipeline db migrate' (with the same --db), then run the command again.";
    }

    /// <summary>
    /// Opens the store for one command. With <paramref name="create"/> a missing SQLite file is created and
    /// migrated; without it, a missing file or an unmigrated database is refused as bad input.
    /// With <paramref name="loadEmptyStoreExclusively"/> an import into a SQLite store without deals takes the file for itself
    /// (<see cref="SqliteStorageOptions.LoadEmptyStoreExclusively"/>).
    /// </summary>
    public static ServiceProvider Open(ParseResult parse, IClock clock, bool create, PipelineCatalog? pipelines = null, bool loadEmptyStoreExclusively = false) =>
        Open(Choose(parse), clock, create, create, pipelines, loadEmptyStoreExclusively);

    /// <summary>
    /// Opens the store an import writes into; a missing SQLite file is created and migrated. An import that creates the
    /// SQLite file holds its only data, so it takes the file for the load when no other connection has it open
    /// (<see cref="SqliteStorageOptions.LoadEmptyStoreExclusively"/>): the rows are written into it once, through a rollback
    /// journal, and other processes cannot write the file, nor read it once the import has written into it, until the import
    /// ends. An import into an existing file shares it as every other command but <c>demo</c> does. A dry run does not open
    /// the store this way: see <see cref="OpenForDryRunAsync"/>.
    /// </summary>
    public static ServiceProvider OpenForImport(StoreChoice choice, IClock clock)
    {
        var created = choice.Provider != "postgres" && !File.Exists(SqliteFile(choice.Db));
        return Open(choice, clock, create: true, migrate: true, loadEmptyStoreExclusively: created);
    }

    /// <summary>
    /// Opens the store a dry run checks its rows against, creating and migrating nothing: a database at this version's schema
    /// is opened as it is; a SQLite file that does not exist, or a database never migrated, holds nothing yet and is
    /// answered as empty (<see langword="null"/>; the file is not created, no table either); a database at an older schema is
    /// refused, since reading it needs the migration a dry run may not apply.
    /// </summary>
    /// <returns>The store, or <see langword="null"/> for a store that holds nothing yet.</returns>
    /// <exception cref="CliInputException">The database is at an older schema version.</exception>
    public static async Task<ServiceProvider?> OpenForDryRunAsync(StoreChoice choice, IClock clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(choice);
        if (choice.Provider != "postgres" && !File.Exists(SqliteFile(choice.Db)))
        {
            _ = SqliteConnectionString(choice.Db, create: true);
            return null;
        }

        var services = Open(choice, clock, create: false, migrate: false);
        try
        {
            // The first store call checks the schema version, and only reads it.
            await services.GetRequiredService<IPipelineDefinitionStore>().LoadAsync(cancellationToken).ConfigureAwait(false);
            return services;
        }
        catch (SchemaVersionException e) when (e.DatabaseVersion < e.ApplicationVersion)
        {
            await services.DisposeAsync().ConfigureAwait(false);
            if (e.DatabaseVersion == 0)
            {
                return null;
            }

            throw new CliInputException(
                $"{Describe(choice)} has schema version {e.DatabaseVersion}, and this version of SalesPipeline reads schema version {e.ApplicationVersion}: run 'salespipeline db migrate' first (a dry run changes nothing, not even the schema).");
        }
        catch
        {
            await services.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The database a command works on: <c>--provider</c> when given, else <paramref name="configuredProvider"/>, else SQLite;
    /// <c>--db</c> when given, else <paramref name="configuredConnectionString"/>, else the default SQLite file.
    /// </summary>
    public static StoreChoice Choose(ParseResult parse, string? configuredProvider = null, string? configuredConnectionString = null)
    {
        var provider = parse.GetResult(ProviderOption) is { Implicit: false } ? parse.GetValue(ProviderOption)! : configuredProvider ?? "sqlite";
        return new StoreChoice(provider, parse.GetValue(DbOption) ?? configuredConnectionString, parse.GetValue(BusyTimeoutOption));
    }

    /// <summary>Opens the store; <paramref name="migrate"/> applies pending migrations to an existing database.</summary>
    public static ServiceProvider Open(StoreChoice choice, IClock clock, bool create, bool migrate, PipelineCatalog? pipelines = null, bool loadEmptyStoreExclusively = false)
    {
        var (provider, db, _) = choice;
        var services = new ServiceCollection();
        services.AddSingleton(clock);
        services.AddSingleton<IOfferFormat, OfficeOfferFormat>();
        var settings = SchedulerConfiguration.Build(null, Directory.GetCurrentDirectory());
        var builder = services.AddSalesPipeline(o =>
        {
            LeadSettings.Apply(settings, o.Leads);
            DocumentSettings.Apply(settings, o.Documents);
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
                throw new CliInputException("--provider postgres needs --db \"Host=…;Database=…;Username=…;Password=…\" (run and schedules also read SalesPipeline:Database:ConnectionString from their configuration).");
            }

            builder.UsePostgres(db, o => o.AutoMigrate = migrate);
        }
        else
        {
            var connectionString = SqliteConnectionString(db, create);
            builder.UseSqlite(connectionString, o =>
            {
                o.AutoMigrate = migrate;
                o.LoadEmptyStoreExclusively = loadEmptyStoreExclusively;
                if (choice.BusyTimeout is { } timeout)
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
    public static Task<ServiceProvider> OpenWithPipelinesAsync(ParseResult parse, IClock clock, bool create, CancellationToken cancellationToken) =>
        OpenWithPipelinesAsync(Choose(parse), clock, create, create, cancellationToken);

    /// <inheritdoc cref="OpenWithPipelinesAsync(ParseResult, IClock, bool, CancellationToken)"/>
    public static async Task<ServiceProvider> OpenWithPipelinesAsync(StoreChoice choice, IClock clock, bool create, bool migrate, CancellationToken cancellationToken)
    {
        var services = Open(choice, clock, create, migrate);
        PipelineCatalog catalog;
        try
        {
            catalog = await PipelineCatalog.LoadAsync(services.GetRequiredService<IPipelineDefinitionStore>(), cancellationToken).ConfigureAwait(false);
        }
        catch (PipelineDefinitionException e)
        {
            await services.DisposeAsync().ConfigureAwait(false);
            throw InvalidStoredPipeline(e, choice);
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
        return Open(choice, clock, create, migrate, catalog);
    }

    /// <summary>Says that a definition stored in the database no longer validates, naming it and how to replace it.</summary>
    public static CliInputException InvalidStoredPipeline(PipelineDefinitionException e, ParseResult parse) => InvalidStoredPipeline(e, Choose(parse));

    /// <inheritdoc cref="InvalidStoredPipeline(PipelineDefinitionException, ParseResult)"/>
    public static CliInputException InvalidStoredPipeline(PipelineDefinitionException e, StoreChoice choice) =>
        new($"The pipeline '{e.PipelineId}' stored in {Describe(choice)} is no longer valid; store a corrected definition with 'salespipeline pipeline import --file FILE.json'. {e.Message}");

    /// <summary>Describes the database for messages, without a password; a SQLite file by its full path.</summary>
    public static string Describe(ParseResult parse) => Describe(Choose(parse));

    /// <inheritdoc cref="Describe(ParseResult)"/>
    public static string Describe(StoreChoice choice)
    {
        var db = choice.Db;
        if (choice.Provider == "postgres")
        {
            return "PostgreSQL " + WithoutSecrets(db);
        }

        return "SQLite " + Path.GetFullPath(SqliteFile(db));
    }

    /// <summary>
    /// A connection string without its password, parsed as the providers parse it (quoted values may hold <c>;</c>); text
    /// that does not parse is not echoed at all.
    /// </summary>
    internal static string WithoutSecrets(string? connectionString)
    {
        var builder = new System.Data.Common.DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString ?? string.Empty;
        }
        catch (ArgumentException)
        {
            return "(a connection string that could not be read)";
        }

        foreach (var key in builder.Keys.Cast<string>().Where(k => k.Trim().ToUpperInvariant() is "PASSWORD" or "PWD" or "PSW").ToList())
        {
            builder.Remove(key);
        }

        return builder.ConnectionString;
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

    /// <summary>Tells whether a storage failure is the user's input (a database that is missing, unreachable, too new or another application's).</summary>
    public static bool IsBadInput(Exception e) => e is SchemaVersionException or StorageUnavailableException or ForeignSchemaException;

}

/// <summary>Which database: <c>sqlite</c> or <c>postgres</c>, the file or connection string (the default SQLite file when null), and SQLite's busy timeout.</summary>
internal sealed record StoreChoice(string Provider, string? Db, TimeSpan? BusyTimeout = null);
