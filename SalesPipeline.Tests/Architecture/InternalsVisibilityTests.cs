using System.Reflection;
using System.Runtime.CompilerServices;
using Xunit;

namespace SalesPipeline.Tests.Architecture;

/// <summary>
/// Product assemblies reach each other only through public API: what the worker or the tool needs from Core or Storage, a
/// host needs too. Only the test and benchmark assemblies may see internals.
/// </summary>
public sealed class InternalsVisibilityTests
{
    private static readonly string[] ProductAssemblies = ["SalesPipeline.Core", "SalesPipeline.Storage", "SalesPipeline.Reporting.Worker", "salespipeline"];

    private static readonly string[] Allowed = ["SalesPipeline.Tests", "SalesPipeline.Benchmarks"];

    public static TheoryData<string> Libraries => new(["SalesPipeline.Core", "SalesPipeline.Storage", "SalesPipeline.Reporting.Worker"]);

    [Theory]
    [MemberData(nameof(Libraries))]
    public void InternalsVisibleTo_ProductLibrary_NamesNoProductAssembly(string library)
    {
        var granted = Grants(Assembly.Load(new AssemblyName(library)));

        Assert.Empty(granted.Intersect(ProductAssemblies, StringComparer.OrdinalIgnoreCase));
        Assert.All(granted, name => Assert.Contains(name, Allowed));
    }

    [Fact]
    public void Grants_AssemblyWithGrants_ListsThem()
    {
        // Proves the reader sees grants: Core does grant the test assembly.
        Assert.Contains("SalesPipeline.Tests", Grants(typeof(Domain.Money).Assembly));
    }

    private static List<string> Grants(Assembly assembly) =>
        [.. assembly.GetCustomAttributes<InternalsVisibleToAttribute>().Select(a => a.AssemblyName.Split(',')[0].Trim())];
}
