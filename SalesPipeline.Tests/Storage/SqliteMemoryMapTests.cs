using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using SalesPipeline.Storage;
using SalesPipeline.Storage.Sqlite;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>The memory-mapped reads of the SQLite store: off by default (mapped pages count as resident memory), set by an option.</summary>
public sealed class SqliteMemoryMapTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-mmap-").FullName;

    [Fact]
    public async Task UseSqlite_ByDefault_ReadsWithoutMemoryMapping()
    {
        Assert.Equal(0L, await MemoryMapOfAConnectionAsync(configure: null));
    }

    [Fact]
    public async Task UseSqlite_MemoryMapSize_IsTheMapSizeOfEveryConnection()
    {
        Assert.Equal(64L << 20, await MemoryMapOfAConnectionAsync(o => o.MemoryMapSize = 64L << 20));
    }

    [Theory]
    [InlineData(-1L, "was -1.")]
    [InlineData(SqliteStorageOptions.MaxMemoryMapSize + 1, "was 2,147,418,113.")]
    public void UseSqlite_MemoryMapSizeOutOfRange_FailsAtRegistrationNamingTheOptionAndTheLimit(long size, string was)
    {
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddSalesPipeline().UseSqlite(configure: o => o.MemoryMapSize = size));

        Assert.Contains("'MemoryMapSize' must be between 0 and 2,147,418,112 bytes, " + was, error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<long> MemoryMapOfAConnectionAsync(Action<SqliteStorageOptions>? configure)
    {
        var services = new ServiceCollection();
        services.AddSalesPipeline().UseSqlite($"Data Source={Path.Combine(_folder, $"{Guid.NewGuid():N}.db")}", configure);
        await using var provider = services.BuildServiceProvider();
        await using var connection = await provider.GetRequiredService<SqliteDatabase>().OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>("PRAGMA mmap_size");
    }
}
