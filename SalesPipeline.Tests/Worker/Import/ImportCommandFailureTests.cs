using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using Xunit;
using static SalesPipeline.Tests.Worker.Import.ImportKit;

namespace SalesPipeline.Tests.Worker.Import;

/// <summary><c>salespipeline import</c> when it fails: <c>--error-limit</c>, and a rejects file that must not appear without a commit.</summary>
public sealed class ImportCommandFailureTests : ImportCommandTestBase
{
    [Fact]
    public async Task Import_ErrorLimit_PrintsTheFirstErrorsAndTheTotalExitsTwoImportsNothing()
    {
        var store = new InMemoryStore();
        var file = Write("deals.csv", Csv(Row("D-1"), Row("D-2", amount: "-1"), Row("D-3", currency: "ZZZ"), Row("D-4", amount: "x", currency: "ZZZ"), Row("D-5")));

        var code = await RunImportCommandAsync(store, Output, Error, ["import", "--file", file, "--error-limit", "3"]);

        Assert.Equal(2, code);

        // The limit counts errors, not rows: row 5's second error is counted but not printed.
        Assert.Equal(
            [
                "row 3, column 'amount', value '-1': the amount must not be negative.",
                "row 4, column 'currency', value 'ZZZ': not an active ISO-4217 currency code such as EUR, PLN or USD.",
                "row 5, column 'amount', value 'x': not a number; expected an amount such as 1234.5.",
                "4 errors in 3 of 5 rows (the first 3 shown).",
                "Nothing was imported. Fix those rows, or import the valid ones with --skip-invalid --rejects rejects.csv.",
            ],
            Lines(Error));
        Assert.Empty(Lines(Output));
        Assert.Empty(await DealsAsync(store));
        Assert.Empty(await AccountsAsync(store));
    }

    [Fact]
    public async Task Import_ErrorLimitZero_PrintsOnlyTheTotal()
    {
        var store = new InMemoryStore();
        var file = Write("deals.csv", Csv(Row("D-1", amount: "-1"), Row("D-2")));

        var code = await RunImportCommandAsync(store, Output, Error, ["import", "--file", file, "--error-limit", "0"]);

        Assert.Equal(2, code);
        Assert.Equal(
            [
                "1 error in 1 of 2 rows (the first 0 shown).",
                "Nothing was imported. Fix those rows, or import the valid ones with --skip-invalid --rejects rejects.csv.",
            ],
            Lines(Error));
        Assert.Empty(await DealsAsync(store));
    }

    [Fact]
    public async Task Import_SkipInvalidWhenTheStoreFailsToCommit_NoRejectsFileAndNothingImported()
    {
        var store = new InMemoryStore();
        var target = new FaultyTarget(store) { CommitFailure = new IOException("disk full") };
        var file = Write("deals.csv", Csv(Row("D-1"), Row("D-2", currency: "ZZZ"), Row("D-3")));
        var rejects = Path.Combine(Folder.FullName, "rejects.csv");

        var e = await Assert.ThrowsAsync<IOException>(() => RunImportCommandAsync(target, Output, Error, ["import", "--file", file, "--skip-invalid", "--rejects", rejects]));

        Assert.Equal("disk full", e.Message);
        Assert.Equal(1, target.CommitsAttempted);
        Assert.Empty(await DealsAsync(store));

        // Neither the rejects file nor its temporary file is left behind.
        Assert.Equal(["deals.csv"], Folder.GetFiles().Select(f => f.Name));
    }

    [Fact]
    public async Task Import_SkipInvalidCancelledMidImport_NoRejectsFileAndNothingImported()
    {
        var store = new InMemoryStore();
        using var cancellation = new CancellationTokenSource();

        // Ctrl-C once the import session is open: the rejects file's temporary copy already has its header.
        var target = new FaultyTarget(store) { OnBegin = cancellation.Cancel };
        var file = Write("deals.csv", Csv(Row("D-1"), Row("D-2", currency: "ZZZ"), Row("D-3")));
        var rejects = Path.Combine(Folder.FullName, "rejects.csv");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => RunImportCommandAsync(target, Output, Error, ["import", "--file", file, "--skip-invalid", "--rejects", rejects], cancellation.Token));

