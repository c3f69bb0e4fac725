using System.Data.Common;
using System.Runtime.InteropServices;
using NodaTime;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// Reads the rows of the streamed pass (each deal's row joined with its history, in deal order) by ordinal and feeds each
/// deal's state to the accumulators as soon as its last row is read, so one deal at a time is held. A deal's own columns are
/// read once, on its first row; each row adds one history entry, and the deal gets its history once the last one is read. Values that repeat across deals (stage ids, people,
/// currencies, dates, reasons) are converted once and shared, rather than parsed and allocated again on every row. The
/// states equal what <see cref="RowMap.ToState"/> makes of the same rows.
/// </summary>
/// <remarks>Not thread-safe: one reader belongs to one pass.</remarks>
internal sealed class DealPassReader
{
    /// <summary>The most values each cache keeps; beyond it (free text, many dates) values are converted every time, so memory stays bounded.</summary>
    private const int CacheLimit = 4096;

    private readonly IStoreDialect _dialect;
    private readonly Dictionary<string, StageId> _stages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, UserId> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PipelineId> _pipelines = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _texts = new(StringComparer.Ordinal);
    private readonly Dictionary<object, LocalDate> _dates = [];
    private readonly List<int> _seqs = [];

    public DealPassReader(IStoreDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        _dialect = dialect;
    }

    /// <summary>The deals the first page of a pass holds; each next page holds twice as many, up to <see cref="LargestPage"/>.</summary>
    public const int FirstPage = 1_000;

    /// <summary>The most deals one page of a pass holds.</summary>
    public const int LargestPage = 64_000;

    /// <summary>
    /// The query of one page of the pass: the select list of <see cref="OpportunitySql.Columns"/> and
    /// <see cref="StageChangeRow.Columns"/> over the deals of <c>@Pipeline</c> matching <paramref name="filter"/> (conditions on
    /// <c>o</c>, each starting with " AND ") whose key is above <c>@After</c> (when <paramref name="hasAfter"/>) and at most
    /// <c>@Last</c> (when <paramref name="hasLast"/>). The history is bounded by the same range, so a planner that joins by
    /// merging or hashing reads only the page's part of it. Only the deal order is asked for: a deal's history rows come in
    /// any order and are put in order here, which spares the database a sort of every joined row.
    /// </summary>
    public static string Sql(OpportunitySql opportunities, string filter, bool hasAfter, bool hasLast)
    {
        ArgumentNullException.ThrowIfNull(opportunities);
        return $"SELECT {opportunities.Columns}, {StageChangeRow.Columns} FROM opportunities o JOIN stage_changes ON opportunity_id = o.id " +
            $"WHERE o.pipeline_id = @Pipeline{filter}{Range("o.id", hasAfter, hasLast)}{Range("opportunity_id", hasAfter, hasLast)} ORDER BY o.id";
    }

    /// <summary>
    /// The key of the last deal of a page of <c>@Skip</c> + 1 deals (of <c>@Pipeline</c> matching <paramref name="filter"/>, above
    /// <c>@After</c> when <paramref name="hasAfter"/>), or no row when fewer deals are left: the page is the deals up to that key.
    /// </summary>
    public static string PageEndSql(string filter, bool hasAfter) =>
        $"SELECT o.id FROM opportunities o WHERE o.pipeline_id = @Pipeline{filter}{Range("o.id", hasAfter, false)} ORDER BY o.id LIMIT 1 OFFSET @Skip";

    private static string Range(string key, bool hasAfter, bool hasLast) =>
        (hasAfter ? $" AND {key} > @After" : string.Empty) + (hasLast ? $" AND {key} <= @Last" : string.Empty);

    /// <summary>
    /// Reads the rows of <paramref name="reader"/> (a result of <see cref="Sql"/>) and feeds each deal to every accumulator,
    /// until the rows end or every accumulator is complete (<see cref="DealPass.AreComplete"/>); the caller closes the reader.
    /// </summary>
    public async Task ReadAsync(DbDataReader reader, IReadOnlyList<IDealAccumulator> accumulators, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(accumulators);
        var columns = new Ordinals(reader);
        object? key = null;
        OpportunityState? deal = null;
        List<StageChange> history = [];
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // The history column that names the deal tells its rows apart without reading the deal's own columns again.
            var rowKey = reader.GetValue(columns.OpportunityId);
            if (deal is null || !rowKey.Equals(key))
            {
                if (Feed(deal, history, accumulators))
                {
                    return;
                }

                key = rowKey;
                history = new List<StageChange>(4);
                deal = Deal(reader, columns);
            }

            _seqs.Add(reader.GetInt32(columns.Seq));
            history.Add(Change(reader, columns));
        }

