using System.CommandLine;
using SalesPipeline.Reporting.Worker.Exporting;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary>The options that set the inputs of the Accounts sheet's lifetime values (<see cref="LtvInputs"/>).</summary>
internal sealed class LtvOptions
{
    private static readonly LtvInputs Defaults = new();

    private readonly Option<decimal?> _margin = ReportOptions.Number(
        "--ltv-margin", FormattableString.Invariant($"Lifetime value: the share of revenue that is margin, as a fraction (0.3 = 30 %). Default {Defaults.Margin}."), "0.3");

    private readonly Option<decimal?> _retention = ReportOptions.Number(
        "--ltv-retention", FormattableString.Invariant($"Lifetime value: the share of clients that stay another year, 0 to 1. Default {Defaults.Retention}."), "0.8");

    private readonly Option<decimal?> _discountRate = ReportOptions.Number(
        "--ltv-discount-rate", FormattableString.Invariant($"Lifetime value: the yearly discount rate, 0 to 1. Default {Defaults.DiscountRate}."), "0.1");

    private readonly Option<int> _horizon = ReportOptions.WholeNumber(
        "--ltv-horizon", $"Lifetime value: the years counted after the current one, 0 to 50. Default {Defaults.HorizonYears}.", Defaults.HorizonYears, 0, 50);

    private readonly Option<decimal?> _acquisitionCost = ReportOptions.Number(
        "--acquisition-cost",
        "What winning a client costs, in each account's currency; the Accounts sheet then says whether each client was worth it. Default: none.",
        "15000");

    public void AddTo(Command command)
    {
        command.Options.Add(_margin);
        command.Options.Add(_retention);
        command.Options.Add(_discountRate);
        command.Options.Add(_horizon);
        command.Options.Add(_acquisitionCost);
    }

    /// <summary>Reads the inputs, the defaults where an option is left out; every value out of range is reported at once.</summary>
    /// <exception cref="CliInputException">An input is out of range.</exception>
    public LtvInputs Parse(ParseResult parse)
    {
        var inputs = new LtvInputs
        {
            Margin = parse.GetValue(_margin) ?? Defaults.Margin,
            Retention = parse.GetValue(_retention) ?? Defaults.Retention,
            DiscountRate = parse.GetValue(_discountRate) ?? Defaults.DiscountRate,
            HorizonYears = parse.GetValue(_horizon),
            AcquisitionCost = parse.GetValue(_acquisitionCost),
        };
        var errors = inputs.Errors();
        return errors.Count == 0 ? inputs : throw new CliInputException(string.Join(" ", errors));
    }
}
