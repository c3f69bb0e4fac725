using Stateless;

// Samples for the scanner's self-check: each exposes (or hides) a Stateless type in one position of a public surface.
// They exist to be reflected over, never called, so the analyzers' advice on public fields and unused events does not apply.
#pragma warning disable CA1051 // Do not declare visible instance fields: a public field is one of the positions under test.
#pragma warning disable CA1034 // Nested types should not be visible: nested types are positions under test.
#pragma warning disable CS0067 // The event is never used: it exists to be found by reflection.
#pragma warning disable CA1812 // Never instantiated: reflected over only.

namespace SalesPipeline.Tests.Architecture.Samples;

public class ExposesStateless
{
    public StateMachine<int, int>[]? Machines;

    public ExposesStateless(StateMachine<int, int> machine) => Machines = [machine];

    public event Action<StateMachine<int, int>.Transition>? Moved;

    public IReadOnlyList<KeyValuePair<string, StateMachine<int, int>>>? Configurations { get; }

    public int this[StateMachine<string, string> trigger] => 0;

    public StateMachine<int, int>? Machine() => null;

    public void Accept(ref StateMachine<int, int>? machine) => machine = null;

    public T? Convert<T>()
        where T : StateMachine<int, int> => null;

    public sealed class Derived() : StateMachine<int, int>(0);

    public sealed class Generic<T>
        where T : StateMachine<int, int>;

    protected sealed class ProtectedNested
    {
        public StateMachine<int, int>? Machine() => null;
    }
}

public sealed class HidesStateless
{
    private readonly StateMachine<int, int> _machine = new(0);

    public int State => _machine.State;

    internal StateMachine<int, int> Machine => _machine;

    private StateMachine<int, int> Private() => _machine;

    public int Fire() => Private().State + Machine.State;
}

internal sealed class InternalSample
{
    public StateMachine<int, int>? Machine { get; set; }
}
