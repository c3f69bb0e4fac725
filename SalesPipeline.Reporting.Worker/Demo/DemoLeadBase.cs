using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Leads;
using SalesPipeline.People;

namespace SalesPipeline.Reporting.Worker.Demo;

/// <summary>
/// The demo's people and lead base: an admin, a manager over two groups, the demo deals' owners as salespeople in those
/// groups, and leads from the last months with their status histories (received, worked, converted into one of their
/// owner's demo deals, or disqualified), deterministic for a seed.
/// </summary>
internal sealed class DemoLeadBase(int seed, Instant now)
{
    public static readonly UserId Admin = new("admin");
    public static readonly UserId Manager = new("manager");

    private static readonly string[] Segments = ["retail", "logistics", "manufacturing", "healthcare"];
    private static readonly string[] Sources = ["trade fair", "website", "referral", "cold list"];
    private static readonly string[] Companies =
        ["Nordlicht", "Baltic", "Vistula", "Carpathia", "Odra", "Mazovia", "Pomerania", "Silesia", "Warta", "Tatra", "Hel", "Wawel"];

    private readonly Random _random = new(seed);

    /// <summary>The demo's people: their ids are the demo deals' owner names.</summary>
    public static IReadOnlyList<Person> People(IReadOnlyList<string> salespeople, int leadLimit) =>
    [
        new(Admin, "Demo Admin", Role.Admin, ["hq"], null, 0, true),
        new(Manager, "Demo Manager", Role.Manager, ["north", "south"], null, leadLimit, true),
        .. salespeople.Select((name, i) => new Person(new UserId(name), name, Role.Salesperson, [i < salespeople.Count / 2 ? "north" : "south"], Manager, leadLimit, true)),
    ];

    /// <summary>Generates the lead base; converted leads point at one of their owner's demo deals.</summary>
    public IReadOnlyList<Lead> Generate(int count, IReadOnlyList<Person> salespeople, IReadOnlyDictionary<UserId, List<OpportunityId>> dealsByOwner)
    {
        var leads = new List<Lead>(count);
        var active = salespeople.ToDictionary(p => p.Id, _ => 0);
        for (var i = 0; i < count; i++)
        {
            var company = $"{Companies[_random.Next(Companies.Length)]} {Segments[i % Segments.Length]} {i + 1:D3}";
            var imported = now - Duration.FromDays(_random.Next(30, 200));
            var lead = Lead.Create(
                new NewLead(new LeadId($"DEMO-L{i + 1:D4}"), company, Segments[i % Segments.Length], $"Contact {i + 1}", $"+48 600 {i:D3} {i:D3}", $"contact{i + 1}@example.com", Sources[_random.Next(Sources.Length)]),
                Manager,
                imported);
            var fate = _random.Next(10);
            if (fate < 2)
            {
                leads.Add(lead);
                continue;
            }

            var owner = salespeople[_random.Next(salespeople.Count)];
            var at = imported + Duration.FromDays(_random.Next(1, 20));
            var byWhom = _random.Next(2) == 0 ? Manager : owner.Id;
            if (fate < 5 && active[owner.Id] >= owner.LeadLimit)
            {
                leads.Add(lead);
                continue;
            }

            lead = lead.ChangeTo(LeadStatus.Assigned, owner.Id, byWhom, at);
            if (fate >= 4)
            {
                lead = lead.ChangeTo(LeadStatus.Working, owner.Id, owner.Id, at += Duration.FromDays(_random.Next(1, 7)));
            }

            at += Duration.FromDays(_random.Next(3, 30));
            if (fate >= 7 && at < now && dealsByOwner.TryGetValue(owner.Id, out var deals) && deals.Count > 0)
            {
                lead = lead.ChangeTo(LeadStatus.Converted, owner.Id, owner.Id, at) with { Opportunity = deals[_random.Next(deals.Count)] };
            }
            else if (fate == 6 && at < now)
            {
                lead = lead.ChangeTo(LeadStatus.Disqualified, owner.Id, owner.Id, at, "no-budget") with { DisqualifyReason = "no-budget" };
            }
            else if (active[owner.Id] < owner.LeadLimit)
            {
                active[owner.Id]++;
            }
            else
            {
                lead = lead.ChangeTo(LeadStatus.Disqualified, owner.Id, Manager, at < now ? at : now, "unreachable") with { DisqualifyReason = "unreachable" };
            }

            leads.Add(lead);
        }

        return leads;
    }
}
