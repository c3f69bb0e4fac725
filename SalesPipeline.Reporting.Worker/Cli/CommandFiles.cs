namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary>
/// The files one command reads and writes, each with the option that named it. <see cref="EnsureDistinct"/> refuses,
/// before any work, a file the command writes that is also a file it reads or writes otherwise — compared as files
/// (<see cref="FileIdentity"/>), not as strings — so no output can overwrite the database, the CSV or a definition.
/// </summary>
internal sealed class CommandFiles
{
    private readonly List<(string Option, string Path)> _reads = [];
    private readonly List<(string Option, string Path)> _writes = [];

    /// <summary>Adds a file the command reads.</summary>
    public CommandFiles Reads(string option, string? path)
    {
        if (!string.IsNullOrWhiteSpace(path))
        {
            _reads.Add((option, path));
        }

        return this;
    }

    /// <summary>Adds a file the command writes.</summary>
    public CommandFiles Writes(string option, string? path)
    {
        if (!string.IsNullOrWhiteSpace(path))
        {
            _writes.Add((option, path));
        }

        return this;
    }

    /// <summary>Adds the SQLite database's files (the file, its write-ahead log, shared memory and journal), read or written.</summary>
    public CommandFiles Database(IEnumerable<string> files, bool writes)
    {
        foreach (var file in files)
        {
            _ = writes ? Writes("--db", file) : Reads("--db", file);
        }

        return this;
    }

    /// <summary>Refuses, naming the option, a path that is a folder or does not exist, as the file a command reads.</summary>
    /// <returns>The full path.</returns>
    /// <exception cref="CliInputException">There is no file at the path.</exception>
    public static string RequireFile(string option, string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new CliInputException($"{option} '{path}' is a folder; give a file.");
        }

        return File.Exists(full) ? full : throw new CliInputException($"{option}: the file '{full}' does not exist.");
    }

    /// <summary>Refuses when a file written is also a file read, or two options write one file.</summary>
    /// <exception cref="CliInputException">Two options name the same file.</exception>
    public void EnsureDistinct()
    {
        var identities = new Dictionary<string, FileIdentity>(StringComparer.Ordinal);
        FileIdentity Identity(string path)
        {
            if (!identities.TryGetValue(path, out var identity))
            {
                identity = FileIdentity.Of(path);
                identities.Add(path, identity);
            }

            return identity;
        }

        for (var i = 0; i < _writes.Count; i++)
        {
            var (option, path) = _writes[i];
            var other = _reads.Concat(_writes.Skip(i + 1))
                .Where(o => o.Option != option || o.Path != path)
                .FirstOrDefault(o => Identity(o.Path) == Identity(path));
            if (other.Path is not null)
            {
                throw new CliInputException(
                    $"{option} '{path}' is the same file as {other.Option} '{other.Path}': writing it would overwrite what this command reads or writes. Give {option} another file; nothing was done.");
            }
        }
    }
}
