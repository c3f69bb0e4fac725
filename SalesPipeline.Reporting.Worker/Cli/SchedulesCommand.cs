using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;
using SalesPipeline.Abstractions;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary><c>schedules</c>: lists the configured schedules with their ledger state, or only validates them.</summary>
internal static class SchedulesCommand
{
    private static readonly string[] Columns = ["schedule", "period", "last_produced", "pending", "failed", "next_local", "next_utc"];

    public static Command Create(CliContext context)
    {
        var config = SchedulerSetup.ConfigOption();
        var check = new Option<bool>("--check") { Description = "Only validate the configuration (keys, each pipeline, and that a schedule without Pipeline has deals to report on); print one line saying it is valid." };
        var format = ListOutput.FormatOption();
        var command = new Command("schedules", "List each configured schedule: the last produced period, pending and failed deliveries, and the next occurrence in the schedule's zone and in UTC.")
        {
            config, check, format,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (settings, services) = await SchedulerSetup.LoadAsync(parse, config, context.Clock, checkScopes: true, migrate: false, cancellationToken).ConfigureAwait(false);
            await using (services.ConfigureAwait(false))
            {
                if (parse.GetValue(check))
                {
                    await context.Output.WriteLineAsync($"The configuration is valid: {settings.Schedules.Count} schedule{(settings.Schedules.Count == 1 ? string.Empty : "s")}.").ConfigureAwait(false);
                    return CliApp.Success;
                }

                var ledger = services.GetRequiredService<IScheduleLedger>();
                var now = context.Clock.GetCurrentInstant();
                var rows = new List<IReadOnlyList<string?>>();
                foreach (var schedule in settings.Schedules)
                {
                    var runs = await ledger.ListAsync(schedule.Name, cancellationToken).ConfigureAwait(false);
                    var last = runs.Where(r => r.Produced).MaxBy(r => r.Key.Days.Last);
                    var deliveries = runs.SelectMany(r => r.Deliveries.Where(d => !d.Delivered && schedule.Delivers(d.Target)).Select(d => (r.Key, d))).ToList();
                    var next = schedule.Cron.Next(now);
                    rows.Add(
                    [
                        schedule.Name,
                        schedule.Period.ToString(),
                        last?.Key.Days.ToString() ?? "none",
                        Join(deliveries.Where(x => x.d.Attempts == 0).Select(x => $"{x.Key.Days} {x.d.Target}")),
                        Join(deliveries.Where(x => x.d.Attempts > 0).Select(x => $"{x.Key.Days} {x.d.Target} ({x.d.Attempts} attempts: {x.d.LastError})")),
                        next is { } n ? OffsetDateTimePattern.ExtendedIso.Format(n.InZone(schedule.Cron.Zone).ToOffsetDateTime()) + " " + schedule.Cron.Zone.Id : "never",
                        next is { } u ? InstantPattern.ExtendedIso.Format(u) : "never",
                    ]);
                }

                await ListOutput.WriteAsync(context.Output, parse.GetValue(format)!, Columns, rows).ConfigureAwait(false);
                return CliApp.Success;
            }
        });
        return command;
    }

    private static string Join(IEnumerable<string> values) => string.Join("; ", values) is { Length: > 0 } text ? text : "none";

}
