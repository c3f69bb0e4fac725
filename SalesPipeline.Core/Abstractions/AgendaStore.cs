using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Abstractions;

/// <summary>A stage whose open deals are stale when last touched before an instant.</summary>
/// <param name="Pipeline">The pipeline.</param>
/// <param name="Stage">The stage.</param>
/// <param name="TouchedBefore">Deals in the stage last touched before this instant are stale.</param>
public sealed record StaleCutoff(PipelineId Pipeline, StageId Stage, Instant TouchedBefore);

/// <summary>The lists of <see cref="AgendaRecords"/> a store reads; the others stay empty.</summary>
[Flags]
public enum AgendaParts
{
    /// <summary>No list.</summary>
    None = 0,

    /// <summary><see cref="AgendaRecords.Planned"/>.</summary>
    Planned = 1,

    /// <summary><see cref="AgendaRecords.NextContacts"/>.</summary>
    NextContacts = 2,

    /// <summary><see cref="AgendaRecords.Stale"/>.</summary>
    Stale = 4,

    /// <summary><see cref="AgendaRecords.Closing"/>.</summary>
    Closing = 8,

    /// <summary><see cref="AgendaRecords.OpenByStage"/>.</summary>
    OpenByStage = 16,

    /// <summary>Every list.</summary>
    All = Planned | NextContacts | Stale | Closing | OpenByStage,
}

/// <summary>What one agenda reads: the open deals of some owners, and which of their records fall due or go stale.</summary>
/// <param name="Owners">Whose deals (none when empty), or <see langword="null"/> for every owner's.</param>
/// <param name="DueBefore">Planned activities and next contacts due before this instant (overdue ones included).</param>
/// <param name="CloseFrom">The first expected close date of the deals closing in the range.</param>
/// <param name="CloseTo">The last expected close date of the deals closing in the range.</param>
/// <param name="Stale">Per stage, the instant a deal's last touch must be before for it to be stale.</param>
public sealed record AgendaSelection(IReadOnlyList<UserId>? Owners, Instant DueBefore, LocalDate CloseFrom, LocalDate CloseTo, IReadOnlyList<StaleCutoff> Stale)
{
    /// <summary>Gets the lists to read.</summary>
    /// <value>The default value is <see cref="AgendaParts.All"/>.</value>
    public AgendaParts Parts { get; init; } = AgendaParts.All;

    /// <summary>Whether <paramref name="part"/> is to be read.</summary>
    /// <param name="part">One list.</param>
    /// <returns><see langword="true"/> when <see cref="Parts"/> holds it.</returns>
    public bool Reads(AgendaParts part) => (Parts & part) == part;
}

/// <summary>An open deal as an agenda shows it.</summary>
/// <param name="Id">The deal.</param>
/// <param name="Name">Its name.</param>
/// <param name="Owner">Its owner.</param>
/// <param name="Pipeline">Its pipeline.</param>
/// <param name="Stage">Its stage.</param>
/// <param name="Value">Its potential value.</param>
/// <param name="ExpectedClose">Its expected decision date.</param>
/// <param name="NextContact">Its agreed next contact, if any.</param>
/// <param name="LastTouchedAt">When something last happened on it.</param>
public sealed record AgendaDeal(OpportunityId Id, string Name, UserId Owner, PipelineId Pipeline, StageId Stage, Money Value, LocalDate ExpectedClose, Instant? NextContact, Instant LastTouchedAt);

/// <summary>The open deals of one stage in one currency.</summary>
/// <param name="Pipeline">The pipeline.</param>
/// <param name="Stage">The stage.</param>
/// <param name="Count">How many open deals.</param>
/// <param name="Value">Their summed value.</param>
public sealed record OpenStageTotal(PipelineId Pipeline, StageId Stage, int Count, Money Value);

/// <summary>What the store found for an <see cref="AgendaSelection"/>, each list in the order its documentation gives.</summary>
/// <param name="Planned">Planned (not done) activities of open deals due before <see cref="AgendaSelection.DueBefore"/>, by due instant, deal id and position.</param>
/// <param name="NextContacts">Open deals whose next contact is before <see cref="AgendaSelection.DueBefore"/>, by next contact and id.</param>
/// <param name="Stale">Open deals last touched before their stage's cutoff, by last touch and id.</param>
/// <param name="Closing">Open deals expected to close from <see cref="AgendaSelection.CloseFrom"/> to <see cref="AgendaSelection.CloseTo"/>, by date and id.</param>
/// <param name="OpenByStage">Open deals per pipeline, stage and currency, ordered by those (ordinally).</param>
public sealed record AgendaRecords(
    IReadOnlyList<ScheduledActivity> Planned,
    IReadOnlyList<AgendaDeal> NextContacts,
    IReadOnlyList<AgendaDeal> Stale,
    IReadOnlyList<AgendaDeal> Closing,
    IReadOnlyList<OpenStageTotal> OpenByStage);

/// <summary>
/// Answers an agenda with indexed queries over the owners' open deals (by owner and next contact, by owner, stage and last
/// touch, by owner and expected close), never by reading every open deal.
/// </summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface IAgendaStore
{
    /// <summary>Reads what an agenda shows, from one snapshot of the store.</summary>
    /// <param name="selection">Whose deals, and the instants and dates that bound the agenda.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The records found.</returns>
    Task<AgendaRecords> ReadAgendaAsync(AgendaSelection selection, CancellationToken cancellationToken = default);
}
