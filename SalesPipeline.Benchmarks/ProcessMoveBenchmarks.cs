using BenchmarkDotNet.Attributes;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Stateless;

namespace SalesPipeline.Benchmarks;

/// <summary>One move of one deal: what the process adds on top of the state machine it runs on.</summary>
/// <remarks>
/// <para>
/// Baseline: a bare Stateless <c>Fire</c> on one machine built once and configured with the default pipeline
/// (<see cref="StatelessPipeline"/>); its guards evaluate the deal being moved, its state is a field. Candidate:
/// <see cref="Opportunity.MoveTo"/>, which checks the arguments and the requirements (to name every unmet one),
/// fires on a pooled Stateless machine, and records the change in the deal's history. Target: at most 3 times
/// the bare <c>Fire</c>.
/// </para>
/// <para>
/// Both sides do the same moves on the same kind of deal: one invocation takes the next deal and moves it from
/// identification to qualification (guarded: a contact must be logged, and it is) and back (unguarded), so one
/// operation is one move, half of them guarded. A move appends to the deal's history, so moving the same deals
/// again and again would grow their histories without bound and measure lists that real deals never have.
/// Instead <see cref="CreateDeals"/> builds <see cref="DealsPerIteration"/> fresh deals before every iteration and
/// the iteration makes exactly that many invocations, so every deal is moved once forth and back; BenchmarkDotNet
/// runs the iteration setup outside the measured time and the allocation count. The baseline walks the same fresh
/// deals, so both sides touch the same memory.
/// </para>
/// <para>
/// The deals are long-lived by the time they move (BenchmarkDotNet collects garbage after the setup), and the
/// history entry a move appends is a new object referenced from an old one, which the garbage collector must
/// track: that cost is in <see cref="MoveTo"/>'s figure and the bare <c>Fire</c> has none. It grows with the
/// number of old deals changed between collections: moving 50,000 kept deals in one sweep cost several times
/// more per move than moving 5,000. The service moves a deal it has just restored from its store, so it never
/// changes many long-lived deals at once; 5,000 deals per iteration keeps that effect at the size of a busy
/// batch while each iteration stays several milliseconds long.
/// </para>
/// <para>Rerun: <c>dotnet run -c Release --project SalesPipeline.Benchmarks -- --filter '*ProcessMoveBenchmarks*'</c>;
/// results, and how to read them, are in <c>SalesPipeline.Benchmarks/results/</c>.</para>
/// </remarks>
[InvocationCount(DealsPerIteration)]
public class ProcessMoveBenchmarks
{
    /// <summary>How many fresh deals an iteration moves: one per invocation.</summary>
    public const int DealsPerIteration = 5_000;

    private const string Identification = "identification";
    private const string Qualification = "qualification";

    private readonly StateMachine<string, string> _machine;
    private Opportunity[] _deals = [];
    private int _next;
    private Opportunity? _current;
    private string _state = Identification;

    /// <summary>Initializes the benchmark with its one prebuilt machine.</summary>
    public ProcessMoveBenchmarks()
    {
        _machine = new StateMachine<string, string>(() => _state, s => _state = s);
        StatelessPipeline.Configure(_machine, () => _current!);
    }

    /// <summary>Builds fresh deals in identification, each with a call logged.</summary>
    [IterationSetup]
    public void CreateDeals()
    {
        _deals = SampleDeals.ReadyForQualification(DealsPerIteration);
        _next = 0;
    }

    /// <summary>A bare <c>Fire</c> on the prebuilt machine, forth and back, its guards reading the next deal.</summary>
    /// <returns>The state the machine ends in.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = 2)]
    public string StatelessFire()
    {
        _current = _deals[_next++];
        _machine.Fire(Qualification);
        _machine.Fire(Identification);
        return _state;
    }

    /// <summary><see cref="Opportunity.MoveTo"/> forth and back on the next deal.</summary>
    /// <returns>The stage the deal ends in.</returns>
    [Benchmark(OperationsPerInvoke = 2)]
    public StageId MoveTo()
    {
        var deal = _deals[_next++];
        deal.MoveTo(PipelineDefinition.Default, Stages.Qualification, SampleDeals.Owner, SampleDeals.Later);
        deal.MoveTo(PipelineDefinition.Default, Stages.Identification, SampleDeals.Owner, SampleDeals.Later);
        return deal.Stage;
    }
}
