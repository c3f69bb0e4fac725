using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Analytics.Internal;
using SalesPipeline.Domain;

namespace SalesPipeline.Process;

/// <summary>What a follow-up is.</summary>
public enum FollowUpKind
{
    /// <summary>The agreed next contact with the client.</summary>
    NextContact,

    /// <summary>A planned meeting or task not yet done.</summary>
    PlannedActivity,
}

/// <summary>A follow-up whose due instant has passed: deals are lost when these go unnoticed.</summary>
/// <param name="OpportunityId">The deal.</param>
/// <param name="OpportunityName">The deal's name.</param>
/// <param name="Owner">The deal's owner.</param>
/// <param name="Kind">The next contact, or a planned activity.</param>
/// <param name="Subject">What is due.</param>
/// <param name="Due">When it was due.</param>
/// <param name="Overdue">How long ago, as of the instant asked about.</param>
public sealed record FollowUp(OpportunityId OpportunityId, string OpportunityName, UserId Owner, FollowUpKind Kind, string Subject, Instant Due, Duration Overdue);

/// <summary>
/// An open deal on which nothing has happened (no stage change, activity or edit) for longer than its stage's stale-after
/// limit.
/// </summary>
/// <param name="OpportunityId">The deal.</param>
/// <param name="OpportunityName">The deal's name.</param>
/// <param name="Owner">The deal's owner.</param>
/// <param name="Stage">Its stage.</param>
/// <param name="LastTouchedAt">When something last happened on it (<see cref="Opportunity.LastTouchedAt"/>).</param>
/// <param name="Idle">How long nothing has happened, as of the instant asked about.</param>
/// <param name="StaleAfter">The stage's limit.</param>
public sealed record StaleDeal(OpportunityId OpportunityId, string OpportunityName, UserId Owner, StageId Stage, Instant LastTouchedAt, Duration Idle, Duration StaleAfter);

/// <summary>Finds the deals that need attention as of an instant: overdue follow-ups and stale deals.</summary>
public static class Attention
{
    /// <summary>
    /// Lists overdue follow-ups of open deals: next contacts and planned activities due before <paramref name="asOf"/>,
    /// the most overdue first.
    /// </summary>
    /// <param name="opportunities">The deals to look at.</param>
    /// <param name="asOf">The instant to judge by.</param>
    /// <returns>The overdue follow-ups.</returns>
    /// <exception cref="ArgumentException"><paramref name="opportunities"/> contains <see langword="null"/>.</exception>
    public static IReadOnlyList<FollowUp> OverdueFollowUps(IEnumerable<Opportunity> opportunities, Instant asOf)
    {
        ArgumentNullException.ThrowIfNull(opportunities);
        var overdue = new List<FollowUp>();
        foreach (var o in DealArguments.NoNulls(opportunities))
        {
            AddOverdue(overdue, o, asOf);
        }

        return Ordered(overdue);
    }

    /// <summary>Lists open deals on which nothing has happened for longer than their stage's stale-after limit, the longest idle first.</summary>
    /// <param name="opportunities">The deals to look at.</param>
    /// <param name="pipelines">The pipelines the deals belong to.</param>
    /// <param name="asOf">The instant to judge by.</param>
    /// <returns>The stale deals.</returns>
    /// <exception cref="ArgumentException"><paramref name="opportunities"/> contains <see langword="null"/>.</exception>
    public static IReadOnlyList<StaleDeal> StaleDeals(IEnumerable<Opportunity> opportunities, PipelineCatalog pipelines, Instant asOf)
    {
        ArgumentNullException.ThrowIfNull(opportunities);
        ArgumentNullException.ThrowIfNull(pipelines);
        var stale = new List<StaleDeal>();
        foreach (var o in DealArguments.NoNulls(opportunities))
        {
            AddStale(stale, o, pipelines, asOf);
        }

        return Ordered(stale);
    }

    /// <summary>Adds one deal's overdue follow-ups (none when it is closed), so a caller can look at deals one at a time.</summary>
    internal static void AddOverdue(List<FollowUp> overdue, Opportunity o, Instant asOf)
    {
        if (o.IsClosed)
        {
            return;
        }

        if (o.NextContact is { } next && next < asOf)
        {
            overdue.Add(new FollowUp(o.Id, o.Name, o.Owner, FollowUpKind.NextContact, "Next contact", next, asOf - next));
        }

        foreach (var a in o.Activities)
        {
            if (!a.Done && a.Due is { } due && due < asOf)
            {
                overdue.Add(new FollowUp(o.Id, o.Name, o.Owner, FollowUpKind.PlannedActivity, a.Subject, due, asOf - due));
            }
        }
    }

