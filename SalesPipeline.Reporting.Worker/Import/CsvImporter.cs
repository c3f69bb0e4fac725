using System.Threading.Channels;
using CsvHelper;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Reporting.Worker.Import;

/// <summary>
/// Imports opportunities from a CSV export into a store, in one pass and one import session:
/// <list type="bullet">
/// <item>The file streams through CsvHelper (RFC 4180: CRLF or LF, UTF-8 with or without a byte order mark, quoted fields
/// with separators and line breaks); only the current batch of valid rows is held, plus a 16-byte fingerprint per id to
/// find duplicates.</item>
/// <item>Valid rows are written into the session batch by batch; ids the pipeline already has are skipped, so importing
/// the same file again adds nothing. Accounts are matched or created by name through the session.</item>
/// <item>All or nothing by default: at the first invalid row writing stops, the rest of the file is still checked so that
/// every error is counted, and the session is disposed without a commit. With <see cref="ImportOptions.SkipInvalid"/>
/// the valid rows are committed and the others go to <see cref="ImportOptions.RejectsWriter"/>, which is flushed (to disk, for a
/// file) before the commit, so a failure to write the rejects leaves nothing committed.</item>
/// <item>The session is committed only at the end; cancellation or an exception disposes it uncommitted, so the store is
/// left exactly as it was.</item>
/// <item>Reading and checking the rows and writing them overlap: full batches go to a writer on another thread, at most
/// <see cref="BatchesAhead"/> of them waiting, so a large import uses two cores and its memory stays bounded.</item>
/// </list>
/// </summary>
/// <remarks>Stateless and thread-safe; each call is one import.</remarks>
public static class CsvImporter
{
    /// <summary>The column a rejects file adds with the rejected row's number.</summary>
    public const string RejectedRowColumn = "rejected_row";

    /// <summary>The column a rejects file adds with why the row was rejected.</summary>
    public const string RejectionReasonColumn = "rejection_reason";

    /// <summary>How many full batches of valid rows may wait for the writer while the next rows are read and checked.</summary>
    private const int BatchesAhead = 2;

