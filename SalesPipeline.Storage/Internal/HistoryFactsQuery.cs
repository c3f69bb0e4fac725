using System.Globalization;
using System.Text;
using Dapper;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// The SQL of <see cref="IPipelineAggregates.HistoryFactsAsync"/>, written once for both providers. The stage history is read
/// once, grouped per deal: for every instant asked, the highest <c>seq * K + stage code</c> among the entries at or before it
/// gives the stage the deal was in then (the last entry, as <see cref="PipelineAggregates.StageAt"/> finds it); when the time in
/// stage is asked, the as-of instant's column is <c>seq * 2K + stale * K + stage code</c>, whose stale bit says whether the
/// entry was made before its stage's stale cutoff. The entries by the as-of instant give how far the deal went in the
/// reached-stage funnel. That per-deal result is joined to the deals once and grouped by a compact key: the currency, the
/// expected close of the deals open at the as-of instant, and small integer facts packed as digits of 64-bit words (the
/// override, the outcome, the bucket of the creation and close instants among the periods' bounds, the funnel depth, the stage
/// at each instant, staleness). The database groups them, so only groups travel, unless it groups by sorting every row
/// (<see cref="GroupsInClient"/>). The won deals' cycles
/// come from a second query through the close-date index, summed per currency. The grouped query can be run in parts cut
/// at deal ids (<see cref="SqlBelow"/>, <see cref="SqlBetween"/>, <see cref="SqlFrom"/>), each on a connection of its own:
/// the groups of the parts add up to those of the whole.
/// </summary>
internal sealed class HistoryFactsQuery
{
    public const int CurrencyColumn = 0;
    public const int ExpectedCloseColumn = 1;
    public const int CountColumn = 2;
    public const int AmountColumn = 3;

    /// <summary>The first column of the packed words: the small integer facts, several to a word.</summary>
    public const int WordsColumn = 4;

    /// <summary>
    /// The packed facts: the probability override (−1 for none, 101 for one out of range), the outcome (−1 open, 0 won,
    /// 1 lost, 2 unknown), the creation bucket, the close bucket, the funnel depth, the stage at each instant, the stale bit.
    /// </summary>
    public const int OverrideFact = 0;
    public const int OutcomeFact = 1;
    public const int CreatedFact = 2;
    public const int ClosedFact = 3;
    public const int ReachFact = 4;
    public const int StagesFact = 5;

    /// <summary>Where the history's id range goes in the query, if any.</summary>
    private const string RangeToken = "{range}";

    private const long MicrosPerSecond = 1_000_000;

    private readonly IStoreDialect _dialect;
    private readonly PipelineDefinition _pipeline;
    private readonly List<long> _instants = [];
    private readonly Bounds _created = new("C");
    private readonly Bounds _closed = new("K");
    private readonly string _staleBit = "0";

    /// <summary>Where each fact is packed: its word, the value of its digit there and its digit's base (the fact plus one is the digit).</summary>
    private (int Word, long Power, long Base)[] _digits = [];

