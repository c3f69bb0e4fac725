using BenchmarkDotNet.Attributes;
using NodaTime;
using SalesPipeline.Analytics;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Benchmarks;

/// <summary>
/// The snapshot funnel over deals in memory. Baseline: a raw loop over the deals laid out as primitive arrays (history
/// instants as ticks, stages and currencies as bytes, amounts as decimals, overrides as ints), written by hand for this one
/// question: stage at the as-of instant by scanning the history from its end, sums in arrays, with the same arithmetic as the
/// calculator (Σ value, Σ value of overridden deals, Σ value × override; weighted ÷ 100 once). It is the least work that
/// computes these numbers. Against it: <see cref="DealTable"/> (built once, in setup) queried by
/// <see cref="PipelineAnalytics.Snapshot(DealTable, Instant, SnapshotFunnelOptions?)"/>, target ≤ 2; the same raw loop over
/// the array of <see cref="OpportunityState"/> objects and the calculator over them, which show what the object layout costs
/// (each deal brings several cache lines); and building the table, which a caller pays once per set of deals rather than
/// per query. Two deal counts show that the queries' allocations do not depend on the number of deals.
/// </summary>
[MemoryDiagnoser]
public class AnalyticsSnapshotBenchmarks
{
    private static readonly string[] StageIds = [.. AnalyticsDeals.Pipeline.Stages.Select(s => s.Id.Value)];
    private static readonly bool[] IsOpen = [.. AnalyticsDeals.Pipeline.Stages.Select(s => s.IsOpen)];
    private static readonly int[] DefaultProbability = [.. AnalyticsDeals.Pipeline.Stages.Select(s => s.DefaultProbability)];
    private OpportunityState[] _deals = [];
    private Columns _columns = null!;
    private DealTable _table = null!;

    /// <summary>Gets the deal counts to run at: 10^5 and 10^6 in the committed results, <c>--deals</c> replaces them.</summary>
    public static IEnumerable<int> Sizes => BenchmarkSizes.Or(100_000, 1_000_000);

    /// <summary>Gets or sets the number of deals.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Deals { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _deals = AnalyticsDeals.Create(Deals);
        _columns = Columns.From(_deals, AnalyticsDeals.Pipeline);
        _table = BuildTable();

