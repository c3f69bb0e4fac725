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
    private readonly List<(string Option, string Folder, Func<string, bool> Names)> _folders = [];

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

    /// <summary>
    /// Adds a folder the command creates and writes files into, whose names <paramref name="names"/> tells (such as a
    /// schedule's <c>&lt;schedule&gt;_&lt;first day&gt;_&lt;last day&gt;.xlsx</c>): refused when the folder is one of the
    /// other files, or when one of them lies in it under such a name.
    /// </summary>
    public CommandFiles WritesInto(string option, string? folder, Func<string, bool> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (!string.IsNullOrWhiteSpace(folder))
        {
            _folders.Add((option, folder, names));
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

    /// <summary>Refuses, naming the option, a path that is a folder, does not exist or cannot be read, as the file a command reads.</summary>
    /// <returns>The full path.</returns>
    /// <exception cref="CliInputException">There is no file at the path, or it cannot be read.</exception>
    public static string RequireFile(string option, string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new CliInputException($"{option} '{path}' is a folder; give a file.");
        }

        if (!File.Exists(full))
        {
            throw new CliInputException($"{option}: the file '{full}' does not exist.");
        }

        try
        {
            // Opened as the command will open it (shared for reading), so a file locked by another program is found now.
            using var probe = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        }
        catch (UnauthorizedAccessException)
        {
            throw new CliInputException($"{option}: the file '{full}' cannot be read (permission denied). Give yourself read permission, or copy the file somewhere you may read it.");
        }
        catch (IOException)
        {
            throw new CliInputException($"{option}: the file '{full}' cannot be read: another program holds it locked, or the disk failed. Close it in the other program and try again.");
        }

        return full;
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

        foreach (var (option, folder, names) in _folders)
        {
            var files = _reads.Concat(_writes).ToList();
            if (files.FirstOrDefault(o => Identity(o.Path) == Identity(folder)) is { Path: not null } same)
            {
                throw new CliInputException(
                    $"{option} '{folder}' is the same file as {same.Option} '{same.Path}': it must be a folder of its own. Give {option} another folder; nothing was done.");
            }

            var inside = files.FirstOrDefault(o =>
                names(Path.GetFileName(Path.GetFullPath(o.Path)))
                && Path.GetDirectoryName(Path.GetFullPath(o.Path)) is { } parent
                && Identity(parent) == Identity(folder));
            if (inside.Path is not null)
            {
                var written = Path.Combine(folder, Path.GetFileName(Path.GetFullPath(inside.Path)));
                throw new CliInputException(
                    $"{option} '{folder}': the file '{written}' it would write is the same file as {inside.Option} '{inside.Path}'. Give {option} another folder; nothing was done.");
            }
        }
    }
}
