using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SalesPipeline.Reporting.Worker.Import;
using Xunit;

namespace SalesPipeline.Tests.Worker.Import;

/// <summary>Numbers as a file writes them: grouping only where it belongs, and no value whose meaning depends on the culture.</summary>
public sealed class ImportNumbersTests
{
    private static readonly ImportNumbers Invariant = new(CultureInfo.InvariantCulture);
    private static readonly ImportNumbers Polish = new(CultureInfo.GetCultureInfo("pl-PL"));

    [Theory]
    [InlineData("1234.56", "1234.56")]
    [InlineData("1,234.56", "1234.56")]
    [InlineData("1,234", "1234")]
    [InlineData("12,345,678.9", "12345678.9")]
    [InlineData("0.5", "0.5")]
    [InlineData("-5", "-5")]
    [InlineData(" 42 ", "42")]
    public void TryParse_Invariant_ReadsCorrectlyGroupedNumbers(string text, string expected)
    {
        Assert.True(Invariant.TryParse(text, out var value, out var fault), fault);
        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("1234,56")]
    [InlineData("1,2")]
    [InlineData("1,2345")]
    [InlineData("0,5")]
    [InlineData("1234,5678")]
    public void TryParse_InvariantSingleCommaNotBeforeThreeDigits_RefusedSuggestingNumberCulture(string text)
    {
        Assert.False(Invariant.TryParse(text, out _, out var fault));
        Assert.Contains("depends on the culture", fault, StringComparison.Ordinal);
        Assert.Contains("\"numberCulture\"", fault, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1,2,3")]
    [InlineData("12,34,567")]
    [InlineData("1234,567")]
    [InlineData("1,23.5")]
    [InlineData("1,2345.5")]
    [InlineData("1,234,56")]
    public void TryParse_InvariantGroupingOutOfPlace_RefusedNamingTheRule(string text)
    {
        Assert.False(Invariant.TryParse(text, out _, out var fault));
        Assert.Contains("separates groups of three digits only", fault, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(",")]
    [InlineData("1,")]
    [InlineData(",5")]
    [InlineData("1.2.3")]
    [InlineData("1e5")]
    [InlineData("$5")]
    [InlineData("1 234")]
    [InlineData("12.5x")]
    [InlineData("1.234,5")]
    public void TryParse_InvariantNotANumber_Refused(string text)
    {
        Assert.False(Invariant.TryParse(text, out _, out var fault));
        Assert.False(string.IsNullOrEmpty(fault));
    }

    [Theory]
    [InlineData("1 234,56")]
    [InlineData("1\u00A0234,56")]
    [InlineData("1\u202F234,56")]
    [InlineData("1234,56")]
    public void TryParse_PolishWithAnySpaceGrouping_Reads1234Point56(string text)
    {
        Assert.True(Polish.TryParse(text, out var value, out var fault), fault);
        Assert.Equal(1234.56m, value);
    }

    [Theory]
    [InlineData("1 2 3")]
    [InlineData("12 34,5")]
    [InlineData("1234.56")]
    [InlineData("1 234.56")]
    public void TryParse_PolishMisplacedGroupingOrPoint_Refused(string text)
    {
        Assert.False(Polish.TryParse(text, out _, out _));
    }

    [Fact]
    public void TryParse_FortyDigits_RefusedAsTooLarge()
    {
        Assert.False(Invariant.TryParse(new string('9', 41), out _, out var fault));
        Assert.Equal("the number is too large.", fault);
    }

    /// <summary>Any amount written by a culture's own grouped format reads back as itself, in each culture the import meets.</summary>
    [Property]
    public Property TryParse_WhatACultureFormats_ReadsBackExactly()
    {
        var cultures = Gen.Elements("", "en-US", "pl-PL", "de-DE", "fr-FR", "en-IN");
        var amounts = from units in Gen.Choose(0, int.MaxValue)
                      from cents in Gen.Choose(0, 99)
                      from scale in Gen.Elements(1L, 1_000L, 1_000_000L)
                      select (units * (decimal)scale) + (cents / 100m);
        return Prop.ForAll(Arb.From(cultures), Arb.From(amounts), Arb.From(Gen.Elements("N2", "F2", "0.##", "#,##0.00")), (name, amount, format) =>
        {
            var culture = CultureInfo.GetCultureInfo(name);
            var text = amount.ToString(format, culture);
            return new ImportNumbers(culture).TryParse(text, out var value, out _) && value == Math.Round(amount, 2);
        });
    }
}
