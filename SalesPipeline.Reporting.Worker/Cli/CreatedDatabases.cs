using Microsoft.Data.Sqlite;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary>
/// The SQLite files one command line creates, so that a command that fails or is refused leaves none behind: the command
/// line starts a record (<see cref="Track"/>), opening a store for a command that may create its file adds the file when it
/// creates it (<see cref="CreateFile"/>), and the record removes those files again when the command does not succeed
/// (<see cref="RemoveUnlessHoldingData"/>). A file that already existed is never removed.
/// </summary>
internal sealed class CreatedDatabases
{
    private static readonly AsyncLocal<CreatedDatabases?> Current = new();

    private readonly List<string> _files = [];

    /// <summary>Starts the record of the files the command being run creates.</summary>
    /// <returns>The record.</returns>
    public static CreatedDatabases Track()
    {
        var created = new CreatedDatabases();
        Current.Value = created;
        return created;
    }

    /// <summary>
    /// Creates the file a SQLite connection string names when it does not exist yet, and records it as this command's; a
    /// file another process creates first is theirs. An in-memory database, a URI file name or a connection that may not
    /// create the file is left to SQLite, as is a file that cannot be created (the store then says why when it opens it).
    /// </summary>
    /// <param name="connectionString">The SQLite connection string the store opens.</param>
    public static void CreateFile(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var file = builder.DataSource;
        if (builder.Mode != SqliteOpenMode.ReadWriteCreate || string.IsNullOrWhiteSpace(file) || file == ":memory:"
            || file.StartsWith("file:", StringComparison.OrdinalIgnoreCase) || File.Exists(file))
        {
            return;
        }

        try
        {
            // Created only if it still does not exist: SQLite takes an empty file for a new database.
            using (new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        if (Current.Value is { } created)
        {
            lock (created._files)
            {
                created._files.Add(Path.GetFullPath(file));
            }
        }
    }

    /// <summary>
    /// Removes each file the command created, with its write-ahead log, shared memory and journal, unless it holds data: a
    /// row in any table but the schema version's (which another process may have written into the new file meanwhile). The
    /// command's own work is all or nothing, so a command that failed left none.
    /// </summary>
    public void RemoveUnlessHoldingData()
    {
        List<string> files;
        lock (_files)
        {
            files = [.. _files];
            _files.Clear();
        }

        if (files.Count == 0)
        {
            return;
        }

        // The store's pooled connections still hold the files open.
        SqliteConnection.ClearAllPools();
        foreach (var file in files)
        {
            if (!HoldsNothing(file))
            {
                continue;
            }

            foreach (var path in (string[])[file, file + "-wal", file + "-shm", file + "-journal"])
            {
                try
                {
                    File.Delete(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Left behind: removing it is a courtesy, not part of the command's work.
                }
            }
        }
    }

    /// <summary>Whether a SQLite file holds no row outside <c>schema_version</c>; a file that cannot be read counts as holding data.</summary>
    private static bool HoldsNothing(string file)
    {
        if (!File.Exists(file))
        {
            return true;
        }

        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 1 }.ToString());
            connection.Open();
            List<string> tables = [];
            using (var list = connection.CreateCommand())
            {
                list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name <> 'schema_version'";
                using var reader = list.ExecuteReader();
                while (reader.Read())
                {
                    tables.Add(reader.GetString(0));
                }
            }

            foreach (var table in tables)
            {
                using var any = connection.CreateCommand();

                // A name read from the file's own catalogue, quoted as an identifier.
                any.CommandText = $"SELECT EXISTS (SELECT 1 FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\")";
                if (Convert.ToInt64(any.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0)
                {
                    return false;
                }
            }

            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }
}
