using System.CommandLine;
using System.Globalization;
using System.Text.Json;
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
        var check = new Option<bool>("--check") { Description = "Only validate the configuration (and that each pipeline exists); print nothing else." };
        var format = new Option<string>("--format") { Description = "table, csv or json.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var command = new Command("schedules", "List each configured schedule: the last produced period, pending and failed deliveries, and the next occurrence in the schedule's zone and in UTC.")
        {
            config, check, format,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (settings, services) = await SchedulerSetup.LoadAsync(parse, config, context.Clock, checkScopes: true, cancellationToken).ConfigureAwait(false);
            await using (services.ConfigureAwait(false))
            {
                if (parse.GetValue(check))
                {
                    await context.Output.WriteLineAsync($"The configuration is valid: {settings.Schedules.Count} schedule{(settings.Schedules.Count == 1 ? string.Empty : "s")}.").ConfigureAwait(false);
                    return CliApp.Success;
                }

                var ledger = services.GetRequiredService<IScheduleLedger>();
                var now = context.Clock.GetCurrentInstant();
                var rows = new List<string[]>();
                foreach (var schedule in settings.Schedules)
                {
                    var runs = await ledger.ListAsync(schedule.Name, cancellationToken).ConfigureAwait(false);
                    var last = runs.Where(r => r.Produced).MaxBy(r => r.Key.Days.Last);
                    var deliveries = runs.SelectMany(r => r.Deliveries.Where(d => !d.Delivered).Select(d => (r.Key, d))).ToList();
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

                await context.Output.WriteAsync(Format(parse.GetValue(format)!, rows)).ConfigureAwait(false);
                return CliApp.Success;
            }
        });
        return command;
    }

    private static string Join(IEnumerable<string> values) => string.Join("; ", values) is { Length: > 0 } text ? text : "none";

    private static string Format(string format, List<string[]> rows)
    {
        switch (format)
        {
            case "json":
                return JsonSerializer.Serialize(rows.Select(r => Columns.Zip(r).ToDictionary(p => p.First, p => p.Second)), JsonOptions) + Environment.NewLine;
            case "csv":
                return string.Join(Environment.NewLine, new[] { Columns }.Concat(rows).Select(r => string.Join(',', r.Select(Csv)))) + Environment.NewLine;
            default:
                var all = new[] { Columns }.Concat(rows).ToList();
                var widths = Enumerable.Range(0, Columns.Length).Select(i => all.Max(r => r[i].Length)).ToArray();
                return string.Join(Environment.NewLine, all.Select(r => string.Join("  ", r.Select((v, i) => v.PadRight(widths[i]))).TrimEnd())) + Environment.NewLine;
        }
    }

    private static string Csv(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
}
