using Mono.Unix;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary>
/// Which file a path names, however it is spelt: relative or absolute, with <c>./</c> or <c>a/../</c>, through a symbolic
/// link or a hard link. On Linux and macOS an existing file is its device and inode number (read with Mono.Unix, whose
/// native helper runs on old and new C libraries alike); a file that does not exist yet is the identity of its folder plus
/// its name. On Windows, or where the native helper cannot load, the full path with links resolved stands in for it,
/// compared without regard to case where the file system ignores case.
/// </summary>
internal readonly record struct FileIdentity(long Device, long Inode, string? Name)
{
    private static readonly Lazy<bool> HasInodes = new(Probe);

    /// <summary>Identifies the file at <paramref name="path"/>.</summary>
    public static FileIdentity Of(string path)
    {
        var full = Path.GetFullPath(path);
        if (HasInodes.Value)
        {
            if (Stat(full) is { } file)
            {
                return file;
            }

            var folder = Path.GetDirectoryName(full);
            if (folder is not null && Stat(folder) is { } parent)
            {
                return parent with { Name = Path.GetFileName(full) };
            }
        }

        return new FileIdentity(0, 0, Resolve(full));
    }

    /// <summary>Tells whether two paths name the same file.</summary>
    public static bool Same(string a, string b) => Of(a) == Of(b);

    /// <summary>The full path with links resolved; upper-cased where file names ignore case (Windows, macOS by default).</summary>
    private static string Resolve(string full)
    {
        var target = File.Exists(full) ? new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full : full;
        return OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? target.ToUpperInvariant() : target;
    }

    private static FileIdentity? Stat(string path)
    {
        var entry = new UnixFileInfo(path);
        return entry.Exists ? new FileIdentity(entry.Device, entry.Inode, null) : null;
    }

    /// <summary>Whether device and inode numbers can be read here: not on Windows, nor where the native helper does not load.</summary>
    private static bool Probe()
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        try
        {
            return Stat(Path.GetTempPath()) is not null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or TypeInitializationException)
        {
            return false;
        }
    }
}
