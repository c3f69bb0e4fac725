using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SalesPipeline.Abstractions;
using SalesPipeline.DependencyInjection;
using SalesPipeline.Storage;
using SalesPipeline.Storage.Internal;
using SalesPipeline.Storage.Migrations;
using SalesPipeline.Storage.Postgres;
using SalesPipeline.Storage.Sqlite;

// Extension methods live in the product's root namespace so `AddSalesPipeline(...).UseSqlite()` needs no extra using.
#pragma warning disable IDE0130 // Namespace does not match folder structure
namespace SalesPipeline;
#pragma warning restore IDE0130

/// <summary>Chooses where SalesPipeline keeps its data: a SQLite file or a PostgreSQL database.</summary>
public static class SalesPipelineStorageExtensions
{
    /// <summary>
    /// Stores deals, accounts and activities in a SQLite file (WAL mode, with a busy timeout), replacing the in-memory
    /// store. Pending migrations are applied on first use unless <see cref="SqliteStorageOptions.AutoMigrate"/> is off.
    /// </summary>
    /// <param name="builder">The builder <c>AddSalesPipeline</c> returned.</param>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string such as <c>Data Source=crm.db</c>; the file
    /// <c>salespipeline.db</c> in the working folder when left out.</param>
    /// <param name="configure">Sets further options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The connection string or an option is invalid.</exception>
    public static SalesPipelineBuilder UseSqlite(this SalesPipelineBuilder builder, string? connectionString = null, Action<SqliteStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new SqliteStorageOptions { ConnectionString = connectionString ?? SqliteStorageOptions.DefaultConnectionString };
        configure?.Invoke(options);

        // Built here so a bad connection string or option fails at start, not at the first call.
        var database = new SqliteDatabase(options);
        var services = Reset(builder.Services);
        services.AddSingleton(database);
        services.AddSingleton<IImportTarget>(sp => SqliteBulkImport.Target(sp.GetRequiredService<SqliteDatabase>()));
        services.AddSingleton<IPipelineDefinitionStore>(s => new PipelineDefinitionStore(s.GetRequiredService<SqliteDatabase>()));
        services.AddSingleton<IScheduleLedger>(s => new ScheduleLedgerStore(s.GetRequiredService<SqliteDatabase>()));
        services.AddSingleton<IDatabaseMigrator>(sp => new SqliteMigrator(sp.GetRequiredService<SqliteDatabase>()));
        services.AddSingleton<IConsistentReads>(sp => new ConsistentReads(sp.GetRequiredService<SqliteDatabase>()));
        services.AddSingleton<IStoreDialect>(sp => new SqliteDialect(sp.GetRequiredService<SqliteDatabase>()));
        AddRelationalStores(services);
        return builder;
    }

    /// <summary>
    /// Stores deals, accounts and activities in a PostgreSQL database that many application instances and workers can
    /// share, replacing the in-memory store. Pending migrations are applied on first use (once, under an advisory lock)
    /// unless <see cref="PostgresStorageOptions.AutoMigrate"/> is off.
    /// </summary>
    /// <param name="builder">The builder <c>AddSalesPipeline</c> returned.</param>
    /// <param name="connectionString">An Npgsql connection string such as <c>Host=db;Database=crm;Username=crm;Password=…</c>.</param>
    /// <param name="configure">Sets further options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The connection string or an option is invalid.</exception>
    public static SalesPipelineBuilder UsePostgres(this SalesPipelineBuilder builder, string connectionString, Action<PostgresStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new PostgresStorageOptions { ConnectionString = connectionString };
        configure?.Invoke(options);
        options.Validate();
        var services = Reset(builder.Services);

        // The container creates (and at its end disposes) the data source that pools the connections.
        services.AddSingleton(_ => new PostgresDatabase(options));
        services.AddSingleton<IImportTarget>(sp => PostgresBulkImport.Target(sp.GetRequiredService<PostgresDatabase>()));
        services.AddSingleton<IPipelineDefinitionStore>(s => new PipelineDefinitionStore(s.GetRequiredService<PostgresDatabase>()));
        services.AddSingleton<IScheduleLedger>(s => new ScheduleLedgerStore(s.GetRequiredService<PostgresDatabase>()));
        services.AddSingleton<IDatabaseMigrator>(sp => new PostgresMigrator(sp.GetRequiredService<PostgresDatabase>()));
        services.AddSingleton<IConsistentReads>(sp => new ConsistentReads(sp.GetRequiredService<PostgresDatabase>()));
        services.AddSingleton<IStoreDialect>(sp => new PostgresDialect(sp.GetRequiredService<PostgresDatabase>()));
        AddRelationalStores(services);
        return builder;
    }

    /// <summary>Registers the stores written once over the provider's <see cref="IStoreDialect"/>.</summary>
    private static void AddRelationalStores(IServiceCollection services)
    {
        services.AddSingleton<IOpportunityStore>(sp => new RelationalOpportunityStore(sp.GetRequiredService<IStoreDialect>()));
        services.AddSingleton<IAccountStore>(sp => new RelationalAccountStore(sp.GetRequiredService<IStoreDialect>()));
        services.AddSingleton<IAgendaStore>(sp => new RelationalAgendaStore(sp.GetRequiredService<IStoreDialect>()));
        services.AddSingleton<IActivityStore>(sp => new RelationalActivityStore(sp.GetRequiredService<IStoreDialect>()));
        services.AddSingleton<IPipelineAggregates>(sp => new RelationalPipelineAggregates(sp.GetRequiredService<IStoreDialect>()));
        services.AddSingleton<IPersonStore>(sp => new RelationalPersonStore(sp.GetRequiredService<IStoreDialect>()));
        services.AddSingleton<ILeadStore>(sp => new RelationalLeadStore(sp.GetRequiredService<IStoreDialect>()));
        services.AddSingleton<IDocumentStore>(sp => new RelationalDocumentStore(sp.GetRequiredService<IStoreDialect>()));
    }

    private static IServiceCollection Reset(IServiceCollection services)
    {
        services.RemoveAll<IPersonStore>();
        services.RemoveAll<ILeadStore>();
        services.RemoveAll<IDocumentStore>();
        services.RemoveAll<IStoreDialect>();
        // A storage provider replaces the in-memory registrations (and any earlier Use… call).
        services.RemoveAll<IOpportunityStore>();
        services.RemoveAll<IAccountStore>();
        services.RemoveAll<IActivityStore>();
        services.RemoveAll<IPipelineAggregates>();
        services.RemoveAll<IImportTarget>();
        services.RemoveAll<IPipelineDefinitionStore>();
        services.RemoveAll<IScheduleLedger>();
        services.RemoveAll<IDatabaseMigrator>();
        services.RemoveAll<IConsistentReads>();
        services.RemoveAll<IAgendaStore>();
        services.RemoveAll<SqliteDatabase>();
        services.RemoveAll<PostgresDatabase>();
        return services;
    }
}