    public HistoryFactsQuery(IStoreDialect dialect, PipelineDefinition pipeline, HistoryFactsRequest request)
    {
        _dialect = dialect;
        _pipeline = pipeline;

        // Stage codes: the open stages in pipeline order, then the won stage, then the lost ones. A code up to OpenCount is the
        // deal's position in the reached-stage funnel (the open stages, then won); a code below OpenCount is an open stage.
        Stages = [.. pipeline.Stages.Where(s => s.Kind == StageKind.Open).Concat(pipeline.Stages.Where(s => s.Kind == StageKind.Won)).Concat(pipeline.Stages.Where(s => s.Kind == StageKind.Lost)).Select(s => s.Id)];
        OpenCount = pipeline.Stages.Count(s => s.IsOpen);

        InstantOf(request.AsOf);
        foreach (var period in request.Periods)
        {
            InstantOf(period.End);
            _created.Add(Micros.Floor(period.End) + 1);
            AddPeriod(_created, period);
            AddPeriod(_closed, period);
        }

        if (request.Cohort is { } cohort)
        {
            AddPeriod(_created, cohort);
        }

        if (request.DetailPeriod is { } detail)
        {
            AddPeriod(_closed, detail);
        }

        var parameters = new DynamicParameters();
        parameters.Add("Pipeline", pipeline.Id.Value);
        parameters.Add("Owner", request.Owner?.Value);
        parameters.Add("Won", Codes.Of(OutcomeKind.Won));
        parameters.Add("Lost", Codes.Of(OutcomeKind.Lost));
        for (var i = 0; i < Stages.Count; i++)
        {
            parameters.Add($"S{i}", Stages[i].Value);
        }

        for (var i = 0; i < _instants.Count; i++)
        {
            parameters.Add($"T{i}", dialect.Bound(_instants[i]));
        }

        if (request.TimeInStagePeriod is not null)
        {
            // Whether the entry was made before its stage's stale cutoff, for the open stages with a limit.
            var cutoffs = new StringBuilder();
            for (var i = 0; i < OpenCount; i++)
            {
                if (pipeline.Stage(Stages[i]).StaleAfter is { } limit)
                {
                    parameters.Add($"B{i}", dialect.Bound(Micros.Ceiling(Attention.StaleCutoff(limit, request.AsOf))));
                    cutoffs.Append(CultureInfo.InvariantCulture, $" WHEN @S{i} THEN @B{i}");
                }
            }

            _staleBit = cutoffs.Length == 0 ? "0" : $"CASE WHEN sc.at < CASE sc.to_stage{cutoffs} END THEN {Stages.Count + 1} ELSE 0 END";
            StaleFact = StagesFact + _instants.Count;
        }

        _created.Bind(parameters, dialect);
        _closed.Bind(parameters, dialect);
        for (var i = 0; i < request.Periods.Count; i++)
        {
            var period = request.Periods[i];
            parameters.Add($"PS{i}", period.HasStart ? dialect.Bound(Micros.Ceiling(period.Start)) : null);
            parameters.Add($"PE{i}", dialect.Bound(Micros.Ceiling(period.End)));
        }

        Parameters = parameters;
        var sql = BuildSql(request, dialect.GroupsBySorting);
        Sql = sql.Replace(RangeToken, string.Empty, StringComparison.Ordinal);
        SqlBelow = sql.Replace(RangeToken, " WHERE sc.opportunity_id < @Upper", StringComparison.Ordinal);
        SqlBetween = sql.Replace(RangeToken, " WHERE sc.opportunity_id >= @Lower AND sc.opportunity_id < @Upper", StringComparison.Ordinal);
        SqlFrom = sql.Replace(RangeToken, " WHERE sc.opportunity_id >= @Lower", StringComparison.Ordinal);
        CyclesSql = request.Periods.Count == 0 ? null : BuildCyclesSql(request);
    }

    /// <summary>Gets the stages by code.</summary>
    public IReadOnlyList<StageId> Stages { get; }

    /// <summary>Gets the number of open stages: the codes below it are open stages.</summary>
    public int OpenCount { get; }

    /// <summary>Gets the query over every deal.</summary>
    public string Sql { get; }

    /// <summary>
    /// Gets the query over the deals whose id is below <c>@Upper</c>: the first of the parts that <see cref="SqlBetween"/>
    /// (ids from <c>@Lower</c> up to below <c>@Upper</c>) and <see cref="SqlFrom"/> (ids from <c>@Lower</c>) continue, so that
    /// parts cut at the same ids cover every deal once.
    /// </summary>
    public string SqlBelow { get; }

    /// <summary>Gets the query over the deals whose id is <c>@Lower</c> or above and below <c>@Upper</c>.</summary>
    public string SqlBetween { get; }

    /// <summary>Gets the query over the deals whose id is <c>@Lower</c> or above.</summary>
    public string SqlFrom { get; }

    /// <summary>Gets the packed fact that says whether the deals of a group entered their stage at the as-of instant before its stale cutoff (1) or not (0), or −1 when no time in stage is asked.</summary>
    public int StaleFact { get; } = -1;

    /// <summary>Gets how many words the packed facts take (columns from <see cref="WordsColumn"/>).</summary>
    public int Words { get; private set; }

    /// <summary>
    /// Gets whether the query returns one row per deal (with a count of 1 and the deal's own amount, an integer) for the caller
    /// to group, rather than the groups: where the database groups by sorting every row (SQLite), a hash table in the caller
    /// costs less than the sort. Only when the facts pack into one word.
    /// </summary>
    public bool GroupsInClient { get; private set; }

