using FsCheck;
using FsCheck.Fluent;
using NodaTime;
using NodaTime.Text;
using SalesPipeline.Reporting.Worker.Import;
using Xunit;

namespace SalesPipeline.Tests.Worker.Import;

/// <summary>
/// <see cref="ImportDates"/> remembers the values of the texts it read: a text read again, by the same import or another one
/// sharing the mapping, and texts read after it stopped remembering, give what a fresh reader gives.
/// </summary>
public sealed class ImportDatesTests
{
    private static readonly DateTimeZone Warsaw = DateTimeZoneProviders.Tzdb["Europe/Warsaw"];

    private static readonly LocalDateTimePattern[] Patterns =
    [
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd"),
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd HH:mm"),
        LocalDateTimePattern.CreateWithInvariantCulture("dd.MM.uuuu"),
    ];

    [Fact]
    public void TryParseInstant_MoreDistinctTextsThanRememberedEachReadTwice_AgreesWithAFreshReaderEveryTime()
    {
        var shared = new ImportDates(Patterns, Warsaw);
        var first = new LocalDate(2000, 1, 1);
        // Dates past the limit, some on the day the clocks go forward or back, in each pattern, and the text of none.
        var texts = Enumerable.Range(0, ImportDates.RememberedTexts + 500)
            .SelectMany(d => new[]
            {
                first.PlusDays(d).ToString("uuuu-MM-dd", null),
                first.PlusDays(d).At(new LocalTime(2, 30)).ToString("uuuu-MM-dd HH:mm", null),
                first.PlusDays(d).ToString("dd.MM.uuuu", null),
            })
            .Append("not a date")
            .ToList();
        // In no particular order, so that any text may be the first of its day to be read.
        new Random(7).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(texts));

        foreach (var round in new[] { 1, 2 })
        {
            foreach (var text in texts)
            {
                var fresh = new ImportDates(Patterns, Warsaw);
                Assert.Equal(
                    (fresh.TryParseInstant(text, out var expected), expected, fresh.TryParseDate(text, out var expectedDate), expectedDate),
                    (shared.TryParseInstant(text, out var actual), actual, shared.TryParseDate(text, out var actualDate), actualDate));
            }
        }
    }

    [Fact]
    public async Task TryParseInstant_ReadFromSeveralThreadsAtOnce_AgreesWithAFreshReader()
    {
        var shared = new ImportDates(Patterns, Warsaw);
        var texts = Enumerable.Range(0, 3_000).Select(d => new LocalDate(2020, 1, 1).PlusDays(d % 1_000).ToString("uuuu-MM-dd", null)).ToList();

        var reads = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => texts.Select(t => shared.TryParseInstant(t, out var at) ? at : (Instant?)null).ToList())));

        var fresh = new ImportDates(Patterns, Warsaw);
        var expected = texts.Select(t => fresh.TryParseInstant(t, out var at) ? at : (Instant?)null).ToList();
        Assert.All(reads, read => Assert.Equal(expected, read));
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public Property TryParseInstant_AnyDateTextReadTwice_GivesAFreshReadersAnswerBothTimes(int days, int minutes, byte pattern)
    {
        var local = new LocalDate(1990, 1, 1).PlusDays(Math.Abs(days % 80_000)).At(LocalTime.Midnight.PlusMinutes(Math.Abs(minutes % 1_440)));
        var text = Patterns[pattern % Patterns.Length].Format(local);
        var shared = new ImportDates(Patterns, Warsaw);
        var fresh = new ImportDates(Patterns, Warsaw);

        var once = (shared.TryParseInstant(text, out var first), first);
        var twice = (shared.TryParseInstant(text, out var second), second);
        var expected = (fresh.TryParseInstant(text, out var answer), answer);

        return (once == expected && twice == expected).Label($"{text}: {once}, {twice}, fresh {expected}");
    }
}
