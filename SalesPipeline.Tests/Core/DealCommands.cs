using FsCheck;
using FsCheck.Fluent;
using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Tests.Core;

/// <summary>One thing a salesperson (or a careless caller) does to a deal; many are refused by design.</summary>
public abstract record DealCommand
{
    internal abstract void Apply(Opportunity deal, PipelineDefinition pipeline, FakeClock clock);

    internal sealed record AdvanceClock(Duration By) : DealCommand
    {
        internal override void Apply(Opportunity deal, PipelineDefinition pipeline, FakeClock clock) => clock.Advance(By);
    }

    internal sealed record Move(StageId To, UserId By, string? Comment) : DealCommand
    {
        internal override void Apply(Opportunity deal, PipelineDefinition pipeline, FakeClock clock) =>
            deal.MoveTo(pipeline, To, By, clock.GetCurrentInstant(), Comment);
    }

    /// <summary>Moves to the next stage in pipeline order: the move a salesperson makes most, so sequences get far.</summary>
    internal sealed record MoveForward(UserId By) : DealCommand
    {
        internal override void Apply(Opportunity deal, PipelineDefinition pipeline, FakeClock clock)
        {
            var order = pipeline.Stage(deal.Stage).Order;
            var next = pipeline.Stages[Math.Min(order + 1, pipeline.Stages.Count - 1)];
            deal.MoveTo(pipeline, next.Id, By, clock.GetCurrentInstant());
        }
    }

    /// <summary>A stage change stamped before the deal entered its stage, as when a server's clock went back.</summary>
    internal sealed record MoveBackInTime(StageId To, UserId By) : DealCommand
    {
        internal override void Apply(Opportunity deal, PipelineDefinition pipeline, FakeClock clock) =>
            deal.MoveTo(pipeline, To, By, deal.EnteredStageAt - Duration.FromMinutes(1));
    }

    internal sealed record Win(UserId By, string? Comment) : DealCommand
    {
        internal override void Apply(Opportunity deal, PipelineDefinition pipeline, FakeClock clock) =>
            deal.Win(pipeline, By, clock.GetCurrentInstant(), Comment);
    }

    internal sealed record Lose(string? Reason, string? Comment, UserId By) : DealCommand
    {
        internal override void Apply(Opportunity deal, PipelineDefinition pipeline, FakeClock clock) =>
            deal.Lose(pipeline, Reason, Comment, By, clock.GetCurrentInstant());
    }

    internal sealed record Reopen(StageId? Into, string Comment, UserId By) : DealCommand
    {
        internal override void Apply(Opportunity deal, PipelineDefinition pipeline, FakeClock clock) =>
            deal.Reopen(pipeline, Comment, By, clock.GetCurrentInstant(), Into);
    }

    /// <summary>Logs a contact or note; a next contact in the past (negative offset) is refused.</summary>
    internal sealed record Log(ActivityKind Kind, Duration? NextContactIn, UserId By) : DealCommand
    {
        internal override void Apply(Opportunity deal, PipelineDefinition pipeline, FakeClock clock)
        {
            var now = clock.GetCurrentInstant();
            deal.LogActivity(new NewActivity(Kind, $"{Kind} by {By}", NextContact: now + NextContactIn), By, now);
        }
    }

    internal sealed record PlanMeeting(Duration DueIn, UserId By) : DealCommand
    {
        internal override void Apply(Opportunity deal, PipelineDefinition pipeline, FakeClock clock) =>
            deal.LogActivity(NewActivity.Meeting("Workshop", due: clock.GetCurrentInstant() + DueIn), By, clock.GetCurrentInstant());
    }

    /// <summary>Completes the oldest activity, done or not: completing a done one is refused.</summary>
    internal sealed record CompleteOldest(UserId By) : DealCommand
    {
        internal override void Apply(Opportunity deal, PipelineDefinition pipeline, FakeClock clock) =>
            deal.CompleteActivity(deal.Activities.Count > 0 ? deal.Activities[0].Id : ActivityId.New(), By, clock.GetCurrentInstant());
    }

    internal sealed record RecordQualification(bool Needs, decimal? Budget, UserId By) : DealCommand
    {
        internal override void Apply(Opportunity deal, PipelineDefinition pipeline, FakeClock clock) =>
            deal.RecordQualification(
                new QualificationData(Needs ? "A new ERP" : null, "Month-end takes two weeks", Budget is { } b ? Money.Of(b, "PLN") : null, null),
                By,
                clock.GetCurrentInstant());
    }

    internal sealed record AttachOffer(UserId By) : DealCommand
    {
        internal override void Apply(Opportunity deal, PipelineDefinition pipeline, FakeClock clock) =>
            deal.AttachOffer(DocumentId.New(), "Offer", By, clock.GetCurrentInstant());
    }

    internal sealed record OverrideProbability(int? Percent, UserId By) : DealCommand
    {
        internal override void Apply(Opportunity deal, PipelineDefinition pipeline, FakeClock clock) =>
            deal.OverrideProbability(Percent, By, clock.GetCurrentInstant());
    }
}

/// <summary>A deal created at <see cref="DealKit.T0"/> in the default pipeline and up to 30 commands to apply to it.</summary>
/// <param name="Commands">The commands, in order.</param>
public sealed record DealScript(IReadOnlyList<DealCommand> Commands)
{
    /// <inheritdoc />
    public override string ToString() => string.Join(Environment.NewLine, Commands.Select((c, i) => $"{i + 1,2}. {c}"));
}

