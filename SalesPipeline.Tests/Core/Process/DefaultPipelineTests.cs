using System.Globalization;
using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;
using static SalesPipeline.Tests.Core.DealKit;

namespace SalesPipeline.Tests.Core.Process;

/// <summary>The five-stage process of DESIGN.md: its stages, its moves, and each default requirement refusing and then allowing a move.</summary>
public sealed class DefaultPipelineTests
{
    [Fact]
    public void Default_Stages_AreTheDesignedFiveStepProcess()
    {
        var stages = Default.Stages;

        Assert.Equal(new PipelineId("new-business"), Default.Id);
        Assert.Equal(["identification", "qualification", "offer", "negotiation", "won", "lost"], stages.Select(s => s.Id.Value));
        Assert.Equal([StageKind.Open, StageKind.Open, StageKind.Open, StageKind.Open, StageKind.Won, StageKind.Lost], stages.Select(s => s.Kind));
        Assert.Equal([10, 25, 50, 75, 100, 0], stages.Select(s => s.DefaultProbability));
        Assert.Equal(["Identification", "Qualification", "Offer", "Negotiation", "Won", "Lost"], stages.Select(s => s.Name));
        Assert.Equal(
            ["Identyfikacja", "Kwalifikacja", "Oferta", "Negocjacje", "Wygrana", "Przegrana"],
            stages.Select(s => s.NameIn(CultureInfo.GetCultureInfo("pl"))));
        Assert.Equal(Stages.Identification, Default.InitialStage);
        Assert.Equal(Stages.Won, Default.WonStage);
        Assert.Equal([Stages.Lost], Default.LostStages);
        Assert.NotEmpty(Default.LossReasons);
    }

    [Fact]
    public void Default_Requirements_AreTheDesignedGuards()
    {
        string[] RequirementsOf(StageId stage) => [.. Default.Stage(stage).Requirements.Select(r => r.Id)];

        Assert.Empty(RequirementsOf(Stages.Identification));
        Assert.Equal(["contact-logged"], RequirementsOf(Stages.Qualification));
        Assert.Equal(["needs-and-budget"], RequirementsOf(Stages.Offer));
        Assert.Equal(["offer-attached"], RequirementsOf(Stages.Negotiation));
        Assert.Equal(["offer-attached"], RequirementsOf(Stages.Won));
        Assert.Equal(["loss-reason", "closing-comment"], RequirementsOf(Stages.Lost));
    }

    public static TheoryData<string, string[]> DesignedMoves => new()
    {
        { "identification", ["qualification", "lost"] },
        { "qualification", ["identification", "offer", "lost"] },
        { "offer", ["identification", "qualification", "negotiation", "won", "lost"] },
        { "negotiation", ["identification", "qualification", "offer", "won", "lost"] },
        { "won", [] },
        { "lost", [] },
    };

    [Theory]
    [MemberData(nameof(DesignedMoves))]
    public void TargetsFrom_EachStage_IsForwardOneBackToAnyEarlierOpenAnyOpenToLostOfferOrNegotiationToWon(string from, string[] targets) =>
        Assert.Equal(targets, Default.TargetsFrom(new StageId(from)).Select(s => s.Value));

    [Fact]
    public void Moves_Default_AreExactlyTheFifteenDesignedMoves() =>
        Assert.Equal(15, Default.Moves.Count);

    [Fact]
    public void MoveTo_IdentificationToNegotiation_IsRefusedAsMoveNotAllowedListingTheAllowedTargets()
    {
        var deal = Create();
        LogContact(deal, Hour(1));
        AttachOffer(deal, Hour(1));
        var before = deal.ToState();

        var e = Assert.Throws<StageTransitionRejectedException>(() => deal.MoveTo(Default, Stages.Negotiation, Anna, Hour(2)));

        Assert.Equal(TransitionRejection.MoveNotAllowed, e.Reason);
        Assert.Equal(deal.Id, e.OpportunityId);
        Assert.Equal(Stages.Identification, e.From);
        Assert.Equal(Stages.Negotiation, e.To);
        Assert.Empty(e.UnmetRequirements);
        Assert.Equal([Stages.Qualification, Stages.Lost], e.AllowedTargets);
        Assert.Contains("cannot move from 'identification' to 'negotiation'", e.Message, StringComparison.Ordinal);
        Assert.Contains("it may move to: qualification, lost", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, deal.ToState());
    }

    [Theory]
    [InlineData("identification", "offer")]
    [InlineData("identification", "won")]
    [InlineData("qualification", "negotiation")]
    [InlineData("qualification", "won")]
    [InlineData("offer", "offer")]
    public void MoveTo_NotADesignedMove_IsRefusedAsMoveNotAllowed(string from, string to)
    {
        var deal = InStage(new StageId(from));
        RecordNeedsAndBudget(deal, Hour(7));
        AttachOffer(deal, Hour(7));

        var e = Assert.Throws<StageTransitionRejectedException>(() => deal.MoveTo(Default, new StageId(to), Anna, Hour(8)));

        Assert.Equal(TransitionRejection.MoveNotAllowed, e.Reason);
    }

