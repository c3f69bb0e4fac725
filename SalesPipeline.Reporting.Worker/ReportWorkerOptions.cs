namespace SalesPipeline.Reporting.Worker;

/// <summary>How the scheduled report worker registered by <c>AddSalesPipelineReportWorker</c> runs.</summary>
public sealed class ReportWorkerOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether the worker runs one pass — everything due or missed now, failed deliveries
    /// retried — and then stops the application, as <c>salespipeline run --once</c> does.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: the worker runs until the host stops.</value>
    public bool RunOnce { get; set; }

    /// <summary>Gets or sets the folder relative schedule folders are resolved against.</summary>
    /// <value>The default value is <see langword="null"/>: the current folder when the worker is registered.</value>
    public string? WorkingFolder { get; set; }
}
