using System.CommandLine;
using System.Globalization;
using NodaTime;
using SalesPipeline.Documents;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary><c>sample</c>: drives one deal through the default process in memory and prints what happened.</summary>
internal static class SampleCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("sample", "Drive one deal through the default sales process in memory and print its history and refusals.");
        command.SetAction((parse, cancellationToken) => RunAsync(context, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var output = context.Output;
        var start = context.Clock.GetCurrentInstant();
        var clock = new SteppingClock(start, Duration.FromHours(26));
        var store = new InMemory.InMemoryStore();
        var crm = new SalesPipelineService(store, store, store, store, PipelineCatalog.DefaultOnly, clock);
        var anna = new UserId("anna");
        await store.SaveAsync(new People.Person(anna, "Anna", People.Role.Salesperson, ["sales"], null, 25, true), cancellationToken).ConfigureAwait(false);

        var account = await crm.CreateAccountAsync("Kowalski Logistics", "Transport", anna, cancellationToken).ConfigureAwait(false);
        var deal = await crm.CreateAsync(new NewOpportunity("ERP rollout", Money.Of(120_000m, "PLN"), null, new LocalDate(2027, 3, 31)), anna, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"Created '{deal.Name}' for {account.Name}, {deal.Value}, in {deal.Stage} ({deal.Probability} %).").ConfigureAwait(false);

        async Task TryMove(StageId target)
        {
            var blockers = await crm.WhyNotAsync(deal.Id, target, cancellationToken).ConfigureAwait(false);
            if (blockers.Count > 0)
            {
                await output.WriteLineAsync($"  cannot move to {target} yet: {string.Join("; ", blockers)}").ConfigureAwait(false);
                return;
            }

            deal = await crm.MoveAsync(deal.Id, target, anna, cancellationToken: cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"  moved to {target} ({deal.Probability} %).").ConfigureAwait(false);
        }

        await TryMove(Stages.Qualification).ConfigureAwait(false);
        await crm.LogActivityAsync(deal.Id, NewActivity.Call("Intro call with the CFO", nextContact: clock.GetCurrentInstant() + Duration.FromDays(7)), anna, cancellationToken).ConfigureAwait(false);
        await TryMove(Stages.Qualification).ConfigureAwait(false);
        await TryMove(Stages.Offer).ConfigureAwait(false);
        await crm.RecordQualificationAsync(deal.Id, new QualificationData("Replace three warehouse systems", "Manual re-keying", Money.Of(150_000m, "PLN"), "Migration plan"), anna, cancellationToken).ConfigureAwait(false);
        await TryMove(Stages.Offer).ConfigureAwait(false);
        var documents = new DocumentService(store, store, store, store, PipelineCatalog.DefaultOnly, clock);
        using (var pdf = new MemoryStream("%PDF-1.7 offer 2026/114"u8.ToArray()))
        {
            var offer = await documents.AddAsync(new NewDocument("Offer 2026/114", DocumentKind.Offer, "offer-2026-114.pdf", ["sales"]), pdf, anna, cancellationToken).ConfigureAwait(false);
            await documents.AttachOfferAsync(deal.Id, offer.Id, anna, cancellationToken).ConfigureAwait(false);
        }

        await TryMove(Stages.Negotiation).ConfigureAwait(false);
        deal = await crm.WinAsync(deal.Id, anna, "Migration plan and references decided it.", cancellationToken).ConfigureAwait(false);

        await output.WriteLineAsync($"'{deal.Name}' is {deal.Outcome!.Kind.ToString().ToLowerInvariant()} ({deal.Probability} %). History:").ConfigureAwait(false);
        foreach (var change in deal.History)
        {
            var at = change.At.ToString("uuuu-MM-dd HH:mm", CultureInfo.InvariantCulture);
            await output.WriteLineAsync($"  {at}  {change.From?.Value ?? "-",-14} -> {change.To.Value,-14} by {change.By} ({change.Kind}){(change.Comment is null ? string.Empty : ": " + change.Comment)}").ConfigureAwait(false);
        }

        return CliApp.Success;
    }
}

/// <summary>A clock for the sample story: each reading is a step later, so a few calls span some days.</summary>
internal sealed class SteppingClock(Instant start, Duration step) : IClock
{
    private Instant _next = start;

    public Instant GetCurrentInstant()
    {
        var now = _next;
        _next += step;
        return now;
    }
}
