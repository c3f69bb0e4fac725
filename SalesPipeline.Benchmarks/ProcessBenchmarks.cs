using BenchmarkDotNet.Attributes;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Benchmarks;

/// <summary>
/// Which moves are permitted now, for every deal of a large pipeline (the question a board view or a nightly
/// report asks of each deal).
/// </summary>
/// <remarks>
/// <para>
/// Baseline: what the naive use of Stateless costs — for each deal, build a <c>StateMachine</c> whose state is read
/// from the deal, configure the default pipeline's moves and guards on it (<see cref="StatelessPipeline"/>) and ask
/// <c>GetPermittedTriggers()</c>. Candidate: <see cref="PipelineDefinition.PermittedMoves"/>, which answers from
/// the transition table compiled once per definition. Target: at least 10 times faster than the baseline.
/// </para>
/// <para>
/// The deals (<see cref="SampleDeals.SpreadOverOpenStages"/>) are built once; a query does not change them. Both
/// sides return the total number of permitted moves, and <see cref="Setup"/> checks that both give the same moves
/// for every kind of deal, so the comparison is between two answers to the same question.
/// </para>
/// <para>Rerun: <c>dotnet run -c Release --project SalesPipeline.Benchmarks -- --filter '*ProcessBenchmarks*'</c>;
/// results, and how to read them, are in <c>SalesPipeline.Benchmarks/results/</c>.</para>
/// </remarks>
public class ProcessBenchmarks
{
    private Opportunity[] _deals = [];

    /// <summary>Gets the deal counts to run at: 10^5 in the committed results, <c>--deals</c> replaces it.</summary>
    public static IEnumerable<int> Sizes => BenchmarkSizes.Or(100_000);

    /// <summary>Gets or sets how many deals one operation queries.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Deals { get; set; }

    /// <summary>Builds the deals and checks that both sides give the same moves for every kind of deal.</summary>
    /// <exception cref="InvalidOperationException">The baseline and the library disagree on a deal.</exception>
    [GlobalSetup]
    public void Setup()
    {
        _deals = SampleDeals.SpreadOverOpenStages(Deals);
        foreach (var deal in _deals.Take(SampleDeals.Period))
        {
            var stateless = StatelessPipeline.PermittedTriggers(StatelessPipeline.ForDeal(deal)).Order(StringComparer.Ordinal);
            var library = PipelineDefinition.Default.PermittedMoves(deal).Select(s => s.Value).Order(StringComparer.Ordinal);
            if (!stateless.SequenceEqual(library))
            {
                throw new InvalidOperationException(
                    $"Deal '{deal.Name}' in '{deal.Stage}': Stateless permits [{string.Join(", ", stateless)}], the library [{string.Join(", ", library)}].");
            }
        }
    }

    /// <summary>A Stateless machine built and configured per deal, asked for its permitted triggers.</summary>
    /// <returns>The number of permitted moves over all deals.</returns>
    [Benchmark(Baseline = true)]
    public int StatelessMachinePerDeal()
    {
        var permitted = 0;
        foreach (var deal in _deals)
        {
            foreach (var _ in StatelessPipeline.PermittedTriggers(StatelessPipeline.ForDeal(deal)))
            {
                permitted++;
            }
        }

        return permitted;
    }

    /// <summary>The library's query on the default pipeline.</summary>
    /// <returns>The number of permitted moves over all deals.</returns>
    [Benchmark]
    public int PermittedMoves()
    {
        var pipeline = PipelineDefinition.Default;
        var permitted = 0;
        foreach (var deal in _deals)
        {
            permitted += pipeline.PermittedMoves(deal).Count;
        }

        return permitted;
    }
}