/// <summary>What happened at one step of a <see cref="DealScript"/>.</summary>
/// <param name="Command">The command applied.</param>
/// <param name="Before">The deal's state before it.</param>
/// <param name="Refusal">The exception that refused it, if it was refused.</param>
internal sealed record DealStep(DealCommand Command, OpportunityState Before, Exception? Refusal);

/// <summary>Bounded random command sequences for properties of the aggregate and the process.</summary>
public static class DealScripts
{
    public const int MaxCommands = 30;

    private static readonly UserId[] Users = [DealKit.Anna, DealKit.Bob];

    private static Gen<UserId> User => Gen.Elements(Users);

    private static Gen<StageId> Stage => Gen.Elements(PipelineDefinition.Default.Stages.Select(s => s.Id));

    private static Gen<string?> Comment => Gen.Elements<string?>(null, "", "  ", "Decided on price", "Champion left the company");

    /// <summary>Listed reasons (some typed carelessly), reasons not on the list, and none.</summary>
    private static Gen<string?> Reason => Gen.Elements(
        PipelineDefinition.Default.LossReasons.Concat<string?>([" price ", "NO BUDGET", "Weather", "Pricing", "", null]).ToArray());

    private static Gen<DealCommand> Command => Gen.Frequency<DealCommand>(
        (2, Gen.Choose(0, 72 * 60).Select(m => (DealCommand)new DealCommand.AdvanceClock(Duration.FromMinutes(m)))),
        (1, from stage in Stage from user in User from comment in Comment select (DealCommand)new DealCommand.Move(stage, user, comment)),
        (8, User.Select(user => (DealCommand)new DealCommand.MoveForward(user))),
        (1, from stage in Stage from user in User select (DealCommand)new DealCommand.MoveBackInTime(stage, user)),
        (4, from user in User from comment in Comment select (DealCommand)new DealCommand.Win(user, comment)),
        (1, from reason in Reason from comment in Comment from user in User select (DealCommand)new DealCommand.Lose(reason, comment, user)),
        (3, from target in Gen.OneOf(Gen.Constant<StageId?>(null), Stage.Select(s => (StageId?)s))
            from comment in Gen.Elements("Back on the table", "Budget approved after all", " ")
            from user in User
            select (DealCommand)new DealCommand.Reopen(target, comment, user)),
        (5, from kind in Gen.Elements(Enum.GetValues<ActivityKind>().Where(k => k != ActivityKind.Task))
            from next in Gen.OneOf(Gen.Constant<Duration?>(null), Gen.Choose(-48, 14 * 24).Select(h => (Duration?)Duration.FromHours(h)))
            from user in User
            select (DealCommand)new DealCommand.Log(kind, next, user)),
        (1, from hours in Gen.Choose(1, 96) from user in User select (DealCommand)new DealCommand.PlanMeeting(Duration.FromHours(hours), user)),
        (1, User.Select(user => (DealCommand)new DealCommand.CompleteOldest(user))),
        (4, from needs in Gen.Elements(true, true, true, false)
            from budget in Gen.Elements<decimal?>(50_000m, 120_000.50m, 80_000m, null, -1m, 0.001m)
            from user in User
            select (DealCommand)new DealCommand.RecordQualification(needs, budget, user)),
        (3, User.Select(user => (DealCommand)new DealCommand.AttachOffer(user))),
        (1, from percent in Gen.OneOf(Gen.Constant<int?>(null), Gen.Choose(-10, 120).Select(p => (int?)p))
            from user in User
            select (DealCommand)new DealCommand.OverrideProbability(percent, user)));

    /// <summary>Mostly long scripts, which get deals far enough to close and reopen them; some short ones.</summary>
    public static Gen<DealScript> ScriptGen =>
        from count in Gen.Frequency((1, Gen.Choose(0, 10)), (3, Gen.Choose(11, MaxCommands)))
        from commands in Gen.ListOf(Command, count)
        select new DealScript([.. commands]);

    /// <summary>Shrinks by dropping commands, so a failure is reported with the shortest script that still fails.</summary>
    public static Arbitrary<DealScript> Script() => Arb.From(ScriptGen, Shrink);

    private static IEnumerable<DealScript> Shrink(DealScript script)
    {
        var commands = script.Commands;
        for (var i = 0; i < commands.Count; i++)
        {
            yield return new DealScript([.. commands.Take(i), .. commands.Skip(i + 1)]);
        }
    }

    /// <summary>
    /// Creates the deal and applies every command, calling <paramref name="afterEach"/> after each one. Refusals the API
    /// documents (argument and invalid-operation exceptions, which include every rejected stage change) are caught and
    /// reported in the step; any other exception is a bug and escapes.
    /// </summary>
    internal static Opportunity Replay(DealScript script, Action<Opportunity, DealStep>? afterEach = null)
    {
        var pipeline = PipelineDefinition.Default;
        var clock = new FakeClock(DealKit.T0);
        var deal = Opportunity.Create(DealKit.NewDeal(), pipeline, DealKit.Anna, DealKit.T0);
        foreach (var command in script.Commands)
        {
            var before = deal.ToState();
            Exception? refusal = null;
            try
            {
                command.Apply(deal, pipeline, clock);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                refusal = e;
            }

            afterEach?.Invoke(deal, new DealStep(command, before, refusal));
        }

        return deal;
    }
}
