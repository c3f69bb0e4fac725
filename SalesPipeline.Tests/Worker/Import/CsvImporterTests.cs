using System.Text;
using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Import;
using Xunit;
using static SalesPipeline.Tests.Worker.Import.ImportKit;

namespace SalesPipeline.Tests.Worker.Import;

public sealed class CsvImporterTests
{
    [Fact]
    public async Task ImportAsync_ValidCanonicalFile_ImportsEveryRowWithItsFields()
    {
        var store = new InMemoryStore();
        var csv = Csv(
            Row("D-1", probability: "35"),
            Row("D-2", name: "Fleet renewal", account: "kowalski logistics", owner: "piotr", stage: "won", amount: "5000", currency: "EUR", created: "2025-01-05", expectedClose: string.Empty, closed: "2025-04-01", reason: "References"),
            Row("D-3", account: string.Empty, stage: "lost", amount: "0", created: "2025-02-01", closed: "2025-03-01", reason: "price"));

        var result = await ImportAsync(csv, store);

        Assert.Equal(new ImportResult(3, 3, 0, 0, 0, [], true), result with { Errors = [] });
        var deals = (await DealsAsync(store)).ToDictionary(d => d.ExternalId!);
        var open = deals["D-1"];
        Assert.Equal(("ERP rollout", Money.Of(1200.50m, "PLN"), new UserId("anna"), Stages.Qualification, 35), (open.Name, open.Value, open.Owner, open.Stage, open.ProbabilityOverride));
        Assert.Equal(new LocalDate(2025, 6, 30), open.ExpectedClose);
        Assert.Equal(Instant.FromUtc(2025, 1, 10, 0, 0), open.CreatedAt);
        Assert.Null(open.Outcome);
        Assert.Equal(Importer, open.CreatedBy);

        // Accounts are matched by name ignoring case: two rows, one account.
        var account = Assert.Single(await AccountsAsync(store));
        Assert.Equal("Kowalski Logistics", account.Name);
        Assert.Equal(account.Id, open.Account);
        Assert.Equal(account.Id, deals["D-2"].Account);
        Assert.Null(deals["D-3"].Account);

        var won = deals["D-2"];
        Assert.Equal(new Outcome(OutcomeKind.Won, "References", null, Instant.FromUtc(2025, 4, 1, 0, 0)), won.Outcome);
        Assert.Equal(new LocalDate(2025, 4, 1), won.ExpectedClose); // no expected close in the file: a closed deal's close date

        // A loss reason from the pipeline's list is stored as the list spells it.
        Assert.Equal("Price", deals["D-3"].Outcome!.Reason);
    }

    [Fact]
    public async Task ImportAsync_StageDates_BuildTheHistoryInPipelineOrderFromTheDates()
    {
        var store = new InMemoryStore();
        var csv = "id,name,owner,stage,amount,currency,created,closed,entered_qualification,entered_offer,entered_negotiation\n" +
                  "D-1,Deal,anna,won,100,EUR,2025-01-02,2025-05-20,2025-01-10,2025-02-01,\n";

        await ImportAsync(csv, store);

        var deal = Assert.Single(await DealsAsync(store));
        var at = (int month, int day) => Instant.FromUtc(2025, month, day, 0, 0);
        Assert.Equal(
            [
                new StageChange(null, Stages.Identification, at(1, 2), Importer, StageChangeKind.Imported),
                new StageChange(Stages.Identification, Stages.Qualification, at(1, 10), Importer, StageChangeKind.Imported),
                new StageChange(Stages.Qualification, Stages.Offer, at(2, 1), Importer, StageChangeKind.Imported),
                new StageChange(Stages.Offer, Stages.Won, at(5, 20), Importer, StageChangeKind.Imported),
            ],
            deal.History);
        Assert.Equal(at(1, 2), deal.CreatedAt);
        Assert.Equal(at(5, 20), deal.LastChangedAt);
    }

    [Fact]
    public async Task ImportAsync_DatesInTheMappingsZone_AreTheStartOfThatDayThere()
    {
        var store = new InMemoryStore();
        var mapping = ImportMapping.FromJson("""{ "dateFormats": ["d.M.uuuu"], "timeZone": "Europe/Warsaw", "numberCulture": "pl-PL" }""");

        await ImportAsync(Csv(Row("D-1", created: "10.1.2025", expectedClose: "30.6.2025", amount: "\"1 200,50\"")), store, mapping: mapping);

        var deal = Assert.Single(await DealsAsync(store));
        Assert.Equal(Instant.FromUtc(2025, 1, 9, 23, 0), deal.CreatedAt);
        Assert.Equal(1200.50m, deal.Value.Amount);
    }

