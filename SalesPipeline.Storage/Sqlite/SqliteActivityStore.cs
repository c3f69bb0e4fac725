using Dapper;
using Microsoft.Data.Sqlite;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Sqlite;

/// <summary>Activity queries across deals in SQLite.</summary>
/// <remarks>Thread-safe: every call uses its own pooled connection.</remarks>
internal sealed class SqliteActivityStore(SqliteDatabase database) : IActivityStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<ScheduledActivity>> PlannedAsync(UserId? owner, Instant windowStart, Instant windowEnd, CancellationToken cancellationToken = default)
    {
        var sql =
            "SELECT a.id AS Id, a.opportunity_id AS OpportunityId, a.seq AS Seq, a.kind AS Kind, a.subject AS Subject, a.author AS Author, a.recorded_at AS RecordedAt, " +
            "a.happened_at AS HappenedAt, a.due AS Due, a.done AS Done, o.name AS OpportunityName, o.owner AS Owner " +
            "FROM activities a JOIN opportunities o ON o.id = a.opportunity_id " +
            $"WHERE a.done = 0 AND a.due IS NOT NULL AND a.due >= @Start AND a.due < @End{(owner is null ? string.Empty : " AND o.owner = @Owner")} " +
            "ORDER BY a.due, a.opportunity_id, a.seq";
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                var rows = await connection.QueryAsync<ScheduledActivityRow>(new CommandDefinition(
                    sql,
                    new { Start = Micros.Ceiling(windowStart), End = Micros.Ceiling(windowEnd), Owner = owner?.Value },
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
                return [.. rows.Select(r => new ScheduledActivity(new OpportunityId(Guid.Parse(r.OpportunityId)), r.OpportunityName, new UserId(r.Owner), SqliteMap.ToActivity(r)))];
            }
            catch (SqliteException e) when (database.Unavailable(e) is { } unavailable)
            {
                throw unavailable;
            }
        }
    }
}
