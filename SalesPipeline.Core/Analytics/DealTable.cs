using NodaTime;
using SalesPipeline.Analytics.Internal;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics;

/// <summary>
/// An immutable, columnar copy of a pipeline's deals, built once for repeated analytics: what the snapshot funnel reads of
/// each deal (value, probability override, outcome, owner and stage history) laid out as arrays of numbers instead of
/// objects, so that a query over a million deals reads a few dozen bytes per deal rather than several cache lines.
/// Pass it to <see cref="PipelineAnalytics.Snapshot(DealTable, Instant, SnapshotFunnelOptions?)"/>, which returns exactly
/// what the overload over the deals returns.
/// </summary>
/// <remarks>
/// Immutable and safe to share between threads. It is a snapshot of the deals when it was built: later changes to the deals
/// are not seen; build a new table. It holds about 40 bytes per deal plus 10 per history entry.
/// </remarks>
public sealed class DealTable
{
    /// <summary>Money carries active ISO-4217 codes only, fewer than 256, so a byte indexes them.</summary>
    private const int MaxCurrencies = byte.MaxValue + 1;

    private const int MaxStages = ushort.MaxValue + 1;

    private readonly Dictionary<string, int> _owners;

    private DealTable(PipelineDefinition pipeline, StageLookup stages, Columns columns)
    {
        Pipeline = pipeline;
        Stages = stages;
        Currencies = columns.Currencies;
        _owners = columns.Owners;
        Amount = [.. columns.Amount];
        Currency = [.. columns.Currency];
        Flags = [.. columns.Flags];
        Override = [.. columns.Override];
        Owner = [.. columns.Owner];
        ClosedAt = new TickColumn(columns.ClosedAt);
        HistoryStart = [.. columns.HistoryStart];
        ChangeAt = new TickColumn(columns.ChangeAt);
        ChangeStage = [.. columns.ChangeStage];
    }

    /// <summary>Gets the pipeline the deals belong to.</summary>
    public PipelineDefinition Pipeline { get; }

    /// <summary>Gets the number of deals held: the deals of <see cref="Pipeline"/> that the table was built from.</summary>
    public int Count => Amount.Length;

    internal StageLookup Stages { get; }

    /// <summary>Gets the currency codes; <see cref="Currency"/> indexes them.</summary>
    internal string[] Currencies { get; }

    /// <summary>Gets, per deal, its value's amount.</summary>
    internal decimal[] Amount { get; }

    /// <summary>Gets, per deal, the index of its currency in <see cref="Currencies"/>.</summary>
    internal byte[] Currency { get; }

    /// <summary>Gets, per deal, <see cref="DealFlags"/>: its outcome and whether it has a probability override.</summary>
    internal byte[] Flags { get; }

    /// <summary>Gets, per deal, its probability override; read only when its flags say it has one.</summary>
    internal int[] Override { get; }

    /// <summary>Gets, per deal, the index of its owner (see <see cref="OwnerIndex"/>); −1 when it has none.</summary>
    internal int[] Owner { get; }

    /// <summary>Gets, per deal, its close instant; read only when its flags say it is closed.</summary>
    internal TickColumn ClosedAt { get; }

    /// <summary>Gets, per deal and one more, where its history starts in the change columns: deal i's entries are [start[i], start[i + 1]).</summary>
    internal int[] HistoryStart { get; }

    /// <summary>Gets, per history entry, its instant.</summary>
    internal TickColumn ChangeAt { get; }

    /// <summary>Gets, per history entry, the pipeline index of the stage it entered.</summary>
    internal ushort[] ChangeStage { get; }

