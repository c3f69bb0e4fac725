using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Exporting;

namespace SalesPipeline.Reporting.Worker;

/// <summary>
/// Builds the report workbook in process — the same workbook as <c>salespipeline report</c> and the scheduled worker:
/// every figure from the store's aggregates (SQL on a database) and the detail sheet's first rows from a pass that stops
/// once they are full, inside one consistent read, charts included. Register it with <c>services.AddSalesPipelineReports()</c>.
/// </summary>
/// <remarks>Thread-safe: each call is one report.</remarks>
public sealed class ReportWorkbooks
{
    private readonly IServiceProvider _services;

    internal ReportWorkbooks(IServiceProvider services) => _services = services;

    /// <summary>Builds the workbook and writes it to <paramref name="output"/>.</summary>
    /// <param name="request">What the workbook covers.</param>
    /// <param name="output">A writable stream (a file, an HTTP response); written from its position and left open.</param>
    /// <param name="cancellationToken">Stops the work; nothing is written then.</param>
    /// <returns>A task that completes when the workbook is written.</returns>
    /// <exception cref="ArgumentException">The request is invalid (unknown pipeline, time zone or culture, the period ends before it starts).</exception>
    public async Task WriteAsync(WorkbookRequest request, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var model = await BuildAsync(request, cancellationToken).ConfigureAwait(false);
        await new WorkbookWriter().WriteAsync(model, output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Builds the workbook and replaces <paramref name="path"/> with it in one step: a reader never sees half a file.</summary>
    /// <param name="request">What the workbook covers.</param>
    /// <param name="path">The .xlsx file; its folder must exist. An existing file is replaced only on success.</param>
    /// <param name="cancellationToken">Stops the work; nothing is written then.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    /// <exception cref="ArgumentException">The request is invalid, or <paramref name="path"/> is empty.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    public async Task WriteFileAsync(WorkbookRequest request, string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var model = await BuildAsync(request, cancellationToken).ConfigureAwait(false);
        await new WorkbookWriter().WriteAsync(model, path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Builds a report's model from a store, as <c>salespipeline report</c> does: one consistent read of every sheet's figures.</summary>
    internal static Task<ReportModel> BuildModelAsync(ReportRequest request, IServiceProvider services, IClock clock, CancellationToken cancellationToken) =>
        Cli.ReportCommand.BuildModelAsync(request, services, clock, cancellationToken);

    private Task<ReportModel> BuildAsync(WorkbookRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var catalog = _services.GetRequiredService<PipelineCatalog>();
        var faults = new List<string>();
        PipelineDefinition? pipeline = catalog.Default;
        if (request.Pipeline is { } id && (pipeline = catalog.All.FirstOrDefault(p => p.Id.Value == id)) is null)
        {
            faults.Add($"Pipeline '{id}' is not known; pipelines: {string.Join(", ", catalog.All.Select(p => p.Id))}.");
        }

        if (request.From > request.To)
        {
            faults.Add($"From {request.From:uuuu-MM-dd} is after To {request.To:uuuu-MM-dd}.");
        }

        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(request.TimeZone ?? string.Empty);
        if (zone is null)
        {
            faults.Add($"TimeZone '{request.TimeZone}' is not an IANA time zone id such as Europe/Warsaw or Etc/UTC.");
        }

        if (request.Culture is not ("en" or "pl"))
        {
            faults.Add($"Culture '{request.Culture}' is not supported; use en or pl.");
        }

        if (request.DetailRows < 0)
        {
            faults.Add($"DetailRows must be at least 0, was {request.DetailRows}.");
        }

        if (request.Owner is { } owner && string.IsNullOrWhiteSpace(owner))
        {
            faults.Add("Owner is empty: give the salesperson's user id, or leave Owner out to report on everyone's deals.");
        }

        if (faults.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", faults), nameof(request));
        }

        var report = new ReportRequest(
            pipeline!, request.From, request.To, zone!, request.Owner is { } o ? new UserId(o.Trim()) : null, request.Culture!, request.Sheets, request.DetailRows);
        return BuildModelAsync(report, _services, _services.GetRequiredService<IClock>(), cancellationToken);
    }
}