    /// <summary>Adds the deal when it is open and nothing has happened on it for longer than its stage's stale-after limit.</summary>
    internal static void AddStale(List<StaleDeal> stale, Opportunity o, PipelineCatalog pipelines, Instant asOf)
    {
        if (o.IsClosed)
        {
            return;
        }

        var stage = pipelines.Get(o.PipelineId).Stage(o.Stage);
        if (stage.StaleAfter is { } limit && IsStale(o.LastTouchedAt, limit, asOf))
        {
            stale.Add(new StaleDeal(o.Id, o.Name, o.Owner, o.Stage, o.LastTouchedAt, asOf - o.LastTouchedAt, limit));
        }
    }

    /// <summary>
    /// The staleness rule: a deal last touched at <paramref name="lastTouchedAt"/> in a stage with limit <paramref name="staleAfter"/>
    /// is stale at <paramref name="asOf"/> when nothing has happened on it for longer than the limit.
    /// </summary>
    /// <param name="lastTouchedAt">When something last happened on the deal.</param>
    /// <param name="staleAfter">The stage's stale-after limit.</param>
    /// <param name="asOf">The instant to judge by.</param>
    /// <returns>Whether the deal is stale.</returns>
    public static bool IsStale(Instant lastTouchedAt, Duration staleAfter, Instant asOf) => lastTouchedAt < StaleCutoff(staleAfter, asOf);

    /// <summary>The instant before which a deal's last touch makes it stale at <paramref name="asOf"/>: stores select on it.</summary>
    /// <param name="staleAfter">The stage's stale-after limit.</param>
    /// <param name="asOf">The instant to judge by.</param>
    /// <returns><paramref name="asOf"/> less the limit.</returns>
    public static Instant StaleCutoff(Duration staleAfter, Instant asOf) => asOf - staleAfter;

    /// <summary>Per open stage with a stale-after limit, of every pipeline: the instant before which a last touch makes a deal stale.</summary>
    internal static List<StaleCutoff> StaleCutoffs(PipelineCatalog pipelines, Instant asOf) =>
        [.. pipelines.All.SelectMany(p => p.Stages.Where(s => s.Kind == StageKind.Open && s.StaleAfter is not null)
            .Select(s => new StaleCutoff(p.Id, s.Id, StaleCutoff(s.StaleAfter!.Value, asOf))))];

    /// <summary>The stale deals a store found for <see cref="StaleCutoffs"/>, the longest idle first.</summary>
    internal static IReadOnlyList<StaleDeal> StaleDeals(IReadOnlyList<AgendaDeal> found, PipelineCatalog pipelines, Instant asOf)
    {
        var stale = new List<StaleDeal>(found.Count);
        foreach (var d in found)
        {
            var limit = pipelines.Get(d.Pipeline).Stage(d.Stage).StaleAfter!.Value;
            stale.Add(new StaleDeal(d.Id, d.Name, d.Owner, d.Stage, d.LastTouchedAt, asOf - d.LastTouchedAt, limit));
        }

        return Ordered(stale);
    }

    /// <summary>The follow-ups a store found due before <paramref name="asOf"/> (planned activities and next contacts), the most overdue first.</summary>
    internal static IReadOnlyList<FollowUp> OverdueFollowUps(AgendaRecords found, Instant asOf)
    {
        var overdue = new List<FollowUp>(found.NextContacts.Count + found.Planned.Count);
        foreach (var d in found.NextContacts)
        {
            overdue.Add(new FollowUp(d.Id, d.Name, d.Owner, FollowUpKind.NextContact, "Next contact", d.NextContact!.Value, asOf - d.NextContact.Value));
        }

        foreach (var p in found.Planned)
        {
            var due = p.Activity.Due!.Value;
            overdue.Add(new FollowUp(p.OpportunityId, p.OpportunityName, p.Owner, FollowUpKind.PlannedActivity, p.Activity.Subject, due, asOf - due));
        }

        return Ordered(overdue);
    }

    /// <summary>The most overdue first.</summary>
    internal static IReadOnlyList<FollowUp> Ordered(List<FollowUp> overdue) =>
        [.. overdue.OrderBy(f => f.Due).ThenBy(f => f.OpportunityName, StringComparer.Ordinal)];

    /// <summary>The longest idle first.</summary>
    internal static IReadOnlyList<StaleDeal> Ordered(List<StaleDeal> stale) =>
        [.. stale.OrderByDescending(s => s.Idle).ThenBy(s => s.OpportunityName, StringComparer.Ordinal)];
}
