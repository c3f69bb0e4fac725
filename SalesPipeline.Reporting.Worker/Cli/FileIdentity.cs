using System.Runtime.InteropServices;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary>
/// Which file a path names, however it is spelt: relative or absolute, with <c>./</c> or <c>a/../</c>, through a symbolic
/// link or a hard link. On Linux an existing file is its device and inode number; a file that does not exist yet is the
/// identity of its folder plus its name. Elsewhere the full path with links resolved stands in for it.
/// </summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, string? Name)
{
    private static readonly bool HasInodes = OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>Identifies the file at <paramref name="path"/>.</summary>
    public static FileIdentity Of(string path)
    {
        var full = Path.GetFullPath(path);
        if (HasInodes)
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

    private static string Resolve(string full)
    {
        var target = File.Exists(full) ? new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full : full;
        return OperatingSystem.IsLinux() ? target : target.ToUpperInvariant();
    }

    private static FileIdentity? Stat(string path)
    {
        // struct stat on 64-bit Linux (x86-64 and arm64) starts with st_dev and st_ino, eight bytes each; the buffer is
        // larger than the whole structure on both.
        var buffer = new byte[256];
        var name = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        if (NativeMethods.stat(name, buffer) != 0)
        {
            return null;
        }

        return new FileIdentity(BitConverter.ToUInt64(buffer, 0), BitConverter.ToUInt64(buffer, 8), null);
    }

    private static class NativeMethods
    {
#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code for this one call; DllImport pins the byte arrays (the path is NUL-terminated UTF-8).
#pragma warning disable CA5392 // libc is resolved by the runtime's own probing.
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int stat(byte[] path, [Out] byte[] buffer);
#pragma warning restore CA5392
#pragma warning restore SYSLIB1054
    }
}
