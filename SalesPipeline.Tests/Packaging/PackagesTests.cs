using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using SalesPipeline.Tests.Docs;
using Xunit;
using Xunit.Abstractions;

namespace SalesPipeline.Tests.Packaging;

/// <summary>
/// What a developer installs: the packages `dotnet pack` writes, referenced by version from a folder by a project outside
/// the solution, running the README's host snippet on SQLite; and the tool installed from the same folder.
/// </summary>
public sealed partial class PackagesTests(ITestOutputHelper log)
{
    private const string Version = "0.1.0";

    private static readonly string[] Libraries = ["SalesPipeline.Core", "SalesPipeline.Storage", "SalesPipeline.Reporting.Worker"];

    private static readonly string[] Projects =
    [
        "SalesPipeline.Core/SalesPipeline.Core.csproj",
        "SalesPipeline.Storage/SalesPipeline.Storage.csproj",
        "SalesPipeline.Reporting.Worker/SalesPipeline.Reporting.Worker.csproj",
        "SalesPipeline.Reporting.Worker/Tool/SalesPipeline.Tool.csproj",
    ];

    [Fact]
    public async Task Pack_ConsumerAndTool_RunTheReadmeSnippetAndTheDemoFromThePackages()
    {
        var root = ReadmeTests.RepoRoot();
        var temp = Directory.CreateTempSubdirectory("salespipeline-packages-");
        try
        {
            var feed = Directory.CreateDirectory(Path.Combine(temp.FullName, "feed")).FullName;

            // 1. Pack the four projects (one solution filter, one restore and build) into the temporary feed.
            var filter = Path.Combine(temp.FullName, "packages.slnf");
            await File.WriteAllTextAsync(filter, $$"""
                { "solution": { "path": "{{Path.Combine(root, "SalesPipeline.sln").Replace("\\", "/", StringComparison.Ordinal)}}",
                  "projects": [{{string.Join(", ", Projects.Select(p => $"\"{p}\""))}}] } }
                """);
            await DotnetAsync(temp.FullName, "pack", filter, "-c", "Release", "-o", feed);
            foreach (var id in Libraries.Append("SalesPipeline.Tool"))
            {
                CheckPackage(feed, id);
            }

            // 2. A consumer outside the solution: a nuget.config adding the feed to the machine's sources, and its own
            //    packages folder so a package of an earlier run is never taken from a cache.
            var consumer = Directory.CreateDirectory(Path.Combine(temp.FullName, "consumer")).FullName;
            var machinePackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            var config = Path.Combine(temp.FullName, "nuget.config");
            await File.WriteAllTextAsync(config, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <config><add key="globalPackagesFolder" value="{Path.Combine(temp.FullName, "packages")}" /></config>
                  <fallbackPackageFolders><add key="machine" value="{machinePackages}" /></fallbackPackageFolders>
                  <packageSources><add key="salespipeline-feed" value="{feed}" /></packageSources>
                </configuration>
                """);
            var references = string.Join(Environment.NewLine, Libraries
                .Select(id => $"""    <PackageReference Include="{id}" Version="{Version}" />""")
                .Append("""    <PackageReference Include="Microsoft.Extensions.DependencyInjection" Version="10.0.0" />""")
                .Append("""    <PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.0" />"""));
            await File.WriteAllTextAsync(Path.Combine(consumer, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <!-- ClosedXML 0.95.4 names dependency versions that are not served; NuGet takes newer ones and says so. -->
                    <NoWarn>$(NoWarn);NU1603</NoWarn>
                  </PropertyGroup>
                  <ItemGroup>
                {references}
                  </ItemGroup>
                </Project>
                """);
            await File.WriteAllTextAsync(Path.Combine(consumer, "Program.cs"), HostSnippet(root));
            await File.WriteAllTextAsync(Path.Combine(consumer, "deals.csv"), """
                id,name,owner,account,stage,amount,currency,created,expected_close
                A-1,Fleet renewal,bob,Acme,qualification,45000.00,PLN,2026-01-10,2026-12-31
                A-2,Support plan,bob,Initech,identification,12000.00,EUR,2026-02-01,2026-11-30
                """.Replace("                ", string.Empty, StringComparison.Ordinal));
            await File.WriteAllTextAsync(Path.Combine(consumer, "appsettings.json"), """
                { "Logging": { "LogLevel": { "Default": "Warning" } },
                  "SalesPipeline": { "Schedules": [
                    { "Name": "daily", "Cron": "0 6 * * *", "Period": "PreviousDay", "Folder": "reports", "LookBack": 1 } ] } }
                """);

            await DotnetAsync(consumer, "restore", "--configfile", config);
            await DotnetAsync(consumer, "build", "--no-restore", "-c", "Release");
            var output = await DotnetAsync(consumer, "run", "--no-build", "-c", "Release");

            Assert.Contains("moved to qualification", output, StringComparison.Ordinal);
            Assert.Contains("imported 2 of 2 rows", output, StringComparison.Ordinal);
            Assert.Contains("wrote pipeline.xlsx", output, StringComparison.Ordinal);
            AssertWorkbook(Path.Combine(consumer, "pipeline.xlsx"));
            var scheduled = Directory.GetFiles(Path.Combine(consumer, "reports"), "*.xlsx");
            Assert.Single(scheduled);
            Assert.StartsWith("daily", Path.GetFileName(scheduled[0]), StringComparison.Ordinal);
            AssertWorkbook(scheduled[0]);
            var assets = await File.ReadAllTextAsync(Path.Combine(consumer, "obj", "project.assets.json"));
            Assert.Contains($"\"SalesPipeline.Reporting.Worker/{Version}\"", assets, StringComparison.Ordinal);
            Assert.DoesNotContain("\"type\": \"project\"", assets, StringComparison.Ordinal);

            // 3. The tool from the same feed, run in an empty folder.
            var tools = Path.Combine(temp.FullName, "tools");
            await DotnetAsync(consumer, "tool", "install", "SalesPipeline.Tool", "--version", Version, "--tool-path", tools, "--configfile", config);
            var empty = Directory.CreateDirectory(Path.Combine(temp.FullName, "empty")).FullName;
            var demo = await RunAsync(empty, Path.Combine(tools, "salespipeline"), "demo", "--deals", "300");
            Assert.True(File.Exists(Path.Combine(empty, "salespipeline.db")), demo);
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(empty, "reports"), "*.xlsx"));
        }
        finally
        {
            try
            {
                temp.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A leftover temporary folder is harmless; the test's verdict is what matters.
            }
        }
    }

    [Fact]
    public void HostSnippet_Readme_IsOneMarkedCSharpBlock()
    {
        var snippet = HostSnippet(ReadmeTests.RepoRoot());

        Assert.Contains("AddSalesPipelineReportWorker(builder.Configuration", snippet, StringComparison.Ordinal);
        Assert.Contains("CsvImporter.ImportAsync", snippet, StringComparison.Ordinal);
        Assert.Contains("WriteFileAsync", snippet, StringComparison.Ordinal);
    }

    /// <summary>The README's C# block marked <c>&lt;!-- snippet: host --&gt;</c>, exactly as written.</summary>
    private static string HostSnippet(string root)
    {
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var match = Assert.Single(HostBlock().Matches(readme));
        return match.Groups[1].Value;
    }

    /// <summary>A package as a developer gets it: id and version, MIT licence, description, README, LICENSE, docs and symbols.</summary>
    private static void CheckPackage(string feed, string id)
    {
        var path = Path.Combine(feed, $"{id}.{Version}.nupkg");
        Assert.True(File.Exists(path), $"{id}.{Version}.nupkg was not packed: {string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName))}");
        Assert.True(File.Exists(Path.Combine(feed, $"{id}.{Version}.snupkg")), $"{id} has no symbols package.");
        using var zip = ZipFile.OpenRead(path);
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("README.md", entries);
        Assert.Contains("LICENSE", entries);
        using var nuspecStream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        var nuspec = XDocument.Load(nuspecStream);
        string? Meta(string name) => nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
        Assert.Equal(id, Meta("id"));
        Assert.Equal(Version, Meta("version"));
        Assert.Equal("MIT", Meta("license"));
        Assert.Equal("README.md", Meta("readme"));
        Assert.False(string.IsNullOrWhiteSpace(Meta("description")), $"{id} has no description.");
        if (id == "SalesPipeline.Tool")
        {
            Assert.Contains(nuspec.Descendants(), e => e.Name.LocalName == "packageType" && (string?)e.Attribute("name") == "DotnetTool");
        }
        else
        {
            Assert.Contains($"lib/net10.0/{id}.dll", entries);
            Assert.Contains($"lib/net10.0/{id}.xml", entries);
        }
    }

    /// <summary>An .xlsx is a zip with a workbook part and the Summary sheet.</summary>
    private static void AssertWorkbook(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        Assert.Contains(zip.Entries, e => e.FullName == "xl/workbook.xml");
        using var reader = new StreamReader(zip.GetEntry("xl/workbook.xml")!.Open());
        Assert.Contains("Summary", reader.ReadToEnd(), StringComparison.Ordinal);
    }

    private Task<string> DotnetAsync(string folder, params string[] args) => RunAsync(folder, "dotnet", args);

    private async Task<string> RunAsync(string folder, string program, params string[] args)
    {
        var start = new ProcessStartInfo(program, args)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await process.WaitForExitAsync(timeout.Token);
        var text = new StringBuilder().Append(await stdout).Append(await stderr).ToString();
        log.WriteLine($"$ {program} {string.Join(' ', args)} (in {folder}) -> {process.ExitCode}");
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} exited {process.ExitCode}:{Environment.NewLine}{text}");
        return text;
    }

    [GeneratedRegex("<!-- snippet: host -->\\s*```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex HostBlock();
}
