namespace SalesPipeline.Tests.Worker.Import;

/// <summary>What every <c>salespipeline import</c> test needs: a scratch folder for its files and the command's two writers.</summary>
public abstract class ImportCommandTestBase : IDisposable
{
    private protected DirectoryInfo Folder { get; } = Directory.CreateTempSubdirectory("salespipeline-import-");

    private protected StringWriter Output { get; } = new();

    private protected StringWriter Error { get; } = new();

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Folder.Delete(recursive: true);
            Output.Dispose();
            Error.Dispose();
        }
    }

    /// <summary>Writes a file into the scratch folder.</summary>
    private protected string Write(string name, string content)
    {
        var path = Path.Combine(Folder.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }
}
