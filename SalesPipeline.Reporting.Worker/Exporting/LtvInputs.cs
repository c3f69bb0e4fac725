using NodaTime;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;

namespace SalesPipeline.Reporting.Worker.Exporting;

/// <summary>
/// The inputs of the accounts' lifetime value (the library's discounted LTV, <see cref="Ltv.AssessDeal"/>), per year:
/// margin per year = <see cref="Margin"/> × revenue won per year as a client (all-time revenue won ÷ the years from the
/// first win to the as-of instant, at least one); lifetime value = Σ_{t=0..<see cref="HorizonYears"/>} margin per year ×
/// <see cref="Retention"/>^t ÷ (1 + <see cref="DiscountRate"/>)^t; with an <see cref="AcquisitionCost"/>, the account is
/// worth it when the lifetime value less that cost is greater than 0.
/// </summary>
internal sealed record LtvInputs
{
    /// <summary>Gets the share of revenue that is margin, in (0, 1].</summary>
    /// <value>The default value is 0.30 (30 %).</value>
    public decimal Margin { get; init; } = 0.30m;

    /// <summary>Gets the probability that a client stays another year, in [0, 1].</summary>
    /// <value>The default value is 0.80 (80 %).</value>
    public decimal Retention { get; init; } = 0.80m;

    /// <summary>Gets the yearly discount rate, in [0, 1].</summary>
    /// <value>The default value is 0.10 (10 % a year).</value>
    public decimal DiscountRate { get; init; } = 0.10m;

    /// <summary>Gets the last year counted after the current one (0 counts only the current year), 0–50.</summary>
    /// <value>The default value is 5.</value>
    public int HorizonYears { get; init; } = 5;

    /// <summary>Gets what winning a client costs, in each account's currency; not negative.</summary>
    /// <value>The default value is <see langword="null"/>: no "worth it" check.</value>
    public decimal? AcquisitionCost { get; init; }

    /// <summary>Lists every input out of range, each naming its CLI option; empty when all are valid.</summary>
    public IReadOnlyList<string> Errors()
    {
        var errors = new List<string>();
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        if (Margin is <= 0m or > 1m)
        {
            errors.Add(string.Create(invariant, $"--ltv-margin must be greater than 0 and at most 1 (0.3 = 30 %), was {Margin}."));
        }

        if (Retention is < 0m or > 1m)
        {
            errors.Add(string.Create(invariant, $"--ltv-retention must be between 0 and 1 (0.8 = 80 % of clients stay another year), was {Retention}."));
        }

        if (DiscountRate is < 0m or > 1m)
        {
            errors.Add(string.Create(invariant, $"--ltv-discount-rate must be between 0 and 1 (0.1 = 10 % a year), was {DiscountRate}."));
        }

        if (HorizonYears is < 0 or > 50)
        {
            errors.Add(string.Create(invariant, $"--ltv-horizon must be between 0 and 50 years, was {HorizonYears}."));
        }

        if (AcquisitionCost is < 0m)
        {
            errors.Add(string.Create(invariant, $"--acquisition-cost must not be negative, was {AcquisitionCost}."));
        }
        else if (AcquisitionCost > Opportunity.MaxAmount)
        {
            errors.Add(string.Create(invariant, $"--acquisition-cost must be at most {Opportunity.MaxAmount:N0}, the largest value a deal may have, was {AcquisitionCost}."));
        }

        return errors;
    }

    /// <summary>The years from the first win to <paramref name="asOf"/> (365 days each), at least one.</summary>
    public static decimal YearsAsClient(Instant firstWin, Instant asOf)
    {
        var client = asOf - firstWin;
        var days = client.Days + (client.NanosecondOfDay / (decimal)NodaConstants.NanosecondsPerDay);
        return Math.Max(1m, days / 365m);
    }

    /// <summary>Values one account in one currency with the library's LTV calculator.</summary>
    public DealAssessment Assess(decimal wonAllTime, string currency, Instant firstWin, Instant asOf)
    {
        var perYear = Money.Of(Margin * wonAllTime / YearsAsClient(firstWin, asOf), currency);
        return Analytics.Ltv.AssessDeal(perYear, perYear, Retention, DiscountRate, Money.Of(AcquisitionCost ?? 0m, currency),
            new DealAssessmentOptions { HorizonPeriods = HorizonYears });
    }
}