    [Theory]
    [InlineData("qualification", "identification")]
    [InlineData("offer", "identification")]
    [InlineData("offer", "qualification")]
    [InlineData("negotiation", "identification")]
    [InlineData("negotiation", "qualification")]
    [InlineData("negotiation", "offer")]
    public void MoveTo_BackToAnyEarlierOpenStage_IsAllowed(string from, string to)
    {
        var deal = InStage(new StageId(from));

        deal.MoveTo(Default, new StageId(to), Anna, Hour(8));

        Assert.Equal(new StageId(to), deal.Stage);
    }

    [Theory]
    [InlineData("identification")]
    [InlineData("qualification")]
    [InlineData("offer")]
    [InlineData("negotiation")]
    public void Lose_FromAnyOpenStage_IsAllowed(string from)
    {
        var deal = InStage(new StageId(from));

        deal.Lose(Default, "No decision", "They went quiet", Anna, Hour(8));

        Assert.Equal(Stages.Lost, deal.Stage);
    }

    [Fact]
    public void Qualification_NoContactLogged_RefusedThenAllowedOnceAContactIsLogged()
    {
        var deal = Create();
        var before = deal.ToState();

        var e = Assert.Throws<StageTransitionRejectedException>(() => deal.MoveTo(Default, Stages.Qualification, Anna, Hour(1)));

        Assert.Equal(TransitionRejection.RequirementsUnmet, e.Reason);
        Assert.Equal(Stages.Identification, e.From);
        Assert.Equal(Stages.Qualification, e.To);
        Assert.Equal(["contact-logged"], e.UnmetRequirements.Select(u => u.Id));
        Assert.Contains("[contact-logged] Log at least one contact with the client", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, deal.ToState());

        deal.LogActivity(NewActivity.Email("Sent an intro"), Anna, Hour(2));
        deal.MoveTo(Default, Stages.Qualification, Anna, Hour(3));

        Assert.Equal(Stages.Qualification, deal.Stage);
    }

    [Fact]
    public void Offer_NeedsOrBudgetMissing_RefusedThenAllowedOnceBothAreRecorded()
    {
        var deal = InStage(Stages.Qualification);

        var none = Assert.Throws<StageTransitionRejectedException>(() => deal.MoveTo(Default, Stages.Offer, Anna, Hour(3)));
        Assert.Equal(Stages.Qualification, none.From);
        Assert.Equal(Stages.Offer, none.To);
        Assert.Equal(["needs-and-budget"], none.UnmetRequirements.Select(u => u.Id));

        deal.RecordQualification(new QualificationData("A new ERP", null, null, null), Anna, Hour(3));
        var needsOnly = Assert.Throws<StageTransitionRejectedException>(() => deal.MoveTo(Default, Stages.Offer, Anna, Hour(4)));
        Assert.Equal(["needs-and-budget"], needsOnly.UnmetRequirements.Select(u => u.Id));

        deal.RecordQualification(new QualificationData(null, "Slow month-end", Money.Of(100_000m, "PLN"), null), Anna, Hour(4));
        var budgetOnly = Assert.Throws<StageTransitionRejectedException>(() => deal.MoveTo(Default, Stages.Offer, Anna, Hour(5)));
        Assert.Equal(["needs-and-budget"], budgetOnly.UnmetRequirements.Select(u => u.Id));

        deal.RecordQualification(new QualificationData("A new ERP", "Slow month-end", Money.Of(100_000m, "PLN"), null), Anna, Hour(5));
        deal.MoveTo(Default, Stages.Offer, Anna, Hour(6));

        Assert.Equal(Stages.Offer, deal.Stage);
    }

    [Fact]
    public void Negotiation_NoOfferAttached_RefusedThenAllowedOnceAnOfferIsAttached()
    {
        var deal = InStage(Stages.Offer);
        var before = deal.ToState();

        var e = Assert.Throws<StageTransitionRejectedException>(() => deal.MoveTo(Default, Stages.Negotiation, Anna, Hour(5)));

        Assert.Equal(Stages.Offer, e.From);
        Assert.Equal(Stages.Negotiation, e.To);
        Assert.Equal(["offer-attached"], e.UnmetRequirements.Select(u => u.Id));
        Assert.Equal(before, deal.ToState());

        AttachOffer(deal, Hour(5));
        deal.MoveTo(Default, Stages.Negotiation, Anna, Hour(6));

        Assert.Equal(Stages.Negotiation, deal.Stage);
    }

