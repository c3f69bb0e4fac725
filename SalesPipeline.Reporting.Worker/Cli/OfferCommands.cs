using System.CommandLine;
using System.Globalization;
using SalesPipeline.Documents;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary><c>offer create|attach</c>: offers for deals, acting as <c>--as USER</c>.</summary>
internal static class OfferCommands
{
    public static Command Create(CliContext context)
    {
        var offer = new Command("offer", "Generate an offer from a .docx template and attach it to a deal, or attach a stored offer, acting as --as USER.");
        offer.Subcommands.Add(Generate(context));
        offer.Subcommands.Add(Attach(context));
        return offer;
    }

    private static Command Generate(CliContext context)
    {
        var deal = new Option<string>("--deal") { Description = "The deal's id.", Required = true };
        var template = new Option<string>("--template") { Description = "The offer template's document id (a .docx uploaded with --kind offer-template).", Required = true };
        var priceList = new Option<string?>("--price-list") { Description = "The price list's document id (an .xlsx uploaded with --kind price-list)." };
        var lines = new Option<List<int>?>("--lines") { Description = "The price-list lines to quote, by number from 1, separated by commas (such as 1,3); the template's {{line1.COLUMN}} is the first one given.", CustomParser = ParseLines };
        var title = new Option<string?>("--title") { Description = "The offer's title; 'Offer – DEAL NAME' when left out (the same title again adds a version)." };
        var command = new Command(
            "create",
            "Fill a template's {{deal}}, {{account}}, {{value}}, {{owner}}, {{expected-close}}, {{today}} and {{lineN.COLUMN}} placeholders, store the result as an offer shared with the deal owner's groups, attach it to the deal (all in one step), and print the offer's document id.")
        {
            deal, template, priceList, lines, title,
        };
        command.SetAction((parse, cancellationToken) => DocumentCommands.RunAsync(context, parse, async (service, by) =>
        {
            var request = new NewOffer(
                DealCommands.Id(parse.GetValue(deal)!),
                DocumentCommands.Id("--template", parse.GetValue(template)!),
                parse.GetValue(priceList) is { } p ? DocumentCommands.Id("--price-list", p) : null,
                parse.GetResult(lines) is null ? null : parse.GetValue(lines),
                parse.GetValue(title));
            if ((request.PriceList is null) != (request.Lines is null))
            {
                throw new CliInputException("Give --price-list and --lines together (for example --price-list ID --lines 1,3), or neither.");
            }

            var offer = await service.CreateOfferAsync(request, by, cancellationToken).ConfigureAwait(false);
            await context.Output.WriteLineAsync(offer.Id.ToString()).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command Attach(CliContext context)
    {
        var deal = new Option<string>("--deal") { Description = "The deal's id.", Required = true };
        var document = new Option<string>("--document") { Description = "The offer's document id (uploaded with --kind offer).", Required = true };
        var command = new Command("attach", "Attach a stored offer document to a deal; this meets the deal's offer-attached requirement.") { deal, document };
        command.SetAction((parse, cancellationToken) => DocumentCommands.RunAsync(context, parse, async (service, by) =>
        {
            var attached = await service.AttachOfferAsync(DealCommands.Id(parse.GetValue(deal)!), DocumentCommands.Id("--document", parse.GetValue(document)!), by, cancellationToken).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"Attached '{attached.Title}' ({attached.Document}) to deal {parse.GetValue(deal)}.").ConfigureAwait(false);
        }));
        return command;
    }

    private static List<int>? ParseLines(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
        var numbers = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            {
                result.AddError($"--lines '{text}' must be price-list line numbers from 1, separated by commas, such as 1,3.");
                return null;
            }

            numbers.Add(n);
        }

        return numbers;
    }
}
