using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Docs;

/// <summary>The README's promises: its C# snippet compiles and does what its comment says, and its Quick start has two commands.</summary>
public sealed partial class ReadmeTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(RepoRoot(), "README.md"));

    [Fact]
    public async Task Snippet_RunAsWritten_PrintsTheNeedsAndBudgetBlocker()
    {
        var output = new StringWriter();
        var console = Console.Out;
        Console.SetOut(output);
        try
        {
            await ReadmeSnippet();
        }
        finally
        {
            Console.SetOut(console);
        }

        Assert.Equal("needs-and-budget: Record the customer's needs and budget (qualification data).", output.ToString().Trim());
    }

    [Fact]
    public void Snippet_InReadme_IsTheCodeThisTestCompiles()
    {
        var block = CodeBlocks("csharp", Readme[Readme.IndexOf("## Quick start", StringComparison.Ordinal)..]).First();
        var lines = block.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var source = File.ReadAllText(Path.Combine(RepoRoot(), "SalesPipeline.Tests", "Docs", "ReadmeTests.cs"));
        var body = source[source.LastIndexOf("// readme:begin", StringComparison.Ordinal)..source.LastIndexOf("// readme:end", StringComparison.Ordinal)];
        var bodyLines = body.Split('\n').Skip(1).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();

        foreach (var usingLine in lines.Where(l => l.StartsWith("using ", StringComparison.Ordinal)))
        {
            Assert.True(source.Contains(usingLine, StringComparison.Ordinal) || usingLine == "using SalesPipeline;", $"README uses '{usingLine}', which the compiled copy lacks.");
        }

        Assert.Equal(lines.Where(l => !l.StartsWith("using ", StringComparison.Ordinal)), bodyLines);
        Assert.True(lines.Count(l => !l.StartsWith("using ", StringComparison.Ordinal) && !l.StartsWith('{') && !l.StartsWith('}')) <= 15, "The README snippet should stay within about 15 lines.");
    }

    [Fact]
    public void QuickStart_HasTwoShellCommands_TheSecondIsWhatCiRuns()
    {
        var quickStart = Readme[Readme.IndexOf("## Quick start", StringComparison.Ordinal)..];
        var commands = ShellBlock().Matches(quickStart).Take(2).Select(m => m.Groups[1].Value.Trim()).ToList();
        Assert.Equal(2, commands.Count);
        Assert.All(commands, c => Assert.DoesNotContain('\n', c));
        var ci = File.ReadAllText(Path.Combine(RepoRoot(), ".ci", "run"));
        Assert.Contains(commands[1], ci, StringComparison.Ordinal);
    }

    private static async Task ReadmeSnippet()
    {
        // readme:begin
        var crm = new ServiceCollection().AddSalesPipeline(o => o.Access.SkipAccessChecks = true).Services
            .BuildServiceProvider().GetRequiredService<ISalesPipeline>();
        var anna = new UserId("anna");
        var deal = await crm.CreateAsync(new NewOpportunity("ERP rollout", Money.Of(120_000m, "PLN"), null, new LocalDate(2027, 3, 31)), anna);
        await crm.LogActivityAsync(deal.Id, NewActivity.Call("Intro call"), anna);
        await crm.MoveAsync(deal.Id, Stages.Qualification, anna);
        foreach (var blocker in await crm.WhyNotAsync(deal.Id, Stages.Offer))
        {
            Console.WriteLine(blocker); // needs-and-budget: Record the customer's needs and budget (qualification data).
        }

        // readme:end
    }

    private static IEnumerable<string> CodeBlocks(string language, string text) =>
        Regex.Matches(text, "```" + language + "\\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value);

    [GeneratedRegex("```sh\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SalesPipeline.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (SalesPipeline.sln) above " + AppContext.BaseDirectory);
    }
}