    /// <summary>
    /// Builds the table from the deals of <paramref name="pipeline"/>; deals of other pipelines are left out, as every
    /// calculator leaves them out. The deals are read once; their order is kept, so sums add up in the same order as over
    /// the deals themselves.
    /// </summary>
    /// <param name="deals">The deals, with their stage history.</param>
    /// <param name="pipeline">The pipeline.</param>
    /// <returns>The table.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="deals"/> or <paramref name="pipeline"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="deals"/> contains <see langword="null"/>, or a deal of the pipeline has no currency (its value is
    /// <c>default(Money)</c>).
    /// </exception>
    /// <exception cref="UnknownStageException">A history entry of a deal of the pipeline names a stage the pipeline does not have.</exception>
    public static DealTable From(IEnumerable<OpportunityState> deals, PipelineDefinition pipeline)
    {
        ArgumentNullException.ThrowIfNull(deals);
        ArgumentNullException.ThrowIfNull(pipeline);
        var stages = new StageLookup(pipeline);
        if (stages.Count > MaxStages)
        {
            throw new ArgumentException($"A {nameof(DealTable)} holds pipelines of at most {MaxStages} stages; '{pipeline.Id}' has {stages.Count}.", nameof(pipeline));
        }

        var columns = new Columns(deals.TryGetNonEnumeratedCount(out var count) ? count : 0);
        foreach (var deal in DealArguments.NoNulls(deals))
        {
            if (Deals.SameText(deal.PipelineId.Value, pipeline.Id.Value))
            {
                if (deal.Value.Currency is null)
                {
                    throw new ArgumentException(
                        $"Deal '{deal.Id}' has no currency: its value is default(Money). Give it a value made with Money.Of(amount, currency).",
                        nameof(deals));
                }

                columns.Add(deal, stages);
                if (columns.CurrencyCount > MaxCurrencies)
                {
                    throw new ArgumentException($"A {nameof(DealTable)} holds at most {MaxCurrencies} currencies; deal '{deal.Id}' brings one more, {deal.Value.Currency}.", nameof(deals));
                }
            }
        }

        return new DealTable(pipeline, stages, columns);
    }

    /// <summary>The index of an owner in <see cref="Owner"/>, or −1 when no deal in the table has that owner.</summary>
    internal int OwnerIndex(string owner) => _owners.GetValueOrDefault(owner, -1);

    /// <summary>The bits of <see cref="Flags"/>.</summary>
    internal static class DealFlags
    {
        public const byte Won = 1;
        public const byte Lost = 2;
        public const byte Closed = Won | Lost;
        public const byte HasOverride = 4;
    }

    /// <summary>The columns while they are being filled.</summary>
    private sealed class Columns(int capacity)
    {
        private readonly CurrencyTable _currencies = new();

        public Dictionary<string, int> Owners { get; } = new(StringComparer.Ordinal);

        public int CurrencyCount => _currencies.Count;

        public string[] Currencies => [.. Enumerable.Range(0, _currencies.Count).Select(c => _currencies[c])];

        public List<decimal> Amount { get; } = new(capacity);

        public List<byte> Currency { get; } = new(capacity);

        public List<byte> Flags { get; } = new(capacity);

        public List<int> Override { get; } = new(capacity);

        public List<int> Owner { get; } = new(capacity);

        public List<Instant> ClosedAt { get; } = new(capacity);

        public List<int> HistoryStart { get; } = new(capacity + 1) { 0 };

        public List<Instant> ChangeAt { get; } = new(HistoryCapacity(capacity));

        public List<ushort> ChangeStage { get; } = new(HistoryCapacity(capacity));

        public void Add(OpportunityState deal, StageLookup stages)
        {
            var c = _currencies.IndexOf(deal.Value.Currency);
            foreach (var change in deal.History)
            {
                ChangeAt.Add(change.At);
                ChangeStage.Add((ushort)stages.IndexOf(change.To));
            }

            HistoryStart.Add(ChangeAt.Count);
            Amount.Add(deal.Value.Amount);
            Currency.Add((byte)c);
            Override.Add(deal.ProbabilityOverride ?? 0);
            Owner.Add(deal.Owner.Value is { } owner ? OwnerIndex(owner) : -1);
            var flags = deal.ProbabilityOverride is null ? (byte)0 : DealFlags.HasOverride;
            if (deal.Outcome is { } outcome)
            {
                flags |= outcome.Kind == OutcomeKind.Won ? DealFlags.Won : DealFlags.Lost;
            }

            Flags.Add(flags);
            ClosedAt.Add(deal.Outcome?.ClosedAt ?? default);
        }

        /// <summary>Room for three history entries a deal, a typical pipeline's, so the lists rarely grow.</summary>
        private static int HistoryCapacity(int deals) => (int)Math.Min(3L * deals, Array.MaxLength);

        private int OwnerIndex(string owner)
        {
            if (!Owners.TryGetValue(owner, out var index))
            {
                index = Owners.Count;
                Owners.Add(owner, index);
            }

            return index;
        }
    }
}