    [Fact]
    public async Task ImportAsync_DefaultAllOrNothing_OneInvalidRowAmongManyImportsNothing()
    {
        var store = new InMemoryStore();
        var rows = Enumerable.Range(1, 2_500).Select(i => Row($"D-{i}", amount: i == 2_400 ? "-1" : "10")).ToArray();

        var result = await ImportAsync(Csv(rows), store, new ImportOptions { BatchSize = 100 });

        // Two dozen batches were already written into the session; disposing it uncommitted discards them.
        Assert.Equal((2_500L, 0L, 1L, false), (result.Read, result.Imported, result.Rejected, result.Committed));
        Assert.Equal(2_401, Assert.Single(result.Errors).Row);
        Assert.Empty(await DealsAsync(store));
        Assert.Empty(await AccountsAsync(store));
    }

    [Fact]
    public async Task ImportAsync_ManyErrors_CountsAllKeepsTheFirstUpToTheLimit()
    {
        var store = new InMemoryStore();
        var rows = Enumerable.Range(1, 30).Select(i => Row($"D-{i}", amount: "x")).ToArray();

        var result = await ImportAsync(Csv(rows), store, new ImportOptions { ErrorLimit = 5 });

        Assert.Equal(30, result.ErrorCount);
        Assert.Equal([2L, 3, 4, 5, 6], result.Errors.Select(e => e.Row));
    }

    [Fact]
    public async Task ImportAsync_SkipInvalid_ImportsTheValidRowsAndWritesRejectsWithOriginalFieldsAndReasons()
    {
        var store = new InMemoryStore();
        var rejects = new StringWriter();
        var csv = Csv(
            Row("D-1"),
            Row("D-2", amount: "-5", currency: "ZZZ"),
            Row("D-3", name: "\"Multi\nline, quoted\"", stage: "won"),
            Row("D-4"));

        var result = await ImportAsync(csv, store, new ImportOptions { SkipInvalid = true, RejectsWriter = rejects });

        Assert.Equal((4L, 2L, 2L, 3L, true), (result.Read, result.Imported, result.Rejected, result.ErrorCount, result.Committed));
        Assert.Equal(["D-1", "D-4"], (await DealsAsync(store)).Select(d => d.ExternalId).Order());
        var expected =
            Header + ",rejected_row,rejection_reason\r\n" +
            "D-2,ERP rollout,Kowalski Logistics,anna,qualification,-5,ZZZ,2025-01-10,2025-06-30,,,,,3," +
            "\"amount: the amount must not be negative.; currency: not an active ISO-4217 currency code such as EUR, PLN or USD.\"\r\n" +
            "D-3,\"Multi\nline, quoted\",Kowalski Logistics,anna,won,1200.50,PLN,2025-01-10,2025-06-30,,,,,4,closed: a won deal needs a close date.\r\n";
        Assert.Equal(expected, rejects.ToString());
    }

    [Fact]
    public async Task ImportAsync_SameFileTwice_SecondImportAddsNothing()
    {
        var store = new InMemoryStore();
        var csv = Csv(Row("D-1"), Row("D-2", account: "Nowak SA"), Row("D-3", account: "Nowak SA", stage: "won", closed: "2025-02-01"));

        var first = await ImportAsync(csv, store);
        var before = await DealsAsync(store);
        var second = await ImportAsync(csv, store);

        Assert.Equal((3L, 0L), (first.Imported, first.SkippedExisting));
        Assert.Equal((0L, 3L, true), (second.Imported, second.SkippedExisting, second.Committed));
        Assert.Equal(before.OrderBy(d => d.ExternalId), (await DealsAsync(store)).OrderBy(d => d.ExternalId));
        Assert.Equal(2, (await AccountsAsync(store)).Count);
    }

