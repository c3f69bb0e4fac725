using NodaTime;
using SalesPipeline.Domain;
using Xunit;

namespace SalesPipeline.Tests.Core.Domain;

public sealed class PlausibleDatesTests
{
    [Theory]
    [InlineData(1900, 1, 1, true)]
    [InlineData(2026, 11, 28, true)]
    [InlineData(2200, 12, 31, true)]
    [InlineData(1899, 12, 31, false)]
    [InlineData(2201, 1, 1, false)]
    [InlineData(1, 1, 1, false)]
    [InlineData(9999, 12, 31, false)]
    public void Contains_Date_TrueForTheYears1900To2200Inclusive(int year, int month, int day, bool plausible)
    {
        Assert.Equal(plausible, PlausibleDates.Contains(new LocalDate(year, month, day)));
    }

    [Fact]
    public void Contains_Instant_ByItsDateInUtc()
    {
        Assert.True(PlausibleDates.Contains(Instant.FromUtc(1900, 1, 1, 0, 0)));
        Assert.True(PlausibleDates.Contains(Instant.FromUtc(2200, 12, 31, 23, 59, 59)));
        Assert.False(PlausibleDates.Contains(Instant.FromUtc(1900, 1, 1, 0, 0) - Duration.Epsilon));
        Assert.False(PlausibleDates.Contains(Instant.FromUtc(2201, 1, 1, 0, 0)));
        Assert.False(PlausibleDates.Contains(Instant.MinValue));
        Assert.False(PlausibleDates.Contains(Instant.MaxValue));
    }

    [Fact]
    public void Bounds_AreTheFirstAndLastDayOfTheRange_AndTheDescriptionNamesIt()
    {
        Assert.Equal(new LocalDate(PlausibleDates.FirstYear, 1, 1), PlausibleDates.First);
        Assert.Equal(new LocalDate(PlausibleDates.LastYear, 12, 31), PlausibleDates.Last);
        Assert.Equal("a year between 1900 and 2200", PlausibleDates.Description);
    }
}
