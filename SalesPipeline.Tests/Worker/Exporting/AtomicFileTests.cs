using System.Text;
using SalesPipeline.Reporting.Worker.Exporting;
using Xunit;

namespace SalesPipeline.Tests.Worker.Exporting;

/// <summary>The all-or-nothing file replacement every report goes through.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Write_WhileWriting_TheTargetIsUntouchedAndTheTemporaryFileIsHiddenBesideIt()
    {
        var path = _folder.File("report.xlsx");
        File.WriteAllText(path, "old");
        string[] duringWrite = [];
        string targetDuringWrite = "";

        AtomicFile.Write(path, stream =>
        {
            stream.Write(Encoding.UTF8.GetBytes("new"));
            duringWrite = Directory.GetFiles(_folder.Path).Select(f => Path.GetFileName(f)!).Order().ToArray();
            targetDuringWrite = File.ReadAllText(path);
        }, CancellationToken.None);

        Assert.Equal("old", targetDuringWrite);
        Assert.Equal(2, duringWrite.Length);
        Assert.Matches(@"^\.report\.xlsx\.[0-9a-f]{12}\.tmp$", duringWrite[0]);
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(["report.xlsx"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_WriterFailsHalfway_DeletesTheTemporaryFileAndKeepsTheTarget()
    {
        var path = _folder.File("report.xlsx");
        File.WriteAllText(path, "old");

        var error = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100_000]);
            throw new IOException("Disk full.");
        }, CancellationToken.None));

        Assert.Equal("Disk full.", error.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["report.xlsx"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_CancelledDuringTheWrite_DeletesTheTemporaryFileAndCreatesNoTarget()
    {
        var path = _folder.File("report.xlsx");
        using var cancellation = new CancellationTokenSource();

        Assert.Throws<OperationCanceledException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[10]);
            cancellation.Cancel();
        }, cancellation.Token));

        Assert.Empty(Directory.GetFileSystemEntries(_folder.Path));
    }

    [Fact]
    public void Write_FolderMissing_ThrowsDirectoryNotFoundNamingTheFolder()
    {
        var folder = Path.Combine(_folder.Path, "missing");

        var error = Assert.Throws<DirectoryNotFoundException>(
            () => AtomicFile.Write(Path.Combine(folder, "report.xlsx"), _ => { }, CancellationToken.None));

        Assert.Contains($"the folder '{folder}' does not exist", error.Message, StringComparison.Ordinal);
    }
}
