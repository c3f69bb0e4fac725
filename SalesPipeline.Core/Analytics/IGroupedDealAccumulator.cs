using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Analytics;

/// <summary>
/// Win/loss fed with groups of deals as a store's own query (SQL GROUP BY) returns them, finished by the same rule as
/// the per-deal pass. Create it with <see cref="DealPass.WinLossGroups"/>.
/// </summary>
/// <remarks>Not thread-safe: one accumulator belongs to one pass.</remarks>
public interface IWinLossGroups : IDealAccumulator<WinLossReport>
{
    /// <summary>
    /// Adds a group of deals of one owner and currency that share a result (and, when lost, a loss reason and the stage lost
    /// at): deals closed in the period, or (<paramref name="outcome"/> <see langword="null"/>) deals open at its end.
    /// </summary>
    /// <param name="outcome">Won, lost, or <see langword="null"/> for deals open at the end of the period.</param>
    /// <param name="owner">The owner's user id.</param>
    /// <param name="currency">The currency of <paramref name="amount"/>.</param>
    /// <param name="count">How many deals the group holds.</param>
    /// <param name="amount">Their value together.</param>
    /// <param name="reason">The loss reason when lost, else <see langword="null"/>.</param>
    /// <param name="lostFrom">The stage lost at when lost, else <see langword="null"/>.</param>
    void AddGroup(OutcomeKind? outcome, string owner, string currency, long count, decimal amount, string? reason, StageId? lostFrom);

    /// <summary>Whether open deals are counted and <paramref name="stage"/> is an open stage, so a group of deals open there belongs in the report.</summary>
    /// <param name="stage">The stage the deals were in at the end of the period.</param>
    /// <returns><see langword="true"/> when a group of deals open in <paramref name="stage"/> is to be added.</returns>
    bool CountsAsOpen(StageId stage);
}

/// <summary>
/// The weighted forecast fed with groups of deals as a store's own query (SQL GROUP BY) returns them, weighted by
/// <see cref="Process.DealProbability"/> as the per-deal pass is. Create it with <see cref="DealPass.ForecastGroups"/>.
/// </summary>
/// <remarks>Not thread-safe: one accumulator belongs to one pass.</remarks>
public interface IForecastGroups : IDealAccumulator<ForecastReport>
{
    /// <summary>
    /// Adds a group of deals that were in <paramref name="stage"/> at the as-of instant and share an expected close date,
    /// currency and probability override. A stage that is not open adds nothing.
    /// </summary>
    /// <param name="expectedClose">The deals' expected close date.</param>
    /// <param name="currency">The currency of <paramref name="amount"/>.</param>
    /// <param name="stage">The stage the deals were in at the as-of instant.</param>
    /// <param name="probabilityOverride">The deals' probability override, if any.</param>
    /// <param name="count">How many deals the group holds.</param>
    /// <param name="amount">Their value together.</param>
    void AddGroup(LocalDate expectedClose, string currency, StageId stage, int? probabilityOverride, long count, decimal amount);
}

/// <summary>
/// The sales cycle fed with groups of deals as a store's own query (SQL GROUP BY) returns them: deals closed in the period
/// that share an outcome and a cycle length, finished by the same rule as the per-deal pass. Create it with
/// <see cref="DealPass.SalesCycleGroups"/>.
/// </summary>
/// <remarks>Not thread-safe: one accumulator belongs to one pass.</remarks>
public interface ISalesCycleGroups : IDealAccumulator<SalesCycleReport>
{
    /// <summary>Adds a group of deals closed in the period with one outcome and one cycle length (created → closed).</summary>
    /// <param name="outcome">Won or lost.</param>
    /// <param name="cycle">The time from the deals' creation to their close.</param>
    /// <param name="count">How many deals the group holds.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    void AddGroup(OutcomeKind outcome, Duration cycle, long count);
}

/// <summary>
/// The figures of one period fed with groups of deals as a store's own query (SQL GROUP BY) returns them, finished by the same
/// rule as the per-deal pass. Create it with <see cref="DealPass.PeriodFiguresGroups"/>.
/// </summary>
/// <remarks>Not thread-safe: one accumulator belongs to one pass.</remarks>
public interface IPeriodFiguresGroups : IDealAccumulator<PeriodFiguresReport>
{
    /// <summary>
    /// Adds a group of deals in scope created by the end of the period (at or before it) that share a currency, a probability
    /// override, whether they were created in the period, how they closed in it, and the stage they were in at its end. The
    /// cycles of the ones won in the period are added apart, with <see cref="AddWonCycles"/>.
    /// </summary>
    /// <param name="currency">The currency of <paramref name="amount"/>.</param>
    /// <param name="probabilityOverride">The deals' probability override, if any.</param>
    /// <param name="createdInPeriod">Whether the deals were created in the period.</param>
    /// <param name="closedInPeriod">How the deals closed in the period (by their close instant), or <see langword="null"/> when they did not.</param>
    /// <param name="stageAtEnd">The stage the deals were in at the end of the period; one that is not open adds no open deals.</param>
    /// <param name="count">How many deals the group holds.</param>
    /// <param name="amount">Their value together.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    void AddGroup(string currency, int? probabilityOverride, bool createdInPeriod, OutcomeKind? closedInPeriod, StageId? stageAtEnd, long count, decimal amount);

    /// <summary>
    /// Adds deals won in the period with one sales cycle (created → closed), for the mean cycle of the won deals. Only the
    /// total of the cycles (<paramref name="cycle"/> × <paramref name="count"/>) is kept: the won deals themselves are
    /// counted by <see cref="AddGroup"/>, so a store may add the sum of many cycles in pieces (whole seconds, then the
    /// microseconds left over), each a unit cycle times a count.
    /// </summary>
    /// <param name="currency">The deals' currency.</param>
    /// <param name="cycle">The time from the deals' creation to their close.</param>
    /// <param name="count">How many deals share it (or how many units of <paramref name="cycle"/> the total holds).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    void AddWonCycles(string currency, Duration cycle, long count);
}

/// <summary>
/// The reached-stage funnel fed with groups of deals of the cohort as a store's own query (SQL GROUP BY) returns them.
/// Create it with <see cref="DealPass.ReachedStagesGroups"/>.
/// </summary>
/// <remarks>Not thread-safe: one accumulator belongs to one pass.</remarks>
public interface IReachedStageGroups : IDealAccumulator<ReachedStageFunnel>
{
    /// <summary>
    /// Adds a group of deals in scope created in the cohort period that count, by the funnel's counting, as having reached the
    /// funnel's stages up to <paramref name="reachedThrough"/> (and no further).
    /// </summary>
    /// <param name="reachedThrough">The last funnel stage (an open stage or the won stage) the deals reached, or <see langword="null"/> for none.</param>
    /// <param name="count">How many deals the group holds.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="reachedThrough"/> is a lost stage, which the funnel does not hold.</exception>
    void AddGroup(StageId? reachedThrough, long count);
}
