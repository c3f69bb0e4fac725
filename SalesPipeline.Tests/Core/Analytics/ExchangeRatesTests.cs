using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using Xunit;

namespace SalesPipeline.Tests.Core.Analytics;

public sealed class ExchangeRatesTests
{
    [Fact]
    public void Convert_KnownCurrency_MultipliesExactly()
    {
        var rates = new ExchangeRates("pln", [new("eur", 4.2531m)]);

        Assert.Equal("PLN", rates.TargetCurrency);
        Assert.Equal(Money.Of(425.31m, "PLN"), rates.Convert(Money.Of(100m, "EUR")));
        Assert.Equal(Money.Of(7m, "PLN"), rates.Convert(Money.Of(7m, "PLN")));
        Assert.Equal(["EUR", "PLN"], rates.Currencies);
    }

    [Fact]
    public void Convert_UnknownCurrency_ThrowsMissingExchangeRate()
    {
        var rates = new ExchangeRates("PLN", []);

        var error = Assert.Throws<MissingExchangeRateException>(() => rates.Convert(Money.Of(1m, "USD")));

        Assert.Equal(("USD", "PLN"), (error.FromCurrency, error.ToCurrency));
    }

    [Fact]
    public void Constructor_InvalidRates_Refused()
    {
        Assert.Contains("greater than 0, was 0", Assert.Throws<ArgumentOutOfRangeException>(() => new ExchangeRates("PLN", [new("EUR", 0m)])).Message, StringComparison.Ordinal);
        Assert.Contains("to itself must be 1", Assert.Throws<ArgumentOutOfRangeException>(() => new ExchangeRates("PLN", [new("PLN", 2m)])).Message, StringComparison.Ordinal);
        Assert.Contains("more than once", Assert.Throws<ArgumentException>(() => new ExchangeRates("PLN", [new("EUR", 4m), new("eur", 4.1m)])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ExchangeRates("XYZ", []));
    }
}
