using SalesPipeline.Abstractions;
using SalesPipeline.Domain;

namespace SalesPipeline.InMemory;

/// <summary>The agenda's selection over deals held in memory: the reference the database stores' queries agree with.</summary>
internal static class InMemoryAgenda
{
    public static AgendaRecords Read(IEnumerable<OpportunityState> deals, AgendaSelection selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var owners = selection.Owners?.ToHashSet();
        var open = deals.Where(d => d.Outcome is null && (owners is null || owners.Contains(d.Owner))).ToList();
        var cutoffs = selection.Stale.ToDictionary(c => (c.Pipeline, c.Stage), c => c.TouchedBefore);
        var all = new AgendaRecords(
            [
                .. open.SelectMany(d => d.Activities.Select((a, seq) => (Deal: d, Activity: a, Seq: seq)))
                    .Where(x => !x.Activity.Done && x.Activity.Due is { } due && due < selection.DueBefore)
                    .OrderBy(x => x.Activity.Due).ThenBy(x => Key(x.Deal.Id), StringComparer.Ordinal).ThenBy(x => x.Seq)
                    .Select(x => new ScheduledActivity(x.Deal.Id, x.Deal.Name, x.Deal.Owner, x.Activity)),
            ],
            [
                .. open.Where(d => d.NextContact is { } next && next < selection.DueBefore)
                    .OrderBy(d => d.NextContact).ThenBy(d => Key(d.Id), StringComparer.Ordinal).Select(Deal),
            ],
            [
                .. open.Where(d => cutoffs.TryGetValue((d.PipelineId, d.Stage), out var before) && d.Touched < before)
                    .OrderBy(d => d.Touched).ThenBy(d => Key(d.Id), StringComparer.Ordinal).Select(Deal),
            ],
            [
                .. open.Where(d => d.ExpectedClose >= selection.CloseFrom && d.ExpectedClose <= selection.CloseTo)
                    .OrderBy(d => d.ExpectedClose).ThenBy(d => Key(d.Id), StringComparer.Ordinal).Select(Deal),
            ],
            [
                .. open.GroupBy(d => (d.PipelineId, d.Stage, d.Value.Currency))
                    .Select(g => new OpenStageTotal(g.Key.PipelineId, g.Key.Stage, g.Count(), Money.Of(g.Sum(d => d.Value.Amount), g.Key.Currency)))
                    .OrderBy(t => t.Pipeline.Value, StringComparer.Ordinal).ThenBy(t => t.Stage.Value, StringComparer.Ordinal).ThenBy(t => t.Value.Currency, StringComparer.Ordinal),
            ]);
        return new AgendaRecords(
            selection.Reads(AgendaParts.Planned) ? all.Planned : [],
            selection.Reads(AgendaParts.NextContacts) ? all.NextContacts : [],
            selection.Reads(AgendaParts.Stale) ? all.Stale : [],
            selection.Reads(AgendaParts.Closing) ? all.Closing : [],
            selection.Reads(AgendaParts.OpenByStage) ? all.OpenByStage : []);
    }

    /// <summary>The id as the database stores order it (canonical lower-case text, which orders as PostgreSQL's uuid does).</summary>
    private static string Key(OpportunityId id) => id.Value.ToString("D");

    private static AgendaDeal Deal(OpportunityState d) =>
        new(d.Id, d.Name, d.Owner, d.PipelineId, d.Stage, d.Value, d.ExpectedClose, d.NextContact, d.Touched);
}
