using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Reporting.Worker.Scheduling;
using SalesPipeline.Scheduling;
using Xunit;

namespace SalesPipeline.Tests.Worker.Scheduling;

/// <summary>What a scheduled run produces when its schedule no longer fits the store.</summary>
public sealed class ReportProducerTests
{
    [Fact]
    public async Task ProduceAsync_PipelineNoLongerRegistered_FailsNamingItAndTheRegisteredOnesWithoutWriting()
    {
        var clock = new FakeClock(Instant.FromUtc(2026, 11, 30, 6, 0));
        await using var services = new ServiceCollection().AddSingleton<IClock>(clock).AddSalesPipeline().Services.BuildServiceProvider();
        var schedule = SchedulerKit.Schedule("board", "0 6 * * MON", ReportPeriod.PreviousWeek) with { Pipeline = "renewals" };
        var path = Path.Combine(Path.GetTempPath(), $"salespipeline-producer-{Guid.NewGuid():N}.xlsx");

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            new ReportProducer(services, clock).ProduceAsync(schedule, new PeriodDays(new LocalDate(2026, 11, 23), new LocalDate(2026, 11, 29)), path, CancellationToken.None));

        Assert.Contains("No pipeline 'renewals' is registered; registered: new-business", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }
}
