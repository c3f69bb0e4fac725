using SalesPipeline.Domain;

namespace SalesPipeline.Analytics;

/// <summary>
/// Customer lifetime value (LTV): what a client is worth over the whole relationship, so that a first contract that is not
/// profitable on its own can still be worth winning. Pure functions of exact <see cref="decimal"/> inputs; periods are
/// whatever the caller's margins are per (months, years); rates are fractions (0.1 = 10 % per period).
/// </summary>
/// <remarks>Thread-safe: every member is a pure function.</remarks>
public static class Ltv
{
    /// <summary>Simple LTV: <c>margin per period × expected number of periods</c>.</summary>
    /// <param name="marginPerPeriod">The margin the client brings per period (may be negative).</param>
    /// <param name="expectedPeriods">How many periods the client is expected to stay; not negative.</param>
    /// <returns>The undiscounted lifetime margin.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expectedPeriods"/> is negative.</exception>
    public static decimal Simple(decimal marginPerPeriod, decimal expectedPeriods)
    {
        if (expectedPeriods < 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedPeriods), expectedPeriods, $"The expected number of periods must not be negative, was {expectedPeriods}.");
        }

        return marginPerPeriod * expectedPeriods;
    }

    /// <summary>
    /// Discounted LTV of the future periods (Gupta–Lehmann): <c>m·r / (1 + i − r)</c>, the closed form of
    /// <c>Σ_{t=1..∞} m·r^t / (1 + i)^t</c>, where the client stays each period with probability r and money is discounted
    /// at i per period. The current period (t = 0) is not included; add its margin to value a client from today.
    /// </summary>
    /// <param name="marginPerPeriod">m: the margin per period (may be negative).</param>
    /// <param name="retentionRate">r: the probability that the client stays another period, in [0, 1).</param>
    /// <param name="discountRate">i: the discount rate per period, greater than −1 and greater than r − 1 (so that 1 + i − r &gt; 0).</param>
    /// <returns>The discounted value of the future margins.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A rate is out of range; the message names it and its range.</exception>
    public static decimal Discounted(decimal marginPerPeriod, decimal retentionRate, decimal discountRate)
    {
        CheckRetention(retentionRate, allowOne: false, nameof(retentionRate));
        CheckDiscount(discountRate, nameof(discountRate));
        var denominator = 1m + discountRate - retentionRate;
        if (denominator <= 0m)
        {
            throw new ArgumentOutOfRangeException(
                nameof(discountRate),
                discountRate,
                $"1 + discountRate − retentionRate must be greater than 0 for the discounted sum to be finite, was 1 + {discountRate} − {retentionRate} = {denominator}. Use a discount rate greater than {retentionRate - 1m}.");
        }

        return marginPerPeriod * retentionRate / denominator;
    }

    /// <summary>
    /// Finite-horizon LTV: <c>Σ_{t=0..T} (p_t − c_t)·r_t / (1 + i)^t − AC</c>, with price p_t, cost c_t and retention
    /// (survival) probability r_t of period t, discount rate i and acquisition cost AC.
    /// </summary>
    /// <param name="periods">The periods t = 0..T, in order; at least one.</param>
    /// <param name="discountRate">i: the discount rate per period, greater than −1.</param>
    /// <param name="acquisitionCost">AC: what winning the client costs; not negative.</param>
    /// <returns>The discounted lifetime value net of the acquisition cost.</returns>
    /// <exception cref="ArgumentException"><paramref name="periods"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A rate or a retention probability is out of range, or the acquisition cost is negative.</exception>
    public static decimal FiniteHorizon(IReadOnlyList<LtvPeriod> periods, decimal discountRate, decimal acquisitionCost)
    {
        ArgumentNullException.ThrowIfNull(periods);
        if (periods.Count == 0)
        {
            throw new ArgumentException("At least one period (t = 0) is needed.", nameof(periods));
        }

        CheckDiscount(discountRate, nameof(discountRate));
        CheckAcquisitionCost(acquisitionCost, nameof(acquisitionCost));
        var sum = 0m;
        var discount = 1m;
        var growth = 1m + discountRate;
        for (var t = 0; t < periods.Count; t++)
        {
            var period = periods[t] ?? throw new ArgumentException($"Period {t} is null.", nameof(periods));
            if (period.Retention is < 0m or > 1m)
            {
                throw new ArgumentOutOfRangeException(nameof(periods), period.Retention, $"The retention probability of period {t} must be in [0, 1], was {period.Retention}.");
            }

            sum += (period.Price - period.Cost) * period.Retention * discount;
            discount /= growth;
        }

        return sum - acquisitionCost;
    }

    /// <summary>
    /// Finite-horizon LTV with a constant margin m and retention r: <c>Σ_{t=0..T} m·r^t / (1 + i)^t − AC</c>.
    /// As T grows (r &lt; 1) it tends to <c>m + m·r / (1 + i − r) − AC</c>: the current period's margin plus
    /// <see cref="Discounted"/>, minus the acquisition cost.
    /// </summary>
    /// <param name="marginPerPeriod">m: the margin per period, p − c (may be negative).</param>
    /// <param name="retentionRate">r: the probability that the client stays another period, in [0, 1].</param>
    /// <param name="discountRate">i: the discount rate per period, greater than −1.</param>
    /// <param name="horizon">T: the last period counted; 0 counts only the current period.</param>
    /// <param name="acquisitionCost">AC: what winning the client costs; not negative.</param>
    /// <returns>The discounted lifetime value net of the acquisition cost.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A rate is out of range, the horizon or the acquisition cost is negative.</exception>
    public static decimal FiniteHorizon(decimal marginPerPeriod, decimal retentionRate, decimal discountRate, int horizon, decimal acquisitionCost = 0m)
    {
        CheckRetention(retentionRate, allowOne: true, nameof(retentionRate));
        CheckDiscount(discountRate, nameof(discountRate));
        CheckAcquisitionCost(acquisitionCost, nameof(acquisitionCost));
        ArgumentOutOfRangeException.ThrowIfNegative(horizon);
        return marginPerPeriod * DiscountedSurvival(retentionRate, discountRate, 0, horizon) - acquisitionCost;
    }

    /// <summary>
    /// Assesses a deal by the client's lifetime value: value = first-contract margin + discounted future value − acquisition
    /// cost, where the future value is <c>Σ_{t=1..T} m·r^t / (1 + i)^t</c> (T = <see cref="DealAssessmentOptions.HorizonPeriods"/>),
    /// or <see cref="Discounted"/> (<c>m·r / (1 + i − r)</c>) without a horizon. The deal is worth it when the value is greater than 0,
    /// even if the first contract alone loses money.
    /// </summary>
    /// <param name="firstContractMargin">The margin of the first contract (negative when it is sold below cost).</param>
    /// <param name="marginPerPeriod">m: the margin the client is expected to bring in each later period.</param>
    /// <param name="retentionRate">r: the probability that the client stays another period, in [0, 1) (in [0, 1] with a horizon).</param>
    /// <param name="discountRate">i: the discount rate per period, greater than −1.</param>
    /// <param name="acquisitionCost">What winning the client costs (sales effort, discounts); not negative.</param>
    /// <param name="options">The horizon; infinite by default.</param>
    /// <returns>The assessment, every part shown.</returns>
    /// <exception cref="CurrencyMismatchException">The amounts are in different currencies.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A rate is out of range, or the acquisition cost is negative.</exception>
    public static DealAssessment AssessDeal(
        Money firstContractMargin,
        Money marginPerPeriod,
        decimal retentionRate,
        decimal discountRate,
        Money acquisitionCost,
        DealAssessmentOptions? options = null)
    {
        CheckAcquisitionCost(acquisitionCost.Amount, nameof(acquisitionCost));
        _ = firstContractMargin + marginPerPeriod + acquisitionCost; // refuses mixed currencies before anything is computed
        var horizon = options?.HorizonPeriods;
        decimal future;
        if (horizon is { } periods)
        {
            CheckRetention(retentionRate, allowOne: true, nameof(retentionRate));
            CheckDiscount(discountRate, nameof(discountRate));
            ArgumentOutOfRangeException.ThrowIfNegative(periods, nameof(options));
            future = periods == 0 ? 0m : marginPerPeriod.Amount * DiscountedSurvival(retentionRate, discountRate, 1, periods);
        }
        else
        {
            future = Discounted(marginPerPeriod.Amount, retentionRate, discountRate);
        }

        var futureValue = Money.Of(future, marginPerPeriod.Currency);
        var value = firstContractMargin + futureValue - acquisitionCost;
        return new DealAssessment(firstContractMargin, futureValue, acquisitionCost, value, value.Amount > 0m);
    }

    /// <summary>Σ_{t=from..to} r^t / (1 + i)^t, by repeated multiplication so that nothing overflows.</summary>
    private static decimal DiscountedSurvival(decimal retention, decimal discountRate, int from, int to)
    {
        var growth = 1m + discountRate;
        var factor = 1m;
        var sum = 0m;
        for (var t = 0; t <= to; t++)
        {
            if (t >= from)
            {
                sum += factor;
            }

            factor = factor * retention / growth;
            if (factor == 0m)
            {
                break;
            }
        }

        return sum;
    }

    private static void CheckRetention(decimal retention, bool allowOne, string paramName)
    {
        if (retention < 0m || retention > 1m || (!allowOne && retention == 1m))
        {
            throw new ArgumentOutOfRangeException(
                paramName,
                retention,
                allowOne
                    ? $"The retention rate must be in [0, 1], was {retention}."
                    : $"The retention rate must be in [0, 1), was {retention}: with 1 the client never leaves and the lifetime value is infinite; use a finite horizon instead.");
        }
    }

    private static void CheckDiscount(decimal discountRate, string paramName)
    {
        if (discountRate <= -1m)
        {
            throw new ArgumentOutOfRangeException(paramName, discountRate, $"The discount rate must be greater than −1, was {discountRate}.");
        }
    }

    private static void CheckAcquisitionCost(decimal acquisitionCost, string paramName)
    {
        if (acquisitionCost < 0m)
        {
            throw new ArgumentOutOfRangeException(paramName, acquisitionCost, $"The acquisition cost must not be negative, was {acquisitionCost}.");
        }
    }
}

