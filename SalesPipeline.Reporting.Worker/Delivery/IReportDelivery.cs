using SalesPipeline.Reporting.Worker.Scheduling;
using SalesPipeline.Scheduling;

namespace SalesPipeline.Reporting.Worker.Delivery;

/// <summary>Delivers a produced workbook to one target of a schedule (see <see cref="Abstractions.ScheduleDelivery.Target"/>).</summary>
internal interface IReportDelivery
{
    /// <summary>Tells whether this delivery serves <paramref name="target"/>.</summary>
    bool Handles(string target);

    /// <summary>Delivers the workbook at <paramref name="workbook"/>.</summary>
    /// <exception cref="DeliveryException">The delivery failed; its message says why, for people.</exception>
    Task DeliverAsync(ScheduleDefinition schedule, PeriodDays days, string target, string workbook, ProducedReport report, CancellationToken cancellationToken);
}

/// <summary>A delivery failed; the message says why and where, without secrets.</summary>
internal sealed class DeliveryException(string message, Exception? inner = null) : Exception(message, inner);