    /// <summary>Gets the query of the won deals' cycles per period and currency, summed, or null when no period is asked.</summary>
    public string? CyclesSql { get; }

    public DynamicParameters Parameters { get; }

    /// <summary>The index of the stage column of an instant (registering it while the query is built).</summary>
    public int InstantOf(Instant instant)
    {
        var micros = Micros.Floor(instant);
        var index = _instants.IndexOf(micros);
        if (index < 0)
        {
            _instants.Add(micros);
            index = _instants.Count - 1;
        }

        return index;
    }

    /// <summary>A packed fact of a row (−1 for none: a deal not yet existing at an instant, or no funnel stage reached).</summary>
    public long Fact(long[] words, int fact)
    {
        var (word, power, radix) = _digits[fact];
        return (words[word] / power % radix) - 1;
    }

    /// <summary>The probability override of a row's deals.</summary>
    /// <exception cref="InvalidDataException">A stored override is outside 0 to 100.</exception>
    public int? Override(long[] words) => Fact(words, OverrideFact) switch
    {
        -1 => null,
        <= 100 and var percent => (int)percent,
        _ => throw new InvalidDataException("A stored deal's probability override is outside 0 to 100; correct it in the database."),
    };

    /// <summary>The outcome of a row's deals.</summary>
    /// <exception cref="InvalidDataException">A stored outcome is neither won nor lost.</exception>
    public OutcomeKind? Outcome(long[] words) => Fact(words, OutcomeFact) switch
    {
        -1 => null,
        0 => OutcomeKind.Won,
        1 => OutcomeKind.Lost,
        _ => throw new InvalidDataException("A stored deal's outcome is not known to this version of SalesPipeline."),
    };

    /// <summary>The stage code a stage column holds, or null when the deal did not exist yet.</summary>
    /// <exception cref="InvalidOperationException">The deal was in a stage the pipeline definition does not hold.</exception>
    public int? StageAt(long code) =>
        code < 0 ? null
        : code < Stages.Count ? (int)code
        : throw UnknownStage(_pipeline);

    /// <summary>The error for a stored deal in a stage its pipeline's definition does not hold.</summary>
    private static InvalidOperationException UnknownStage(PipelineDefinition pipeline) => new(
        $"A deal of pipeline '{pipeline.Id}' was in a stage its definition does not hold (its stages are: {string.Join(", ", pipeline.Stages.Select(s => s.Id))}); load the definition the deals were recorded with.");

    public bool IsOpen(int code) => code < OpenCount;

    /// <summary>Whether a creation bucket lies at or before the end of a period.</summary>
    public bool CreatedBy(long bucket, Instant end) => _created.Below(bucket, Micros.Floor(end) + 1);

    public bool CreatedIn(long bucket, Interval period) => In(_created, bucket, period);

    public bool ClosedIn(long bucket, Interval period) => In(_closed, bucket, period);

    public decimal ToAmount(object value, string currency) => _dialect.ToAmount(value, currency);

    public LocalDate ToDate(object value) => _dialect.ToDate(value);

    private static void AddPeriod(Bounds bounds, Interval period)
    {
        if (period.HasStart)
        {
            bounds.Add(Micros.Ceiling(period.Start));
        }

        if (period.HasEnd)
        {
            bounds.Add(Micros.Ceiling(period.End));
        }
    }

    private static bool In(Bounds bounds, long bucket, Interval period) =>
        bucket >= 0 && (!period.HasStart || !bounds.Below(bucket, Micros.Ceiling(period.Start))) && (!period.HasEnd || bounds.Below(bucket, Micros.Ceiling(period.End)));