        Assert.Equal(0, target.CommitsAttempted);
        Assert.Empty(await DealsAsync(store));
        Assert.Equal(["deals.csv"], Folder.GetFiles().Select(f => f.Name));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Import_MappingWithItsOwnPipeline_StoresTheDefinitionOnlyWithTheDeals(bool commitFails)
    {
        var store = new InMemoryStore();
        var target = new FaultyTarget(store) { CommitFailure = commitFails ? new IOException("disk full") : null };
        var file = Write("maven.csv", """
            opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value
            1C1I7A6R,Moses Frase,GTX Plus Basic,Cancity,Won,2016-10-20,2017-03-01,1054
            Z063OYW0,Darcel Schlecht,GTXPro,Isdom,Engaging,2016-10-25,,

            """);
        string[] args = ["--as", "admin", "import", "--file", file, "--mapping", Path.Combine(MappingsFolder, "maven-crm.json")];

        if (commitFails)
        {
            await Assert.ThrowsAsync<IOException>(() => RunImportCommandAsync(target, Output, Error, args));
            Assert.Empty(await DealsAsync(store));
            Assert.Empty(await store.LoadAsync());
            return;
        }

        Assert.Equal(0, await RunImportCommandAsync(target, Output, Error, args));
        Assert.Equal(2, (await DealsAsync(store)).Count);
        var stored = Assert.Single(await store.LoadAsync());
        Assert.Equal("maven-crm", stored.Key.Value);
        Assert.Equal(["prospecting", "engaging", "won", "lost"], SalesPipeline.Process.PipelineDefinition.FromJson(stored.Value).Stages.Select(s => s.Id.Value));
    }

    [Fact]
    public async Task Import_MappingPipelineUnderTheBuiltInId_IsStoredWithTheDeals()
    {
        // A team's own version of the default process, under its id: the deals use it, so the store must keep it.
        var store = new InMemoryStore();
        var own = SalesPipeline.Process.PipelineDefinition.Default.ToJson().Replace("\"New business\"", "\"Our new business\"", StringComparison.Ordinal);
        Write("own.pipeline.json", own);
        var mapping = Write("mapping.json", """{ "pipelineFile": "own.pipeline.json" }""");
        var file = Write("deals.csv", Csv(Row("D-1"), Row("D-2")));

        Assert.Equal(0, await RunImportCommandAsync(store, Output, Error, ["--as", "admin", "import", "--file", file, "--mapping", mapping]));

        Assert.Equal(2, (await DealsAsync(store)).Count);
        var stored = Assert.Single(await store.LoadAsync());
        Assert.Equal(SalesPipeline.Process.PipelineDefinition.Default.Id, stored.Key);
        Assert.Equal("Our new business", SalesPipeline.Process.PipelineDefinition.FromJson(stored.Value).Name);
    }

    /// <summary>The in-memory store, with a commit that fails or a hook when the import session opens.</summary>
    private sealed class FaultyTarget(InMemoryStore store) : IImportTarget
    {
        public Exception? CommitFailure { get; init; }

        public Action? OnBegin { get; init; }

        public int CommitsAttempted { get; private set; }

        public async Task<IImportSession> BeginImportAsync(CancellationToken cancellationToken = default)
        {
            var session = await store.BeginImportAsync(cancellationToken);
            OnBegin?.Invoke();
            return new Session(this, session);
        }

        private sealed class Session(FaultyTarget target, IImportSession inner) : IImportSession
        {
            public Task<IReadOnlySet<string>> ExistingExternalIdsAsync(PipelineId pipeline, IReadOnlyCollection<string> externalIds, CancellationToken cancellationToken = default) =>
                inner.ExistingExternalIdsAsync(pipeline, externalIds, cancellationToken);

            public Task<AccountId> EnsureAccountAsync(string name, UserId by, Instant at, CancellationToken cancellationToken = default) =>
                inner.EnsureAccountAsync(name, by, at, cancellationToken);

            public Task AddAsync(IReadOnlyList<OpportunityState> batch, CancellationToken cancellationToken = default) =>
                inner.AddAsync(batch, cancellationToken);

            public Task<IReadOnlyDictionary<PipelineId, string>> LoadPipelineDefinitionsAsync(CancellationToken cancellationToken = default) =>
                inner.LoadPipelineDefinitionsAsync(cancellationToken);

            public Task SavePipelineDefinitionAsync(PipelineId id, string json, CancellationToken cancellationToken = default) =>
                inner.SavePipelineDefinitionAsync(id, json, cancellationToken);

            public Task CommitAsync(CancellationToken cancellationToken = default)
            {
                target.CommitsAttempted++;
                return target.CommitFailure is { } failure ? Task.FromException(failure) : inner.CommitAsync(cancellationToken);
            }

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