        // Every row must compute the same numbers, or the comparison means nothing.
        var expected = RawLoopOverColumns();
        if (!expected.SameAs(RawLoop()) || !expected.SameAs(Totals.Of(Calculator())) || !expected.SameAs(Totals.Of(TableSnapshot()))
            || _table.Count != Deals)
        {
            throw new InvalidOperationException("The raw loops and the calculators disagree; the benchmark would compare different work.");
        }
    }

    [Benchmark(Baseline = true, Description = "Raw loop over columns")]
    public Totals RawLoopOverColumns()
    {
        var c = _columns;
        var totals = new Totals(c.StageCount);
        var asOf = c.AsOfTicks;
        for (var i = 0; i < c.Amount.Length; i++)
        {
            if (c.Outcome[i] != 0 && c.ClosedAt[i] <= asOf)
            {
                if (c.Outcome[i] == 1)
                {
                    totals.Won++;
                    totals.WonValue[c.Currency[i]] += c.Amount[i];
                }
                else
                {
                    totals.Lost++;
                    totals.LostValue[c.Currency[i]] += c.Amount[i];
                }
            }

            var entry = -1;
            for (var h = c.HistoryStart[i + 1] - 1; h >= c.HistoryStart[i]; h--)
            {
                if (c.ChangeAt[h] <= asOf)
                {
                    entry = h;
                    break;
                }
            }

            if (entry < 0)
            {
                continue;
            }

            var stage = c.ChangeStage[entry];
            if (!IsOpen[stage])
            {
                continue;
            }

            var cell = (c.Currency[i] * c.StageCount) + stage;
            var amount = c.Amount[i];
            totals.Count[cell]++;
            totals.Value[cell] += amount;
            if (c.Override[i] >= 0)
            {
                totals.OverrideValue[cell] += amount;
                totals.OverrideWeighted[cell] += amount * c.Override[i];
            }
        }

        totals.Finish(DefaultProbability);
        return totals;
    }

    [Benchmark(Description = "PipelineAnalytics.Snapshot(DealTable)")]
    public SnapshotFunnel TableSnapshot() => PipelineAnalytics.Snapshot(_table, AnalyticsDeals.AsOf);

    [Benchmark(Description = "Raw loop over the deal array")]
    public Totals RawLoop()
    {
        var totals = new Totals(StageIds.Length);
        var asOf = AnalyticsDeals.AsOf;
        foreach (var deal in _deals)
        {
            var amount = deal.Value.Amount;
            var currency = ReferenceEquals(deal.Value.Currency, Columns.Currencies[0]) ? 0 : Array.IndexOf(Columns.Currencies, deal.Value.Currency);
            if (deal.Outcome is { } outcome && outcome.ClosedAt <= asOf)
            {
                if (outcome.Kind == OutcomeKind.Won)
                {
                    totals.Won++;
                    totals.WonValue[currency] += amount;
                }
                else
                {
                    totals.Lost++;
                    totals.LostValue[currency] += amount;
                }
            }

            var history = deal.History;
            var entry = history.Count - 1;
            while (entry >= 0 && history[entry].At > asOf)
            {
                entry--;
            }

            if (entry < 0)
            {
                continue;
            }

            var stageId = history[entry].To.Value;
            var stage = 0;
            while (!ReferenceEquals(StageIds[stage], stageId))
            {
                stage++;
            }

            if (!IsOpen[stage])
            {
                continue;
            }

            var cell = (currency * StageIds.Length) + stage;
            totals.Count[cell]++;
            totals.Value[cell] += amount;
            if (deal.ProbabilityOverride is { } probability)
            {
                totals.OverrideValue[cell] += amount;
                totals.OverrideWeighted[cell] += amount * probability;
            }
        }

        totals.Finish(DefaultProbability);
        return totals;
    }

    [Benchmark(Description = "PipelineAnalytics.Snapshot(deals)")]
    public SnapshotFunnel Calculator() => PipelineAnalytics.Snapshot(_deals, AnalyticsDeals.Pipeline, AnalyticsDeals.AsOf);

    [Benchmark(Description = "DealTable.From (once per set of deals)")]
    public DealTable BuildTable() => DealTable.From(_deals, AnalyticsDeals.Pipeline);

    /// <summary>The funnel's numbers as the raw loop keeps them: cells indexed by currency × stage.</summary>
    public sealed class Totals
    {
        public Totals(int stageCount)
        {
            StageCount = stageCount;
            var cells = stageCount * Columns.Currencies.Length;
            Count = new long[cells];
            Value = new decimal[cells];
            OverrideValue = new decimal[cells];
            OverrideWeighted = new decimal[cells];
            Weighted = new decimal[cells];
            WonValue = new decimal[Columns.Currencies.Length];
            LostValue = new decimal[Columns.Currencies.Length];
        }

        public int StageCount { get; }

        public long[] Count { get; }

        public decimal[] Value { get; }

        public decimal[] OverrideValue { get; }

        public decimal[] OverrideWeighted { get; }

        public decimal[] Weighted { get; }

        public long Won { get; set; }

        public long Lost { get; set; }

        public decimal[] WonValue { get; }

        public decimal[] LostValue { get; }

        public void Finish(int[] defaultProbability)
        {
            for (var cell = 0; cell < Count.Length; cell++)
            {
                Weighted[cell] = (((Value[cell] - OverrideValue[cell]) * defaultProbability[cell % StageCount]) + OverrideWeighted[cell]) / 100m;
            }
        }

        /// <summary>A funnel's numbers laid out as the raw loop keeps them.</summary>
        public static Totals Of(SnapshotFunnel funnel)
        {
            var totals = new Totals(StageIds.Length);
            foreach (var stage in funnel.Stages)
            {
                var s = AnalyticsDeals.Pipeline.Stage(stage.Stage).Order;
                foreach (var row in stage.Values)
                {
                    var cell = (Array.IndexOf(Columns.Currencies, row.Currency) * totals.StageCount) + s;
                    totals.Count[cell] = row.Count;
                    totals.Value[cell] = row.Value;
                    totals.Weighted[cell] = row.WeightedValue;
                }
            }

            totals.Won = funnel.Won.Count;
            totals.Lost = funnel.Lost.Count;
            for (var c = 0; c < Columns.Currencies.Length; c++)
            {
                totals.WonValue[c] = funnel.Won.Values.FirstOrDefault(v => v.Currency == Columns.Currencies[c]).Amount;
                totals.LostValue[c] = funnel.Lost.Values.FirstOrDefault(v => v.Currency == Columns.Currencies[c]).Amount;
            }

            return totals;
        }

        public bool SameAs(Totals other) =>
            Count.SequenceEqual(other.Count) && Value.SequenceEqual(other.Value) && Weighted.SequenceEqual(other.Weighted)
            && Won == other.Won && Lost == other.Lost && WonValue.SequenceEqual(other.WonValue) && LostValue.SequenceEqual(other.LostValue);
    }

    /// <summary>The deals as primitive columns, for the baseline: the least a loop over them must read.</summary>
    private sealed class Columns
    {
        public static readonly string[] Currencies = ["PLN", "EUR"];

        public int StageCount { get; private init; }

        public long AsOfTicks { get; private init; }

        public int[] HistoryStart { get; private init; } = [];

        public long[] ChangeAt { get; private init; } = [];

        public byte[] ChangeStage { get; private init; } = [];

        public decimal[] Amount { get; private init; } = [];

        public byte[] Currency { get; private init; } = [];

        public int[] Override { get; private init; } = [];

        public byte[] Outcome { get; private init; } = [];

        public long[] ClosedAt { get; private init; } = [];

        public static Columns From(OpportunityState[] deals, PipelineDefinition pipeline)
        {
            var starts = new int[deals.Length + 1];
            for (var i = 0; i < deals.Length; i++)
            {
                starts[i + 1] = starts[i] + deals[i].History.Count;
            }

            var changeAt = new long[starts[^1]];
            var changeStage = new byte[starts[^1]];
            for (var i = 0; i < deals.Length; i++)
            {
                for (var h = 0; h < deals[i].History.Count; h++)
                {
                    changeAt[starts[i] + h] = deals[i].History[h].At.ToUnixTimeTicks();
                    changeStage[starts[i] + h] = (byte)pipeline.Stage(deals[i].History[h].To).Order;
                }
            }

            return new Columns
            {
                StageCount = pipeline.Stages.Count,
                AsOfTicks = AnalyticsDeals.AsOf.ToUnixTimeTicks(),
                HistoryStart = starts,
                ChangeAt = changeAt,
                ChangeStage = changeStage,
                Amount = [.. deals.Select(d => d.Value.Amount)],
                Currency = [.. deals.Select(d => (byte)Array.IndexOf(Currencies, d.Value.Currency))],
                Override = [.. deals.Select(d => d.ProbabilityOverride ?? -1)],
                Outcome = [.. deals.Select(d => (byte)(d.Outcome is null ? 0 : d.Outcome.Kind == OutcomeKind.Won ? 1 : 2))],
                ClosedAt = [.. deals.Select(d => d.Outcome?.ClosedAt.ToUnixTimeTicks() ?? long.MaxValue)],
            };
        }
    }
}

