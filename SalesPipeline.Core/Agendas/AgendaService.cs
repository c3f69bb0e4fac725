using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Access;
using SalesPipeline.Domain;
using SalesPipeline.People;
using SalesPipeline.Process;

namespace SalesPipeline.Agendas;

/// <summary>
/// The <see cref="IAgendaService"/> implementation: decides whose deals the agenda covers (by the access rules), asks the
/// store for what falls due or has gone stale, and arranges it by day. Usable without a container.
/// </summary>
/// <remarks>Thread-safe; holds no per-call state.</remarks>
public sealed class AgendaService : IAgendaService
{
    private readonly IAgendaStore _store;
    private readonly IPersonStore _people;
    private readonly PipelineCatalog _pipelines;
    private readonly IClock _clock;
    private readonly AccessGate _access;

    /// <summary>Creates the service.</summary>
    /// <param name="store">Answers the agenda's queries.</param>
    /// <param name="people">Who may see whose agenda, and who is in a manager's groups.</param>
    /// <param name="pipelines">The pipelines, for each stage's stale-after limit and the stage order.</param>
    /// <param name="clock">The source of the agenda's instant.</param>
    /// <param name="access">The access options; checks are on when left out.</param>
    public AgendaService(IAgendaStore store, IPersonStore people, PipelineCatalog pipelines, IClock clock, AccessOptions? access = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(people);
        ArgumentNullException.ThrowIfNull(pipelines);
        ArgumentNullException.ThrowIfNull(clock);
        _store = store;
        _people = people;
        _pipelines = pipelines;
        _clock = clock;
        _access = new AccessGate(people, access ?? new AccessOptions());
    }

    /// <inheritdoc />
    public async Task<Agenda> GetAsync(AgendaRequest request, UserId by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Zone);
        Check(request);
        var (owners, everyone) = await OwnersAsync(request, by, cancellationToken).ConfigureAwait(false);
        var asOf = _clock.GetCurrentInstant();
        var end = request.To.PlusDays(1).AtStartOfDayInZone(request.Zone).ToInstant();
        var start = request.From.AtStartOfDayInZone(request.Zone).ToInstant();
        if (owners.Count == 0 && !everyone)
        {
            return new Agenda(owners, request.From, request.To, request.Zone, asOf, [], [], [], []);
        }

        // Everything overdue is read, also what fell due after a range that ended before now.
        var dueBefore = Instant.Max(end, asOf);
        var records = await _store.ReadAgendaAsync(new AgendaSelection(everyone ? null : owners, dueBefore, request.From, request.To, Attention.StaleCutoffs(_pipelines, asOf)), cancellationToken).ConfigureAwait(false);
        if (everyone)
        {
            // Everyone's deals include those of owners who are not stored people, such as deals imported from another system.
            owners = [.. owners
                .Concat(records.Planned.Select(p => p.Owner))
                .Concat(records.NextContacts.Concat(records.Stale).Concat(records.Closing).Select(d => d.Owner))
                .Distinct()
                .OrderBy(id => id.Value, StringComparer.Ordinal)];
        }

        var overdue = new List<AgendaItem>();
        var upcoming = new List<AgendaItem>();
        void Place(AgendaItemKind kind, Instant due, string subject, OpportunityId deal, string dealName, UserId owner, ActivityId? activity)
        {
            var day = due.InZone(request.Zone).Date;
            if (due < asOf)
            {
                overdue.Add(new AgendaItem(kind, day, due, subject, deal, dealName, owner, activity, asOf - due));
            }
            else if (due >= start && due < end)
            {
                upcoming.Add(new AgendaItem(kind, day, due, subject, deal, dealName, owner, activity, Duration.Zero));
            }
        }

        foreach (var p in records.Planned)
        {
            var kind = p.Activity.Kind == ActivityKind.Meeting ? AgendaItemKind.Meeting : AgendaItemKind.Task;
            Place(kind, p.Activity.Due!.Value, p.Activity.Subject, p.OpportunityId, p.OpportunityName, p.Owner, p.Activity.Id);
        }

        foreach (var d in records.NextContacts)
        {
            Place(AgendaItemKind.NextContact, d.NextContact!.Value, d.Name, d.Id, d.Name, d.Owner, null);
        }

        foreach (var d in records.Closing)
        {
            upcoming.Add(new AgendaItem(AgendaItemKind.ExpectedClose, d.ExpectedClose, null, d.Name, d.Id, d.Name, d.Owner, null, Duration.Zero));
        }