    /// <summary>Imports a CSV file read from a stream (UTF-8; a byte order mark is honoured).</summary>
    /// <param name="csv">The file; read to its end, left open.</param>
    /// <param name="mapping">How the file's columns become opportunities; <see cref="ImportMapping.Canonical"/> for the canonical header.</param>
    /// <param name="pipeline">The pipeline the deals go into.</param>
    /// <param name="target">The store.</param>
    /// <param name="options">Dry run, invalid rows, limits and progress.</param>
    /// <param name="by">Who imports: recorded as the creator of the deals and of the accounts created.</param>
    /// <param name="clock">The clock: the import's instant (for deals the file gives no date for) and the progress timing.</param>
    /// <param name="cancellationToken">Cancels the import; nothing is then committed.</param>
    /// <returns>What was read, imported, skipped and rejected.</returns>
    /// <exception cref="ImportConfigurationException">
    /// The mapping, the header and the pipeline do not fit; or, without <see cref="ImportOptions.StorePipelineDefinition"/>, the
    /// store does not know the pipeline (neither stored, built in nor in <see cref="ImportOptions.KnownPipelines"/>) or knows a
    /// different definition under its id. No row was read and nothing was written.
    /// </exception>
    /// <exception cref="OperationCanceledException">The import was cancelled; nothing was committed.</exception>
    public static async Task<ImportResult> ImportAsync(
        Stream csv,
        ImportMapping mapping,
        PipelineDefinition pipeline,
        IImportTarget target,
        ImportOptions options,
        UserId by,
        IClock clock,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(mapping);
        var reader = CsvReader.Create(csv, ReaderOptions(mapping, out var malformed), leaveOpen: true);
        await using (reader.ConfigureAwait(false))
        {
            return await ImportAsync(reader, malformed, mapping, pipeline, target, options, by, clock, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Imports a CSV file read from text.</summary>
    /// <param name="csv">The text; read to its end, left open.</param>
    /// <param name="mapping">How the file's columns become opportunities.</param>
    /// <param name="pipeline">The pipeline the deals go into.</param>
    /// <param name="target">The store.</param>
    /// <param name="options">Dry run, invalid rows, limits and progress.</param>
    /// <param name="by">Who imports.</param>
    /// <param name="clock">The clock.</param>
    /// <param name="cancellationToken">Cancels the import; nothing is then committed.</param>
    /// <returns>What was read, imported, skipped and rejected.</returns>
    /// <exception cref="ImportConfigurationException">
    /// The mapping, the header and the pipeline do not fit; or, without <see cref="ImportOptions.StorePipelineDefinition"/>, the
    /// store does not know the pipeline (neither stored, built in nor in <see cref="ImportOptions.KnownPipelines"/>) or knows a
    /// different definition under its id. No row was read and nothing was written.
    /// </exception>
    public static async Task<ImportResult> ImportAsync(
        TextReader csv,
        ImportMapping mapping,
        PipelineDefinition pipeline,
        IImportTarget target,
        ImportOptions options,
        UserId by,
        IClock clock,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(mapping);
        var reader = CsvReader.Create(csv, ReaderOptions(mapping, out var malformed), leaveOpen: true);
        await using (reader.ConfigureAwait(false))
        {
            return await ImportAsync(reader, malformed, mapping, pipeline, target, options, by, clock, cancellationToken).ConfigureAwait(false);
        }
    }

    private static CsvReaderOptions ReaderOptions(ImportMapping mapping, out Dictionary<long, CsvMalformedReason> malformed)
    {
        var found = new Dictionary<long, CsvMalformedReason>();
        malformed = found;
        return new CsvReaderOptions
        {
            Separator = mapping.Separator,
            Encoding = mapping.Encoding,
            HasHeader = true,
            DetectSeparatorHint = false,

            // Recover and report: a record with broken quoting becomes that row's error instead of stopping the import.
            MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            OnMalformedRecord = m => found[m.RecordNumber] = m.Reason,
        };
    }

    private static async Task<ImportResult> ImportAsync(
        CsvReader reader,
        Dictionary<long, CsvMalformedReason> malformed,
        ImportMapping mapping,
        PipelineDefinition pipeline,
        IImportTarget target,
        ImportOptions options,
        UserId by,
        IClock clock,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        if (by.Value is null)
        {
            throw new ArgumentException("'by' must name the user who imports.", nameof(by));
        }

        options.Validate();
        var started = clock.GetCurrentInstant();
        await reader.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        var header = reader.Headers.ToArray();
        if (header.Length == 0 || header.All(string.IsNullOrWhiteSpace))
        {
            throw new ImportConfigurationException("CSV header", ["The file is empty: expected a header row such as 'id,name,account,owner,stage,amount,currency'."]);
        }

        var headerFaults = header
            .Select((name, i) => (Name: name, Number: i + 1, Fault: name.Contains('\uFFFD', StringComparison.Ordinal) ? Undecodable(mapping) : ImportValues.Text(name)))
            .Where(c => c.Fault is not null)
            .Select(c => $"column {c.Number} ('{c.Name}'): {c.Fault}")
            .ToList();
        if (headerFaults.Count > 0)
        {
            throw new ImportConfigurationException("CSV header (row 1)", headerFaults);
        }

        var rows = RowReader.Create(mapping, pipeline, header, by, started);
        var rejects = options.SkipInvalid && options.RejectsWriter is { } writer ? CsvWriter.Create(writer, leaveOpen: true) : null;
        rejects?.WriteRecord([.. header, RejectedRowColumn, RejectionReasonColumn]);

        var run = new Run(pipeline, options, by, started);
        var session = await target.BeginImportAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using (session.ConfigureAwait(false))
            {
                if (options.StorePipelineDefinition is null)
                {
                    // Checked in the session, before anything is written: a deal committed into a pipeline the store's
                    // readers do not know could never be read, moved or reported.
                    await ImportPipelines.RequireKnownAsync(pipeline, session, options.KnownPipelines, cancellationToken).ConfigureAwait(false);
                }

                var batches = Channel.CreateBounded<List<ImportRow>>(new BoundedChannelOptions(BatchesAhead) { SingleReader = true, SingleWriter = true });
                using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var writing = run.WriteAsync(session, batches.Reader, stopReading, cancellationToken);
                try
                {
                    await ReadRowsAsync(reader, malformed, mapping, header, rows, rejects, run, options, clock, started, batches.Writer, stopReading.Token).ConfigureAwait(false);
                    if (run.ReportedProgress && run.Writing && !options.DryRun)
                    {
                        // The store may still be writing the last batches, and a large import then rebuilds what it set
                        // aside and commits: seconds in which the count of rows read no longer moves. Reported here, so
                        // that a progress handler that throws stops the writer like any other failure of the reading.
                        options.Progress!.Report(new ImportProgress(run.Read, run.Rejected, clock.GetCurrentInstant() - started) { Finishing = true });
                    }
                }
                catch (Exception e)
                {
                    // Stop the writer before the session is disposed under it.
                    batches.Writer.TryComplete();
                    await stopReading.CancelAsync().ConfigureAwait(false);
                    await Task.WhenAny(writing).ConfigureAwait(false);
                    if (e is OperationCanceledException && writing.IsFaulted && !cancellationToken.IsCancellationRequested)
                    {
                        // The writer failed and stopped the reading: its failure is the import's.
                        await writing.ConfigureAwait(false);
                    }

                    throw;
                }

                batches.Writer.TryComplete();
                await writing.ConfigureAwait(false);

                if (rejects is not null)
                {
                    // Every rejected row is written and on disk before anything is committed: a rejects file that cannot
                    // be written fails the import with nothing committed, and a committed import never loses its rejects.
                    await rejects.FlushAsync(cancellationToken).ConfigureAwait(false);
                    await options.RejectsWriter!.FlushAsync(cancellationToken).ConfigureAwait(false);
                    if (options.RejectsWriter is StreamWriter { BaseStream: FileStream file })
                    {
                        file.Flush(flushToDisk: true);
                    }
                }

                var commit = run.Writing && !options.DryRun;
                if (commit)
                {
                    if (options.StorePipelineDefinition is { } store)
                    {
                        await store(session, cancellationToken).ConfigureAwait(false);
                    }

                    await session.CommitAsync(cancellationToken).ConfigureAwait(false);
                }

                return run.Result(commit);
            }
        }
        finally
        {
            rejects?.Dispose();
        }
    }

    /// <summary>Reads and checks every row, handing full batches of valid rows to the writer and writing the rejects.</summary>
    private static async Task ReadRowsAsync(
        CsvReader reader,
        Dictionary<long, CsvMalformedReason> malformed,
        ImportMapping mapping,
        string[] header,
        RowReader rows,
        CsvWriter? rejects,
        Run run,
        ImportOptions options,
        IClock clock,
        Instant started,
        ChannelWriter<List<ImportRow>> batches,
        CancellationToken cancellationToken)
    {
        var rowErrors = new List<ImportError>();
        Func<int, string> field = reader.GetString;
        var nextProgress = started + options.ProgressInterval;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            run.Read++;
            var row = reader.RowNumber + 1;
            rowErrors.Clear();
            ImportRow? valid;
            if (malformed.Remove(row, out var reason))
            {
                rowErrors.Add(new ImportError(row, string.Empty, string.Empty, $"malformed quoting ({Describe(reason)}): enclose a field with separators, quotes or line breaks in double quotes and double the quotes inside it."));
                valid = null;
            }
            else if (CsvText.FirstUndecodable(reader, mapping.Encoding is not null) is >= 0 and var column)
            {
                var name = column < header.Length ? header[column] : $"field {column + 1}";
                rowErrors.Add(new ImportError(row, name, reader.GetString(column), Undecodable(mapping)));
                valid = null;
            }
            else
            {
                valid = rows.Read(field, reader.FieldCount, row, rowErrors);
            }

            if (valid is null)
            {
                run.Reject(rowErrors);
                if (rejects is not null)
                {
                    var fields = new string[header.Length + 2];
                    for (var i = 0; i < header.Length; i++)
                    {
                        fields[i] = i < reader.FieldCount ? reader.GetString(i) : string.Empty;
                    }

                    fields[^2] = row.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    fields[^1] = string.Join("; ", rowErrors.Select(e => e.Column.Length == 0 ? e.Reason : $"{e.Column}: {e.Reason}"));
                    rejects.WriteRecord(fields);
                }
            }
            else if (run.Writing)
            {
                run.Pending.Add(valid);
                if (run.Pending.Count >= options.BatchSize)
                {
                    await batches.WriteAsync(run.TakePending(), cancellationToken).ConfigureAwait(false);
                }
            }

            if ((run.Read & 255) == 0 && options.Progress is { } progress && clock.GetCurrentInstant() is var now && now >= nextProgress)
            {
                progress.Report(new ImportProgress(run.Read, run.Rejected, now - started));
                run.ReportedProgress = true;
                nextProgress = now + options.ProgressInterval;
            }
        }

        if (run.Writing && run.Pending.Count > 0)
        {
            await batches.WriteAsync(run.TakePending(), cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Undecodable(ImportMapping mapping) => CsvText.Undecodable(mapping.Encoding, "\"encoding\" in the mapping");

    private static string Describe(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.StrayQuote => "a quote inside an unquoted field",
        CsvMalformedReason.TextAfterClosingQuote => "text after a closing quote",
        CsvMalformedReason.UnterminatedQuote => "a quoted field that is never closed",
        _ => reason.ToString(),
    };

    /// <summary>The counts and the pending batch of one import.</summary>
    private sealed class Run(PipelineDefinition pipeline, ImportOptions options, UserId by, Instant started)
    {
        private const int AccountCacheLimit = 10_000;
        private readonly Dictionary<string, AccountId> _accounts = new(StringComparer.OrdinalIgnoreCase);
        private readonly List<ImportError> _errors = [];
        private long _imported;
        private long _skipped;
        private long _errorCount;

        /// <summary>Gets the valid rows read since the last full batch (the reader's).</summary>
        public List<ImportRow> Pending { get; private set; } = new(options.BatchSize);

        public long Read { get; set; }

        public long Rejected { get; private set; }

        /// <summary>Gets or sets a value indicating whether progress was reported while the rows were read.</summary>
        public bool ReportedProgress { get; set; }

        /// <summary>Gets whether valid rows are still written: always with skip-invalid, else until the first invalid row.</summary>
        public bool Writing { get; private set; } = true;

        public void Reject(List<ImportError> rowErrors)
        {
            Rejected++;
            _errorCount += rowErrors.Count;
            foreach (var error in rowErrors.Take(options.ErrorLimit - _errors.Count))
            {
                _errors.Add(error);
            }

            if (!options.SkipInvalid && Writing)
            {
                // All or nothing: what the session holds will be discarded (and the counts of what it wrote are not
                // reported), so stop handing rows to the writer and only keep checking.
                Writing = false;
                Pending.Clear();
            }
        }

        /// <summary>Takes the pending rows as one batch for the writer.</summary>
        public List<ImportRow> TakePending()
        {
            var batch = Pending;
            Pending = new List<ImportRow>(options.BatchSize);
            return batch;
        }

        /// <summary>
        /// The writer: writes each batch the reader hands over into the session, until the reader completes the channel. A
        /// failure stops the reading (through <paramref name="stopReading"/>) and is this task's.
        /// </summary>
        public Task WriteAsync(IImportSession session, ChannelReader<List<ImportRow>> batches, CancellationTokenSource stopReading, CancellationToken cancellationToken) =>
            Task.Run(
                async () =>
                {
                    try
                    {
                        await foreach (var batch in batches.ReadAllAsync(stopReading.Token).ConfigureAwait(false))
                        {
                            await FlushAsync(session, batch, stopReading.Token).ConfigureAwait(false);
                        }
                    }
                    catch (Exception) when (!cancellationToken.IsCancellationRequested)
                    {
                        await stopReading.CancelAsync().ConfigureAwait(false);
                        throw;
                    }
                },
                CancellationToken.None);

        private async Task FlushAsync(IImportSession session, List<ImportRow> pending, CancellationToken cancellationToken)
        {
            var ids = pending.Select(p => p.State.ExternalId!).ToList();
            var existing = await session.ExistingExternalIdsAsync(pipeline.Id, ids, cancellationToken).ConfigureAwait(false);
            var batch = new List<OpportunityState>(pending.Count);
            foreach (var row in pending)
            {
                if (existing.Contains(row.State.ExternalId!))
                {
                    _skipped++;
                    continue;
                }

                if (!options.DryRun)
                {
                    var account = row.AccountName is { } name ? await AccountAsync(session, name, cancellationToken).ConfigureAwait(false) : (AccountId?)null;
                    batch.Add(account is null ? row.State : row.State with { Account = account });
                }

                _imported++;
            }

            if (batch.Count > 0)
            {
                await session.AddAsync(batch, cancellationToken).ConfigureAwait(false);
            }
        }

        public ImportResult Result(bool committed) =>
            new(Read, Writing ? _imported : 0, Writing ? _skipped : 0, Rejected, _errorCount, _errors, committed);

        private async Task<AccountId> AccountAsync(IImportSession session, string name, CancellationToken cancellationToken)
        {
            if (_accounts.TryGetValue(name, out var id))
            {
                return id;
            }

            if (_accounts.Count >= AccountCacheLimit)
            {
                // The session matches by name too; the cache only saves round trips, so it need not grow with the file.
                _accounts.Clear();
            }

            id = await session.EnsureAccountAsync(name, by, started, cancellationToken).ConfigureAwait(false);
            _accounts[name] = id;
            return id;
        }
    }
}