        Feed(deal, history, accumulators);
    }

    /// <summary>
    /// Puts the deal's history in order and feeds the deal, with that history, to every accumulator; returns whether every
    /// accumulator is complete then.
    /// </summary>
    private bool Feed(OpportunityState? deal, List<StageChange> history, IReadOnlyList<IDealAccumulator> accumulators)
    {
        if (deal is null)
        {
            return false;
        }

        var seqs = CollectionsMarshal.AsSpan(_seqs);
        for (var i = 1; i < seqs.Length; i++)
        {
            if (seqs[i - 1] > seqs[i])
            {
                seqs.Sort(CollectionsMarshal.AsSpan(history));
                break;
            }
        }

        _seqs.Clear();
        var complete = deal with { History = history };
        for (var i = 0; i < accumulators.Count; i++)
        {
            accumulators[i].Add(complete);
        }

        return DealPass.AreComplete(accumulators);
    }

    /// <summary>The deal of the current row, its history left empty until its rows are read.</summary>
    private OpportunityState Deal(DbDataReader r, Ordinals c)
    {
        var d = _dialect;
        var id = new OpportunityId(d.ToGuid(r.GetValue(c.Id)));
        var pipeline = Cached(_pipelines, r.GetString(c.PipelineId), static v => new PipelineId(v));
        var name = r.GetString(c.Name);
        var currency = Text(r, c.Currency)!;
        var value = Money.Of(d.ToAmount(r.GetValue(c.Amount), currency), currency);
        var expectedClose = Date(r.GetValue(c.ExpectedClose));
        var account = Value(r, c.AccountId) is { } a ? new AccountId(d.ToGuid(a)) : (AccountId?)null;
        var owner = User(r, c.Owner);
        var stage = Stage(r, c.Stage);
        var probability = r.IsDBNull(c.ProbabilityOverride) ? (int?)null : r.GetInt32(c.ProbabilityOverride);
        var nextContact = Value(r, c.NextContact) is { } next ? d.ToInstant(next) : (Instant?)null;
        QualificationData? qualification = null;
        if (d.ToFlag(r.GetValue(c.HasQualification)))
        {
            var budgetCurrency = Text(r, c.QBudgetCurrency);
            var budget = Value(r, c.QBudgetAmount) is { } amount ? Money.Of(d.ToAmount(amount, budgetCurrency!), budgetCurrency!) : (Money?)null;
            qualification = new QualificationData(String(r, c.QNeeds), String(r, c.QPains), budget, String(r, c.QOfferMustContain));
        }

        var outcome = Text(r, c.OutcomeKind) is { } kind
            ? new Outcome(Codes.Parse<OutcomeKind>(kind), Text(r, c.OutcomeReason), String(r, c.OutcomeComment), d.ToInstant(r.GetValue(c.ClosedAt)))
            : null;
        return new OpportunityState(
            id, pipeline, name, value, expectedClose, account, owner, stage, probability, nextContact, qualification, [], [], [], outcome,
            d.ToInstant(r.GetValue(c.CreatedAt)), User(r, c.CreatedBy), d.ToInstant(r.GetValue(c.LastChangedAt)), User(r, c.LastChangedBy),
            r.GetInt32(c.Version), String(r, c.ExternalId), d.ToInstant(r.GetValue(c.LastTouchedAt)));
    }

    private StageChange Change(DbDataReader r, Ordinals c) => new(
        r.IsDBNull(c.FromStage) ? null : Stage(r, c.FromStage),
        Stage(r, c.ToStage),
        _dialect.ToInstant(r.GetValue(c.At)),
        User(r, c.ByUser),
        Codes.Parse<StageChangeKind>(r.GetString(c.Kind)),
        String(r, c.Comment));

    private StageId Stage(DbDataReader r, int ordinal) => Cached(_stages, r.GetString(ordinal), static v => new StageId(v));

    private UserId User(DbDataReader r, int ordinal) => Cached(_users, r.GetString(ordinal), static v => new UserId(v));

    /// <summary>A text column that repeats across deals (a currency, a kind, a reason), one string per distinct value.</summary>
    private string? Text(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : Cached(_texts, r.GetString(ordinal), static v => v);

    private LocalDate Date(object value) => Cached(_dates, value, _dialect.ToDate);

    private static string? String(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private static object? Value(DbDataReader r, int ordinal) => r.GetValue(ordinal) is var v && v is DBNull ? null : v;

    private static TValue Cached<TKey, TValue>(Dictionary<TKey, TValue> cache, TKey key, Func<TKey, TValue> convert)
        where TKey : notnull
    {
        if (cache.TryGetValue(key, out var value))
        {
            return value;
        }

        value = convert(key);
        if (cache.Count < CacheLimit)
        {
            cache.Add(key, value);
        }

        return value;
    }

    /// <summary>The ordinals of the columns, by the names <see cref="OpportunitySql.Columns"/> and <see cref="StageChangeRow.Columns"/> give them.</summary>
    private sealed class Ordinals(DbDataReader r)
    {
        public int Id { get; } = r.GetOrdinal(nameof(OpportunityRow.Id));
        public int PipelineId { get; } = r.GetOrdinal(nameof(OpportunityRow.PipelineId));
        public int Name { get; } = r.GetOrdinal(nameof(OpportunityRow.Name));
        public int Currency { get; } = r.GetOrdinal(nameof(OpportunityRow.Currency));
        public int Amount { get; } = r.GetOrdinal(nameof(OpportunityRow.Amount));
        public int ExpectedClose { get; } = r.GetOrdinal(nameof(OpportunityRow.ExpectedClose));
        public int AccountId { get; } = r.GetOrdinal(nameof(OpportunityRow.AccountId));
        public int Owner { get; } = r.GetOrdinal(nameof(OpportunityRow.Owner));
        public int Stage { get; } = r.GetOrdinal(nameof(OpportunityRow.Stage));
        public int ProbabilityOverride { get; } = r.GetOrdinal(nameof(OpportunityRow.ProbabilityOverride));
        public int NextContact { get; } = r.GetOrdinal(nameof(OpportunityRow.NextContact));
        public int HasQualification { get; } = r.GetOrdinal(nameof(OpportunityRow.HasQualification));
        public int QNeeds { get; } = r.GetOrdinal(nameof(OpportunityRow.QNeeds));
        public int QPains { get; } = r.GetOrdinal(nameof(OpportunityRow.QPains));
        public int QBudgetCurrency { get; } = r.GetOrdinal(nameof(OpportunityRow.QBudgetCurrency));
        public int QBudgetAmount { get; } = r.GetOrdinal(nameof(OpportunityRow.QBudgetAmount));
        public int QOfferMustContain { get; } = r.GetOrdinal(nameof(OpportunityRow.QOfferMustContain));
        public int OutcomeKind { get; } = r.GetOrdinal(nameof(OpportunityRow.OutcomeKind));
        public int OutcomeReason { get; } = r.GetOrdinal(nameof(OpportunityRow.OutcomeReason));
        public int OutcomeComment { get; } = r.GetOrdinal(nameof(OpportunityRow.OutcomeComment));
        public int ClosedAt { get; } = r.GetOrdinal(nameof(OpportunityRow.ClosedAt));
        public int CreatedAt { get; } = r.GetOrdinal(nameof(OpportunityRow.CreatedAt));
        public int CreatedBy { get; } = r.GetOrdinal(nameof(OpportunityRow.CreatedBy));
        public int LastChangedAt { get; } = r.GetOrdinal(nameof(OpportunityRow.LastChangedAt));
        public int LastChangedBy { get; } = r.GetOrdinal(nameof(OpportunityRow.LastChangedBy));
        public int ExternalId { get; } = r.GetOrdinal(nameof(OpportunityRow.ExternalId));
        public int Version { get; } = r.GetOrdinal(nameof(OpportunityRow.Version));
        public int LastTouchedAt { get; } = r.GetOrdinal(nameof(OpportunityRow.LastTouchedAt));
        public int OpportunityId { get; } = r.GetOrdinal(nameof(StageChangeRow.OpportunityId));
        public int Seq { get; } = r.GetOrdinal(nameof(StageChangeRow.Seq));
        public int FromStage { get; } = r.GetOrdinal(nameof(StageChangeRow.FromStage));
        public int ToStage { get; } = r.GetOrdinal(nameof(StageChangeRow.ToStage));
        public int At { get; } = r.GetOrdinal(nameof(StageChangeRow.At));
        public int ByUser { get; } = r.GetOrdinal(nameof(StageChangeRow.ByUser));
        public int Kind { get; } = r.GetOrdinal(nameof(StageChangeRow.Kind));
        public int Comment { get; } = r.GetOrdinal(nameof(StageChangeRow.Comment));
    }
}
