using System.Data.Common;
using Dapper;
using SalesPipeline.Abstractions;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// The agenda in SQLite or PostgreSQL: the same SQL on both, rows converted through the store's dialect. Every query starts
/// from the owners' open deals through a partial index on open deals keyed by owner (migration 0007): stale deals per stage by
/// last touch, next contacts by instant, expected closes by date; planned activities are then found per deal.
/// </summary>
/// <remarks>Thread-safe: every call uses its own pooled connection (or the flow's consistent read).</remarks>
internal sealed class RelationalAgendaStore(IStoreDialect dialect) : IAgendaStore
{
    /// <inheritdoc />
    public Task<AgendaRecords> ReadAgendaAsync(AgendaSelection selection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        if (selection.Owners is { Count: 0 } || selection.Parts == AgendaParts.None)
        {
            return Task.FromResult(new AgendaRecords([], [], [], [], []));
        }

        return dialect.Database.ReadAsync((connection, transaction) => ReadAsync(connection, transaction, selection, cancellationToken), cancellationToken);
    }

    /// <summary>The statements, for the query-plan tests and the benchmark's baseline.</summary>
    /// <remarks>
    /// Planned activities of some owners start from their open deals in id order (an index holds exactly that, migration 0009)
    /// and probe each deal's planned activities, so neighbouring probes read neighbouring index pages; SQLite keeps the order
    /// of a CROSS JOIN, where its statistics would start from every owner's activities due in the range instead. For every
    /// owner, the activities due in the range are the smaller side, and the database chooses.
    /// </remarks>
    internal string PlannedSql(bool everyone = false) =>
        "SELECT a.id AS Id, a.opportunity_id AS OpportunityId, o.name AS OpportunityName, o.owner AS Owner, " +
        "a.kind AS Kind, a.subject AS Subject, a.author AS Author, a.recorded_at AS RecordedAt, a.happened_at AS HappenedAt, a.due AS Due " +
        (everyone
            ? "FROM opportunities o JOIN activities a ON a.opportunity_id = o.id WHERE o.outcome_kind IS NULL AND "
            : $"FROM (SELECT id FROM opportunities o WHERE {Owners(everyone)}o.outcome_kind IS NULL ORDER BY id) d " +
              "CROSS JOIN activities a CROSS JOIN opportunities o WHERE a.opportunity_id = d.id AND o.id = d.id AND ") +
        $"{dialect.IsFalse("a.done")} AND a.due IS NOT NULL AND a.due < @DueBefore ORDER BY a.due, a.opportunity_id, a.seq";

    internal string NextContactsSql(bool everyone = false) =>
        $"SELECT {DealColumns} FROM opportunities o " +
        $"WHERE {Owners(everyone)}o.outcome_kind IS NULL AND o.next_contact IS NOT NULL AND o.next_contact < @DueBefore ORDER BY o.next_contact, o.id";

    internal string ClosingSql(bool everyone = false) =>
        $"SELECT {DealColumns} FROM opportunities o " +
        $"WHERE {Owners(everyone)}o.outcome_kind IS NULL AND o.expected_close >= @CloseFrom AND o.expected_close <= @CloseTo ORDER BY o.expected_close, o.id";

    /// <remarks>From the owners' open deals in id order as a subquery, so that SQLite reads them from the index alone.</remarks>
    internal string OpenByStageSql(bool everyone = false) =>
        "SELECT PipelineId, Stage, Currency, COUNT(*) AS Count, SUM(Amount) AS Amount FROM " +
        $"(SELECT o.pipeline_id AS PipelineId, o.stage AS Stage, o.currency AS Currency, o.{dialect.AmountColumn} AS Amount " +
        $"FROM opportunities o WHERE {Owners(everyone)}o.outcome_kind IS NULL ORDER BY o.id) d GROUP BY PipelineId, Stage, Currency";

    private string DealColumns =>
        "o.id AS Id, o.name AS Name, o.owner AS Owner, o.pipeline_id AS PipelineId, o.stage AS Stage, o.currency AS Currency, " +
        $"o.{dialect.AmountColumn} AS Amount, o.expected_close AS ExpectedClose, o.next_contact AS NextContact, o.last_touched_at AS LastTouchedAt";

