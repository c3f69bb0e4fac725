using NodaTime;
using SalesPipeline.Reporting.Worker.Exporting;

namespace SalesPipeline.Reporting.Worker;

/// <summary>
/// What one workbook covers: deals closed from the start of <see cref="From"/> to the end of <see cref="To"/> in
/// <see cref="TimeZone"/>, and the pipeline as it stood at the end of <see cref="To"/>.
/// </summary>
/// <param name="From">The first day of the period.</param>
/// <param name="To">The last day of the period (inclusive); the snapshot is taken at its end.</param>
public sealed record WorkbookRequest(LocalDate From, LocalDate To)
{
    /// <summary>Gets the id of the pipeline to report on.</summary>
    /// <value>The default value is <see langword="null"/>: the default pipeline.</value>
    public string? Pipeline { get; init; }

    /// <summary>Gets the salesperson whose deals alone are reported.</summary>
    /// <value>The default value is <see langword="null"/>: everyone's deals.</value>
    public string? Owner { get; init; }

    /// <summary>Gets the IANA time zone the days are read in, such as <c>Europe/Warsaw</c>.</summary>
    /// <value>The default value is <c>Etc/UTC</c>.</value>
    public string TimeZone { get; init; } = "Etc/UTC";

    /// <summary>Gets the language of labels, captions and date formats: <c>en</c> or <c>pl</c>.</summary>
    /// <value>The default value is <c>en</c>.</value>
    public string Culture { get; init; } = "en";

    /// <summary>Gets which sheets the workbook holds besides Summary and Opportunities.</summary>
    /// <value>The default value is <see cref="ReportKind.All"/>.</value>
    public ReportKind Sheets { get; init; } = ReportKind.All;

    /// <summary>Gets how many deals the Opportunities sheet lists; the rest are counted on the sheet.</summary>
    /// <value>The default value is 5,000.</value>
    public int DetailRows { get; init; } = 5_000;
}
