using System.Globalization;
using System.Text;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using NodaTime;
using Calendar = Ical.Net.Calendar;
using Duration = NodaTime.Duration;
using SalesPipeline.Agendas;

namespace SalesPipeline.Reporting.Worker.Exporting;

/// <summary>
/// An agenda as an iCalendar file (RFC 5545, through Ical.Net): planned meetings as events, tasks and next contacts as
/// to-dos. Each entry's UID names what it stands for — the planned activity, or the deal's next contact — so importing a
/// newer file into a calendar updates the entries it already holds instead of adding them again.
/// </summary>
internal static class AgendaCalendar
{
    /// <summary>The length given to a planned meeting, which records only when it starts.</summary>
    public static readonly Duration MeetingLength = Duration.FromHours(1);

    /// <summary>The longest content line, in octets, before it is folded.</summary>
    private const int LineOctets = 75;

    private const string Domain = "salespipeline";

    /// <summary>The UID of an agenda entry: stable for as long as the activity or the deal exists.</summary>
    public static string Uid(AgendaItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item.Kind switch
        {
            AgendaItemKind.Meeting or AgendaItemKind.Task => $"activity-{item.ActivityId!.Value.Value:D}@{Domain}",
            AgendaItemKind.NextContact => $"next-contact-{item.OpportunityId.Value:D}@{Domain}",
            _ => $"expected-close-{item.OpportunityId.Value:D}@{Domain}",
        };
    }

    /// <summary>The calendar's text.</summary>
    public static string Write(Agenda agenda)
    {
        ArgumentNullException.ThrowIfNull(agenda);
        var calendar = new Calendar { ProductId = "-//SalesPipeline//Agenda//EN", Method = "PUBLISH" };
        var stamp = Utc(agenda.AsOf);
        foreach (var item in agenda.Overdue.Concat(agenda.Upcoming).Where(i => i.Due is not null))
        {
            var due = item.Due!.Value;
            var summary = item.Kind switch
            {
                AgendaItemKind.NextContact => $"Next contact: {item.OpportunityName}",
                _ => $"{item.Subject} ({item.OpportunityName})",
            };
            var description = string.Create(CultureInfo.InvariantCulture, $"Deal: {item.OpportunityName}\nOwner: {item.Owner}\nDeal id: {item.OpportunityId}");
            if (item.Kind == AgendaItemKind.Meeting)
            {
                calendar.Events.Add(new CalendarEvent
                {
                    Uid = Uid(item),
                    DtStamp = stamp,
                    Summary = summary,
                    Description = description,
                    DtStart = Utc(due),
                    DtEnd = Utc(due + MeetingLength),
                });
            }
            else
            {
                calendar.Todos.Add(new Todo
                {
                    Uid = Uid(item),
                    DtStamp = stamp,
                    Summary = summary,
                    Description = description,
                    Due = Utc(due),
                    Status = "NEEDS-ACTION",
                });
            }
        }

        return Refold(new CalendarSerializer().SerializeToString(calendar) ?? string.Empty);
    }

    /// <summary>
    /// Folds each content line at most <see cref="LineOctets"/> octets long (RFC 5545, 3.1) between whole characters: Ical.Net
    /// folds between the two halves of a character outside the Basic Multilingual Plane (an emoji), which the file's UTF-8 then
    /// holds as two replacement characters.
    /// </summary>
    private static string Refold(string text)
    {
        var unfolded = text.Replace("\r\n ", string.Empty, StringComparison.Ordinal);
        var result = new StringBuilder(text.Length);
        foreach (var line in unfolded.Split("\r\n"))
        {
            if (result.Length > 0)
            {
                result.Append("\r\n");
            }

            var octets = 0;
            foreach (var rune in line.EnumerateRunes())
            {
                if (octets + rune.Utf8SequenceLength > LineOctets)
                {
                    result.Append("\r\n ");
                    octets = 1;
                }

                result.Append(rune.ToString());
                octets += rune.Utf8SequenceLength;
            }
        }

        return result.ToString();
    }

    /// <summary>Writes the calendar to a file, complete or not at all.</summary>
    public static void WriteFile(Agenda agenda, string path, CancellationToken cancellationToken)
    {
        var text = Write(agenda);
        AtomicFile.Write(path, stream => stream.Write(new UTF8Encoding(false).GetBytes(text)), cancellationToken);
    }

    private static CalDateTime Utc(Instant instant) => new(instant.ToDateTimeUtc());
}
