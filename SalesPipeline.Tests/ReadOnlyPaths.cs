using Xunit;

namespace SalesPipeline.Tests;

/// <summary>Makes a file or folder read-only for the test process, and writable again.</summary>
internal static class ReadOnlyPaths
{
    /// <summary>Root ignores file modes, so as root the path is made immutable instead (what a read-only mount also does).</summary>
    public static void MakeReadOnly(string path)
    {
        if (Environment.UserName == "root")
        {
            Run("chattr", "+i", path);
        }
        else if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
    }

    public static void MakeWritable(string path)
    {
        if (Environment.UserName == "root")
        {
            Run("chattr", "-i", path);
        }
        else if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
    }

    /// <summary>Runs a program and fails the test when it fails.</summary>
    public static void Run(string program, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} failed: {process.StandardError.ReadToEnd()}");
    }
}
