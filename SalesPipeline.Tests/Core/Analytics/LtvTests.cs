using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using Xunit;

namespace SalesPipeline.Tests.Core.Analytics;

public sealed class LtvTests
{
    [Fact]
    public void Simple_MarginTimesPeriods()
    {
        // 1,000 a month for an expected 36 months.
        Assert.Equal(36_000m, Ltv.Simple(1_000m, 36m));
    }

    [Fact]
    public void Discounted_WorkedExample_GuptaLehmann()
    {
        // m = 1,000, r = 0.8, i = 0.1: 1,000 × 0.8 ÷ (1 + 0.1 − 0.8) = 800 ÷ 0.3 = 2,666.67.
        Assert.Equal(800m / 0.3m, Ltv.Discounted(1_000m, 0.8m, 0.1m));
        Assert.Equal(2_666.67m, decimal.Round(Ltv.Discounted(1_000m, 0.8m, 0.1m), 2));
    }

    [Fact]
    public void FiniteHorizon_WorkedExample_SumOfDiscountedRetainedMargins()
    {
        // T = 2, m = 1,000, r = 0.8, i = 0.1, AC = 500: 1,000 + 800 ÷ 1.1 + 640 ÷ 1.21 − 500 = 1,756.20.
        var value = Ltv.FiniteHorizon(1_000m, 0.8m, 0.1m, horizon: 2, acquisitionCost: 500m);
        Assert.Equal(1_756.1983471074m, decimal.Round(value, 10));

        // The same with the per-period form: p_t − c_t = 1,500 − 500, r_t = 1, 0.8, 0.64.
        var periods = new[] { new LtvPeriod(1_500m, 500m, 1m), new LtvPeriod(1_500m, 500m, 0.8m), new LtvPeriod(1_500m, 500m, 0.64m) };
        Assert.Equal(decimal.Round(value, 20), decimal.Round(Ltv.FiniteHorizon(periods, 0.1m, 500m), 20));
    }

    [Fact]
    public void AssessDeal_LossMakingFirstContract_WorthItThanksToLifetimeValue()
    {
        // First contract sold 2,000 PLN below cost; then 1,000 a year, retention 0.8, discount 10 %, acquisition cost 300:
        // −2,000 + 2,666.67 − 300 = 366.67 > 0 → worth it.
        var assessment = Ltv.AssessDeal(Money.Of(-2_000m, "PLN"), Money.Of(1_000m, "PLN"), 0.8m, 0.1m, Money.Of(300m, "PLN"));

        Assert.True(assessment.IsWorthIt);
        Assert.Equal(Money.Of(800m / 0.3m, "PLN"), assessment.DiscountedFutureValue);
        Assert.Equal(366.67m, decimal.Round(assessment.Value.Amount, 2));

        // With retention 0.5 the future is worth 500 ÷ 0.6 = 833.33: −2,000 + 833.33 − 300 = −1,466.67 → not worth it.
        var weak = Ltv.AssessDeal(Money.Of(-2_000m, "PLN"), Money.Of(1_000m, "PLN"), 0.5m, 0.1m, Money.Of(300m, "PLN"));
        Assert.False(weak.IsWorthIt);
        Assert.Equal(-1_466.67m, decimal.Round(weak.Value.Amount, 2));
    }

    [Fact]
    public void AssessDeal_Horizon_CountsOnlyThosePeriods()
    {
        // Two later years: 1,000 × 0.8 ÷ 1.1 + 1,000 × 0.64 ÷ 1.21 = 1,256.20; −2,000 + 1,256.20 − 300 < 0.
        var assessment = Ltv.AssessDeal(Money.Of(-2_000m, "PLN"), Money.Of(1_000m, "PLN"), 0.8m, 0.1m, Money.Of(300m, "PLN"), new DealAssessmentOptions { HorizonPeriods = 2 });

        Assert.Equal(1_256.20m, decimal.Round(assessment.DiscountedFutureValue.Amount, 2));
        Assert.False(assessment.IsWorthIt);
    }

    [Fact]
    public void AssessDeal_MixedCurrencies_Refused()
    {
        Assert.Throws<CurrencyMismatchException>(() => Ltv.AssessDeal(Money.Of(1m, "PLN"), Money.Of(1m, "EUR"), 0.5m, 0.1m, Money.Of(0m, "PLN")));
    }

