using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Abstractions;
using SalesPipeline.DependencyInjection;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Process.Internal;
using SalesPipeline.Reporting.Worker.Import;
using SalesPipeline.Storage.Migrations;
using Xunit;
using static SalesPipeline.Tests.Worker.Import.ImportKit;

namespace SalesPipeline.Tests.Worker.Import;

/// <summary>
/// A host's import writes only into a pipeline the store and its readers know, with the definition they know: otherwise its
/// deals would be committed and then fail every read, move and report. Run on the in-memory store and on SQLite, both as a
/// host registers them.
/// </summary>
public sealed class CsvImporterPipelineTests : IDisposable
{
    /// <summary>A pipeline with the built-in stages under an id nothing stores or registers.</summary>
    private static readonly PipelineDefinition Partners = DefaultPipeline.Build("partners");

    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-import-pipeline-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task ImportAsync_PipelineTheStoreDoesNotKnow_RefusedNamingItAndTheKnownOnesAndNothingIsStored(bool sqlite, bool dryRun)
    {
        await using var services = await HostAsync(sqlite);
        var before = await SnapshotAsync(services);

        var e = await Assert.ThrowsAsync<ImportConfigurationException>(
            () => ImportAsync(Csv(Row("D-1"), Row("D-2")), services.GetRequiredService<IImportTarget>(), new ImportOptions { DryRun = dryRun }, pipeline: Partners));

        Assert.Equal("pipeline 'partners'", e.Subject);
        Assert.Equal(
            "pipeline 'partners': the store does not know this pipeline (it knows new-business), so the deals imported into it could not be read, "
            + "moved or reported. Store the definition first (IPipelineDefinitionService.SaveAsync, or 'salespipeline pipeline import'), or set "
            + "ImportOptions.StorePipelineDefinition so the import stores it with the deals.",
            e.Message);
        Assert.Equal(before, await SnapshotAsync(services));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ImportAsync_KnownIdWithStagesTheStoredDefinitionLacks_RefusedNamingThemAndNothingIsStored(bool sqlite)
    {
        await using var services = await HostAsync(sqlite);
        var lacking = new PipelineDefinitionBuilder("new-business", "New business")
            .AddStage("qualification", StageKind.Open, 25)
            .AddStage("won", StageKind.Won, 100)
            .AddStage("lost", StageKind.Lost, 0)
            .AllowMove("qualification", "won")
            .AllowMove("qualification", "lost")
            .Build();
        await services.GetRequiredService<IPipelineDefinitionStore>().SaveAsync(lacking.Id, lacking.ToJson());
        var before = await SnapshotAsync(services);

        var e = await Assert.ThrowsAsync<ImportConfigurationException>(
            () => ImportAsync(Csv(Row("D-1", stage: "offer")), services.GetRequiredService<IImportTarget>(), pipeline: PipelineDefinition.Default));

        Assert.Equal("pipeline 'new-business'", e.Subject);
        Assert.Contains("the definition differs from the one the store knows under this id (stages the known one lacks: identification, offer, negotiation; known pipelines: new-business)", e.Message, StringComparison.Ordinal);
        Assert.Contains("ImportOptions.StorePipelineDefinition", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(services));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ImportAsync_DefinitionIdenticalToTheStoredOne_ImportsDealsTheServiceReads(bool sqlite)
    {
        await using var services = await HostAsync(sqlite, o => o.LoadStoredPipelines = true);
        await services.GetRequiredService<IPipelineDefinitionStore>().SaveAsync(Partners.Id, Partners.ToJson());

        // Read back from its JSON, as a host that loads the definition from a file has it: equal, not the same object.
        var result = await ImportAsync(Csv(Row("D-1")), services.GetRequiredService<IImportTarget>(), pipeline: PipelineDefinition.FromJson(Partners.ToJson()));

        Assert.True(result.Committed);
        Assert.Equal("partners", (await ReadBackAsync(services)).PipelineId.Value);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ImportAsync_BuiltInPipelineTheStoreHoldsNoDefinitionFor_Imports(bool sqlite)
    {
        await using var services = await HostAsync(sqlite);

        var result = await ImportAsync(Csv(Row("D-1")), services.GetRequiredService<IImportTarget>());

        Assert.True(result.Committed);
        Assert.Equal(PipelineDefinition.Default.Id, (await ReadBackAsync(services)).PipelineId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ImportAsync_PipelineRegisteredWithTheServiceAndGivenAsKnown_ImportsDealsTheServiceReads(bool sqlite)
    {
        await using var services = await HostAsync(sqlite, o => o.UsePipelines(PipelineDefinition.Default, Partners));
        var options = new ImportOptions { KnownPipelines = services.GetRequiredService<PipelineCatalog>() };

        var result = await ImportAsync(Csv(Row("D-1")), services.GetRequiredService<IImportTarget>(), options, pipeline: Partners);

        Assert.True(result.Committed);
        Assert.Equal("partners", (await ReadBackAsync(services)).PipelineId.Value);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ImportAsync_NewPipelineWithStorePipelineDefinition_StoresItWithTheDeals(bool sqlite)
    {
        await using var services = await HostAsync(sqlite);
        var definitions = services.GetRequiredService<IPipelineDefinitionService>();
        var options = new ImportOptions { StorePipelineDefinition = (session, token) => definitions.SaveAsync(Partners, Importer, session, token) };

        var result = await ImportAsync(Csv(Row("D-1")), services.GetRequiredService<IImportTarget>(), options, pipeline: Partners);

        Assert.True(result.Committed);
        Assert.Equal(Partners.ToJson(), (await services.GetRequiredService<IPipelineDefinitionStore>().LoadAsync())[Partners.Id]);
    }

    /// <summary>A host's container over the in-memory store or a migrated SQLite file, without access checks.</summary>
    private async Task<ServiceProvider> HostAsync(bool sqlite, Action<SalesPipelineOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(new FakeClock(Now));
        var builder = services.AddSalesPipeline(o =>
        {
            o.Access.SkipAccessChecks = true;
            configure?.Invoke(o);
        });
        if (sqlite)
        {
            builder.UseSqlite($"Data Source={Path.Combine(_folder, "crm.db")}");
        }

        var provider = services.BuildServiceProvider();
        if (sqlite)
        {
            await provider.GetRequiredService<IDatabaseMigrator>().MigrateAsync();
        }

        return provider;
    }

    /// <summary>The store's only deal, read through the service as the host reads it.</summary>
    private static async Task<Opportunity> ReadBackAsync(IServiceProvider services)
    {
        var stored = new List<OpportunityState>();
        await foreach (var deal in services.GetRequiredService<IOpportunityStore>().QueryAsync(OpportunityQuery.All))
        {
            stored.Add(deal);
        }

        return await services.GetRequiredService<ISalesPipeline>().GetAsync(Assert.Single(stored).Id);
    }

    /// <summary>Every deal, account and stored definition, as text.</summary>
    private static async Task<string> SnapshotAsync(IServiceProvider services)
    {
        var text = new System.Text.StringBuilder();
        await foreach (var deal in services.GetRequiredService<IOpportunityStore>().QueryAsync(OpportunityQuery.All))
        {
            text.Append(deal.Id).Append(' ').Append(deal.PipelineId).Append('\n');
        }

        await foreach (var account in services.GetRequiredService<IAccountStore>().ListAsync())
        {
            text.Append(account.Name).Append('\n');
        }

        foreach (var (id, json) in (await services.GetRequiredService<IPipelineDefinitionStore>().LoadAsync()).OrderBy(d => d.Key.Value, StringComparer.Ordinal))
        {
            text.Append(id).Append(json).Append('\n');
        }

        return text.ToString();
    }
}
