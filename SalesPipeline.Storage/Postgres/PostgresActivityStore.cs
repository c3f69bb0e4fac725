using Dapper;
using Npgsql;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Postgres;

/// <summary>Activity queries across deals in PostgreSQL.</summary>
/// <remarks>Thread-safe: every call uses its own pooled connection.</remarks>
internal sealed class PostgresActivityStore(PostgresDatabase database) : IActivityStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<ScheduledActivity>> PlannedAsync(UserId? owner, Instant windowStart, Instant windowEnd, CancellationToken cancellationToken = default)
    {
        var sql =
            "SELECT a.id AS Id, a.opportunity_id AS OpportunityId, a.seq AS Seq, a.kind AS Kind, a.subject AS Subject, a.author AS Author, a.recorded_at AS RecordedAt, " +
            "a.happened_at AS HappenedAt, a.due AS Due, a.done AS Done, o.name AS OpportunityName, o.owner AS Owner " +
            "FROM activities a JOIN opportunities o ON o.id = a.opportunity_id " +
            $"WHERE NOT a.done AND a.due IS NOT NULL AND a.due >= @Start AND a.due < @End{(owner is null ? string.Empty : " AND o.owner = @Owner")} " +
            "ORDER BY a.due, a.opportunity_id, a.seq";
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                var rows = await connection.QueryAsync<ScheduledActivityRow>(new CommandDefinition(
                    sql,
                    new { Start = PgTime.Bound(Micros.Ceiling(windowStart)), End = PgTime.Bound(Micros.Ceiling(windowEnd)), Owner = owner?.Value },
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
                return [.. rows.Select(r => new ScheduledActivity(new OpportunityId(r.OpportunityId), r.OpportunityName, new UserId(r.Owner), PostgresMap.ToActivity(r)))];
            }
            catch (NpgsqlException e) when (database.Unavailable(e) is { } unavailable)
            {
                throw unavailable;
            }
        }
    }
}
