namespace SalesPipeline.Storage;

/// <summary>
/// Thrown when the database's schema version is not the one this version of SalesPipeline works with: the database
/// was migrated by a newer version of the application, or it has not been migrated yet and automatic migration is off.
/// </summary>
public sealed class SchemaVersionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="target">The database, as a person would name it (a file path, or host, port and database name).</param>
    /// <param name="databaseVersion">The schema version recorded in the database.</param>
    /// <param name="applicationVersion">The newest schema version this version of SalesPipeline knows.</param>
    public SchemaVersionException(string target, int databaseVersion, int applicationVersion)
        : base(databaseVersion > applicationVersion
            ? $"The database {target} has schema version {databaseVersion}, but this version of SalesPipeline knows schema versions up to {applicationVersion}. " +
              $"A newer version of the application migrated it; upgrade this application (SalesPipeline.Storage) to a version that supports schema {databaseVersion}, or point it at another database. Nothing was changed."
            : $"The database {target} has schema version {databaseVersion}, but this version of SalesPipeline needs schema version {applicationVersion}. " +
              "Migrate it first (for example `salespipeline db migrate`), or turn AutoMigrate on so the application migrates it on first use.")
    {
        Target = target;
        DatabaseVersion = databaseVersion;
        ApplicationVersion = applicationVersion;
    }

    /// <summary>Gets the database, as a person would name it.</summary>
    public string Target { get; }

    /// <summary>Gets the schema version recorded in the database.</summary>
    public int DatabaseVersion { get; }

    /// <summary>Gets the newest schema version this version of SalesPipeline knows.</summary>
    public int ApplicationVersion { get; }
}

/// <summary>
/// Thrown when a database that SalesPipeline never migrated (it has no <c>schema_version</c> table) already holds tables with
/// the names of SalesPipeline's own, such as <c>opportunities</c> or <c>people</c>: it belongs to another application, and
/// migrating it would mix SalesPipeline's tables with that application's or fail half-way. Nothing is changed.
/// </summary>
public sealed class ForeignSchemaException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="target">The database, as a person would name it (a file path, or host, port and database name).</param>
    /// <param name="tables">The tables found that have the names of SalesPipeline's own.</param>
    public ForeignSchemaException(string target, IReadOnlyList<string> tables)
        : base($"The database {target} was not created by SalesPipeline (it has no schema_version table), yet it already holds " +
               $"{Describe(tables)}, which SalesPipeline would create; nothing was changed. " +
               "Give SalesPipeline a database of its own: a new SQLite file, or a PostgreSQL database (or schema) without them.")
    {
        Target = target;
        Tables = tables;
    }

    /// <summary>Gets the database, as a person would name it.</summary>
    public string Target { get; }

    /// <summary>Gets the tables found that have the names of SalesPipeline's own, in name order.</summary>
    public IReadOnlyList<string> Tables { get; }

    private static string Describe(IReadOnlyList<string> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        return tables.Count == 1 ? $"a table named {tables[0]}" : $"tables named {string.Join(", ", tables)}";
    }
}

/// <summary>Why a database cannot be used, so a host can give its own advice (a command line names its option).</summary>
public enum StorageUnavailableReason
{
    /// <summary>Something else: see the message.</summary>
    Other,

    /// <summary>The SQLite file's folder does not exist.</summary>
    FolderMissing,

    /// <summary>The SQLite file cannot be opened (permissions, or a folder where the file should be).</summary>
    CannotOpen,

    /// <summary>The database is read-only for this process.</summary>
    ReadOnly,

    /// <summary>The file is not a SQLite database.</summary>
    NotADatabase,

    /// <summary>Another connection held the database locked for longer than the busy timeout.</summary>
    Locked,

    /// <summary>The PostgreSQL database does not exist.</summary>
    DatabaseMissing,

    /// <summary>The server refused the login.</summary>
    LoginRefused,

    /// <summary>The server cannot be reached, or is starting up or shutting down.</summary>
    Unreachable,

    /// <summary>A statement ran longer than the connection's command timeout.</summary>
    TimedOut,

    /// <summary>
    /// A statement ran longer than the connection's command timeout while another session held the deal tables for itself, as
    /// it does until its transaction ends, so that a statement on them waits for it (on PostgreSQL, an import holds them from
    /// when it sets their indexes aside until it ends); the message names that session.
    /// </summary>
    Held,
}

/// <summary>
/// Thrown when the database cannot be used at all: the server cannot be reached, the login is refused, the file or
/// its folder does not exist, the file is read-only, or it stayed locked by another process. The message names the
/// database and says what to do.
/// </summary>
public sealed class StorageUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="target">The database, as a person would name it (a file path, or host, port and database name).</param>
    /// <param name="message">What is wrong and what to do.</param>
    /// <param name="innerException">The provider's exception.</param>
    public StorageUnavailableException(string target, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Target = target;
        Problem = message;
    }

    /// <summary>Creates the exception from what is wrong and what to do about it.</summary>
    /// <param name="target">The database, as a person would name it (a file path, or host, port and database name).</param>
    /// <param name="reason">Why the database cannot be used.</param>
    /// <param name="problem">What is wrong, without advice.</param>
    /// <param name="remedy">What to do, in terms of the library's API.</param>
    /// <param name="innerException">The provider's exception.</param>
    public StorageUnavailableException(string target, StorageUnavailableReason reason, string problem, string remedy, Exception? innerException = null)
        : base($"{problem} {remedy}", innerException)
    {
        Target = target;
        Reason = reason;
        Problem = problem;
    }

    /// <summary>Gets the database, as a person would name it.</summary>
    public string Target { get; }

    /// <summary>Gets why the database cannot be used.</summary>
    public StorageUnavailableReason Reason { get; }

    /// <summary>Gets what is wrong, without the advice that ends <see cref="Exception.Message"/>.</summary>
    public string Problem { get; }
}
