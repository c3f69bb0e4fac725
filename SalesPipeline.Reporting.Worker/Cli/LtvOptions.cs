using System.CommandLine;
using SalesPipeline.Reporting.Worker.Exporting;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary>The options that set the inputs of the Accounts sheet's lifetime values (<see cref="LtvInputs"/>).</summary>
internal sealed class LtvOptions
{
    private static readonly LtvInputs Defaults = new();

    private readonly Option<decimal?> _margin = new("--ltv-margin")
    {
        Description = $"Lifetime value: the share of revenue that is margin, as a fraction (0.3 = 30 %). Default {Defaults.Margin}.",
    };

    private readonly Option<decimal?> _retention = new("--ltv-retention")
    {
        Description = $"Lifetime value: the share of clients that stay another year, 0 to 1. Default {Defaults.Retention}.",
    };

    private readonly Option<decimal?> _discountRate = new("--ltv-discount-rate")
    {
        Description = $"Lifetime value: the yearly discount rate, 0 to 1. Default {Defaults.DiscountRate}.",
    };

    private readonly Option<int?> _horizon = new("--ltv-horizon")
    {
        Description = $"Lifetime value: the years counted after the current one, 0 to 50. Default {Defaults.HorizonYears}.",
    };

    private readonly Option<decimal?> _acquisitionCost = new("--acquisition-cost")
    {
        Description = "What winning a client costs, in each account's currency; the Accounts sheet then says whether each client was worth it. Default: none.",
    };

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
            HorizonYears = parse.GetValue(_horizon) ?? Defaults.HorizonYears,
            AcquisitionCost = parse.GetValue(_acquisitionCost),
        };
        var errors = inputs.Errors();
        return errors.Count == 0 ? inputs : throw new CliInputException(string.Join(" ", errors));
    }
}
