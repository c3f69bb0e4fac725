using BenchmarkDotNet.Attributes;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Benchmarks;

/// <summary>
/// Why a deal cannot move on: for every deal of a large pipeline, every unmet requirement of the move to the next
/// stage (the question a board view asks when a salesperson drags a deal forward).
/// </summary>
/// <remarks>
/// <para>
/// Baseline: the naive use of Stateless, as in <see cref="ProcessBenchmarks"/> — for each deal, build a
/// <c>StateMachine</c> whose state is read from the deal, configure the default pipeline's moves and guards on it
/// (<see cref="StatelessPipeline"/>) and ask <c>CanFire(next, out unmetGuards)</c>. Candidate:
/// <see cref="PipelineDefinition.WhyNot"/>, which also words each unmet requirement with what to do.
/// </para>
/// <para>
/// The next stage is the following open stage, or won from the last open one. The deals
/// (<see cref="SampleDeals.SpreadOverOpenStages"/>) are built once; a query does not change them. Both sides return the
/// total number of unmet requirements, and <see cref="Setup"/> checks that both name the same requirements for every
/// kind of deal.
/// </para>
/// <para>Rerun: <c>dotnet run -c Release --project SalesPipeline.Benchmarks -- --filter '*ProcessWhyNotBenchmarks*' --job short</c>.</para>
/// </remarks>
public class ProcessWhyNotBenchmarks
{
    private static readonly PipelineDefinition Pipeline = PipelineDefinition.Default;
    private Opportunity[] _deals = [];
    private StageId[] _next = [];

    /// <summary>Gets the deal counts to run at: 10^5 in the committed results, <c>--deals</c> replaces it.</summary>
    public static IEnumerable<int> Sizes => BenchmarkSizes.Or(100_000);

    /// <summary>Gets or sets how many deals one operation asks about.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Deals { get; set; }

    /// <summary>Builds the deals and their next stages and checks that both sides name the same unmet requirements.</summary>
    /// <exception cref="InvalidOperationException">The baseline and the library disagree on a deal.</exception>
    [GlobalSetup]
    public void Setup()
    {
        _deals = SampleDeals.SpreadOverOpenStages(Deals);
        var open = Pipeline.OpenStages.ToList();
        _next = [.. _deals.Select(d => open.IndexOf(d.Stage) is var i && i + 1 < open.Count ? open[i + 1] : Pipeline.WonStage)];
        var unmet = 0;
        for (var i = 0; i < Math.Min(SampleDeals.Period, _deals.Length); i++)
        {
            var deal = _deals[i];
            var stateless = StatelessPipeline.UnmetGuards(StatelessPipeline.ForDeal(deal), _next[i].Value).Order(StringComparer.Ordinal);
            var library = Pipeline.WhyNot(deal, _next[i]).Select(u => u.Id).Order(StringComparer.Ordinal).ToList();
            unmet += library.Count;
            if (!stateless.SequenceEqual(library))
            {
                throw new InvalidOperationException(
                    $"Deal '{deal.Name}' in '{deal.Stage}' to '{_next[i]}': Stateless names [{string.Join(", ", stateless)}], the library [{string.Join(", ", library)}].");
            }
        }

        // A comparison where every move is allowed would measure nothing of the explanation.
        if (unmet == 0 && _deals.Length >= SampleDeals.Period)
        {
            throw new InvalidOperationException("No sample deal has an unmet requirement.");
        }
    }

    /// <summary>A Stateless machine built and configured per deal, asked for its unmet guards.</summary>
    /// <returns>The number of unmet requirements over all deals.</returns>
    [Benchmark(Baseline = true)]
    public int StatelessMachinePerDeal()
    {
        var unmet = 0;
        for (var i = 0; i < _deals.Length; i++)
        {
            unmet += StatelessPipeline.UnmetGuards(StatelessPipeline.ForDeal(_deals[i]), _next[i].Value).Count;
        }

        return unmet;
    }

    /// <summary>The library's explanation on the default pipeline.</summary>
    /// <returns>The number of unmet requirements over all deals.</returns>
    [Benchmark]
    public int WhyNot()
    {
        var unmet = 0;
        for (var i = 0; i < _deals.Length; i++)
        {
            unmet += Pipeline.WhyNot(_deals[i], _next[i]).Count;
        }

        return unmet;
    }
}
