using System.Diagnostics;
using System.Text.Json;
using SalesPipeline.Tests.Docs;
using Xunit;

namespace SalesPipeline.Tests.Architecture;

/// <summary>
/// Every packed library runs the public-API analyzers over its PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt, with an
/// undeclared (RS0016) or vanished (RS0017) public member an error, so an unintended change of the surface fails the build.
/// </summary>
public sealed class PublicApiTrackingTests
{
    public static TheoryData<string> PackedLibraries => new(
        "SalesPipeline.Core/SalesPipeline.Core.csproj",
        "SalesPipeline.Storage/SalesPipeline.Storage.csproj",
        "SalesPipeline.Reporting.Worker/SalesPipeline.Reporting.Worker.csproj");

    [Theory]
    [MemberData(nameof(PackedLibraries))]
    public async Task Build_PackedLibrary_RunsPublicApiAnalyzersWithTheirFilesAndErrors(string project)
    {
        var root = ReadmeTests.RepoRoot();
        var folder = Path.GetDirectoryName(Path.Combine(root, project))!;
        var start = new ProcessStartInfo("dotnet",
            ["msbuild", Path.Combine(root, project), "-p:Configuration=Release", "-getItem:PackageReference", "-getItem:AdditionalFiles",
             "-getProperty:WarningsAsErrors", "-getProperty:IsPackable", "-getProperty:GenerateDocumentationFile"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await stdout;
        Assert.True(process.ExitCode == 0, text + await stderr);

        using var json = JsonDocument.Parse(text);
        var properties = json.RootElement.GetProperty("Properties");
        var items = json.RootElement.GetProperty("Items");
        string[] Identities(string item) => [.. items.GetProperty(item).EnumerateArray().Select(i => i.GetProperty("Identity").GetString()!)];

        Assert.Equal("true", properties.GetProperty("IsPackable").GetString());
        Assert.Equal("true", properties.GetProperty("GenerateDocumentationFile").GetString());
        var errors = properties.GetProperty("WarningsAsErrors").GetString()!.Split(';', StringSplitOptions.TrimEntries);
        Assert.Contains("RS0016", errors);
        Assert.Contains("RS0017", errors);
        Assert.Contains("Microsoft.CodeAnalysis.PublicApiAnalyzers", Identities("PackageReference"));
        var files = Identities("AdditionalFiles").Select(f => Path.GetFullPath(f, folder)).ToList();
        Assert.Contains(Path.Combine(folder, "PublicAPI.Shipped.txt"), files);
        Assert.Contains(Path.Combine(folder, "PublicAPI.Unshipped.txt"), files);
        Assert.True(File.ReadAllLines(Path.Combine(folder, "PublicAPI.Unshipped.txt")).Length > 1, "The library declares no public API.");
    }
}