/// <summary>One period t of a finite-horizon LTV.</summary>
/// <param name="Price">p_t: what the client pays in the period.</param>
/// <param name="Cost">c_t: what serving the client costs in the period.</param>
/// <param name="Retention">r_t: the probability that the client is still a client in the period, in [0, 1] (usually 1 for t = 0).</param>
public sealed record LtvPeriod(decimal Price, decimal Cost, decimal Retention);

/// <summary>Choices for <see cref="Ltv.AssessDeal"/>.</summary>
public sealed record DealAssessmentOptions
{
    /// <summary>Gets the number of later periods counted in the future value (T), or <see langword="null"/> for all of them.</summary>
    /// <value>The default value is <see langword="null"/>: an infinite horizon, valued with the Gupta–Lehmann formula.</value>
    public int? HorizonPeriods { get; init; }
}

/// <summary>Whether a deal is worth it once the client's lifetime value is counted.</summary>
/// <param name="FirstContractMargin">The first contract's margin.</param>
/// <param name="DiscountedFutureValue">The discounted value of the later periods.</param>
/// <param name="AcquisitionCost">What winning the client costs.</param>
/// <param name="Value">FirstContractMargin + DiscountedFutureValue − AcquisitionCost.</param>
/// <param name="IsWorthIt">Whether <paramref name="Value"/> is greater than 0.</param>
public sealed record DealAssessment(Money FirstContractMargin, Money DiscountedFutureValue, Money AcquisitionCost, Money Value, bool IsWorthIt);
