using System.Reflection;
using NodaTime;
using SalesPipeline.Storage;
using SalesPipeline.Storage.Internal;
using SalesPipeline.Storage.Migrations;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>The storage package's promises that need no database: a small public surface, paired migrations, exact conversions.</summary>
public sealed class StorageSurfaceTests
{
    private static readonly Assembly Storage = typeof(SchemaVersionException).Assembly;

    [Fact]
    public void PublicSurface_IsOnlyRegistrationOptionsExceptionsAndTheMigrator()
    {
        Assert.Equal(
            ["SalesPipeline.SalesPipelineStorageExtensions", "SalesPipeline.Storage.ForeignSchemaException", "SalesPipeline.Storage.Migrations.IDatabaseMigrator", "SalesPipeline.Storage.Migrations.MigrationResult", "SalesPipeline.Storage.PostgresStorageOptions", "SalesPipeline.Storage.SchemaVersionException", "SalesPipeline.Storage.SqliteStorageOptions", "SalesPipeline.Storage.StorageUnavailableException", "SalesPipeline.Storage.StorageUnavailableReason"],
            Storage.GetExportedTypes().Select(t => t.FullName!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void PublicSurface_MentionsNoDapperNpgsqlOrSqliteType()
    {
        var thirdParty = new[] { "Dapper", "Npgsql", "Microsoft.Data.Sqlite", "SQLitePCL" };
        var signatures = Storage.GetExportedTypes()
            .SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .SelectMany(m => m switch
            {
                MethodBase method => method.GetParameters().Select(p => p.ParameterType).Append((method as MethodInfo)?.ReturnType ?? typeof(void)),
                PropertyInfo property => [property.PropertyType],
                FieldInfo field => [field.FieldType],
                _ => [],
            })
            .SelectMany(Flatten);

        Assert.DoesNotContain(signatures, t => thirdParty.Any(p => (t.Namespace ?? string.Empty).StartsWith(p, StringComparison.Ordinal)));
    }

    [Fact]
    public void MigrationScripts_BothProviders_HaveTheSameNumbers()
    {
        Assert.Equal(
            MigrationScripts.For(MigrationScripts.Sqlite).Select(s => (s.Version, s.Name)),
            MigrationScripts.For(MigrationScripts.Postgres).Select(s => (s.Version, s.Name)));
        Assert.Equal(1, MigrationScripts.For(MigrationScripts.Sqlite)[0].Version);
    }

    [Theory]
    [InlineData(0L, 0L, 0L)]
    [InlineData(1_500L, 1L, 2L)]
    [InlineData(2_000L, 2L, 2L)]
    [InlineData(-1L, -1L, 0L)]
    [InlineData(-1_500L, -2L, -1L)]
    public void Micros_FloorAndCeiling_BoundNanosecondsExactly(long nanoseconds, long floor, long ceiling)
    {
        var instant = Instant.FromUnixTimeTicks(0) + Duration.FromNanoseconds(nanoseconds);

        Assert.Equal((floor, ceiling), (Micros.Floor(instant), Micros.Ceiling(instant)));
        Assert.True(Micros.Truncate(instant) <= instant);
    }

    [Theory]
    [InlineData("123.45", "PLN", 12345L)]
    [InlineData("5000", "JPY", 5000L)]
    [InlineData("1.234", "KWD", 1234L)]
    [InlineData("1000000000000000", "PLN", 100000000000000000L)]
    public void MinorUnits_ValidAmounts_RoundTripExactly(string amount, string currency, long minor)
    {
        var money = SalesPipeline.Domain.Money.Of(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), currency);

        Assert.Equal(minor, MinorUnits.From(money, "value"));
        Assert.Equal(money, MinorUnits.ToMoney(minor, currency));
    }

    [Fact]
    public void MinorUnits_MoreDecimalsThanTheCurrencyHas_IsRefusedRatherThanRounded()
    {
        var error = Assert.Throws<ArgumentException>(() => MinorUnits.From(SalesPipeline.Domain.Money.Of(1.005m, "PLN"), "value"));

        Assert.Contains("more decimal places than PLN has (2)", error.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<Type> Flatten(Type type) =>
        type.IsGenericType ? type.GetGenericArguments().SelectMany(Flatten).Append(type) : type.HasElementType ? Flatten(type.GetElementType()!).Append(type) : [type];
}
