using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Analytics;

/// <summary>
/// Time in stage seen from a period: per open stage, the stays that ended in the period (a history entry whose next entry
/// is in the period), their mean and median length in days, how many deals are in the stage at the as-of instant, and how
/// many of those have been there longer than the stage's stale-after limit.
/// </summary>
/// <param name="Stage">The stage.</param>
/// <param name="Left">Stays in the stage that ended in the period (a deal that left twice counts twice).</param>
/// <param name="MeanDays">The mean length of those stays in days (24 hours), or <see langword="null"/> when none ended.</param>
/// <param name="MedianDays">Their median length in days, or <see langword="null"/> when none ended.</param>
/// <param name="OpenNow">Deals in the stage at the as-of instant.</param>
/// <param name="StaleAfter">The stage's stale-after limit, if it has one.</param>
/// <param name="StaleNow">Of <paramref name="OpenNow"/>, those in the stage longer than <paramref name="StaleAfter"/> (0 without a limit).</param>
public sealed record StageExits(StageId Stage, long Left, decimal? MeanDays, decimal? MedianDays, long OpenNow, Duration? StaleAfter, long StaleNow);

