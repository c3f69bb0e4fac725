using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NodaTime;
using NodaTime.Text;
using SalesPipeline.Reporting.Worker.Import;
using Xunit;

namespace SalesPipeline.Tests.Worker.Import;

/// <summary>
/// An import reads dates through its own <see cref="ImportDates"/>, which remembers the values of the texts it read: a text
/// read again, and texts read after it stopped remembering, give what the mapping's reader gives, and what it keeps is bounded.
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

    private static readonly ImportDates Mapping = new(Patterns, Warsaw);

    [Fact]
    public void ForOneImport_MoreDistinctTextsThanRememberedEachReadTwice_AgreesWithTheMappingsReaderAndKeepsAtMostTheLimit()
    {
        var import = Mapping.ForOneImport();
        var first = new LocalDate(2000, 1, 1);
        // Days past the limit, at 02:30 on some the clocks skip or repeat, in each pattern, an offset and a text of none; in
        // no particular order, so that any text may be the first of its day to be read.
        var texts = Enumerable.Range(0, ImportDates.RememberedTexts + 500)
            .SelectMany(d => new[]
            {
                first.PlusDays(d).ToString("uuuu-MM-dd", null),
                first.PlusDays(d).At(new LocalTime(2, 30)).ToString("uuuu-MM-dd HH:mm", null),
                first.PlusDays(d).ToString("dd.MM.uuuu", null),
            })
            .Append("2024-03-01T09:30:00+01:00")
            .Append("not a date")
            .ToArray();
        new Random(7).Shuffle(texts);

        foreach (var round in new[] { 1, 2 })
        {
            foreach (var text in texts)
            {
                // The date first on one round and the instant first on the other, so each is sometimes read before the other.
                var expected = round == 1 ? DateThenInstant(Mapping, text) : InstantThenDate(Mapping, text);
                var actual = round == 1 ? DateThenInstant(import, text) : InstantThenDate(import, text);
                Assert.Equal(expected, actual);
            }
        }

        Assert.InRange(import.Remembered, ImportDates.RememberedTexts, 2 * ImportDates.RememberedTexts);
        Assert.Equal(0, Mapping.Remembered);
    }

    [Property(MaxTest = 300)]
    public Property ForOneImport_AnyDateTextReadAgain_GivesTheMappingsReadersAnswer(int days, int minutes, byte pattern, bool dateFirst)
    {
        var local = new LocalDate(1990, 1, 1).PlusDays(Math.Abs(days % 80_000)).At(LocalTime.Midnight.PlusMinutes(Math.Abs(minutes % 1_440)));
        var text = Patterns[pattern % Patterns.Length].Format(local);
        var import = Mapping.ForOneImport();
        _ = dateFirst ? DateThenInstant(import, text) : InstantThenDate(import, text);

        var again = DateThenInstant(import, text);
        var expected = DateThenInstant(Mapping, text);

        return (again == expected).Label($"{text}: {again}, the mapping's reader {expected}");
    }

    private static (bool, LocalDate, bool, Instant) DateThenInstant(ImportDates dates, string text)
    {
        var isDate = dates.TryParseDate(text, out var date);
        var isInstant = dates.TryParseInstant(text, out var instant);
        return (isDate, date, isInstant, instant);
    }

    private static (bool, LocalDate, bool, Instant) InstantThenDate(ImportDates dates, string text)
    {
        var isInstant = dates.TryParseInstant(text, out var instant);
        var isDate = dates.TryParseDate(text, out var date);
        return (isDate, date, isInstant, instant);
    }
}