    /// <summary>The condition on the deals' owners, with the AND that follows it; none for every owner's deals.</summary>
    private string Owners(bool everyone) => everyone ? string.Empty : dialect.InList("o.owner", "@Owners") + " AND ";

    /// <summary>One seek per stage with a limit: the open deals of the owners in that stage last touched before its cutoff.</summary>
    internal string StaleSql(int stages, bool everyone = false) =>
        "SELECT * FROM (" +
        string.Join(
            " UNION ALL ",
            Enumerable.Range(0, stages).Select(i => string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"SELECT {DealColumns} FROM opportunities o WHERE {Owners(everyone)}o.pipeline_id = @Pipeline{i} AND o.stage = @Stage{i} AND o.outcome_kind IS NULL AND o.last_touched_at < @Before{i}"))) +
        ") stale ORDER BY LastTouchedAt, Id";

    /// <summary>The parameters of every statement.</summary>
    internal DynamicParameters Parameters(AgendaSelection selection)
    {
        var parameters = new DynamicParameters(new
        {
            Owners = selection.Owners?.Select(o => o.Value).ToArray() ?? [],
            DueBefore = dialect.Bound(Micros.Ceiling(selection.DueBefore)),
            CloseFrom = dialect.Date(selection.CloseFrom),
            CloseTo = dialect.Date(selection.CloseTo),
        });
        for (var i = 0; i < selection.Stale.Count; i++)
        {
            var cutoff = selection.Stale[i];
            var n = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            parameters.Add("Pipeline" + n, cutoff.Pipeline.Value);
            parameters.Add("Stage" + n, cutoff.Stage.Value);
            parameters.Add("Before" + n, dialect.Bound(Micros.Ceiling(cutoff.TouchedBefore)));
        }

        return parameters;
    }

    private async Task<AgendaRecords> ReadAsync(DbConnection connection, DbTransaction transaction, AgendaSelection selection, CancellationToken cancellationToken)
    {
        var parameters = Parameters(selection);
        var everyone = selection.Owners is null;
        async Task<IEnumerable<T>> QueryAsync<T>(AgendaParts part, Func<string> sql) => selection.Reads(part)
            ? await connection.QueryAsync<T>(new CommandDefinition(sql(), parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)
            : [];

        var planned = await QueryAsync<PlannedActivityRow>(AgendaParts.Planned, () => PlannedSql(everyone)).ConfigureAwait(false);
        var next = await QueryAsync<AgendaDealRow>(AgendaParts.NextContacts, () => NextContactsSql(everyone)).ConfigureAwait(false);
        var stale = selection.Stale.Count == 0 ? [] : await QueryAsync<AgendaDealRow>(AgendaParts.Stale, () => StaleSql(selection.Stale.Count, everyone)).ConfigureAwait(false);
        var closing = await QueryAsync<AgendaDealRow>(AgendaParts.Closing, () => ClosingSql(everyone)).ConfigureAwait(false);
        var stages = await QueryAsync<OpenStageRow>(AgendaParts.OpenByStage, () => OpenByStageSql(everyone)).ConfigureAwait(false);
        return new AgendaRecords(
            [.. planned.Select(r => r.ToScheduled(dialect))],
            [.. next.Select(r => r.ToDeal(dialect))],
            [.. stale.Select(r => r.ToDeal(dialect))],
            [.. closing.Select(r => r.ToDeal(dialect))],
            [
                .. stages.Select(r => new OpenStageTotal(new Domain.PipelineId(r.PipelineId), new Domain.StageId(r.Stage), (int)r.Count, Domain.Money.Of(dialect.ToAmount(r.Amount, r.Currency), r.Currency)))
                    .OrderBy(t => t.Pipeline.Value, StringComparer.Ordinal).ThenBy(t => t.Stage.Value, StringComparer.Ordinal).ThenBy(t => t.Value.Currency, StringComparer.Ordinal),
            ]);
    }
}
