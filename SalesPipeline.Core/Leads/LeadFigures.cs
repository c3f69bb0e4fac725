using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.People;

namespace SalesPipeline.Leads;

/// <summary>One person's lead figures for a period.</summary>
/// <param name="Person">The person.</param>
/// <param name="DisplayName">Their name.</param>
/// <param name="Active">Active leads now (assigned or working).</param>
/// <param name="Limit">Their active-lead limit.</param>
/// <param name="Received">Leads assigned to them (by a manager, by taking, by distribution or import) in the period.</param>
/// <param name="Converted">Their leads converted in the period.</param>
/// <param name="Disqualified">Their leads disqualified in the period.</param>
/// <param name="ReceivedConverted">Of the leads received in the period, how many were converted by its end.</param>
/// <param name="ReceivedWon">Of the leads received in the period, how many became deals that are won.</param>
public sealed record LeadFigures(UserId Person, string DisplayName, int Active, int Limit, int Received, int Converted, int Disqualified, int ReceivedConverted, int ReceivedWon)
{
    /// <summary>Gets lead → opportunity conversion: received leads converted by the period's end, over leads received; <see langword="null"/> when none were received.</summary>
    public decimal? LeadToOpportunity => Received == 0 ? null : (decimal)ReceivedConverted / Received;

    /// <summary>Gets lead → won conversion: received leads whose deal is won, over leads received; <see langword="null"/> when none were received.</summary>
    public decimal? LeadToWon => Received == 0 ? null : (decimal)ReceivedWon / Received;
}

/// <summary>Computes lead figures from leads and their history: a pure function, so reports and tests agree.</summary>
public static class LeadStatistics
{
    /// <summary>Computes each salesperson's figures (and anyone else's who held leads in the period), by user id.</summary>
    /// <param name="people">Everyone.</param>
    /// <param name="leads">Every lead.</param>
    /// <param name="wonDeals">The deals that are won.</param>
    /// <param name="periodStart">The start of the period (inclusive).</param>
    /// <param name="periodEnd">The end of the period (exclusive).</param>
    /// <returns>The figures.</returns>
    public static IReadOnlyList<LeadFigures> PerPerson(IEnumerable<Person> people, IEnumerable<Lead> leads, IReadOnlySet<OpportunityId> wonDeals, Instant periodStart, Instant periodEnd)
    {
        ArgumentNullException.ThrowIfNull(people);
        ArgumentNullException.ThrowIfNull(leads);
        ArgumentNullException.ThrowIfNull(wonDeals);
        var everyone = people.ToDictionary(p => p.Id);
        var figures = new SortedDictionary<string, LeadFigures>(StringComparer.Ordinal);
        LeadFigures For(UserId id) =>
            figures.TryGetValue(id.Value, out var f) ? f
            : figures[id.Value] = everyone.TryGetValue(id, out var p)
                ? new LeadFigures(id, p.DisplayName, 0, p.LeadLimit, 0, 0, 0, 0, 0)
                : new LeadFigures(id, id.Value, 0, 0, 0, 0, 0, 0, 0);

        foreach (var p in everyone.Values.Where(p => p.Role == Role.Salesperson))
        {
            For(p.Id);
        }

        foreach (var lead in leads)
        {
            if (lead.IsActive && lead.Owner is { } holder)
            {
                figures[holder.Value] = For(holder) with { Active = For(holder).Active + 1 };
            }

            var receivers = new HashSet<UserId>();
            foreach (var change in lead.History)
            {
                if (change.At < periodStart || change.At >= periodEnd || change.Owner is not { } owner)
                {
                    continue;
                }

                var f = For(owner);
                if (change.To == LeadStatus.Assigned && receivers.Add(owner))
                {
                    var convertedByEnd = lead.History.Any(h => h.To == LeadStatus.Converted && h.Owner == owner && h.At < periodEnd);
                    var won = convertedByEnd && lead.Opportunity is { } deal && wonDeals.Contains(deal);
                    f = f with { Received = f.Received + 1, ReceivedConverted = f.ReceivedConverted + (convertedByEnd ? 1 : 0), ReceivedWon = f.ReceivedWon + (won ? 1 : 0) };
                }
                else if (change.To == LeadStatus.Converted)
                {
                    f = f with { Converted = f.Converted + 1 };
                }
                else if (change.To == LeadStatus.Disqualified)
                {
                    f = f with { Disqualified = f.Disqualified + 1 };
                }

                figures[owner.Value] = f;
            }
        }

        return [.. figures.Values];
    }
}
