using SalesPipeline.Abstractions;
using System.Globalization;
using NodaTime;

namespace SalesPipeline.Reporting.Worker.Import;

/// <summary>How <see cref="CsvImporter"/> runs.</summary>
public sealed record ImportOptions
{
    /// <summary>Gets whether to validate everything and write nothing (existing ids are still looked up, so the counts are real).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool DryRun { get; init; }

    /// <summary>Gets whether valid rows are imported when others are invalid. Otherwise any invalid row means nothing is imported.</summary>
    /// <value>The default value is <see langword="false"/>: all or nothing.</value>
    public bool SkipInvalid { get; init; }

    /// <summary>
    /// Gets where rejected rows go when <see cref="SkipInvalid"/> is on: the file's header and each rejected row's original
    /// fields, plus <c>rejected_row</c> and <c>rejection_reason</c>. It is flushed before the import commits (a
    /// <see cref="StreamWriter"/> over a <see cref="FileStream"/> to disk), so a failure to write it leaves nothing committed.
    /// The caller makes it atomic (a temporary file renamed on success).
    /// </summary>
    /// <value>The default value is <see langword="null"/>: rejects are only counted and listed in <see cref="ImportResult.Errors"/>.</value>
    public TextWriter? RejectsWriter { get; init; }

    /// <summary>
    /// Gets what stores the pipeline's definition with the deals, in the same import session, just before it commits (through
    /// <see cref="SalesPipeline.Process.IPipelineDefinitionService"/>, which checks who acts and that the stored deals fit): both
    /// become visible at commit or neither does, so no committed deal is left in a pipeline the store does not know.
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: the definition is not stored, so the store must know it already (stored,
    /// built in, or in <see cref="KnownPipelines"/>), with the same content; otherwise the import is refused.
    /// </value>
    public Func<IImportSession, CancellationToken, Task>? StorePipelineDefinition { get; init; }

    /// <summary>
    /// Gets the pipelines the application's service runs besides those the store holds: the catalog registered with
    /// <c>AddSalesPipeline</c> (<c>services.GetRequiredService&lt;PipelineCatalog&gt;()</c>). Without
    /// <see cref="StorePipelineDefinition"/>, an import writes only into a pipeline the store holds, the built-in
    /// <see cref="SalesPipeline.Process.PipelineDefinition.Default"/> when the store holds none under its id, or one of these,
    /// and only with the same definition.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: only the stored pipelines and the built-in one.</value>
    public SalesPipeline.Process.PipelineCatalog? KnownPipelines { get; init; }

    /// <summary>Gets how many errors <see cref="ImportResult.Errors"/> keeps; all are counted.</summary>
    /// <value>The default value is 20.</value>
    public int ErrorLimit { get; init; } = 20;

    /// <summary>Gets how many valid rows are checked for existing ids and written at once.</summary>
    /// <value>The default value is 1,000.</value>
    public int BatchSize { get; init; } = 1_000;

    /// <summary>Gets what is told how far the import got, about every <see cref="ProgressInterval"/>.</summary>
    /// <value>The default value is <see langword="null"/>: no progress reports.</value>
    public IProgress<ImportProgress>? Progress { get; init; }

    /// <summary>Gets how often progress is reported (by the import's clock).</summary>
    /// <value>The default value is 2 seconds.</value>
    public Duration ProgressInterval { get; init; } = Duration.FromSeconds(2);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ErrorLimit, nameof(ErrorLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        if (ProgressInterval <= Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ProgressInterval), ProgressInterval, $"ProgressInterval must be positive, was {ProgressInterval}.");
        }
    }
}

/// <summary>What an import did.</summary>
/// <param name="Read">Data rows read (the header not counted).</param>
/// <param name="Imported">New opportunities written and committed; in a dry run, those that would be.</param>
/// <param name="SkippedExisting">Valid rows whose id the pipeline already has (a re-import), left alone.</param>
/// <param name="Rejected">Rows with at least one error.</param>
/// <param name="ErrorCount">All errors found (a row may have several).</param>
/// <param name="Errors">The first errors, up to <see cref="ImportOptions.ErrorLimit"/>, in file order.</param>
/// <param name="Committed">Whether anything was committed; <see langword="false"/> for a dry run and for an all-or-nothing import that found errors.</param>
public sealed record ImportResult(long Read, long Imported, long SkippedExisting, long Rejected, long ErrorCount, IReadOnlyList<ImportError> Errors, bool Committed);

/// <summary>One thing wrong with one row.</summary>
/// <param name="Row">The row's number as a spreadsheet shows it: the header is row 1, the first data row is row 2 (a row with a quoted line break is still one row).</param>
/// <param name="Column">The column at fault, as the file names it; empty when the row as a whole is at fault.</param>
/// <param name="Value">The value found (empty when missing).</param>
/// <param name="Reason">What is wrong and what is expected.</param>
public sealed record ImportError(long Row, string Column, string Value, string Reason)
{
    /// <inheritdoc />
    public override string ToString()
    {
        var value = Value.Length > 60 ? Value[..57] + "..." : Value;
        var where = Column.Length == 0 ? string.Empty : $", column '{Column}'";
        var what = Column.Length == 0 && Value.Length == 0 ? string.Empty : $", value '{value.ReplaceLineEndings(" ")}'";
        return string.Create(CultureInfo.InvariantCulture, $"row {Row}{where}{what}: {Reason}");
    }
}

/// <summary>How far an import got.</summary>
/// <param name="Read">Rows read so far.</param>
/// <param name="Rejected">Rows rejected so far.</param>
/// <param name="Elapsed">Time since the import started.</param>
public sealed record ImportProgress(long Read, long Rejected, Duration Elapsed)
{
    /// <summary>Gets the rows read per second so far.</summary>
    public double RowsPerSecond => Elapsed > Duration.Zero ? Read / Elapsed.TotalSeconds : 0;

    /// <summary>
    /// Gets a value indicating whether every row has been read and the import is finishing: the store writes the last rows,
    /// rebuilds what a large import set aside (indexes) and commits. Reported once, after the other reports, by an import
    /// that reported progress while reading and is to commit (not a dry run, nor one that an invalid row stopped).
    /// </summary>
    public bool Finishing { get; init; }
}

/// <summary>
/// The mapping, the file's header and the pipeline do not fit together (a mapped column is missing, a stage is unknown, a
/// pattern is invalid): nothing was read or written. Lists every fault.
/// </summary>
public sealed class ImportConfigurationException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ImportConfigurationException"/> class.</summary>
    /// <param name="source">What was checked (the mapping file, the CSV header).</param>
    /// <param name="faults">Every fault found.</param>
    public ImportConfigurationException(string source, IReadOnlyList<string> faults)
        : base($"{source}: {string.Join(" ", faults)}")
    {
        Subject = source;
        Faults = faults;
    }

    /// <summary>Gets what was checked (the mapping file, the CSV header).</summary>
    public string Subject { get; }

    /// <summary>Gets every fault found.</summary>
    public IReadOnlyList<string> Faults { get; }
}
