using SalesPipeline.Access;
using SalesPipeline.Domain;

namespace SalesPipeline.Agendas;

/// <summary>
/// A salesperson's (or a manager's team's) agenda: planned meetings and tasks, next contacts due (overdue first), stale deals,
/// deals expected to close, and open deals by stage, answered by the store's indexed queries.
/// </summary>
/// <remarks>
/// Thread-safe. The access rules apply: a salesperson sees their own agenda, a manager theirs and those of the people in their
/// groups, an admin everyone's; a refusal throws <see cref="AccessDeniedException"/>.
/// </remarks>
public interface IAgendaService
{
    /// <summary>Takes an agenda as of the clock's current instant.</summary>
    /// <param name="request">Whose agenda and which days.</param>
    /// <param name="by">Who asks.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The agenda.</returns>
    /// <exception cref="ArgumentException">The range ends before it starts, is too long or has a day outside
    /// <see cref="AgendaRequest.EarliestDay"/> to <see cref="AgendaRequest.LatestDay"/>, both an owner and the team are asked
    /// for, or the owner is not a stored person.</exception>
    /// <exception cref="AccessDeniedException">The acting user may not see that agenda.</exception>
    Task<Agenda> GetAsync(AgendaRequest request, UserId by, CancellationToken cancellationToken = default);
}