    [Fact]
    public async Task ImportAsync_NewDeals_GetTimeOrderedIdsFromTheImportClock()
    {
        var store = new InMemoryStore();
        var clock = new FakeClock(Now, Duration.FromMilliseconds(1)); // each reading a millisecond later

        await CsvImporter.ImportAsync(
            new StringReader(Csv(Row("D-1"), Row("D-2"), Row("D-3"))), ImportMapping.Canonical, PipelineDefinition.Default, store, new ImportOptions(), Importer, clock);

        var ids = (await DealsAsync(store)).OrderBy(d => d.ExternalId, StringComparer.Ordinal).Select(d => d.Id.Value).ToList();
        Assert.All(ids, id => Assert.Equal(7, id.Version));

        // In file order, as the stores index them (by their text), and stamped with the import clock's time.
        Assert.Equal(ids.Select(id => id.ToString("D")).Order(StringComparer.Ordinal), ids.Select(id => id.ToString("D")));
        var stamped = ids.Select(id => long.Parse(id.ToString("N")[..12], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(stamped, ms => Assert.InRange(ms, Now.ToUnixTimeMilliseconds(), clock.GetCurrentInstant().ToUnixTimeMilliseconds()));
    }

    [Fact]
    public async Task ImportAsync_FileWithNewRows_ImportsOnlyTheNewOnes()
    {
        var store = new InMemoryStore();
        await ImportAsync(Csv(Row("D-1"), Row("D-2")), store);

        var result = await ImportAsync(Csv(Row("D-1"), Row("D-2"), Row("D-3")), store);

        Assert.Equal((1L, 2L), (result.Imported, result.SkippedExisting));
        Assert.Equal(3, (await DealsAsync(store)).Count);
    }

    [Fact]
    public async Task ImportAsync_DryRun_ValidatesAndCountsButWritesNothing()
    {
        var store = new InMemoryStore();
        await ImportAsync(Csv(Row("D-1")), store);

        var result = await ImportAsync(Csv(Row("D-1"), Row("D-2"), Row("D-3", account: "New Co")), store, new ImportOptions { DryRun = true });

        Assert.Equal((3L, 2L, 1L, false), (result.Read, result.Imported, result.SkippedExisting, result.Committed));
        Assert.Equal(["D-1"], (await DealsAsync(store)).Select(d => d.ExternalId));
        Assert.Single(await AccountsAsync(store));
    }

    [Fact]
    public async Task ImportAsync_DryRunWithAnInvalidRow_ReportsItAndWritesNothing()
    {
        var store = new InMemoryStore();

        var result = await ImportAsync(Csv(Row("D-1"), Row("D-2", amount: "-1")), store, new ImportOptions { DryRun = true });

        Assert.Equal((0L, 1L, false), (result.Imported, result.Rejected, result.Committed));
        Assert.Empty(await DealsAsync(store));
    }

    [Theory]
    [InlineData("\n", false)]
    [InlineData("\r\n", false)]
    [InlineData("\n", true)]
    [InlineData("\r\n", true)]
    public async Task ImportAsync_LineEndingsAndByteOrderMark_ReadTheSameDeals(string newline, bool byteOrderMark)
    {
        var store = new InMemoryStore();
        var text = string.Join(newline, Header, Row("D-1", name: "\"Rollout, phase 1\""), Row("D-2", name: "\"Two" + newline + "lines\"", account: "Zażółć Sp. z o.o.")) + newline;
        var bytes = (byteOrderMark ? Encoding.UTF8.GetPreamble() : []).Concat(Encoding.UTF8.GetBytes(text)).ToArray();

        var result = await CsvImporter.ImportAsync(new MemoryStream(bytes), ImportMapping.Canonical, PipelineDefinition.Default, store, new ImportOptions(), Importer, new FakeClock(Now));

        Assert.Equal((2L, 2L, 0L), (result.Read, result.Imported, result.Rejected));
        var names = (await DealsAsync(store)).OrderBy(d => d.ExternalId).Select(d => d.Name).ToList();
        Assert.Equal(["Rollout, phase 1", "Two" + newline + "lines"], names);
        Assert.Contains(await AccountsAsync(store), a => a.Name == "Zażółć Sp. z o.o.");
    }

    [Fact]
    public async Task ImportAsync_QuotedLineBreak_RowNumbersCountRecordsNotLines()
    {
        var store = new InMemoryStore();

        var result = await ImportAsync(Csv(Row("D-1", name: "\"a\nb\nc\""), Row("D-2", amount: "x")), store);

        Assert.Equal(3, Assert.Single(result.Errors).Row);
    }

    [Fact]
    public async Task ImportAsync_HeaderLacksAMappedColumn_ThrowsListingEveryFaultBeforeReading()
    {
        var store = new InMemoryStore();
        var mapping = ImportMapping.FromJson("""{ "columns": { "owner": "sales_agent", "name": "{product} – {client}" }, "stages": { "Closing": "closing" } }""");

        var e = await Assert.ThrowsAsync<ImportConfigurationException>(() => ImportAsync(Csv(Row("D-1")), store, mapping: mapping));

        Assert.Equal(4, e.Faults.Count);
        Assert.Contains(e.Faults, f => f.Contains("column 'sales_agent'", StringComparison.Ordinal));
        Assert.Contains(e.Faults, f => f.Contains("uses column 'product'", StringComparison.Ordinal));
        Assert.Contains(e.Faults, f => f.Contains("uses column 'client'", StringComparison.Ordinal));
        Assert.Contains(e.Faults, f => f.Contains("maps stage value 'Closing' to 'closing'", StringComparison.Ordinal));
        Assert.Empty(await DealsAsync(store));
    }

    [Fact]
    public async Task ImportAsync_CancelledMidStreamOnALargeFile_LeavesTheStoreAsItWas()
    {
        var store = new InMemoryStore();
        await ImportAsync(Csv(Row("D-existing")), store);
        using var cancellation = new CancellationTokenSource();

        // 10^6 rows generated as they are read (never held in memory); the token is cancelled once 40,000 rows are out,
        // long after the first batches were written into the session.
        var file = new GeneratedCsv(1_000_000, afterRow: 40_000, cancellation.Cancel);
        var import = CsvImporter.ImportAsync(file, ImportMapping.Canonical, PipelineDefinition.Default, store, new ImportOptions(), Importer, new FakeClock(Now), cancellation.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => import);
        Assert.InRange(file.RowsProduced, 40_000, 200_000);
        Assert.Equal(["D-existing"], (await DealsAsync(store)).Select(d => d.ExternalId));
        Assert.Single(await AccountsAsync(store));
    }

    [Fact]
    public async Task ImportAsync_LongImport_ReportsProgressByTheClock()
    {
        var store = new InMemoryStore();
        var reports = new List<ImportProgress>();
        var clock = new FakeClock(Now, Duration.FromSeconds(1));
        var file = new GeneratedCsv(5_000, afterRow: int.MaxValue, () => { });

        await CsvImporter.ImportAsync(file, ImportMapping.Canonical, PipelineDefinition.Default, store, new ImportOptions { Progress = new Handler(reports.Add) }, Importer, clock);

        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.True(r.RowsPerSecond > 0));
        Assert.Equal(reports.Select(r => r.Read).Order(), reports.Select(r => r.Read));

        // Once every row is read, one last report says the import is finishing (writing the rest and committing).
        Assert.Equal((5_000L, 0L, true), (reports[^1].Read, reports[^1].Rejected, reports[^1].Finishing));
        Assert.All(reports[..^1], r => Assert.False(r.Finishing));
    }

    [Fact]
    public async Task ImportAsync_ProgressHandlerThrowsWhenFinishing_FailsWithItsErrorAndCommitsNothing()
    {
        var store = new InMemoryStore();
        var clock = new FakeClock(Now, Duration.FromSeconds(1));
        var rows = Enumerable.Range(0, 2_000).Select(i => Row($"D-{i}")).ToArray();
        var progress = new Handler(r => { if (r.Finishing) { throw new InvalidOperationException("the progress display is gone"); } });

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => CsvImporter.ImportAsync(
            new StringReader(Csv(rows)), ImportMapping.Canonical, PipelineDefinition.Default, store, new ImportOptions { Progress = progress }, Importer, clock));

        Assert.Equal("the progress display is gone", thrown.Message);
        Assert.Empty(await DealsAsync(store));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task ImportAsync_LongImportThatWillNotCommit_NeverReportsFinishing(bool dryRun, bool invalidRow)
    {
        var store = new InMemoryStore();
        var reports = new List<ImportProgress>();
        var clock = new FakeClock(Now, Duration.FromSeconds(1));
        var rows = Enumerable.Range(0, 2_000).Select(i => Row($"D-{i}", amount: invalidRow && i == 10 ? "-5" : "1200.50")).ToArray();

        var result = await CsvImporter.ImportAsync(
            new StringReader(Csv(rows)), ImportMapping.Canonical, PipelineDefinition.Default, store, new ImportOptions { DryRun = dryRun, Progress = new Handler(reports.Add) }, Importer, clock);

        Assert.False(result.Committed);
        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.False(r.Finishing));
    }

