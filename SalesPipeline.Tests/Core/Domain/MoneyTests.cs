using FsCheck.Xunit;
using SalesPipeline.Domain;
using Xunit;

namespace SalesPipeline.Tests.Core.Domain;

public sealed class MoneyTests
{
    [Fact]
    public void Of_LowerCaseCodeWithBlanks_NormalizesToUpperCaseIsoCode()
    {
        var money = Money.Of(12.50m, " pln ");

        Assert.Equal("PLN", money.Currency);
        Assert.Equal(12.50m, money.Amount);
        Assert.Equal("12.50 PLN", money.ToString());
    }

    [Theory]
    [InlineData("PLN", 2)]
    [InlineData("EUR", 2)]
    [InlineData("JPY", 0)]
    [InlineData("KWD", 3)]
    [InlineData("CLF", 4)]
    public void MinorUnitDigits_KnownCurrency_IsTheIsoMinorUnit(string currency, int digits) =>
        Assert.Equal(digits, Money.Of(1m, currency).MinorUnitDigits);

    [Theory]
    [InlineData("XYZ")]
    [InlineData("ZL")]
    [InlineData("")]
    [InlineData("XAU")]
    public void Of_UnknownCurrency_ThrowsArgumentExceptionNamingTheCode(string currency)
    {
        var e = Assert.Throws<ArgumentException>(() => Money.Of(1m, currency));

        Assert.Equal("currency", e.ParamName);
        Assert.Contains($"'{currency}' is not an active ISO-4217 currency code", e.Message, StringComparison.Ordinal);
        Assert.Contains("such as PLN", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_NullCurrency_ThrowsArgumentNullException() =>
        Assert.Throws<ArgumentNullException>(() => Money.Of(1m, null!));

    [Fact]
    public void Add_SameCurrency_SumsExactly()
    {
        var sum = Money.Of(0.10m, "PLN") + Money.Of(0.20m, "PLN");

        Assert.Equal(Money.Of(0.30m, "PLN"), sum);
        Assert.Equal(sum, Money.Of(0.10m, "PLN").Add(Money.Of(0.20m, "PLN")));
    }

    [Fact]
    public void Subtract_SameCurrency_KeepsCurrencyAndMayGoNegative()
    {
        var difference = Money.Of(100m, "EUR") - Money.Of(150.25m, "EUR");

        Assert.Equal(Money.Of(-50.25m, "EUR"), difference);
        Assert.Equal(difference, Money.Of(100m, "EUR").Subtract(Money.Of(150.25m, "EUR")));
    }

    [Fact]
    public void Multiply_ByFactor_KeepsCurrency()
    {
        Assert.Equal(Money.Of(30_000m, "PLN"), Money.Of(120_000m, "PLN") * 0.25m);
        Assert.Equal(Money.Of(30_000m, "PLN"), Money.Of(120_000m, "PLN").Multiply(0.25m));
    }

    [Fact]
    public void Zero_Currency_IsZeroOfThatCurrency() =>
        Assert.Equal(Money.Of(0m, "USD"), Money.Zero("usd"));

    [Theory]
    [InlineData("add")]
    [InlineData("subtract")]
    [InlineData("compare")]
    public void Arithmetic_DifferentCurrencies_ThrowsCurrencyMismatchException(string operation)
    {
        var pln = Money.Of(10m, "PLN");
        var eur = Money.Of(10m, "EUR");
        Action act = operation switch
        {
            "add" => () => _ = pln + eur,
            "subtract" => () => _ = pln - eur,
            _ => () => _ = pln < eur,
        };

        var e = Assert.Throws<CurrencyMismatchException>(act);

        Assert.Equal("PLN", e.LeftCurrency);
        Assert.Equal("EUR", e.RightCurrency);
        Assert.Contains($"Cannot {operation} PLN and EUR", e.Message, StringComparison.Ordinal);
        Assert.Contains("convert with an exchange-rate table", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CompareTo_SameCurrency_OrdersByAmount()
    {
        var small = Money.Of(1m, "PLN");
        var large = Money.Of(2m, "PLN");

        Assert.True(small < large);
        Assert.True(large > small);
        Assert.True(small <= Money.Of(1.00m, "PLN"));
        Assert.True(large >= small);
        Assert.Equal(0, small.CompareTo(Money.Of(1.000m, "PLN")));
    }

    [Fact]
    public void Equals_SameAmountDifferentScale_AreEqualWithEqualHashCodes()
    {
        Assert.Equal(Money.Of(1.5m, "PLN"), Money.Of(1.50m, "PLN"));
        Assert.Equal(Money.Of(1.5m, "PLN").GetHashCode(), Money.Of(1.50m, "PLN").GetHashCode());
        Assert.NotEqual(Money.Of(1.5m, "PLN"), Money.Of(1.5m, "EUR"));
    }

    [Fact]
    public void Add_DefaultMoneyToRealMoney_ThrowsCurrencyMismatchExceptionSayingThereIsNoCurrency()
    {
        var e = Assert.Throws<CurrencyMismatchException>(() => default(Money) + Money.Of(1m, "PLN"));

        Assert.Contains("no currency", e.Message, StringComparison.Ordinal);
        Assert.Contains("PLN", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MinorUnitDigits_DefaultMoney_DoesNotThrow() =>
        Assert.Equal(2, default(Money).MinorUnitDigits);

    [Property]
    public void Add_SameCurrency_IsCommutativeAndSubtractUndoesIt(decimal a, decimal b)
    {
        var x = Money.Of(decimal.Round(a / 1000m, 2), "PLN");
        var y = Money.Of(decimal.Round(b / 1000m, 2), "PLN");

        Assert.Equal(x + y, y + x);
        Assert.Equal(x, x + y - y);
    }
}
