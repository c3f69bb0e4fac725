using SalesPipeline.Abstractions;
using SalesPipeline.Reporting.Worker.Exporting;
using SalesPipeline.Reporting.Worker.Scheduling;
using SalesPipeline.Scheduling;

namespace SalesPipeline.Reporting.Worker.Delivery;

/// <summary>Copies the workbook into the schedule's folder as <c>&lt;schedule&gt;_&lt;first day&gt;_&lt;last day&gt;.xlsx</c>, atomically.</summary>
internal sealed class FolderDelivery : IReportDelivery
{
    public bool Handles(string target) => target == ScheduleDelivery.FolderTarget;

    public Task DeliverAsync(ScheduleDefinition schedule, PeriodDays days, string target, string workbook, ProducedReport report, CancellationToken cancellationToken)
    {
        var folder = schedule.Folder ?? throw new DeliveryException($"schedule '{schedule.Name}' has no Folder.");
        var name = schedule.FileName(days);
        try
        {
            Directory.CreateDirectory(folder);

            // A worker killed while copying leaves its hidden temporary file; whoever holds the period's claim clears it.
            foreach (var stale in Directory.EnumerateFiles(folder, $".{name}.*.tmp"))
            {
                File.Delete(stale);
            }

            AtomicFile.Write(
                Path.Combine(folder, name),
                stream =>
                {
                    using var source = File.OpenRead(workbook);
                    source.CopyTo(stream);
                },
                cancellationToken);
            return Task.CompletedTask;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DeliveryException($"cannot write '{Path.Combine(folder, name)}': {e.Message}", e);
        }
    }
}