    [Theory]
    [InlineData(1.0, 0.1, "retentionRate", "must be in [0, 1), was 1")]
    [InlineData(-0.1, 0.1, "retentionRate", "must be in [0, 1), was -0.1")]
    [InlineData(0.5, -1.0, "discountRate", "must be greater than −1, was -1")]
    [InlineData(0.9, -0.5, "discountRate", "1 + discountRate − retentionRate must be greater than 0")]
    public void Discounted_OutOfRange_ThrowsNamingTheInputAndItsRange(double retention, double discount, string parameter, string message)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Ltv.Discounted(100m, (decimal)retention, (decimal)discount));

        Assert.Equal(parameter, error.ParamName);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inputs_OutOfRange_ThrowWithClearMessages()
    {
        Assert.Contains("must not be negative, was -1", Assert.Throws<ArgumentOutOfRangeException>(() => Ltv.Simple(1m, -1m)).Message, StringComparison.Ordinal);
        Assert.Equal("horizon", Assert.Throws<ArgumentOutOfRangeException>(() => Ltv.FiniteHorizon(1m, 0.5m, 0.1m, -1)).ParamName);
        Assert.Contains("must be in [0, 1], was 1.5", Assert.Throws<ArgumentOutOfRangeException>(() => Ltv.FiniteHorizon(1m, 1.5m, 0.1m, 3)).Message, StringComparison.Ordinal);
        Assert.Contains("period 1 must be in [0, 1], was 2", Assert.Throws<ArgumentOutOfRangeException>(() => Ltv.FiniteHorizon([new LtvPeriod(1m, 0m, 1m), new LtvPeriod(1m, 0m, 2m)], 0.1m, 0m)).Message, StringComparison.Ordinal);
        Assert.Contains("acquisition cost must not be negative", Assert.Throws<ArgumentOutOfRangeException>(() => Ltv.FiniteHorizon(1m, 0.5m, 0.1m, 3, -5m)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Ltv.FiniteHorizon([], 0.1m, 0m));
    }

    [Property(Arbitrary = [typeof(LtvArbitraries)])]
    public bool Discounted_IsMonotoneInRetentionAndMargin(LtvInputs a, Rate otherRetention, Margin otherMargin)
    {
        var (low, high) = (Math.Min(a.Retention, otherRetention.Value), Math.Max(a.Retention, otherRetention.Value));
        var (small, large) = (Math.Min(a.Margin, otherMargin.Value), Math.Max(a.Margin, otherMargin.Value));
        return Ltv.Discounted(a.Margin, low, a.Discount) <= Ltv.Discounted(a.Margin, high, a.Discount)
            && Ltv.Discounted(small, a.Retention, a.Discount) <= Ltv.Discounted(large, a.Retention, a.Discount);
    }

    [Property(Arbitrary = [typeof(LtvArbitraries)])]
    public bool Discounted_DecreasesAsTheDiscountRateGrows(LtvInputs a, Rate otherDiscount)
    {
        var (low, high) = (Math.Min(a.Discount, otherDiscount.Value), Math.Max(a.Discount, otherDiscount.Value));
        return Ltv.Discounted(a.Margin, a.Retention, low) >= Ltv.Discounted(a.Margin, a.Retention, high)
            && Ltv.FiniteHorizon(a.Margin, a.Retention, low, 12) >= Ltv.FiniteHorizon(a.Margin, a.Retention, high, 12);
    }

    [Property(Arbitrary = [typeof(LtvArbitraries)])]
    public void FiniteHorizon_AsTheHorizonGrows_TendsToTheInfiniteFormula(LtvInputs a) => AssertTendsToTheInfiniteFormula(a);

    [Fact]
    public void FiniteHorizon_SlowestDecayTheInputsAllow_TendsToTheInfiniteFormula() =>
        // Retention 0.95 with no discount: q = 0.95, the slowest decay, whose tail after 320 years is still about 1.4 millionths
        // of the margin, where a bound of a millionth of the margin would not hold.
        AssertTendsToTheInfiniteFormula(new LtvInputs(10_000m, 0.95m, 0m));

    private static void AssertTendsToTheInfiniteFormula(LtvInputs a)
    {
        // Σ_{t=0..T} m·q^t with q = r ÷ (1 + i) < 1: minus the t = 0 margin it is Gupta–Lehmann's m·r ÷ (1 + i − r) up to
        // the tail m·q^(T+1) ÷ (1 − q), which shrinks geometrically.
        var infinite = a.Margin + Ltv.Discounted(a.Margin, a.Retention, a.Discount);
        var q = a.Retention / (1m + a.Discount);
        var previousGap = decimal.MaxValue;
        foreach (var horizon in new[] { 0, 5, 20, 80, 320 })
        {
            var gap = Math.Abs(infinite - Ltv.FiniteHorizon(a.Margin, a.Retention, a.Discount, horizon));
            var tail = Math.Abs(a.Margin) * Power(q, horizon + 1) / (1m - q);
            Assert.InRange(gap, 0m, tail + 1e-15m);
            Assert.True(gap <= previousGap + 1e-20m, $"T = {horizon}: gap {gap} grew from {previousGap}");
            previousGap = gap;
        }

    }

    private static decimal Power(decimal x, int n)
    {
        var result = 1m;
        for (var i = 0; i < n; i++)
        {
            result *= x;
        }

        return result;
    }
}

/// <summary>A rate in hundredths from 0 to 0.95.</summary>
/// <param name="Value">The rate.</param>
public sealed record Rate(decimal Value);

/// <summary>A margin per period from −10,000.00 to 10,000.00.</summary>
/// <param name="Value">The margin.</param>
public sealed record Margin(decimal Value);

/// <summary>Valid Gupta–Lehmann inputs of a profitable client: margin in [0, 10,000], retention and discount rate in [0, 0.95].</summary>
/// <param name="Margin">m.</param>
/// <param name="Retention">r.</param>
/// <param name="Discount">i.</param>
public sealed record LtvInputs(decimal Margin, decimal Retention, decimal Discount);

/// <summary>Bounded LTV inputs: rates in hundredths in [0, 0.95], margins in cents within ±10,000.</summary>
public static class LtvArbitraries
{
    private static Gen<decimal> RateGen => Gen.Choose(0, 95).Select(n => n / 100m);

    private static Gen<decimal> MarginGen => Gen.Choose(-1_000_000, 1_000_000).Select(n => n / 100m);

    public static Arbitrary<Rate> Rate() => RateGen.Select(r => new Rate(r)).ToArbitrary();

    public static Arbitrary<Margin> Margin() => MarginGen.Select(m => new Margin(m)).ToArbitrary();

    public static Arbitrary<LtvInputs> Inputs() =>
        (from m in MarginGen.Select(Math.Abs) from r in RateGen from i in RateGen select new LtvInputs(m, r, i)).ToArbitrary();
}
