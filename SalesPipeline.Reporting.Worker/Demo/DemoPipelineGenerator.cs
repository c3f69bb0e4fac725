using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Import;

namespace SalesPipeline.Reporting.Worker.Demo;

/// <summary>
/// Generates a deterministic, realistic demo pipeline: deals created over the twelve months before an instant,
/// each driven through the real process (contacts before qualification, needs and budget before the offer,
/// an offer before negotiation), some won, some lost with a reason, the rest still open. The same seed and
/// instant always give the same deals (same external ids, names, values and histories).
/// </summary>
internal sealed class DemoPipelineGenerator
{
    private static readonly string[] Owners =
    [
        "Anna Nowak", "Piotr Kowalski", "Maria Wiśniewska", "Tomasz Wójcik",
        "Emma Clarke", "James Patel", "Katarzyna Lewandowska", "Oliver Brown",
    ];

    /// <summary>Gets the names of the demo deals' owners (their user ids).</summary>
    public static IReadOnlyList<string> OwnerNames => Owners;

    /// <summary>
    /// The offer an owner's demo deals carry: one stored document per owner, its id fixed by the owner's name so a second
    /// demo run refers to the same document.
    /// </summary>
    public static (DocumentId Id, string Title) OfferOf(UserId owner) =>
        (new DocumentId(new Guid(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("demo-offer:" + owner.Value)).AsSpan(0, 16))), $"Demo offer – {owner.Value}");

    /// <summary>The offer of each owner (<see cref="OfferOf"/>), worked out once instead of at every deal that reaches the Offer stage.</summary>
    private static readonly Dictionary<UserId, (DocumentId Id, string Title)> Offers =
        Owners.Select(name => new UserId(name)).ToDictionary(owner => owner, OfferOf);

    private static readonly string[] Products =
    [
        "ERP rollout", "Fleet telematics", "Warehouse WMS", "CRM licences",
        "Data platform", "Support renewal", "Cloud migration", "Security audit",
    ];

    private static readonly string[] CompanyStems =
    [
        "Kowalski", "Vistula", "Baltic", "Tatra", "Mazovia", "Silesia", "Odra", "Warta", "Amber", "Carpathia",
        "Northwind", "Contoso", "Fabrikam", "Litware", "Adventure", "Proseware",
    ];

    private static readonly string[] CompanySuffixes = ["Logistics", "Foods", "Energy", "Retail", "Pharma", "Steel", "Media", "Bank"];

    private static readonly string[] Comments =
    [
        "Budget moved to next year.", "The competitor came in 20 % cheaper.", "No executive sponsor.",
        "References from a similar rollout decided it.", "Fast pilot convinced the operations team.",
        "They went quiet after the offer.", "Scope did not fit their process.",
    ];

    private readonly PipelineDefinition _pipeline;
    private readonly Random _random;
    private readonly Instant _now;
    private readonly TimeOrderedIds _ids = new();

    public DemoPipelineGenerator(PipelineDefinition pipeline, int seed, Instant now)
    {
        _pipeline = pipeline;
        _random = new Random(seed);
        _now = now;
    }

    /// <summary>Gets the account names the deals use.</summary>
    public static IReadOnlyList<string> AccountNames { get; } =
        [.. CompanyStems.SelectMany(stem => CompanySuffixes.Take(4).Select(suffix => $"{stem} {suffix}"))];

    /// <summary>
    /// Generates <paramref name="count"/> deals, oldest first, one at a time; <paramref name="accountIds"/> maps account names
    /// to ids. Their ids are time-ordered version 7 ids, as the CSV importer gives its deals: a deal's from when it was
    /// created, an activity's from when it was logged. Deals generated oldest first then land at the end of the id indexes
    /// instead of on random pages, which at 10^6 deals is most of the cost of storing them; and the ids are given to the
    /// process when it creates the deal and logs the activity, so no random id is drawn only to be replaced.
    /// </summary>
    public IEnumerable<OpportunityState> Generate(int count, IReadOnlyDictionary<string, AccountId> accountIds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var start = _now - Duration.FromDays(365);
        var offsets = Enumerable.Range(0, count).Select(_ => _random.NextDouble()).Order().ToList();
        for (var i = 0; i < count; i++)
        {
            var created = start + Duration.FromSeconds(offsets[i] * 364 * 86_400);
            yield return Deal(i, created, accountIds).ToState();
        }
    }

    private Opportunity Deal(int index, Instant created, IReadOnlyDictionary<string, AccountId> accountIds)
    {
        var owner = new UserId(Owners[_random.Next(Owners.Length)]);
        var account = AccountNames[_random.Next(AccountNames.Count)];
        var value = Money.Of(Math.Round((decimal)Math.Exp(8.5 + (_random.NextDouble() * 4.2)) / 100m) * 100m, "PLN");
        var expected = created.InUtc().Date.PlusDays(30 + _random.Next(120));
        var deal = Opportunity.Create(
            new NewOpportunity($"{Products[_random.Next(Products.Length)]} – {account}", value, accountIds[account], expected, owner, _pipeline.Id, $"DEMO-{index + 1:D6}")
            {
                Id = new OpportunityId(_ids.Next(created)),
            },
            _pipeline,
            owner,
            created);
        var at = created;

        bool Advance(double days)
        {
            at += Duration.FromHours(6 + (_random.NextDouble() * days * 24));
            return at < _now;
        }

        // Each open stage: work on the deal, then move on, lose it, or leave it open when time runs out.
        var chances = new[] { 0.8, 0.72, 0.68, 0.7 };
        for (var step = 0; step < _pipeline.OpenStages.Count; step++)
        {
            var stage = deal.Stage;
            if (!Advance(3))
            {
                return deal;
            }

            Work(deal, stage, owner, at);
            if (!Advance(stage == Stages.Identification ? 10 : 18))
            {
                return deal;
            }

            if (_random.NextDouble() > chances[Math.Min(step, chances.Length - 1)])
            {
                deal.Lose(_pipeline, _pipeline.LossReasons[_random.Next(_pipeline.LossReasons.Count)], Comments[_random.Next(3)], owner, at);
                return deal;
            }

            if (stage == Stages.Offer && _random.NextDouble() < 0.08)
            {
                // A customer sends the deal back to qualification now and then; it comes forward again later.
                deal.MoveTo(_pipeline, Stages.Qualification, owner, at, "Customer reopened the scope.");
                if (!Advance(7))
                {
                    return deal;
                }

                deal.MoveTo(_pipeline, Stages.Offer, owner, at);
                continue;
            }

            if (stage == Stages.Negotiation || (stage == Stages.Offer && _random.NextDouble() < 0.15))
            {
                deal.Win(_pipeline, owner, at, Comments[3 + _random.Next(2)]);
                return deal;
            }

            var next = _pipeline.OpenStages[_pipeline.Stage(stage).Order + 1];
            deal.MoveTo(_pipeline, next, owner, at);
        }

        return deal;
    }

    private void Work(Opportunity deal, StageId stage, UserId owner, Instant at)
    {
        var nextContact = at + Duration.FromDays(3 + _random.Next(21));
        if (stage == Stages.Identification)
        {
            var contact = _random.NextDouble() < 0.5 ? NewActivity.Call("Intro call", nextContact) : NewActivity.Email("Introduction", nextContact);
            deal.LogActivity(contact with { Id = ActivityAt(at) }, owner, at);
        }
        else if (stage == Stages.Qualification)
        {
            deal.LogActivity(NewActivity.Meeting("Needs workshop", nextContact: nextContact) with { HappenedAt = at, Id = ActivityAt(at) }, owner, at);
            deal.RecordQualification(new QualificationData("Replace legacy tools", "Manual work and errors", deal.Value * 1.1m, "Migration plan and SLA"), owner, at);
        }
        else if (stage == Stages.Offer)
        {
            var (offer, title) = Offers[owner];
            if (deal.Offers.All(o => o.Document != offer))
            {
                deal.AttachOffer(offer, title, owner, at);
            }

            deal.ScheduleNextContact(nextContact, owner, at);
        }
        else
        {
            deal.LogActivity(NewActivity.Call("Terms and contract", nextContact) with { Id = ActivityAt(at) }, owner, at);
        }
    }

    /// <summary>The time-ordered id of an activity logged at <paramref name="at"/>.</summary>
    private ActivityId ActivityAt(Instant at) => new(_ids.Next(at));
}
