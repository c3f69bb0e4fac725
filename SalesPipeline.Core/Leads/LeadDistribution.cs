using SalesPipeline.Domain;

namespace SalesPipeline.Leads;

/// <summary>How many active leads a person holds and may hold.</summary>
/// <param name="Person">The person.</param>
/// <param name="Active">Their active leads now.</param>
/// <param name="Limit">Their limit.</param>
public sealed record LeadCapacity(UserId Person, int Active, int Limit)
{
    /// <summary>Gets how many more leads they may take (never below 0).</summary>
    public int Free => Math.Max(0, Limit - Active);
}

/// <summary>One lead given to one person.</summary>
/// <param name="Lead">The lead.</param>
/// <param name="To">Who receives it.</param>
public sealed record LeadAssignment(LeadId Lead, UserId To);

/// <summary>What a distribution does (or, in what-if mode, would do).</summary>
/// <param name="Assignments">The leads given, in the order they were given.</param>
/// <param name="NotPlaced">The leads that did not fit under anyone's limit.</param>
public sealed record DistributionPlan(IReadOnlyList<LeadAssignment> Assignments, IReadOnlyList<LeadId> NotPlaced);

/// <summary>Spreads leads across people by free capacity.</summary>
public static class LeadDistribution
{
    /// <summary>Most free capacity first; ties by user id compared ordinally, as the stores order ids, whatever the culture.</summary>
    private static readonly Comparer<(int NegativeFree, string Id)> ByFreeThenId = Comparer<(int NegativeFree, string Id)>.Create(
        (a, b) => a.NegativeFree != b.NegativeFree ? a.NegativeFree.CompareTo(b.NegativeFree) : string.CompareOrdinal(a.Id, b.Id));

    /// <summary>
    /// Plans a distribution: each lead in turn goes to the person with the most free capacity (the least loaded when limits
    /// are equal), ties broken by user id; nobody goes over their limit, and leads that fit nowhere are reported.
    /// </summary>
    /// <param name="leads">The leads, in the order they are handed out.</param>
    /// <param name="people">Who may receive them, with their current load and limit.</param>
    /// <returns>The plan.</returns>
    public static DistributionPlan Plan(IReadOnlyList<LeadId> leads, IReadOnlyList<LeadCapacity> people)
    {
        ArgumentNullException.ThrowIfNull(leads);
        ArgumentNullException.ThrowIfNull(people);
        var queue = new PriorityQueue<UserId, (int NegativeFree, string Id)>(ByFreeThenId);
        var free = new Dictionary<UserId, int>();
        foreach (var p in people)
        {
            if (p.Free > 0 && free.TryAdd(p.Person, p.Free))
            {
                queue.Enqueue(p.Person, (-p.Free, p.Person.Value));
            }
        }

        var assignments = new List<LeadAssignment>();
        var notPlaced = new List<LeadId>();
        foreach (var lead in leads)
        {
            if (!queue.TryDequeue(out var person, out _))
            {
                notPlaced.Add(lead);
                continue;
            }

            assignments.Add(new LeadAssignment(lead, person));
            var left = --free[person];
            if (left > 0)
            {
                queue.Enqueue(person, (-left, person.Value));
            }
        }

        return new DistributionPlan(assignments, notPlaced);
    }
}
