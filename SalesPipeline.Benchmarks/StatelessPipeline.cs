using SalesPipeline.Domain;
using SalesPipeline.Process;
using Stateless;

namespace SalesPipeline.Benchmarks;

/// <summary>
/// The default pipeline written directly on Stateless, as a first implementation would: string states and
/// triggers (the trigger is the target stage), one <c>PermitIf</c> per move with a guard for each entry
/// requirement on the deal's data. Requirements a move supplies itself (a loss reason, a closing comment) do not
/// guard, as in <see cref="PipelineDefinition.PermittedMoves"/>. The moves and requirements are read from
/// <see cref="PipelineDefinition.Default"/> once, so the baseline cannot drift from the pipeline it stands for;
/// the guards are plain loops, so the baseline pays nothing the library would not.
/// </summary>
internal static class StatelessPipeline
{
    private static readonly Move[] Moves = ReadMoves(PipelineDefinition.Default);

    /// <summary>Builds and configures a machine for one deal, its state read from the deal (the baseline query).</summary>
    public static StateMachine<string, string> ForDeal(Opportunity deal)
    {
        // The state is only read: the query never fires.
        var machine = new StateMachine<string, string>(() => deal.Stage.Value, static _ => { });
        Configure(machine, () => deal);
        return machine;
    }

    /// <summary>Asks a machine which triggers it permits now, evaluating the guards.</summary>
    public static IEnumerable<string> PermittedTriggers(StateMachine<string, string> machine)
    {
        // Stateless 5.20.1 marks GetPermittedTriggers obsolete in favour of GetPermittedTriggersAsync. The guards
        // here are synchronous; the asynchronous variant would add task machinery to the baseline and flatter the
        // library, so the baseline keeps the synchronous call.
#pragma warning disable CS0618
        return machine.GetPermittedTriggers();
#pragma warning restore CS0618
    }

    /// <summary>Asks a machine why it would not fire <paramref name="trigger"/> now: the names of its unmet guards.</summary>
    public static ICollection<string> UnmetGuards(StateMachine<string, string> machine, string trigger)
    {
        machine.CanFire(trigger, out var unmet);
        return unmet ?? throw new InvalidOperationException($"The pipeline has no move from '{machine.State}' to '{trigger}'.");
    }

    /// <summary>Configures every move of the default pipeline; guards evaluate the deal <paramref name="deal"/> returns.</summary>
    public static void Configure(StateMachine<string, string> machine, Func<Opportunity> deal)
    {
        foreach (var move in Moves)
        {
            var from = machine.Configure(move.From);
            if (move.Guard is { } guard)
            {
                from.PermitIf(move.To, move.To, () => guard(deal()), move.GuardName);
            }
            else
            {
                from.Permit(move.To, move.To);
            }
        }
    }

    private static Move[] ReadMoves(PipelineDefinition pipeline) =>
    [
        .. pipeline.Moves.Select(m =>
        {
            var onDeal = pipeline.Stage(m.To).Requirements.Where(r => !r.SuppliedWithMove).ToArray();
            return onDeal.Length switch
            {
                0 => new Move(m.From.Value, m.To.Value, null, null),
                1 => new Move(m.From.Value, m.To.Value, GuardFor(onDeal[0].Id), onDeal[0].Id),
                _ => throw new NotSupportedException($"Stage '{m.To}' has {onDeal.Length} requirements on the deal; the baseline writes one guard per move."),
            };
        }),
    ];

    private static Func<Opportunity, bool> GuardFor(string requirement) => requirement switch
    {
        "contact-logged" => ContactLogged,
        "needs-and-budget" => static d => d.Qualification?.HasNeedsAndBudget == true,
        "offer-attached" => static d => d.Offers.Count > 0,
        _ => throw new NotSupportedException($"The baseline has no guard for requirement '{requirement}'."),
    };

    private static bool ContactLogged(Opportunity deal)
    {
        var activities = deal.Activities;
        for (var i = 0; i < activities.Count; i++)
        {
            if (activities[i].IsCompletedContact)
            {
                return true;
            }
        }

        return false;
    }

    private sealed record Move(string From, string To, Func<Opportunity, bool>? Guard, string? GuardName);
}
