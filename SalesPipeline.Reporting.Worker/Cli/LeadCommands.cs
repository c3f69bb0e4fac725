using System.CommandLine;
using System.Globalization;
using CsvHelper;
using Microsoft.Extensions.DependencyInjection;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Leads;
using SalesPipeline.Reporting.Worker.Import;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary><c>leads import|list|assign|take|distribute|convert|disqualify</c>: the lead base, acting as <c>--as USER</c>.</summary>
internal static class LeadCommands
{
    /// <summary>The canonical header of a leads file.</summary>
    public static readonly IReadOnlyList<string> Header = ["id", "company", "segment", "contact", "phone", "email", "source", "notes", "owner"];

    public static Command Create(CliContext context)
    {
        var leads = new Command("leads", "Import, list, hand out, distribute, convert and disqualify leads, acting as --as USER.");
        leads.Subcommands.Add(Import(context));
        leads.Subcommands.Add(List(context));
        leads.Subcommands.Add(Assign(context));
        leads.Subcommands.Add(Take(context));
        leads.Subcommands.Add(Distribute(context));
        leads.Subcommands.Add(Convert(context));
        leads.Subcommands.Add(Disqualify(context));
        return leads;
    }

    private static Command Import(CliContext context)
    {
        var file = new Option<FileInfo>("--file") { Description = $"A CSV file with the header {string.Join(',', Header)}; id is the source's id.", Required = true };
        var encoding = new Option<string?>("--encoding")
        {
            Description = "The file's encoding, such as windows-1250 or iso-8859-2. Default: UTF-8 (a byte order mark is honoured).",
        };
        var command = new Command("import", "Import leads from a CSV file, all or nothing; a lead with an owner is assigned to them at once (within their limit).") { file, encoding };
        command.SetAction(async (parse, cancellationToken) =>
        {
            // Everything about the file is checked before the store is opened: which file it is, that it can be read, its text.
            var path = parse.GetValue(file)!.FullName;
            new CommandFiles().Reads("--file", path).Database(StoreAccess.DatabaseFiles(parse), writes: true).EnsureDistinct();
            CommandFiles.RequireFile("--file", path);
            var leads = await ReadAsync(path, Encoding(parse.GetValue(encoding)), cancellationToken).ConfigureAwait(false);
            return await RunAsync(context, parse, async (service, by) =>
            {
                IReadOnlyList<Lead> stored;
                try
                {
                    stored = await service.ImportAsync(leads, by, cancellationToken).ConfigureAwait(false);
                }
                catch (LeadImportException e)
                {
                    // Rows are numbered as in the file: the header is row 1.
                    throw new CliInputException($"{e.Errors.Count} row(s) of {Path.GetFileName(path)} are invalid; nothing was imported. " +
                        string.Join(" ", e.Errors.Take(10).Select(r => $"Row {r.Index + 2}: {r.Message}")));
                }

                await context.Output.WriteLineAsync($"Imported {stored.Count} leads.").ConfigureAwait(false);
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static System.Text.Encoding? Encoding(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        if (!ImportEncodings.TryGet(name, out var encoding))
        {
            throw new CliInputException($"--encoding '{name}' is not an encoding name; examples: 'utf-8' (the default), 'windows-1250', 'iso-8859-2', 'iso-8859-1'.");
        }

        return encoding.CodePage == System.Text.Encoding.UTF8.CodePage ? null : encoding;
    }

    private static Command List(CliContext context)
    {
        var owner = new Option<string?>("--owner") { Description = "Only this person's leads; someone who is no person and owns no lead (a misspelt id) is refused." };
        var status = new Option<string?>("--status") { Description = "Only leads in this status: new, assigned, working, converted or disqualified." };
        status.AcceptOnlyFromAmong("new", "assigned", "working", "converted", "disqualified");
        var format = ListOutput.FormatOption();
        var command = new Command("list", "List the leads you may see by id (an admin all; a manager their groups' and the unassigned; a salesperson their own and the unassigned they may take): company, segment, status, owner, reason, deal.") { owner, status, format };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var by = Acting.Required(parse);
            await using var services = StoreAccess.Open(parse, context.Clock, create: false);
            var query = new LeadQuery(
                parse.GetValue(owner) is { Length: > 0 } o ? new UserId(o) : null,
                parse.GetValue(status) is { } s ? Enum.Parse<LeadStatus>(s, ignoreCase: true) : null);
            var leads = await services.GetRequiredService<ILeadService>().ListAsync(query, by, cancellationToken).ConfigureAwait(false);
            await ListOutput.WriteAsync(
                context.Output,
                parse.GetValue(format)!,
                ["id", "company", "segment", "contact", "email", "status", "owner", "reason", "deal"],
                [.. leads.Select(l => (IReadOnlyList<string?>)[l.Id.Value, l.Company, l.Segment, l.ContactPerson, l.Email, l.Status.ToString().ToLowerInvariant(), l.Owner?.Value, l.DisqualifyReason, l.Opportunity?.ToString()])]).ConfigureAwait(false);
            return CliApp.Success;
        });
        return command;
    }

    private static Command Assign(CliContext context)
    {
        var lead = LeadArgument();
        var to = new Option<string>("--to") { Description = "Who receives it.", Required = true };
        var command = new Command("assign", "Give a lead to someone in your groups (a manager) or to anyone (an admin), within their active-lead limit.") { lead, to };
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse, async (service, by) =>
        {
            var assigned = await service.AssignAsync(new LeadId(parse.GetValue(lead)!), new UserId(parse.GetValue(to)!), by, cancellationToken).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"Lead {assigned.Id} assigned to {assigned.Owner}.").ConfigureAwait(false);
        }));
        return command;
    }

