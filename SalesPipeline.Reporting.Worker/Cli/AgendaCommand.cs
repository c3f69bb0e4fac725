using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;
using SalesPipeline.Agendas;
using SalesPipeline.Domain;
using SalesPipeline.Reporting.Worker.Exporting;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary><c>agenda</c>: a person's or a team's agenda over <see cref="IAgendaService"/>, acting as <c>--as USER</c>.</summary>
internal static class AgendaCommand
{
    /// <summary>The days an agenda covers when <c>--to</c> is left out: a week from <c>--from</c>.</summary>
    public const int DefaultDays = 7;

    private static readonly LocalTimePattern Time = LocalTimePattern.CreateWithInvariantCulture("HH:mm");

    public static Command Create(CliContext context)
    {
        var owner = new Option<string?>("--owner") { Description = "Whose agenda: a person in your groups (a manager) or anyone (an admin). Your own when left out." };
        var team = new Option<bool>("--team") { Description = "The agenda of everyone in your groups (a manager) or of every deal's owner (an admin), also owners who are not people here, such as those of imported deals." };
        var from = new Option<string?>("--from") { Description = $"The first day, yyyy-MM-dd, from {LocalDatePattern.Iso.Format(AgendaRequest.EarliestDay)}; today (in --time-zone) when left out." };
        var to = new Option<string?>("--to") { Description = $"The last day (inclusive), yyyy-MM-dd, up to {LocalDatePattern.Iso.Format(AgendaRequest.LatestDay)}; {DefaultDays - 1} days after --from when left out." };
        var zone = ReportOptions.TimeZone();
        zone.Description = "The IANA time zone the days and times are in, for example Europe/Warsaw.";
        var ics = new Option<string?>("--ics") { Description = "Also write the meetings (as events), tasks and next contacts (as to-dos) to this iCalendar file (.ics); each entry keeps its UID from one export to the next." };
        var format = ListOutput.FormatOption();
        format.Description = "Output format: table (grouped by day, the default), csv (one row per entry, with a header row) or json (an array of objects).";
        var command = new Command(
            "agenda",
            "Show an agenda, acting as --as USER: follow-ups overdue (most overdue first), then day by day the planned meetings, tasks, next contacts and " +
            "expected closes, then the stale deals (nothing happened on them for longer than their stage's stale-after limit) and the open deals by stage.")
        {
            owner, team, from, to, zone, ics, format,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var by = Acting.Required(parse);
            var timeZone = ReportOptions.ParseZone(parse.GetValue(zone)!);
            // The days' range is the agenda's own rule (AgendaRequest.EarliestDay to LatestDay), checked by the service.
            var first = parse.GetValue(from) is { } f ? ReportOptions.ParseDay(f, "--from") : context.Clock.GetCurrentInstant().InZone(timeZone).Date;
            var last = parse.GetValue(to) is { } t ? ReportOptions.ParseDay(t, "--to") : DefaultLast(first);
            var path = parse.GetValue(ics) is { } p ? ReportOptions.CheckOutputFile(p, "--ics", ".ics") : null;
            new CommandFiles().Database(StoreAccess.DatabaseFiles(parse), writes: false).Writes("--ics", path).EnsureDistinct();
            var request = new AgendaRequest(first, last, ParseOwner(parse.GetValue(owner)), parse.GetValue(team)) { Zone = timeZone };

            await using var services = await StoreAccess.OpenWithPipelinesAsync(parse, context.Clock, create: false, cancellationToken).ConfigureAwait(false);
            var agenda = await services.GetRequiredService<IAgendaService>().GetAsync(request, by, cancellationToken).ConfigureAwait(false);
            if (path is not null)
            {
                AgendaCalendar.WriteFile(agenda, path, cancellationToken);
            }

            if (parse.GetValue(format) is "table")
            {
                await WriteDaysAsync(context.Output, agenda).ConfigureAwait(false);
            }
            else
            {
                await ListOutput.WriteAsync(context.Output, parse.GetValue(format)!, ["section", "day", "time", "kind", "subject", "deal", "owner", "deal_id", "overdue_days"], Rows(agenda)).ConfigureAwait(false);
            }

            if (path is not null)
            {
                await context.Error.WriteLineAsync($"Wrote {path}").ConfigureAwait(false);
            }

            return CliApp.Success;
        });
        return command;
    }

    /// <summary>Whose agenda <c>--owner</c> names: an empty name is refused rather than read as the acting user's own.</summary>
    private static UserId? ParseOwner(string? owner) => owner switch
    {
        null => null,
        _ when string.IsNullOrWhiteSpace(owner) => throw new CliInputException(
            "--owner is empty: give the user id of the person whose agenda to show, or leave --owner out for your own."),
        _ => new UserId(owner),
    };

    /// <summary>
    /// The last day when <c>--to</c> is left out: <see cref="DefaultDays"/> from <paramref name="first"/>, but not past the last
    /// day an agenda covers (a first day past it is left for the service to refuse, and is not moved a day further).
    /// </summary>
    private static LocalDate DefaultLast(LocalDate first) =>
        first < AgendaRequest.LatestDay ? LocalDate.Min(first.PlusDays(DefaultDays - 1), AgendaRequest.LatestDay) : first;

    /// <summary>One row per entry: overdue, upcoming, stale, open (by stage).</summary>
    private static List<IReadOnlyList<string?>> Rows(Agenda agenda)
    {
        var rows = new List<IReadOnlyList<string?>>();
        foreach (var (section, item) in agenda.Overdue.Select(i => ("overdue", i)).Concat(agenda.Upcoming.Select(i => ("upcoming", i))))
        {
            rows.Add([section, Day(item.Day), TimeOf(agenda, item), Kind(item.Kind), item.Subject, item.OpportunityName, item.Owner.Value, item.OpportunityId.ToString(), item.IsOverdue ? Days(item.Overdue) : null]);
        }

        foreach (var s in agenda.Stale)
        {
            rows.Add(["stale", Day(s.LastTouchedAt.InZone(agenda.Zone).Date), null, s.Stage.Value, $"idle {Days(s.Idle)} days, limit {Days(s.StaleAfter)}", s.OpportunityName, s.Owner.Value, s.OpportunityId.ToString(), null]);
        }

        foreach (var o in agenda.OpenByStage)
        {
            rows.Add(["open", null, null, o.Stage.Value, $"{o.Count.ToString(CultureInfo.InvariantCulture)} open deals, {Money(o.Value)}", o.Pipeline.Value, null, null, null]);
        }

        return rows;
    }

    /// <summary>The agenda as a person reads it in a terminal: overdue first, then a heading per day, then stale and open deals.</summary>
    private static async Task WriteDaysAsync(TextWriter output, Agenda agenda)
    {
        var team = agenda.Owners.Count > 1;
        string Who(UserId owner) => team ? $"  [{owner}]" : string.Empty;
        var whose = agenda.Owners.Count == 1 ? agenda.Owners[0].Value : $"{agenda.Owners.Count.ToString(CultureInfo.InvariantCulture)} people";
        await output.WriteLineAsync($"Agenda of {whose}, {Day(agenda.From)} to {Day(agenda.To)} ({agenda.Zone.Id}), as of {Day(agenda.AsOf.InZone(agenda.Zone).Date)} {Time.Format(agenda.AsOf.InZone(agenda.Zone).TimeOfDay)}").ConfigureAwait(false);

        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync($"Overdue ({agenda.Overdue.Count.ToString(CultureInfo.InvariantCulture)})").ConfigureAwait(false);
        foreach (var i in agenda.Overdue)
        {
            await output.WriteLineAsync($"  {Day(i.Day)} {TimeOf(agenda, i)}  {Kind(i.Kind),-14} {Entry(i)}  ({Days(i.Overdue)} days overdue){Who(i.Owner)}").ConfigureAwait(false);
        }

        foreach (var day in agenda.Upcoming.GroupBy(i => i.Day))
        {
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync($"{day.Key.DayOfWeek.ToString()[..3]} {Day(day.Key)}").ConfigureAwait(false);
            foreach (var i in day)
            {
                await output.WriteLineAsync($"  {TimeOf(agenda, i) ?? "     "}  {Kind(i.Kind),-14} {Entry(i)}{Who(i.Owner)}").ConfigureAwait(false);
            }
        }

        if (agenda.Upcoming.Count == 0)
        {
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync("Nothing planned in these days.").ConfigureAwait(false);
        }

        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync($"Stale deals ({agenda.Stale.Count.ToString(CultureInfo.InvariantCulture)})").ConfigureAwait(false);
        foreach (var s in agenda.Stale)
        {
            await output.WriteLineAsync($"  {ListOutput.Cell(s.OpportunityName)}  {s.Stage}, nothing for {Days(s.Idle)} days (limit {Days(s.StaleAfter)}){Who(s.Owner)}").ConfigureAwait(false);
        }

        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync("Open deals by stage").ConfigureAwait(false);
        foreach (var o in agenda.OpenByStage)
        {
            await output.WriteLineAsync($"  {o.Pipeline}/{o.Stage}  {o.Count.ToString(CultureInfo.InvariantCulture)}  {Money(o.Value)}").ConfigureAwait(false);
        }
    }

    /// <summary>What an entry is about, on one line (see <see cref="ListOutput.Cell"/>).</summary>
    private static string Entry(AgendaItem item) =>
        ListOutput.Cell(item.Kind is AgendaItemKind.Meeting or AgendaItemKind.Task ? $"{item.Subject} ({item.OpportunityName})" : item.OpportunityName);

    private static string Kind(AgendaItemKind kind) => kind switch
    {
        AgendaItemKind.Meeting => "meeting",
        AgendaItemKind.Task => "task",
        AgendaItemKind.NextContact => "next contact",
        _ => "expected close",
    };

    private static string Day(LocalDate date) => LocalDatePattern.Iso.Format(date);

    private static string? TimeOf(Agenda agenda, AgendaItem item) => item.Due is { } due ? Time.Format(due.InZone(agenda.Zone).TimeOfDay) : null;

    /// <summary>Whole days, rounded down: "3" for three and a half days.</summary>
    private static string Days(Duration duration) => ((long)Math.Floor(duration.TotalDays)).ToString(CultureInfo.InvariantCulture);

    private static string Money(Money money) => money.Amount.ToString("#,##0.##", CultureInfo.InvariantCulture) + " " + money.Currency;
}
