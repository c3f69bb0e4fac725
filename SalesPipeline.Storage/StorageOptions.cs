using System.Globalization;

namespace SalesPipeline.Storage;

/// <summary>Options of <c>UseSqlite(...)</c>: a SQLite file, the embedded default store for one machine.</summary>
public sealed class SqliteStorageOptions
{
    /// <summary>The connection string used when none is given: the file <c>salespipeline.db</c> in the working folder.</summary>
    public const string DefaultConnectionString = "Data Source=salespipeline.db";

    /// <summary>
    /// The largest <see cref="MemoryMapSize"/>: 2,147,418,112 bytes (just under 2 GiB), SQLite's default compile-time cap,
    /// above which it would silently map less than asked.
    /// </summary>
    public const long MaxMemoryMapSize = 0x7fff0000;

    /// <summary>Gets or sets the Microsoft.Data.Sqlite connection string, such as <c>Data Source=crm.db</c>.</summary>
    /// <value>The default value is <see cref="DefaultConnectionString"/>.</value>
    public string ConnectionString { get; set; } = DefaultConnectionString;

    /// <summary>Gets or sets how long a write waits for another connection's write to finish before it fails.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets whether the first use of the store applies pending migrations. When off, a database that is not at
    /// this version's schema is refused with <see cref="SchemaVersionException"/> until it is migrated (<c>salespipeline db migrate</c>).
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool AutoMigrate { get; set; } = true;

    /// <summary>
    /// Gets or sets how many bytes of the file each connection may read through memory-mapped I/O (SQLite's <c>mmap_size</c>).
    /// Mapping can speed up reads of a large file, but the mapped pages count toward the process's resident memory, up to
    /// this size; 0 reads through SQLite's page cache only.
    /// </summary>
    /// <value>The default value is 0. At most <see cref="MaxMemoryMapSize"/>.</value>
    public long MemoryMapSize { get; set; }

    /// <summary>
    /// Gets or sets whether an import into a store that holds no deals (see <c>IImportTarget</c>) takes the file for itself
    /// when no other connection has it open: until the import ends, other connections cannot write the file, nor read it once
    /// the import has written into it, and the rows are written into it once through a rollback journal instead of twice
    /// through the write-ahead log. The import stays all or nothing, and the file returns to write-ahead logging when it
    /// ends (or, when its process is killed, at a later store's first use of the file while no other connection holds a lock
    /// on it). For a program that fills a new store before anyone uses it, such as <c>salespipeline demo</c> and an
    /// <c>import</c> into a file it creates; when another connection has the file open, or the store holds deals, the import
    /// runs as usual.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool LoadEmptyStoreExclusively { get; set; }

    internal void Validate()
    {
        var errors = new List<string>();

        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            errors.Add($"'ConnectionString' must name a SQLite file, such as \"{DefaultConnectionString}\"; was empty.");
        }

        if (BusyTimeout < TimeSpan.Zero || BusyTimeout > TimeSpan.FromDays(1))
        {
            errors.Add($"'BusyTimeout' must be between 0 and 1 day, was {BusyTimeout}.");
        }

        if (MemoryMapSize is < 0 or > MaxMemoryMapSize)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"'MemoryMapSize' must be between 0 and {MaxMemoryMapSize:N0} bytes, was {MemoryMapSize:N0}."));
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("SQLite storage options are invalid: " + string.Join(" ", errors));
        }
    }
}

/// <summary>Options of <c>UsePostgres(...)</c>: one PostgreSQL database shared by many application instances and workers.</summary>
public sealed class PostgresStorageOptions
{
    /// <summary>Gets or sets the Npgsql connection string, such as <c>Host=db;Database=crm;Username=crm;Password=…</c>.</summary>
    /// <value>The default value is empty: a connection string must be given.</value>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets whether the first use of the store applies pending migrations (under an advisory lock, so instances
    /// starting together migrate once). When off, a database that is not at this version's schema is refused with
    /// <see cref="SchemaVersionException"/> until it is migrated (<c>salespipeline db migrate</c>).
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool AutoMigrate { get; set; } = true;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("PostgreSQL storage options are invalid: 'ConnectionString' must name a server and database, such as \"Host=localhost;Database=crm;Username=crm;Password=…\"; was empty.");
        }
    }
}