    private string BuildSql(HistoryFactsRequest request, bool clientMayGroup)
    {
        var k = Stages.Count + 1;
        var code = new StringBuilder("CASE sc.to_stage");
        for (var i = 0; i < Stages.Count; i++)
        {
            code.Append(CultureInfo.InvariantCulture, $" WHEN @S{i} THEN {i}");
        }

        code.Append(CultureInfo.InvariantCulture, $" ELSE {Stages.Count} END");
        var asOf = InstantOf(request.AsOf);
        string StageOf(int i) => i == asOf && StaleFact >= 0 ? $"h.a{i} % {2 * k} % {k}" : $"h.a{i} % {k}";

        // Per deal: the highest seq * K + code at or before each instant, and the funnel's facts by the as-of instant.
        var history = new StringBuilder("SELECT sc.opportunity_id AS id");
        for (var i = 0; i < _instants.Count; i++)
        {
            // The as-of instant's column also carries whether the entry is stale (seq * 2K + stale * K + code).
            history.Append(i == asOf && StaleFact >= 0
                ? string.Create(CultureInfo.InvariantCulture, $", MAX(CASE WHEN sc.at <= @T{i} THEN sc.seq * {2 * k} + {_staleBit} + {code} END) AS a{i}")
                : string.Create(CultureInfo.InvariantCulture, $", MAX(CASE WHEN sc.at <= @T{i} THEN sc.seq * {k} + {code} END) AS a{i}"));
        }

        var reach = "-1";
        if (request.Cohort is not null && request.Counting == FunnelCounting.Lenient)
        {
            // The furthest funnel position reached: the code of an open or the won stage, lost stages left out.
            var funnel = new StringBuilder("CASE sc.to_stage");
            for (var f = 0; f <= OpenCount; f++)
            {
                funnel.Append(CultureInfo.InvariantCulture, $" WHEN @S{f} THEN {f}");
            }

            history.Append(CultureInfo.InvariantCulture, $", MAX(CASE WHEN sc.at <= @T{asOf} THEN {funnel} END END) AS reach");
            reach = "COALESCE(h.reach, -1)";
        }
        else if (request.Cohort is not null)
        {
            // The first entry of each funnel stage; the depth is the longest prefix of them in pipeline order.
            for (var f = 0; f <= OpenCount; f++)
            {
                history.Append(CultureInfo.InvariantCulture, $", MIN(CASE WHEN sc.at <= @T{asOf} AND sc.to_stage = @S{f} THEN sc.seq END) AS f{f}");
            }

            var depth = new StringBuilder("CASE WHEN h.f0 IS NULL THEN -1");
            for (var f = 1; f <= OpenCount; f++)
            {
                depth.Append(CultureInfo.InvariantCulture, $" WHEN h.f{f} IS NULL OR h.f{f} < h.f{f - 1} THEN {f - 1}");
            }

            reach = depth.Append(CultureInfo.InvariantCulture, $" ELSE {OpenCount} END").ToString();
        }

        history.Append(" FROM stage_changes sc").Append(RangeToken).Append(" GROUP BY sc.opportunity_id");

        // The small integer facts, each from −1 to its digit's base less two, packed as digits (fact + 1) of as few words as
        // hold them: a word stays below 2^62, a positive 64-bit integer on every provider (each digit's value a BIGINT, so
        // PostgreSQL multiplies in 64 bits).
        var facts = new List<(string Sql, long Base)>
        {
            ("CASE WHEN o.probability_override IS NULL THEN -1 WHEN o.probability_override BETWEEN 0 AND 100 THEN o.probability_override ELSE 101 END", 103),
            ("CASE WHEN o.outcome_kind IS NULL THEN -1 WHEN LOWER(o.outcome_kind) = @Won THEN 0 WHEN LOWER(o.outcome_kind) = @Lost THEN 1 ELSE 2 END", 4),
            (_created.Sql("o.created_at"), _created.Count + 2),
            (_closed.Sql("o.closed_at"), _closed.Count + 2),
            (reach, OpenCount + 2),
        };
        for (var i = 0; i < _instants.Count; i++)
        {
            facts.Add(($"COALESCE({StageOf(i)}, -1)", Stages.Count + 2));
        }

        if (StaleFact >= 0)
        {
            facts.Add(($"CASE WHEN h.a{asOf} % {2 * k} >= {k} THEN 1 ELSE 0 END", 3));
        }

        _digits = new (int, long, long)[facts.Count];
        var words = new List<List<string>> { new() };
        var span = 1L;
        for (var f = 0; f < facts.Count; f++)
        {
            var (fact, radix) = facts[f];
            if (span > (1L << 62) / radix)
            {
                words.Add([]);
                span = 1;
            }

            _digits[f] = (words.Count - 1, span, radix);
            words[^1].Add(string.Create(CultureInfo.InvariantCulture, $"({fact} + 1) * CAST({span} AS BIGINT)"));
            span *= radix;
        }

        Words = words.Count;
        GroupsInClient = clientMayGroup && Words == 1;

        var sql = new StringBuilder(
            $"SELECT o.currency AS Currency, CASE WHEN {StageOf(asOf)} < {OpenCount} THEN o.expected_close END AS ExpectedClose, " +
            (GroupsInClient ? $"1 AS Count, o.{_dialect.AmountColumn} AS Amount" : $"COUNT(*) AS Count, SUM(o.{_dialect.AmountColumn}) AS Amount"));
        for (var w = 0; w < Words; w++)
        {
            sql.Append(", ").AppendJoin(" + ", words[w]).Append(CultureInfo.InvariantCulture, $" AS W{w}");
        }

        // The grouped history first, then one lookup of each deal (CROSS JOIN keeps that order on SQLite).
        sql.Append(CultureInfo.InvariantCulture, $" FROM ({history}) h CROSS JOIN opportunities o WHERE o.id = h.id AND o.pipeline_id = @Pipeline{OpportunityFilter.Owner(request.Owner)}");
        if (!GroupsInClient)
        {
            sql.Append(" GROUP BY 1, 2");
            for (var w = 0; w < Words; w++)
            {
                sql.Append(CultureInfo.InvariantCulture, $", {WordsColumn + w + 1}");
            }
        }

        return sql.ToString();
    }