    [Fact]
    public void Won_NoOfferAttached_RefusedThenAllowedOnceAnOfferIsAttached()
    {
        var deal = InStage(Stages.Offer);
        var before = deal.ToState();

        var e = Assert.Throws<StageTransitionRejectedException>(() => deal.Win(Default, Anna, Hour(5)));

        Assert.Equal(TransitionRejection.RequirementsUnmet, e.Reason);
        Assert.Equal(Stages.Offer, e.From);
        Assert.Equal(Stages.Won, e.To);
        Assert.Equal(["offer-attached"], e.UnmetRequirements.Select(u => u.Id));
        Assert.Equal(before, deal.ToState());

        AttachOffer(deal, Hour(5));
        deal.Win(Default, Anna, Hour(6));

        Assert.Equal(Stages.Won, deal.Stage);
        Assert.Equal(OutcomeKind.Won, deal.Outcome!.Kind);
        Assert.Equal(100, deal.Probability);
    }

    [Fact]
    public void Lost_NoReasonNoComment_RefusedListingBoth()
    {
        var deal = InStage(Stages.Qualification);
        var before = deal.ToState();

        var e = Assert.Throws<StageTransitionRejectedException>(() => deal.Lose(Default, null, null, Anna, Hour(3)));

        Assert.Equal(Stages.Qualification, e.From);
        Assert.Equal(Stages.Lost, e.To);
        Assert.Equal(["loss-reason", "closing-comment"], e.UnmetRequirements.Select(u => u.Id));
        Assert.Equal(before, deal.ToState());
    }

    [Fact]
    public void Lost_ReasonNotOnTheList_RefusedThenAllowedWithAListedReason()
    {
        var deal = InStage(Stages.Qualification);

        var e = Assert.Throws<StageTransitionRejectedException>(() => deal.Lose(Default, "Bad weather", "They cancelled", Anna, Hour(3)));
        Assert.Equal(["loss-reason"], e.UnmetRequirements.Select(u => u.Id));
        Assert.Contains("Give a loss reason from the pipeline's list", e.Message, StringComparison.Ordinal);

        deal.Lose(Default, "No decision", "They cancelled", Anna, Hour(3));

        Assert.Equal(Stages.Lost, deal.Stage);
        Assert.Equal("No decision", deal.Outcome!.Reason);
    }

    [Fact]
    public void Lost_NoClosingComment_RefusedThenAllowedWithAComment()
    {
        var deal = InStage(Stages.Negotiation);

        var e = Assert.Throws<StageTransitionRejectedException>(() => deal.Lose(Default, "Price", "   ", Anna, Hour(7)));
        Assert.Equal(["closing-comment"], e.UnmetRequirements.Select(u => u.Id));

        deal.Lose(Default, "Price", "Competitor was 30 % cheaper", Anna, Hour(7));

        Assert.Equal(Stages.Lost, deal.Stage);
        Assert.Equal(new Outcome(OutcomeKind.Lost, "Price", "Competitor was 30 % cheaper", Hour(7)), deal.Outcome);
        Assert.Equal(0, deal.Probability);
    }

    [Fact]
    public void MoveTo_LostWithoutUsingLose_IsRefusedForTheMissingReason()
    {
        var deal = Create();

        var e = Assert.Throws<StageTransitionRejectedException>(() => deal.MoveTo(Default, Stages.Lost, Anna, Hour(1), "No relationship"));

        Assert.Equal(["loss-reason"], e.UnmetRequirements.Select(u => u.Id));
    }

    [Fact]
    public void Reopen_EachClosedOutcome_IsTheOnlyWayOutAndIsRecorded()
    {
        foreach (var deal in new[] { Won(), Lost() })
        {
            foreach (var open in Default.OpenStages)
            {
                Assert.Throws<StageTransitionRejectedException>(() => deal.MoveTo(Default, open, Anna, Hour(20)));
            }

            Assert.Empty(Default.PermittedMoves(deal));
            deal.Reopen(Default, "Back on the table", Anna, Hour(20));

            Assert.Equal(StageChangeKind.Reopened, deal.History[^1].Kind);
            Assert.False(deal.IsClosed);
        }
    }

    [Fact]
    public void StaleAfter_DefaultStages_AreSetForOpenStagesOnly()
    {
        Assert.Equal(Duration.FromDays(14), Default.Stage(Stages.Identification).StaleAfter);
        Assert.Equal(Duration.FromDays(21), Default.Stage(Stages.Qualification).StaleAfter);
        Assert.Equal(Duration.FromDays(14), Default.Stage(Stages.Offer).StaleAfter);
        Assert.Equal(Duration.FromDays(30), Default.Stage(Stages.Negotiation).StaleAfter);
        Assert.Null(Default.Stage(Stages.Won).StaleAfter);
        Assert.Null(Default.Stage(Stages.Lost).StaleAfter);
    }
}