    [Fact]
    public async Task ImportAsync_CanonicalFileWithOnlyAnOutcome_PutsTheDealInTheWonOrLostStage()
    {
        var store = new InMemoryStore();

        await ImportAsync(Csv(Row("D-1", stage: string.Empty, outcome: "won", closed: "2025-03-01")), store);

        Assert.Equal(Stages.Won, Assert.Single(await DealsAsync(store)).Stage);
    }

    [Fact]
    public async Task ImportAsync_RejectsCannotBeWritten_FailsWithNothingCommitted()
    {
        var store = new InMemoryStore();
        await ImportAsync(Csv(Row("SEED-1")), store);
        using var rejects = new FailingWriter();
        var options = new ImportOptions { SkipInvalid = true, RejectsWriter = rejects };

        // The disk fills up: the rejected row is buffered, and writing it out fails.
        await Assert.ThrowsAsync<IOException>(() => ImportAsync(Csv(Row("D-1"), Row("D-2", currency: "ZZZ"), Row("D-3")), store, options));

        Assert.Equal(["SEED-1"], (await DealsAsync(store)).Select(d => d.ExternalId));
        Assert.True(rejects.Flushed, "the rejects were never written out");
    }

    [Fact]
    public async Task ImportAsync_SkipInvalidIntoAFile_RejectsAreOnDiskWhenTheSessionCommits()
    {
        var path = Path.Combine(Path.GetTempPath(), $"salespipeline-rejects-{Guid.NewGuid():N}.csv");
        try
        {
            var store = new CommitWatcher(File.ReadAllText, path);
            await using (var writer = new StreamWriter(path))
            {
                var result = await ImportAsync(Csv(Row("D-1"), Row("D-2", currency: "ZZZ")), store, new ImportOptions { SkipInvalid = true, RejectsWriter = writer });
                Assert.True(result.Committed);
            }

            Assert.Contains("D-2", store.RejectsAtCommit, StringComparison.Ordinal);
            Assert.Contains("rejection_reason", store.RejectsAtCommit, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A rejects writer whose buffered rows cannot be written out, as on a full disk.</summary>
    private sealed class FailingWriter : StringWriter
    {
        public bool Flushed { get; private set; }

        public override void Flush()
        {
            Flushed = true;
            throw new IOException("No space left on device");
        }

        public override Task FlushAsync()
        {
            Flush();
            return Task.CompletedTask;
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flush();
            return Task.CompletedTask;
        }
    }

    /// <summary>An in-memory store that reads the rejects file at the moment an import session commits.</summary>
    private sealed class CommitWatcher(Func<string, string> read, string rejects) : SalesPipeline.Abstractions.IImportTarget
    {
        private readonly InMemoryStore _store = new();

        public string RejectsAtCommit { get; private set; } = string.Empty;

        public async Task<SalesPipeline.Abstractions.IImportSession> BeginImportAsync(CancellationToken cancellationToken = default) =>
            new Session(await _store.BeginImportAsync(cancellationToken), () => RejectsAtCommit = read(rejects));

        private sealed class Session(SalesPipeline.Abstractions.IImportSession inner, Action onCommit) : SalesPipeline.Abstractions.IImportSession
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
                onCommit();
                return inner.CommitAsync(cancellationToken);
            }

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }

    /// <summary>Progress handled on the reporting thread (unlike <see cref="Progress{T}"/>, which posts to the thread pool).</summary>
    private sealed class Handler(Action<ImportProgress> handle) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => handle(value);
    }
}

/// <summary>A canonical CSV file of valid rows made as it is read, so a test can stream millions of rows in little memory.</summary>
internal sealed class GeneratedCsv(int rows, int afterRow, Action onRow) : Stream
{
    private byte[] _pending = Encoding.UTF8.GetBytes(ImportKit.Header + "\r\n");
    private int _offset;

    public int RowsProduced { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var written = 0;
        while (written < count)
        {
            if (_offset == _pending.Length)
            {
                if (RowsProduced == rows)
                {
                    break;
                }

                RowsProduced++;
                if (RowsProduced == afterRow)
                {
                    onRow();
                }

                var n = RowsProduced.ToString(System.Globalization.CultureInfo.InvariantCulture);
                _pending = Encoding.UTF8.GetBytes(ImportKit.Row("G-" + n, name: "Deal " + n, account: "Account " + (RowsProduced % 50), owner: "owner" + (RowsProduced % 7), amount: n) + "\r\n");
                _offset = 0;
            }

            var take = Math.Min(count - written, _pending.Length - _offset);
            Array.Copy(_pending, _offset, buffer, offset + written, take);
            _offset += take;
            written += take;
        }

        return written;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
