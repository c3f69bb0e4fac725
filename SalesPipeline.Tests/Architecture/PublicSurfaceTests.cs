using System.Reflection;
using SalesPipeline.Domain;
using SalesPipeline.Tests.Architecture.Samples;
using Stateless;
using Xunit;

namespace SalesPipeline.Tests.Architecture;

/// <summary>
/// No Stateless, Dapper, Npgsql, Microsoft.Data.Sqlite, ClosedXML or OpenXml type in any public signature of the product,
/// and no public implementation class in an <c>Internal</c> namespace. The scanner proves it can fail on samples below.
/// </summary>
public sealed class PublicSurfaceTests
{
    private static readonly string[] ProductAssemblyNames = ["SalesPipeline.Core", "SalesPipeline.Storage", "SalesPipeline.Reporting.Worker", "salespipeline"];

    public static TheoryData<string> ProductAssemblies => new(ProductAssemblyNames);

    private static Assembly Load(string name) => Assembly.Load(new AssemblyName(name));

    [Theory]
    [MemberData(nameof(ProductAssemblies))]
    public void PublicSignatures_ProductAssembly_ExposeNoImplementationLibraryType(string assembly)
    {
        var types = Load(assembly).GetTypes();

        var exposures = PublicSurface.ForbiddenExposures(types);

        Assert.True(exposures.Count == 0, $"{assembly} exposes implementation-library types:{Environment.NewLine}{string.Join(Environment.NewLine, exposures)}");
    }

    [Theory]
    [MemberData(nameof(ProductAssemblies))]
    public void InternalNamespaces_ProductAssembly_HoldNoPublicType(string assembly)
    {
        var types = Load(assembly).GetTypes();

        var leaked = PublicSurface.PublicInternalTypes(types);

        Assert.True(leaked.Count == 0, $"{assembly} has public types in Internal namespaces: {string.Join(", ", leaked.Select(t => t.FullName))}");
    }

    [Fact]
    public void ProductAssemblies_ScannedForReal_HavePublicTypesAndInternalNamespaces()
    {
        var core = typeof(Money).Assembly;

        Assert.Equal("SalesPipeline.Core", core.GetName().Name);
        Assert.Contains(typeof(Money), core.GetTypes().Where(PublicSurface.IsExposed));
        Assert.Contains(core.GetTypes(), t => PublicSurface.IsInternalNamespace(t.Namespace) && !PublicSurface.IsExposed(t));
        Assert.Contains(Load("SalesPipeline.Storage").GetTypes(), PublicSurface.IsExposed);
    }

    [Fact]
    public void ProductAssemblies_ReferencedImplementationLibraries_AreRecognisedAsForbidden()
    {
        var referenced = ProductAssemblyNames
            .SelectMany(a => Load(a).GetReferencedAssemblies())
            .Select(a => a.Name!)
            .Where(n => PublicSurface.Forbidden.Any(f => n == f || n.StartsWith(f + ".", StringComparison.Ordinal)))
            .Distinct()
            .ToList();

        Assert.Contains("Stateless", referenced);
        Assert.Contains("Dapper", referenced);
        Assert.Contains("Npgsql", referenced);
        Assert.Contains("Microsoft.Data.Sqlite", referenced);
        Assert.All(referenced, name => Assert.True(PublicSurface.IsForbidden(Load(name).GetExportedTypes().First()), $"A type of {name} is not recognised."));
    }

    [Fact]
    public void ForbiddenExposures_StatelessTypeInEveryKindOfPublicPosition_AreAllReported()
    {
        var nested = typeof(ExposesStateless).GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic);
        var protectedNested = Assert.Single(nested, t => t.Name == "ProtectedNested");
        var exposures = PublicSurface.ForbiddenExposures(nested.Append(typeof(ExposesStateless)));
        string Reported(string where) => Assert.Single(exposures, e => e.StartsWith(where, StringComparison.Ordinal));

        Assert.Contains("Stateless.StateMachine`2", Reported($"{typeof(ExposesStateless)}.Machine return type"), StringComparison.Ordinal);
        Reported($"{typeof(ExposesStateless)}.Accept parameter machine");
        Reported($"{typeof(ExposesStateless)}.Configurations property type");
        Reported($"{typeof(ExposesStateless)}.Item indexer parameter trigger");
        Reported($"{typeof(ExposesStateless)}.Machines field type");
        Reported($"{typeof(ExposesStateless)}.Moved event type");
        Reported($"{typeof(ExposesStateless)}.Convert generic parameter T constraint");
        Reported($"{typeof(ExposesStateless)} constructor parameter machine");
        Reported($"{typeof(ExposesStateless.Derived)} base type");
        Reported($"{typeof(ExposesStateless.Generic<>)} generic parameter T constraint");
        Reported($"{protectedNested}.Machine return type");
        Assert.Contains(exposures, e => e.Contains("Stateless.StateMachine`2+Transition", StringComparison.Ordinal));
    }

    [Fact]
    public void ForbiddenExposures_StatelessOnlyInPrivateOrInternalMembers_ReportsNothing() =>
        Assert.Empty(PublicSurface.ForbiddenExposures([typeof(HidesStateless), typeof(InternalSample)]));

    [Fact]
    public void PublicInternalTypes_PublicClassInAnInternalNamespace_IsReported()
    {
        var leaked = PublicSurface.PublicInternalTypes([typeof(Samples.Internal.PublicImplementation), typeof(Samples.Internal.HiddenImplementation), typeof(HidesStateless)]);

        Assert.Equal([typeof(Samples.Internal.PublicImplementation)], leaked);
    }

    [Fact]
    public void IsForbidden_StatelessType_IsTrueAndProductTypeIsFalse()
    {
        Assert.True(PublicSurface.IsForbidden(typeof(StateMachine<int, int>)));
        Assert.False(PublicSurface.IsForbidden(typeof(Money)));
    }
}