        return new Agenda(
            owners,
            request.From,
            request.To,
            request.Zone,
            asOf,
            [.. overdue.OrderBy(i => i.Due).ThenBy(i => i.OpportunityName, StringComparer.Ordinal).ThenBy(i => i.Kind)],
            [.. upcoming.OrderBy(i => i.Day).ThenBy(i => i.Due ?? Instant.MaxValue).ThenBy(i => i.OpportunityName, StringComparer.Ordinal).ThenBy(i => i.Kind)],
            Attention.StaleDeals(records.Stale, _pipelines, asOf),
            [.. records.OpenByStage.OrderBy(t => t.Pipeline.Value, StringComparer.Ordinal).ThenBy(t => StageOrder(t)).ThenBy(t => t.Stage.Value, StringComparer.Ordinal).ThenBy(t => t.Value.Currency, StringComparer.Ordinal)]);
    }

    private static void Check(AgendaRequest request)
    {
        // First, so no day outside them reaches the calendar arithmetic below (the day after 9999-12-31 overflows).
        foreach (var (day, which) in new[] { (request.From, "first day ('from')"), (request.To, "last day ('to')") })
        {
            if (day < AgendaRequest.EarliestDay || day > AgendaRequest.LatestDay)
            {
                throw new ArgumentException(
                    $"The agenda's {which} {day:uuuu-MM-dd} is outside the days an agenda covers, {AgendaRequest.EarliestDay:uuuu-MM-dd} to {AgendaRequest.LatestDay:uuuu-MM-dd}: give a day between them.",
                    nameof(request));
            }
        }

        if (request.From > request.To)
        {
            throw new ArgumentException($"The agenda's range starts on {request.From:uuuu-MM-dd} ('from') after it ends on {request.To:uuuu-MM-dd} ('to'): give a 'from' day on or before the 'to' day.", nameof(request));
        }

        if (Period.Between(request.From, request.To, PeriodUnits.Days).Days >= AgendaRequest.MaxDays)
        {
            throw new ArgumentException($"The agenda's range {request.From:uuuu-MM-dd} to {request.To:uuuu-MM-dd} is longer than {AgendaRequest.MaxDays} days: ask for a shorter range.", nameof(request));
        }

        if (request.Owner is not null && request.Team)
        {
            throw new ArgumentException("An agenda is either one owner's or the team's: ask for one of them.", nameof(request));
        }
    }

    /// <summary>
    /// Whose deals the agenda covers, once the acting user is allowed to see them; <c>Everyone</c> when they are every owner's
    /// (an admin's team, or the team with the access checks off), whether or not the owner is a stored person.
    /// </summary>
    private async Task<(IReadOnlyList<UserId> Owners, bool Everyone)> OwnersAsync(AgendaRequest request, UserId by, CancellationToken cancellationToken)
    {
        if (request.Team)
        {
            const string action = "see the team's agenda";
            var actor = await _access.ActorAsync(by, action, cancellationToken).ConfigureAwait(false);
            if (actor is { Role: Role.Salesperson })
            {
                throw new AccessDeniedException(by, action, "a salesperson sees only their own agenda; a manager sees their groups'");
            }

            var everyone = actor is null or { Role: Role.Admin };
            var people = await _people.ListAsync(cancellationToken).ConfigureAwait(false);
            return ([.. people.Where(p => everyone || p.Id == actor!.Id || actor!.SharesGroupWith(p)).Select(p => p.Id).OrderBy(id => id.Value, StringComparer.Ordinal)], everyone);
        }

        var owner = request.Owner ?? by;
        if (owner.Value is null)
        {
            throw new ArgumentException("The agenda's owner must be named.", nameof(request));
        }

        if (!_access.Skipped && owner != by && await _people.FindAsync(owner, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new ArgumentException($"No person has user id '{owner}': name a stored person as the agenda's owner.", nameof(request));
        }

        await _access.RequireMayActForAsync(by, owner, $"see the agenda of '{owner}'", cancellationToken).ConfigureAwait(false);
        return ([owner], false);
    }

    private int StageOrder(OpenStageTotal total)
    {
        var pipeline = _pipelines.All.FirstOrDefault(p => p.Id == total.Pipeline);
        var index = pipeline is null ? -1 : pipeline.Stages.Select(s => s.Id).ToList().IndexOf(total.Stage);
        return index < 0 ? int.MaxValue : index;
    }
}
