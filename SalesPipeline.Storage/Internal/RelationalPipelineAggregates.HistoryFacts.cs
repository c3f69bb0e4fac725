using System.Data.Common;
using System.Globalization;
using System.Runtime.InteropServices;
using Dapper;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Storage.Internal;

/// <summary>The history facts: one grouped read of the stage history joined once to the deals, in parts cut at deal ids.</summary>
internal sealed partial class RelationalPipelineAggregates
{
    /// <summary>Gets how many parts the history is read in, instead of the dialect's <see cref="IStoreDialect.HistoryParts"/> (a test's).</summary>
    internal int? HistoryParts { get; init; }

    /// <inheritdoc />
    /// <remarks>
    /// The lowest and highest deal id are read first; the parts of the grouped read of the history (cut at ids between them,
    /// <see cref="IStoreDialect.HistoryParts"/>) then run beside the ended stays and the won deals' cycles, each on a connection of one
    /// consistent read (the caller's, or one of its own), so every read sees one state of the store.
    /// </remarks>
    public async Task<HistoryFacts> HistoryFactsAsync(PipelineDefinition pipeline, HistoryFactsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(request);
        var query = new HistoryFactsQuery(dialect, pipeline, request);
        var facts = new HistoryFactsGroups(pipeline, request, query);
        var scope = dialect.Database.BeginConsistentRead();
        await using (scope.ConfigureAwait(false))
        {
            var cuts = await dialect.Database.ReadAsync(
                async (connection, transaction) => Cuts(await connection.QuerySingleAsync<IdRange>(Statement(IdRangeSql, null, transaction, cancellationToken)).ConfigureAwait(false), HistoryParts ?? dialect.HistoryParts),
                cancellationToken).ConfigureAwait(false);
            // The longest reads first: the ended stays, then the parts of the grouped read, then the cycles.
            using var parallel = new ParallelReads(cancellationToken);
            if (request.TimeInStagePeriod is { } stays)
            {
                _ = parallel.Start(token => ReadEndedStaysAsync(pipeline, request, stays, facts, token));
            }

            if (cuts.Count == 0)
            {
                _ = parallel.Start(token => ReadGroupsAsync(query.Sql, query.Parameters, query, facts, token));
            }
            else
            {
                for (var part = 0; part <= cuts.Count; part++)
                {
                    var (sql, parameters) = Part(query, cuts, part);
                    _ = parallel.Start(token => ReadGroupsAsync(sql, parameters, query, facts, token));
                }
            }

            if (query.CyclesSql is { } cyclesSql)
            {
                _ = parallel.Start(token => ReadCyclesAsync(cyclesSql, query, facts, token));
            }

            // Every read has ended before the scope closes.
            await parallel.WhenAllAsync().ConfigureAwait(false);
        }

        return facts.Result();
    }

    /// <summary>The lowest and highest stored deal ids: two seeks of the primary key.</summary>
    private const string IdRangeSql =
        "SELECT (SELECT o.id FROM opportunities o ORDER BY o.id LIMIT 1) AS Lowest, (SELECT o.id FROM opportunities o ORDER BY o.id DESC LIMIT 1) AS Highest";

    /// <summary>
    /// The ids that cut the stored ids into <paramref name="parts"/> parts of equal spans of 128-bit numbers, between the lowest and
    /// highest stored ids, which cuts random ids and time-ordered ones of deals spread over time into parts of similar size;
    /// none when no deal is stored or the ids are one. Cuts that fall together (few deals, close ids) are given once.
    /// </summary>
    private List<Guid> Cuts(IdRange range, int parts)
    {
        var cuts = new List<Guid>();
        if (range.Lowest is null || range.Highest is null)
        {
            return cuts;
        }

        // Ids ascend as 128-bit numbers in the order the database sorts them; should a stored id not (text the library did
        // not write), the history is read in one part rather than cut at ids out of order.
        var lowest = ToNumber(dialect.ToGuid(range.Lowest));
        var highest = ToNumber(dialect.ToGuid(range.Highest));
        if (highest <= lowest)
        {
            return cuts;
        }

        var span = highest - lowest;
        Span<byte> bytes = stackalloc byte[16];
        for (var part = 1; part < parts; part++)
        {
            var cut = lowest + ((span / (UInt128)parts * (UInt128)part) + (span % (UInt128)parts * (UInt128)part / (UInt128)parts));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, cut);
            var id = new Guid(bytes, bigEndian: true);
            if (cuts.Count == 0 || cuts[^1] != id)
            {
                cuts.Add(id);
            }
        }

        return cuts;