/// <summary>
/// The history-walking calculators over 10^6 deals: the reached-stage funnel (lenient and strict) and win/loss, with the
/// snapshot funnel over the same deals as the baseline (one pass that reads only each deal's last history entry).
/// </summary>
[MemoryDiagnoser]
public class AnalyticsHistoryBenchmarks
{
    private static readonly Interval Cohort = new(AnalyticsDeals.Start, AnalyticsDeals.AsOf);
    private static readonly Interval Year = new(AnalyticsDeals.Start, AnalyticsDeals.AsOf);
    private OpportunityState[] _deals = [];

    /// <summary>Gets the deal counts to run at: 10^6 in the committed results, <c>--deals</c> replaces it.</summary>
    public static IEnumerable<int> Sizes => BenchmarkSizes.Or(1_000_000);

    /// <summary>Gets or sets the number of deals.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Deals { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _deals = AnalyticsDeals.Create(Deals);

        // The figures the benchmarks compute, for the record (they appear in the benchmark log).
        var lenient = ReachedLenient();
        var strict = ReachedStrict();
        var winLoss = WinLoss();
        Console.WriteLine($"// reached (lenient): {string.Join(", ", lenient.Stages.Select(s => $"{s.Stage} {s.Reached}"))}");
        Console.WriteLine($"// reached (strict):  {string.Join(", ", strict.Stages.Select(s => $"{s.Stage} {s.Reached}"))}");
        Console.WriteLine($"// win/loss: won {winLoss.Total.Won}, lost {winLoss.Total.Lost}, win rate {winLoss.Total.WinRateByCount:0.0000}, owners {winLoss.ByOwner.Count}");
    }

    [Benchmark(Baseline = true, Description = "Snapshot (one pass)")]
    public SnapshotFunnel Snapshot() => PipelineAnalytics.Snapshot(_deals, AnalyticsDeals.Pipeline, AnalyticsDeals.AsOf);

    [Benchmark(Description = "ReachedStages lenient")]
    public ReachedStageFunnel ReachedLenient() => PipelineAnalytics.ReachedStages(_deals, AnalyticsDeals.Pipeline, Cohort, AnalyticsDeals.AsOf);

    [Benchmark(Description = "ReachedStages strict")]
    public ReachedStageFunnel ReachedStrict() =>
        PipelineAnalytics.ReachedStages(_deals, AnalyticsDeals.Pipeline, Cohort, AnalyticsDeals.AsOf, new ReachedStageFunnelOptions { Counting = FunnelCounting.Strict });

    [Benchmark(Description = "WinLoss")]
    public WinLossReport WinLoss() => PipelineAnalytics.WinLoss(_deals, AnalyticsDeals.Pipeline, Year);
}

