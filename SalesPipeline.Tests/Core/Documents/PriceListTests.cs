using SalesPipeline.Documents;
using SalesPipeline.Reporting.Worker.Documents;
using Xunit;

namespace SalesPipeline.Tests.Core.Documents;

/// <summary>How a price list's cells are read: what an offer can quote, and a refusal naming the cell for what it cannot.</summary>
public sealed class PriceListTests
{
    private static readonly object[] Header = ["Item", "Unit price"];

    public static TheoryData<string, object, string> Unquotable => new()
    {
        { "a number beyond decimal", 1E+300, "The price list 'prices.xlsx' at line 2, column 'Unit price' (cell B3) holds 1E+300, more than a price can be (at most 79,228,162,514,264,337,593,543,950,335)." },
        { "a negative number beyond decimal", -8E+28, "The price list 'prices.xlsx' at line 2, column 'Unit price' (cell B3) holds -8E+28, more than a price can be" },
        { "text with a noncharacter", "12\uFFFE", "The price list 'prices.xlsx' at line 2, column 'Unit price' (cell B3) holds a noncharacter (U+FFFE) at position 3" },
    };

    [Theory]
    [MemberData(nameof(Unquotable))]
    public void ReadPriceList_CellNoOfferCanQuote_IsRefusedNamingLineColumnAndCell(string why, object bad, string says)
    {
        var list = Xlsx.Rows(Header, ["Licence", 1200], ["Training", bad], ["Support", 300]);

        var e = Assert.Throws<OfferGenerationException>(() => new OfficeOfferFormat().ReadPriceList(list, "prices.xlsx"));

        Assert.True(e.Message.StartsWith(says, StringComparison.Ordinal), $"{why}: {e.Message}");
        Assert.EndsWith("Correct the cell and upload the list again. Nothing was stored.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadPriceList_LargestNumbersADecimalHolds_AreRead()
    {
        var list = Xlsx.Rows(Header, ["Fleet", 7.9E+28], ["Refund", -7.9E+28], ["Sample", 0.5]);

        var lines = new OfficeOfferFormat().ReadPriceList(list, "prices.xlsx");

        Assert.Equal(["79000000000000000000000000000", "-79000000000000000000000000000", "0.5"], lines.Select(l => l.Fields["unit-price"]));
    }
}
