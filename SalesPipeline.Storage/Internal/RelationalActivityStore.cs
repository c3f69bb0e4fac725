using Dapper;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

/// <summary>Activity queries across deals in SQLite or PostgreSQL.</summary>
/// <remarks>Thread-safe: every call uses its own pooled connection.</remarks>
internal sealed class RelationalActivityStore(IStoreDialect dialect) : IActivityStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<ScheduledActivity>> PlannedAsync(UserId? owner, Instant windowStart, Instant windowEnd, CancellationToken cancellationToken = default)
    {
        var sql =
            $"SELECT {ActivityColumns("a")}, o.name AS OpportunityName, o.owner AS Owner " +
            "FROM activities a JOIN opportunities o ON o.id = a.opportunity_id " +
            $"WHERE a.done = @NotDone AND a.due IS NOT NULL AND a.due >= @Start AND a.due < @End{OpportunityFilter.Owner(owner)} " +
            "ORDER BY a.due, a.opportunity_id, a.seq";
        var parameters = new
        {
            NotDone = dialect.Flag(false),
            Start = dialect.Bound(Micros.Ceiling(windowStart)),
            End = dialect.Bound(Micros.Ceiling(windowEnd)),
            Owner = owner?.Value,
        };
        return dialect.Database.WithConnectionAsync<IReadOnlyList<ScheduledActivity>>(
            async connection =>
            {
                var rows = await connection.QueryAsync<ScheduledActivityRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
                return [.. rows.Select(r => new ScheduledActivity(new OpportunityId(dialect.ToGuid(r.OpportunityId)), r.OpportunityName, new UserId(r.Owner), dialect.ToActivity(r)))];
            },
            cancellationToken);
    }

    /// <summary>The select list of <see cref="ActivityRow"/> on the activities table aliased <paramref name="alias"/>.</summary>
    private static string ActivityColumns(string alias) =>
        string.Join(", ", ActivityRow.Columns.Split(", ").Select(c => alias + "." + c));
}