/// <summary>
/// Deterministic deals of the default pipeline with realistic histories, built as recorded states (as a store loads them):
/// 40 % still in identification, 20 % qualification, 10 % offer (a seventh of them went back to qualification once),
/// 10 % negotiation, 10 % won (a third of them straight from offer), 10 % lost from qualification; every fifth deal has a
/// probability override; 10 % are in EUR; 20 owners. Deals are created over a year; changes follow every three days.
/// </summary>
internal static class AnalyticsDeals
{
    public static PipelineDefinition Pipeline { get; } = PipelineDefinition.Default;

    public static Instant Start { get; } = Instant.FromUtc(2025, 1, 1, 0, 0);

    /// <summary>After every change of every deal: "now".</summary>
    public static Instant AsOf { get; } = Start + Duration.FromDays(400);

    private static readonly StageId[][] Paths =
    [
        [Stages.Identification],
        [Stages.Identification, Stages.Qualification],
        [Stages.Identification, Stages.Qualification, Stages.Offer],
        [Stages.Identification, Stages.Qualification, Stages.Offer, Stages.Negotiation],
        [Stages.Identification, Stages.Qualification, Stages.Offer, Stages.Negotiation, Stages.Won],
        [Stages.Identification, Stages.Qualification, Stages.Lost],
    ];

    private static readonly StageId[] BackAndForth = [Stages.Identification, Stages.Qualification, Stages.Offer, Stages.Qualification, Stages.Offer];

    private static readonly StageId[] WonWithoutNegotiation = [Stages.Identification, Stages.Qualification, Stages.Offer, Stages.Won];

    private static readonly int[] PathOfDigit = [0, 0, 0, 0, 1, 1, 2, 3, 4, 5];

    public static OpportunityState[] Create(int count)
    {
        var owners = Enumerable.Range(0, 20).Select(i => new UserId($"seller-{i:00}")).ToArray();
        var deals = new OpportunityState[count];
        for (var i = 0; i < count; i++)
        {
            var owner = owners[(i / 10) % owners.Length];
            var path = Paths[PathOfDigit[i % 10]];
            if (i % 7 == 0 && path[^1] == Stages.Offer)
            {
                path = BackAndForth;
            }
            else if (i % 3 == 0 && path[^1] == Stages.Won)
            {
                path = WonWithoutNegotiation;
            }

            var at = Start + Duration.FromDays(i % 365) + Duration.FromMinutes(i % 1440);
            var history = new StageChange[path.Length];
            StageId? from = null;
            for (var h = 0; h < path.Length; h++)
            {
                history[h] = new StageChange(from, path[h], at, owner, h == 0 ? StageChangeKind.Created : StageChangeKind.Moved);
                from = path[h];
                at += Duration.FromDays(3);
            }

            var last = history[^1];
            var outcome = last.To == Stages.Won ? new Outcome(OutcomeKind.Won, null, null, last.At)
                : last.To == Stages.Lost ? new Outcome(OutcomeKind.Lost, (i / 10) % 3 == 0 ? "Price" : "No decision", "Lost.", last.At)
                : null;
            var value = Money.Of(((i % 997) * 100m) + 0.50m, i % 10 == 3 ? "EUR" : "PLN");
            deals[i] = new OpportunityState(
                OpportunityId.New(), Pipeline.Id, $"Deal {i}", value, last.At.InUtc().Date.PlusDays(30), null, owner, last.To,
                i % 5 == 0 ? i % 101 : null, null, null, [], [], history, outcome, history[0].At, owner, last.At, owner, 1);
        }

        return deals;
    }
}