        static UInt128 ToNumber(Guid id)
        {
            Span<byte> bytes = stackalloc byte[16];
            id.TryWriteBytes(bytes, bigEndian: true, out _);
            return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes);
        }
    }

    /// <summary>The query of part <paramref name="part"/> of those <paramref name="cuts"/> make, with parameters of its own.</summary>
    private (string Sql, DynamicParameters Parameters) Part(HistoryFactsQuery query, List<Guid> cuts, int part)
    {
        var parameters = new DynamicParameters(query.Parameters);
        if (part > 0)
        {
            parameters.Add("Lower", dialect.Key(cuts[part - 1]));
        }

        if (part < cuts.Count)
        {
            parameters.Add("Upper", dialect.Key(cuts[part]));
        }

        var sql = part == 0 ? query.SqlBelow : part == cuts.Count ? query.SqlFrom : query.SqlBetween;
        return (sql, parameters);
    }

    /// <summary>Reads the grouped history (all of it, or one part) into <paramref name="facts"/>.</summary>
    private Task<bool> ReadGroupsAsync(string sql, object parameters, HistoryFactsQuery query, HistoryFactsGroups facts, CancellationToken cancellationToken) =>
        dialect.Database.ReadAsync(
            async (connection, transaction) =>
            {
                // With one row per deal, the rows are grouped here and handed over in one go; otherwise each row is a group.
                var groups = query.GroupsInClient ? new Dictionary<DealFacts, (long Count, long Amount)>() : null;
                await ReadRowsAsync(
                    connection,
                    sql,
                    parameters,
                    transaction,
                    r =>
                    {
                        if (groups is not null)
                        {
                            ref var group = ref CollectionsMarshal.GetValueRefOrAddDefault(groups, DealFacts.Read(r), out _);
                            group = (group.Count + 1, checked(group.Amount + r.GetInt64(HistoryFactsQuery.AmountColumn)));
                            return;
                        }

                        var row = FactsRow.Read(r, query);
                        lock (facts)
                        {
                            facts.Add(row);
                        }
                    },
                    cancellationToken).ConfigureAwait(false);
                lock (facts)
                {
                    foreach (var (key, group) in groups ?? [])
                    {
                        facts.Add(key.ToRow(query, group.Count, group.Amount));
                    }
                }

                return true;
            },
            cancellationToken);

    /// <summary>Reads the stays that ended in the time-in-stage period <paramref name="stays"/> into <paramref name="facts"/>.</summary>
    private Task<bool> ReadEndedStaysAsync(PipelineDefinition pipeline, HistoryFactsRequest request, Interval stays, HistoryFactsGroups facts, CancellationToken cancellationToken) =>
        dialect.Database.ReadAsync(
            async (connection, transaction) =>
            {
                var everyDeal = await EveryDealIsOfAsync(connection, transaction, pipeline, request.Owner, cancellationToken).ConfigureAwait(false);
                await AddEndedStaysAsync(connection, transaction, pipeline, stays, request.AsOf, request.Owner, everyDeal,
                    (stage, length) =>
                    {
                        lock (facts)
                        {
                            facts.Stays!.AddStays(stage, length, 1);
                        }
                    },
                    cancellationToken).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    /// <summary>Reads the won deals' cycles of each period into <paramref name="facts"/>.</summary>
    private Task<bool> ReadCyclesAsync(string cyclesSql, HistoryFactsQuery query, HistoryFactsGroups facts, CancellationToken cancellationToken) =>
        dialect.Database.ReadAsync(
            async (connection, transaction) =>
            {
                // One row per period and currency: the cycles' sum as whole seconds and microseconds, each added as so many
                // cycles of one unit, which adds exactly the sum the periods' mean cycle is made of.
                await ReadRowsAsync(
                    connection,
                    cyclesSql,
                    new DynamicParameters(query.Parameters),
                    transaction,
                    r =>
                    {
                        var period = Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture);
                        var currency = r.GetString(1);
                        var seconds = Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture);
                        var micros = Convert.ToInt64(r.GetValue(3), CultureInfo.InvariantCulture);
                        lock (facts)
                        {
                            facts.Periods[period].AddWonCycles(currency, Duration.FromSeconds(Math.Sign(seconds)), Math.Abs(seconds));
                            facts.Periods[period].AddWonCycles(currency, Duration.FromNanoseconds(Math.Sign(micros) * 1000L), Math.Abs(micros));
                        }
                    },
                    cancellationToken).ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    /// <summary>Finishes the figures from the query's groups with Core's group accumulators.</summary>
    private sealed class HistoryFactsGroups(PipelineDefinition pipeline, HistoryFactsRequest request, HistoryFactsQuery query)
    {
        private readonly IForecastGroups _forecast = DealPass.ForecastGroups(pipeline, request.AsOf, request.ForecastOptions);
        private readonly List<SnapshotGroup> _stages = [];
        private readonly IReachedStageGroups? _funnel = request.Cohort is { } cohort ? DealPass.ReachedStagesGroups(pipeline, cohort, request.AsOf, request.FunnelOptions) : null;
        private long _detail;

        /// <summary>Gets the time in stage's groups, or null when none is asked.</summary>
        public IStageExitGroups? Stays { get; } = request.TimeInStagePeriod is { } stays ? DealPass.StageExitGroups(pipeline, stays, request.AsOf, request.Owner) : null;

        public List<IPeriodFiguresGroups> Periods { get; } = [.. request.Periods.Select(p => DealPass.PeriodFiguresGroups(pipeline, p, request.Owner))];

        public void Add(FactsRow row)
        {
            var (currency, count, amount) = (row.Currency, row.Count, row.Amount);
            var probabilityOverride = query.Override(row.Words);
            var outcome = query.Outcome(row.Words);
            var created = query.Fact(row.Words, HistoryFactsQuery.CreatedFact);
            var closed = query.Fact(row.Words, HistoryFactsQuery.ClosedFact);
            var stageAtAsOf = query.StageAt(query.Fact(row.Words, HistoryFactsQuery.StagesFact + query.InstantOf(request.AsOf)));

            if (stageAtAsOf is { } stage && query.IsOpen(stage))
            {
                var id = query.Stages[stage];
                _forecast.AddGroup(query.ToDate(row.ExpectedClose!), currency, id, probabilityOverride, count, amount);
                _stages.Add(new SnapshotGroup(id.Value, currency, probabilityOverride, count, amount));
                Stays?.AddOpen(id, count, query.Fact(row.Words, query.StaleFact) == 1 ? count : 0);
            }

            for (var i = 0; i < Periods.Count; i++)
            {
                var period = request.Periods[i];
                if (!query.CreatedBy(created, period.End))
                {
                    continue;
                }

                var atEnd = query.StageAt(query.Fact(row.Words, HistoryFactsQuery.StagesFact + query.InstantOf(period.End)));
                Periods[i].AddGroup(
                    currency,
                    probabilityOverride,
                    query.CreatedIn(created, period),
                    outcome is not null && query.ClosedIn(closed, period) ? outcome : null,
                    atEnd is { } s ? query.Stages[s] : null,
                    count,
                    amount);
            }

            if (_funnel is not null && query.CreatedIn(created, request.Cohort!.Value))
            {
                var reach = query.Fact(row.Words, HistoryFactsQuery.ReachFact);
                _funnel.AddGroup(reach < 0 ? null : query.Stages[(int)reach], count);
            }

            // PipelineAggregates.DetailStage's rule, over a group's stage codes and close bucket.
            if (request.DetailPeriod is { } detail && stageAtAsOf is { } shown &&
                (query.IsOpen(shown) || outcome is null || query.ClosedIn(closed, detail)))
            {
                _detail += count;
            }
        }

        public HistoryFacts Result() => new(
            new OpenDealFigures(AggregateResults.Snapshot(pipeline, _stages), _forecast.Result()),
            [.. Periods.Select(p => p.Result())],
            _funnel?.Result(),
            request.DetailPeriod is null ? null : _detail)
        {
            TimeInStage = Stays?.Result(),
        };
    }

    /// <summary>A group of deals with the same facts: its key, how many deals and their value.</summary>
    private readonly record struct FactsRow(string Currency, object? ExpectedClose, long[] Words, long Count, decimal Amount)
    {
        /// <summary>Reads a group the database made.</summary>
        public static FactsRow Read(DbDataReader reader, HistoryFactsQuery query)
        {
            var words = new long[query.Words];
            for (var w = 0; w < words.Length; w++)
            {
                words[w] = Convert.ToInt64(reader.GetValue(HistoryFactsQuery.WordsColumn + w), CultureInfo.InvariantCulture);
            }

            var currency = reader.GetString(HistoryFactsQuery.CurrencyColumn);
            return new(
                currency,
                reader.IsDBNull(HistoryFactsQuery.ExpectedCloseColumn) ? null : reader.GetValue(HistoryFactsQuery.ExpectedCloseColumn),
                words,
                Convert.ToInt64(reader.GetValue(HistoryFactsQuery.CountColumn), CultureInfo.InvariantCulture),
                query.ToAmount(reader.GetValue(HistoryFactsQuery.AmountColumn), currency));
        }
    }

    /// <summary>One deal's facts as read, the key its group is found by when the deals are grouped here (one word of packed facts).</summary>
    private readonly record struct DealFacts(string Currency, object? ExpectedClose, long Word)
    {
        public static DealFacts Read(DbDataReader reader) => new(
            reader.GetString(HistoryFactsQuery.CurrencyColumn),
            reader.IsDBNull(HistoryFactsQuery.ExpectedCloseColumn) ? null : reader.GetValue(HistoryFactsQuery.ExpectedCloseColumn),
            reader.GetInt64(HistoryFactsQuery.WordsColumn));

        public FactsRow ToRow(HistoryFactsQuery query, long count, long amount) =>
            new(Currency, ExpectedClose, [Word], count, query.ToAmount(amount, Currency));
    }

#pragma warning disable CA1812 // Instantiated by Dapper.
    private sealed class IdRange
    {
        public object? Lowest { get; set; }
        public object? Highest { get; set; }
    }
#pragma warning restore CA1812
}
