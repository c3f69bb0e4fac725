using System.Collections.Concurrent;
using System.Collections.Frozen;
using SalesPipeline.Domain;
using Stateless;
using Stateless.Graph;

namespace SalesPipeline.Process.Internal;

/// <summary>
/// A pipeline definition compiled once: a transition table for queries, and pooled Stateless machines
/// (configured once each) that make every move. The machine's state is read from the deal being
/// moved, so no per-deal machine is ever built.
/// </summary>
internal sealed class PipelineEngine
{
    private readonly PipelineDefinition _definition;
    private readonly FrozenDictionary<StageId, Transition[]> _transitions;
    private readonly FrozenDictionary<StageId, StageId[]> _targets;
    private readonly ConcurrentBag<MachineSlot> _slots = [];

    public PipelineEngine(PipelineDefinition definition)
    {
        _definition = definition;
        var movesFrom = definition.Moves.ToLookup(m => m.From);
        _transitions = definition.Stages.ToFrozenDictionary(
            s => s.Id,
            s => movesFrom[s.Id].Select(m => new Transition(definition.Stage(m.To))).ToArray());
        _targets = _transitions.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.Select(t => t.Target.Id).ToArray());
    }

    public IReadOnlyList<StageId> TargetsFrom(StageId from) =>
        _targets.TryGetValue(from, out var targets) ? targets : throw new UnknownStageException(_definition.Id, from, _definition.Stages.Select(s => s.Id));

    public IReadOnlyList<StageId> PermittedMoves(Opportunity opportunity)
    {
        if (opportunity.IsClosed || !_transitions.TryGetValue(opportunity.Stage, out var transitions))
        {
            return [];
        }

        var context = new MoveContext(opportunity, _definition, default, null, null);
        List<StageId>? permitted = null;
        foreach (var transition in transitions)
        {
            if (transition.DealRequirementsMet(context))
            {
                (permitted ??= new List<StageId>(transitions.Length)).Add(transition.Target.Id);
            }
        }

        return permitted ?? (IReadOnlyList<StageId>)[];
    }

    public static IReadOnlyList<UnmetRequirement> Unmet(in MoveContext context, StageDefinition target)
    {
        List<UnmetRequirement>? unmet = null;
        foreach (var requirement in target.Requirements)
        {
            if (!requirement.IsMetBy(context))
            {
                (unmet ??= []).Add(new UnmetRequirement(requirement.Id, requirement.ExplainFor(context)));
            }
        }

        return unmet ?? (IReadOnlyList<UnmetRequirement>)[];
    }

    /// <summary>Checks a move and, when it is allowed, fires it on the state machine; returns the stage entered.</summary>
    public StageId Fire(in MoveContext context)
    {
        var opportunity = context.Opportunity;
        var target = _definition.Stage(context.Target);
        if (opportunity.IsClosed)
        {
            throw Rejected(opportunity, context.Target, TransitionRejection.OpportunityClosed, []);
        }

        if (!IsAllowed(opportunity.Stage, context.Target))
        {
            throw Rejected(opportunity, context.Target, TransitionRejection.MoveNotAllowed, []);
        }

        var unmet = Unmet(context, target);
        if (unmet.Count > 0)
        {
            throw Rejected(opportunity, context.Target, TransitionRejection.RequirementsUnmet, unmet);
        }

        return FireOnMachine(context, new Trigger(context.Target, IsReopen: false));
    }

    public StageId Reopen(in MoveContext context)
    {
        var opportunity = context.Opportunity;
        var target = _definition.Stage(context.Target);
        if (!opportunity.IsClosed || !target.IsOpen)
        {
            throw Rejected(opportunity, context.Target, TransitionRejection.ReopenNotAllowed, []);
        }

        return FireOnMachine(context, new Trigger(context.Target, IsReopen: true));
    }

    /// <summary>Fires on a pooled machine: Stateless machines are not thread-safe, so each is used by one thread at a time.</summary>
    private StageId FireOnMachine(in MoveContext context, Trigger trigger)
    {
        if (!_slots.TryTake(out var slot))
        {
            slot = new MachineSlot(this);
        }

        try
        {
            return slot.Fire(context, trigger);
        }
        finally
        {
            _slots.Add(slot);
        }
    }

    public string ToMermaid() => MermaidGraph.Format(CreateDiagramMachine().GetInfo());

    public string ToDot() => UmlDotGraph.Format(CreateDiagramMachine().GetInfo());

    private bool IsAllowed(StageId from, StageId to) =>
        _targets.TryGetValue(from, out var targets) && Array.IndexOf(targets, to) >= 0;

    private StageTransitionRejectedException Rejected(Opportunity opportunity, StageId to, TransitionRejection reason, IReadOnlyList<UnmetRequirement> unmet) =>
        new(opportunity.Id, opportunity.Name, opportunity.Stage, to, reason, unmet, TargetsFrom(opportunity.Stage));

    private StateMachine<StageId, Trigger> CreateDiagramMachine()
    {
        var state = _definition.InitialStage;
        var machine = new StateMachine<StageId, Trigger>(() => state, s => state = s);
        Configure(machine, slot: null);
        return machine;
    }

    /// <summary>Configures a machine from the definition; with a slot, guards read the deal being moved from it.</summary>
    private void Configure(StateMachine<StageId, Trigger> machine, MachineSlot? slot)
    {
        foreach (var stage in _definition.Stages)
        {
            var configuration = machine.Configure(stage.Id);
            foreach (var transition in _transitions[stage.Id])
            {
                var trigger = new Trigger(transition.Target.Id, IsReopen: false);
                var requirements = transition.Target.Requirements;
                if (requirements.Count == 0)
                {
                    configuration.Permit(trigger, transition.Target.Id);
                }
                else
                {
                    var guards = requirements
                        .Select(r => new Tuple<Func<bool>, string>(slot is null ? () => true : () => r.IsMetBy(slot.Context), r.Id))
                        .ToArray();
                    configuration.PermitIf(trigger, transition.Target.Id, guards);
                }
            }

            if (slot is not null && !stage.IsOpen)
            {
                foreach (var open in _definition.Stages.Where(s => s.IsOpen))
                {
                    configuration.Permit(new Trigger(open.Id, IsReopen: true), open.Id);
                }
            }
        }
    }

    private sealed class Transition(StageDefinition target)
    {
        private readonly StageRequirement[] _dealRequirements = [.. target.Requirements.Where(r => !r.SuppliedWithMove)];

        public StageDefinition Target { get; } = target;

        public bool DealRequirementsMet(in MoveContext context)
        {
            foreach (var requirement in _dealRequirements)
            {
                if (!requirement.IsMetBy(context))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>A configured machine. Its state accessor reads the stage of the deal being moved.</summary>
    private sealed class MachineSlot
    {
        private readonly StateMachine<StageId, Trigger> _machine;
        private StageId _entered;

        public MachineSlot(PipelineEngine engine)
        {
            _machine = new StateMachine<StageId, Trigger>(() => Context.Opportunity?.Stage ?? engine._definition.InitialStage, s => _entered = s);
            engine.Configure(_machine, this);
        }

        public MoveContext Context { get; private set; }

        public StageId Fire(in MoveContext context, Trigger trigger)
        {
            Context = context;
            try
            {
                _machine.Fire(trigger);
                return _entered;
            }
            finally
            {
                Context = default;
            }
        }
    }

    private readonly record struct Trigger(StageId Target, bool IsReopen)
    {
        public override string ToString() => IsReopen ? $"reopen to {Target}" : Target.Value;
    }
}