    /// <summary>
    /// The won deals' cycles of each period and currency as one sum, exact in 64-bit integers however many deals there are:
    /// the whole seconds of the cycles (<c>Seconds</c>) and their remainders in microseconds (<c>Micros</c>), summed apart.
    /// The periods' mean cycle needs no more than the sum.
    /// </summary>
    private string BuildCyclesSql(HistoryFactsRequest request)
    {
        var owner = OpportunityFilter.Owner(request.Owner);
        var cycle = _dialect.MicrosBetween("o.closed_at", "o.created_at");
        return string.Join(
            " UNION ALL ",
            request.Periods.Select((period, i) =>
                $"SELECT {i} AS Period, c.currency AS Currency, SUM(c.cycle / {MicrosPerSecond}) AS Seconds, SUM(c.cycle % {MicrosPerSecond}) AS Micros " +
                $"FROM (SELECT o.currency, {cycle} AS cycle FROM opportunities o " +
                $"WHERE o.pipeline_id = @Pipeline AND o.outcome_kind = @Won{(period.HasStart ? $" AND o.closed_at >= @PS{i}" : string.Empty)} AND o.closed_at < @PE{i}{owner}) c " +
                "GROUP BY c.currency"));
    }

    /// <summary>
    /// Instants (whole microseconds) that cut a column's values into buckets: bucket b holds the values from bound b − 1
    /// (inclusive) to bound b (exclusive); a NULL value has the bucket past the last bound, and is told apart by the caller.
    /// </summary>
    private sealed class Bounds(string prefix)
    {
        private readonly SortedSet<long> _set = [];
        private long[]? _sorted;

        /// <summary>Gets the number of bounds (the buckets are 0 to it).</summary>
        public int Count => _set.Count;

        public void Add(long micros) => _set.Add(micros);

        public void Bind(DynamicParameters parameters, IStoreDialect dialect)
        {
            _sorted = [.. _set];
            for (var i = 0; i < _sorted.Length; i++)
            {
                parameters.Add($"{prefix}{i}", dialect.Bound(_sorted[i]));
            }
        }

        public string Sql(string column)
        {
            if (_sorted!.Length == 0)
            {
                return "0";
            }

            var sql = new StringBuilder("CASE");
            for (var i = 0; i < _sorted.Length; i++)
            {
                sql.Append(CultureInfo.InvariantCulture, $" WHEN {column} < @{prefix}{i} THEN {i}");
            }

            return sql.Append(CultureInfo.InvariantCulture, $" ELSE {_sorted.Length} END").ToString();
        }

        /// <summary>Whether the values of a bucket are below a bound.</summary>
        public bool Below(long bucket, long bound) => bucket <= Array.BinarySearch(_sorted!, bound);
    }
}
