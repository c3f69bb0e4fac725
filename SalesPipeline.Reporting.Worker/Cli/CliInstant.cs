using NodaTime;
using NodaTime.Text;
using SalesPipeline.Domain;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary>Reads an instant given to an option, in UTC or with an offset from UTC, as ISO 8601 writes them.</summary>
internal static class CliInstant
{
    /// <summary>The forms an instant may be given in, with an example of each, for option descriptions and refusals.</summary>
    public const string Forms = "UTC like 2026-11-01T05:30:00Z or an offset like 2026-11-01T06:30:00+01:00";

    /// <summary>The instant <paramref name="text"/> names, given in one of the <see cref="Forms"/> and in <see cref="PlausibleDates"/>.</summary>
    /// <exception cref="CliInputException">The text is in neither form, or not a plausible date; the message names the option.</exception>
    public static Instant Parse(string option, string text)
    {
        var utc = InstantPattern.ExtendedIso.Parse(text.Trim());
        if (utc.Success)
        {
            return PlausibleDates.Contains(utc.Value) ? utc.Value : throw Implausible(option, text);
        }

        // The date as written is checked before it is turned into an instant: near the calendar's ends that overflows.
        var offset = OffsetDateTimePattern.ExtendedIso.Parse(text.Trim());
        if (!offset.Success)
        {
            throw new CliInputException($"{option} '{text}' is not an instant: use {Forms}.");
        }

        return PlausibleDates.Contains(offset.Value.Date) && offset.Value.ToInstant() is var instant && PlausibleDates.Contains(instant) ? instant : throw Implausible(option, text);
    }

    private static CliInputException Implausible(string option, string text) =>
        new($"{option} '{text}' is not a plausible date: give an instant in {PlausibleDates.Description}, such as 2026-11-01T05:30:00Z.");
}
