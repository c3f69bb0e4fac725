using Microsoft.Extensions.DependencyInjection;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Exporting;
using SalesPipeline.Scheduling;
using NodaTime;

namespace SalesPipeline.Reporting.Worker.Scheduling;

/// <summary>A produced workbook's key figures, for the e-mail; <see cref="Empty"/> when no deal was in scope.</summary>
/// <param name="Summary">The key figures, one set per currency.</param>
/// <param name="Empty">Whether no deal was open at the period's end or closed in it.</param>
internal sealed record ProducedReport(IReadOnlyList<SummaryFigures> Summary, bool Empty);

/// <summary>Writes one schedule's workbook for one period.</summary>
internal interface IReportProducer
{
    /// <summary>Builds the workbook for <paramref name="days"/> and writes it atomically to <paramref name="path"/>.</summary>
    Task<ProducedReport> ProduceAsync(ScheduleDefinition schedule, PeriodDays days, string path, CancellationToken cancellationToken);
}

/// <summary>The report path of <c>report</c>: the store's aggregates in one consistent read, then an atomic write.</summary>
internal sealed class ReportProducer(IServiceProvider store, IClock clock) : IReportProducer
{
    public async Task<ProducedReport> ProduceAsync(ScheduleDefinition schedule, PeriodDays days, string path, CancellationToken cancellationToken)
    {
        // A pipeline removed since the schedule was checked fails this run with Core's error naming the registered ones.
        var catalog = store.GetRequiredService<PipelineCatalog>();
        var pipeline = schedule.Pipeline is { } id ? catalog.Get(new Domain.PipelineId(id)) : catalog.Default;
        var request = new ReportRequest(pipeline, days.First, days.Last, schedule.Cron.Zone, schedule.Owner, schedule.Culture, schedule.Kind, Cli.ReportOptions.DefaultDetailRows);
        var model = await ReportWorkbooks.BuildModelAsync(request, store, clock, cancellationToken).ConfigureAwait(false);
        var empty = model.Summary.All(s => s.OpenDeals == 0 && s.Won == 0 && s.Lost == 0);
        await new WorkbookWriter().WriteAsync(model, path, cancellationToken).ConfigureAwait(false);
        return new ProducedReport(model.Summary, empty);
    }
}