    private static Command Take(CliContext context)
    {
        var lead = LeadArgument();
        var command = new Command("take", "Take a lead from the unassigned base for yourself, within your active-lead limit.") { lead };
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse, async (service, by) =>
        {
            var taken = await service.TakeAsync(new LeadId(parse.GetValue(lead)!), by, cancellationToken).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"Lead {taken.Id} assigned to {taken.Owner}.").ConfigureAwait(false);
        }));
        return command;
    }

    private static Command Distribute(CliContext context)
    {
        var group = new Option<string>("--group") { Description = "The group whose active salespeople receive the leads.", Required = true };
        var whatIf = new Option<bool>("--what-if") { Description = "Print the plan and assign nothing." };
        var command = new Command("distribute", "Spread every unassigned lead across a group by free capacity (most free first, ties by user id), never over a limit; print who gets what and what did not fit.") { group, whatIf };
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse, async (service, by) =>
        {
            var plan = await service.DistributeAsync(parse.GetValue(group)!, parse.GetValue(whatIf), by, cancellationToken).ConfigureAwait(false);
            foreach (var a in plan.Assignments)
            {
                await context.Output.WriteLineAsync($"{a.Lead} -> {a.To}").ConfigureAwait(false);
            }

            await context.Output.WriteLineAsync(
                $"{(parse.GetValue(whatIf) ? "Would assign" : "Assigned")} {plan.Assignments.Count} leads; {plan.NotPlaced.Count} did not fit{(plan.NotPlaced.Count == 0 ? "." : ": " + string.Join(", ", plan.NotPlaced))}").ConfigureAwait(false);
        }));
        return command;
    }

    private static Command Convert(CliContext context)
    {
        var lead = LeadArgument();
        var pipeline = new Option<string?>("--pipeline") { Description = "The new deal's pipeline; the default pipeline when left out." };
        var value = ReportOptions.Number("--value", "The new deal's value (with --currency), with a decimal point such as 1500.50; zero when left out.", "1500.50");
        var currency = new Option<string?>("--currency") { Description = "The value's ISO 4217 currency, such as PLN." };
        var command = new Command("convert", "Convert a held lead into an account (matched by name, else created), a contact and a deal in the first stage, owned by the lead's owner; print the deal's id.") { lead, pipeline, value, currency };
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse, async (service, by) =>
        {
            var amount = parse.GetValue(value);
            var code = parse.GetValue(currency);
            if ((amount is null) != (code is null))
            {
                throw new CliInputException("Give --value and --currency together (for example --value 12000 --currency PLN), or neither.");
            }

            var deal = await service.ConvertAsync(
                new LeadId(parse.GetValue(lead)!),
                parse.GetValue(pipeline) is { } p ? new PipelineId(p) : null,
                amount is { } a ? Money.Of(a, code!) : null,
                by,
                cancellationToken).ConfigureAwait(false);
            await context.Output.WriteLineAsync(deal.Id.ToString()).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command Disqualify(CliContext context)
    {
        var lead = LeadArgument();
        var reason = new Option<string>("--reason") { Description = "A reason from the configured list: no-budget, no-need, unreachable, duplicate, competitor.", Required = true };
        var command = new Command("disqualify", "Disqualify a lead with a reason, freeing its owner's slot.") { lead, reason };
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse, async (service, by) =>
        {
            var done = await service.DisqualifyAsync(new LeadId(parse.GetValue(lead)!), parse.GetValue(reason)!, by, cancellationToken).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"Lead {done.Id} disqualified ({done.DisqualifyReason}).").ConfigureAwait(false);
        }));
        return command;
    }

    private static Argument<string> LeadArgument() => new("LEAD") { Description = "The lead's id (the source's id, as in the imported file)." };

    private static Task<int> RunAsync(CliContext context, ParseResult parse, Func<ILeadService, UserId, Task> work) =>
        Acting.RunAsync(context, parse, work);

    /// <summary>
    /// Reads a leads file with the canonical header. A structural fault, bytes the encoding cannot decode, or a value the
    /// domain refuses (such as a control character) names the file, the row and the column; nothing is returned then.
    /// </summary>
    private static async Task<IReadOnlyList<NewLead>> ReadAsync(string path, System.Text.Encoding? encoding, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        var malformed = new Dictionary<long, CsvMalformedReason>();
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var reader = CsvReader.Create(stream, new CsvReaderOptions
        {
            HasHeader = true,
            DetectSeparatorHint = false,
            Encoding = encoding,
            MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            OnMalformedRecord = m => malformed[m.RecordNumber] = m.Reason,
        });
        await using (stream.ConfigureAwait(false))
        await using (reader.ConfigureAwait(false))
        {
            await reader.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
            var header = reader.Headers.Select(h => h.Trim().ToLowerInvariant()).ToArray();
            var missing = Header.Except(header).ToList();
            var unknown = header.Except(Header).ToList();
            var doubled = header.GroupBy(h => h, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (missing.Count > 0 || unknown.Count > 0 || doubled.Count > 0)
            {
                throw new CliInputException($"{name} must have the header {string.Join(',', Header)}; " +
                    string.Join("; ", new[]
                    {
                        missing.Count > 0 ? "missing: " + string.Join(", ", missing) : null,
                        unknown.Count > 0 ? "unknown: " + string.Join(", ", unknown.Select(Printable)) : null,
                        doubled.Count > 0 ? "more than once: " + string.Join(", ", doubled) : null,
                    }.OfType<string>()) + ". Nothing was imported.");
            }

            var column = Header.ToDictionary(h => h, h => Array.IndexOf(header, h));
            var leads = new List<NewLead>();
            var errors = new List<string>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var row = reader.RowNumber + 1;
                if (malformed.Remove(row))
                {
                    errors.Add($"Row {row}: malformed quoting; enclose a field with commas, quotes or line breaks in double quotes.");
                    continue;
                }

                if (reader.FieldCount != header.Length)
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"Row {row}: has {reader.FieldCount} fields, the header has {header.Length}."));
                    continue;
                }

                if (CsvText.FirstUndecodable(reader, encoding is not null) is >= 0 and var undecodable)
                {
                    errors.Add($"Row {row}, column '{header[undecodable]}': {CsvText.Undecodable(encoding, "--encoding")}");
                    continue;
                }

                string? Field(string name) => reader.GetString(column[name]) is { Length: > 0 } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
                if (Field("id") is not { } id)
                {
                    errors.Add($"Row {row}: 'id' is empty; every lead needs the source's id.");
                    continue;
                }

                try
                {
                    leads.Add(new NewLead(new LeadId(id), Field("company") ?? string.Empty, Field("segment"), Field("contact"), Field("phone"), Field("email"), Field("source"), Field("notes"), Field("owner") is { } o ? new UserId(o) : null));
                }
                catch (ArgumentException e)
                {
                    errors.Add($"Row {row}: {CliApp.Said(e)}");
                }
            }

            if (errors.Count > 0)
            {
                throw new CliInputException($"{errors.Count} row(s) of {name} are invalid; nothing was imported. {string.Join(" ", errors.Take(10))}");
            }

            return leads;
        }
    }

    /// <summary>A header name as a message can show it: control characters as their code.</summary>
    private static string Printable(string text) =>
        TypedText.IndexOfControlCharacter(text) < 0 ? text : string.Concat(text.Select(c => TypedText.IndexOfControlCharacter([c]) < 0 ? c.ToString() : $"U+{(int)c:X4}"));
}
