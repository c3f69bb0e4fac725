using System.Security.Cryptography;

namespace SalesPipeline.Reporting.Worker.Exporting;

/// <summary>
/// Replaces a file in one step: the content goes to a hidden temporary file in the same folder, which is
/// renamed over the target only once it is complete and flushed. A reader (a manager's Excel, a mail job,
/// a folder sync) sees the old file or the new one, never half of one; on any failure the temporary file
/// is deleted and the old target is left as it was.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The target's folder does not exist.</exception>
    public static void Write(string path, Action<Stream> write, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);

        var target = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(target)
            ?? throw new ArgumentException($"'{path}' names no file, only a root folder.", nameof(path));
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException(
                $"Cannot write '{target}': the folder '{folder}' does not exist. Create it or choose another output path.");
        }

        if (Directory.Exists(target))
        {
            throw new IOException($"Cannot write '{target}': it is a folder. Give a file name, for example '{Path.Combine(target, "report.xlsx")}'.");
        }

        // Same folder, so the rename stays on one file system and is atomic; the dot hides it from most listings.
        var temporary = Path.Combine(folder, $".{Path.GetFileName(target)}.{RandomNumberGenerator.GetHexString(12, lowercase: true)}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
            {
                write(stream);
                cancellationToken.ThrowIfCancellationRequested();
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // The original failure is the one worth reporting; a leftover hidden .tmp file is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
