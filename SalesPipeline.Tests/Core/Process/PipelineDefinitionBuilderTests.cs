using System.Globalization;
using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Core.Process;

public sealed class PipelineDefinitionBuilderTests
{
    /// <summary>A small valid pipeline; tests break one thing in it at a time.</summary>
    private static PipelineDefinitionBuilder Renewals() => new PipelineDefinitionBuilder("renewals", "Renewals")
        .AddStage("review", StageKind.Open, 40, s => s.Name("en", "Review").Name("pl", "Przegląd").StaleAfter(Duration.FromDays(10)))
        .AddStage("proposal", StageKind.Open, 70, s => s.Requires(StageRequirements.OfferAttached))
        .AddStage("renewed", StageKind.Won, 100)
        .AddStage("churned", StageKind.Lost, 0, s => s.Requires(StageRequirements.LossReason))
        .AllowForwardAndBackMoves()
        .AllowMove("proposal", "renewed")
        .AllowMove("review", "churned")
        .AllowMove("proposal", "churned")
        .WithLossReasons("Price", " No longer needed ");

    private static IReadOnlyList<string> Errors(PipelineDefinitionBuilder builder) =>
        Assert.Throws<PipelineDefinitionException>(builder.Build).Errors;

    [Fact]
    public void Build_ValidPipeline_KeepsStagesInOrderWithEveryProperty()
    {
        var pipeline = Renewals().Build();

        Assert.Equal(new PipelineId("renewals"), pipeline.Id);
        Assert.Equal("Renewals", pipeline.Name);
        Assert.Equal(["review", "proposal", "renewed", "churned"], pipeline.Stages.Select(s => s.Id.Value));
        Assert.Equal([0, 1, 2, 3], pipeline.Stages.Select(s => s.Order));
        Assert.Equal(new StageId("review"), pipeline.InitialStage);
        Assert.Equal(new StageId("renewed"), pipeline.WonStage);
        Assert.Equal([new StageId("churned")], pipeline.LostStages);
        Assert.Equal([new StageId("review"), new StageId("proposal")], pipeline.OpenStages);
        Assert.Equal(["Price", "No longer needed"], pipeline.LossReasons);

        var review = pipeline.Stage(new StageId("review"));
        Assert.Equal(StageKind.Open, review.Kind);
        Assert.True(review.IsOpen);
        Assert.Equal(40, review.DefaultProbability);
        Assert.Equal(Duration.FromDays(10), review.StaleAfter);
        Assert.Equal("Review", review.Name);
        Assert.Equal("Przegląd", review.NameIn(CultureInfo.GetCultureInfo("pl-PL")));
        Assert.Equal("Review", review.NameIn(CultureInfo.GetCultureInfo("de-DE")));
        Assert.Empty(review.Requirements);

        var proposal = pipeline.Stage(new StageId("proposal"));
        Assert.Equal("proposal", proposal.Name);
        Assert.Null(proposal.StaleAfter);
        Assert.Equal([StageRequirements.OfferAttached], proposal.Requirements);
    }

    [Fact]
    public void Build_ControlCharactersInNamesAndReasons_EveryOneRefusedWhereItIs()
    {
        var builder = new PipelineDefinitionBuilder("renewals", "Renew\u0000als")
            .AddStage("review", StageKind.Open, 40, s => s.Name("en", "Re\u001Bview").Name("pl", "Przegląd"))
            .AddStage("renewed", StageKind.Won, 100)
            .AddStage("churned", StageKind.Lost, 0)
            .AllowMove("review", "renewed")
            .AllowMove("review", "churned")
            .WithLossReasons("Price", "Tim\u0085ing");

        var errors = Errors(builder);

        Assert.Contains(errors, e => e.StartsWith("The pipeline's name holds a control character (U+0000) at position 6", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("the 'en' name holds a control character (U+001B) at position 3", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("A loss reason holds a control character (U+0085) at position 4", StringComparison.Ordinal));
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void Build_Moves_AreListedInPipelineOrder()
    {
        var pipeline = Renewals().Build();

        Assert.Equal(
            ["review→proposal", "review→churned", "proposal→review", "proposal→renewed", "proposal→churned"],
            pipeline.Moves.Select(m => $"{m.From}→{m.To}"));
        Assert.Equal([new StageId("review"), new StageId("renewed"), new StageId("churned")], pipeline.TargetsFrom(new StageId("proposal")));
    }

    [Fact]
    public void Build_NoNameGiven_NameIsTheId() =>
        Assert.Equal("renewals", new PipelineDefinitionBuilder("renewals")
            .AddStage("a", StageKind.Open, 10)
            .AddStage("w", StageKind.Won, 100)
            .AddStage("l", StageKind.Lost, 0)
            .AllowMove("a", "w")
            .AllowMove("a", "l")
            .Build().Name);

    [Fact]
    public void StartIn_LaterOpenStage_IsTheInitialStage()
    {
        var pipeline = Renewals().StartIn("proposal").Build();

        Assert.Equal(new StageId("proposal"), pipeline.InitialStage);
    }

    [Fact]
    public void Build_MoveNamingUnknownStages_ReportsEachUnknownId()
    {
        var errors = Errors(Renewals().AllowMove("review", "ghost").AllowMove("phantom", "renewed"));

        Assert.Equal(2, errors.Count);
        Assert.Contains("Move 'review' → 'ghost': 'ghost' is not a stage of the pipeline.", errors);
        Assert.Contains("Move 'phantom' → 'renewed': 'phantom' is not a stage of the pipeline.", errors);
    }

    [Fact]
    public void Build_StageWithNoMoveIntoIt_ReportsItUnreachable()
    {
        var errors = Errors(Renewals().AddStage("disqualified", StageKind.Lost, 0));

        Assert.Equal(["Stage 'disqualified' cannot be reached from the initial stage 'review': allow a move into it."], errors);
    }

    [Fact]
    public void Build_NoWonStage_ReportsIt()
    {
        var errors = Errors(new PipelineDefinitionBuilder("p")
            .AddStage("a", StageKind.Open, 10)
            .AddStage("l", StageKind.Lost, 0)
            .AllowMove("a", "l"));

        Assert.Equal(["The pipeline has no won stage: add exactly one stage of kind 'won'."], errors);
    }

    [Fact]
    public void Build_TwoWonStages_ReportsBoth()
    {
        var errors = Errors(Renewals().AddStage("upsold", StageKind.Won, 100).AllowMove("proposal", "upsold"));

        Assert.Equal(["The pipeline has 2 won stages ('renewed', 'upsold'): keep exactly one."], errors);
    }

    [Fact]
    public void Build_NoLostStage_ReportsIt()
    {
        var errors = Errors(new PipelineDefinitionBuilder("p")
            .AddStage("a", StageKind.Open, 10)
            .AddStage("w", StageKind.Won, 100)
            .AllowMove("a", "w"));

        Assert.Equal(["The pipeline has no lost stage: add at least one stage of kind 'lost'."], errors);
    }

    [Fact]
    public void Build_DuplicateStageId_ReportsIt()
    {
        var errors = Errors(Renewals().AddStage("review", StageKind.Open, 20));

        Assert.Equal(["Stage 'review' is defined more than once: stage ids must be unique."], errors);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void Build_ProbabilityOutside0To100_ReportsTheValue(int probability)
    {
        var errors = Errors(Renewals().AddStage("extra", StageKind.Open, probability).AllowMove("proposal", "extra").AllowMove("extra", "renewed"));

        Assert.Equal([$"Stage 'extra': probability must be between 0 and 100, was {probability}."], errors);
    }

    [Fact]
    public void Build_WonNot100AndLostNot0_ReportsBoth()
    {
        var errors = Errors(new PipelineDefinitionBuilder("p")
            .AddStage("a", StageKind.Open, 10)
            .AddStage("w", StageKind.Won, 90)
            .AddStage("l", StageKind.Lost, 5)
            .AllowMove("a", "w")
            .AllowMove("a", "l"));

        Assert.Equal(["Stage 'w': a won stage has probability 100, was 90.", "Stage 'l': a lost stage has probability 0, was 5."], errors);
    }

    [Fact]
    public void Build_ManyFaults_ReportsEveryOneInOneException()
    {
        var builder = new PipelineDefinitionBuilder("Bad Id")
            .AddStage("start", StageKind.Open, 150)
            .AddStage("start", StageKind.Open, 20)
            .AddStage("Middle", StageKind.Open, 30)
            .AddStage("orphan", StageKind.Open, 40)
            .AllowMove("start", "nowhere")
            .AllowMove("start", "start");

        var e = Assert.Throws<PipelineDefinitionException>(builder.Build);

        Assert.Equal("Bad Id", e.PipelineId);
        Assert.Equal(
            [
                "Pipeline id 'Bad Id' is not valid: use lower-case letters, digits and hyphens, starting with a letter.",
                "Stage 'start': probability must be between 0 and 100, was 150.",
                "Stage 'start' is defined more than once: stage ids must be unique.",
                "Stage 'Middle': 'Middle' is not a valid stage id: use lower-case letters, digits and hyphens, starting with a letter.",
                "The pipeline has no won stage: add exactly one stage of kind 'won'.",
                "The pipeline has no lost stage: add at least one stage of kind 'lost'.",
                "Move 'start' → 'nowhere': 'nowhere' is not a stage of the pipeline.",
                "Move 'start' → 'start': a stage cannot move to itself.",
                "Stage 'orphan' cannot be reached from the initial stage 'start': allow a move into it.",
                "Open stage 'start' has no move out: deals in it could never be won or lost.",
            ],
            e.Errors);
        Assert.StartsWith("Pipeline definition 'Bad Id' is invalid (10 errors):", e.Message, StringComparison.Ordinal);
        Assert.All(e.Errors, error => Assert.Contains(error, e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Build_NoStages_ReportsItAndTheMissingWonAndLostStages()
    {
        var errors = Errors(new PipelineDefinitionBuilder("empty"));

        Assert.Equal(
            [
                "The pipeline has no stages: add at least an open, a won and a lost stage.",
                "The pipeline has no won stage: add exactly one stage of kind 'won'.",
                "The pipeline has no lost stage: add at least one stage of kind 'lost'.",
            ],
            errors);
    }

    [Fact]
    public void Build_InitialStageClosedOrUnknown_ReportsIt()
    {
        Assert.Contains("The initial stage 'renewed' is won: deals must start in an open stage.", Errors(Renewals().StartIn("renewed")));
        Assert.Contains("The initial stage 'ghost' is not a stage of the pipeline.", Errors(Renewals().StartIn("ghost")));
    }

    [Fact]
    public void Build_MoveOutOfAClosedStage_ReportsThatOnlyReopenLeavesIt()
    {
        var errors = Errors(Renewals().AllowMove("renewed", "review"));

        Assert.Equal(["Move 'renewed' → 'review': 'renewed' is a closed stage; closed deals leave it only by an explicit reopen."], errors);
    }

    [Fact]
    public void Build_DuplicateMove_ReportsIt() =>
        Assert.Equal(["Move 'review' → 'churned' is listed more than once."], Errors(Renewals().AllowMove("review", "churned")));

    [Fact]
    public void Build_LossReasonRequiredButNoneListed_ReportsIt() =>
        Assert.Equal(["A stage requires a loss reason but the pipeline lists none: add loss reasons."], Errors(Renewals().WithLossReasons()));

    [Fact]
    public void Build_BlankOrDuplicateLossReasons_ReportsBoth() =>
        Assert.Equal(
            ["A loss reason is empty.", "Loss reason 'price' is listed more than once."],
            Errors(Renewals().WithLossReasons("Price", " ", "price")));

    [Fact]
    public void Build_BadStaleAfter_ReportsNonPositiveAndFractionalDays()
    {
        var errors = Errors(Renewals()
            .AddStage("zero", StageKind.Open, 10, s => s.StaleAfter(Duration.Zero))
            .AddStage("half", StageKind.Open, 10, s => s.StaleAfter(Duration.FromHours(36)))
            .AllowMove("proposal", "zero")
            .AllowMove("zero", "half")
            .AllowMove("half", "renewed"));

        Assert.Equal(2, errors.Count);
        Assert.StartsWith("Stage 'zero': stale-after must be positive", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("Stage 'half': stale-after must be a whole number of days", errors[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Build_NamesWithoutEnglishOrBlank_ReportsBoth()
    {
        var errors = Errors(Renewals()
            .AddStage("polish-only", StageKind.Lost, 0, s => s.Name("pl", "Tylko po polsku").Name("de", " "))
            .AllowMove("review", "polish-only"));

        Assert.Equal(["Stage 'polish-only': an English ('en') name is required.", "Stage 'polish-only': the 'de' name is empty."], errors);
    }

    [Fact]
    public void Build_SameRequirementTwice_ReportsIt() =>
        Assert.Equal(
            ["Stage 'proposal': requirement 'offer-attached' is listed more than once."],
            Errors(new PipelineDefinitionBuilder("p")
                .AddStage("a", StageKind.Open, 10)
                .AddStage("proposal", StageKind.Open, 50, s => s.Requires(StageRequirements.OfferAttached).Requires(StageRequirements.OfferAttached))
                .AddStage("w", StageKind.Won, 100)
                .AddStage("l", StageKind.Lost, 0)
                .AllowMove("a", "proposal")
                .AllowMove("proposal", "w")
                .AllowMove("a", "l")));

    [Fact]
    public void Build_CustomRequirement_IsEvaluatedOnTheDeal()
    {
        var nda = StageRequirement.Create("nda-signed", "Attach the signed NDA.", o => o.Offers.Any(d => d.Title.Contains("NDA", StringComparison.Ordinal)));
        var pipeline = new PipelineDefinitionBuilder("nda")
            .AddStage("lead", StageKind.Open, 10)
            .AddStage("deal", StageKind.Open, 60, s => s.Requires(nda))
            .AddStage("won", StageKind.Won, 100)
            .AddStage("lost", StageKind.Lost, 0)
            .AllowForwardAndBackMoves()
            .AllowMove("deal", "won")
            .AllowMove("lead", "lost")
            .Build();
        var deal = Opportunity.Create(DealKit.NewDeal(pipeline: pipeline.Id), pipeline, DealKit.Anna, DealKit.T0);

        Assert.Equal([new UnmetRequirement("nda-signed", "Attach the signed NDA.")], pipeline.WhyNot(deal, new StageId("deal")));
        deal.AttachOffer(DocumentId.New(), "Signed NDA", DealKit.Anna, DealKit.Hour(1));
        Assert.Empty(pipeline.WhyNot(deal, new StageId("deal")));
    }

    [Fact]
    public void StageRequirementCreate_IdNotASlug_ThrowsArgumentException()
    {
        var e = Assert.Throws<ArgumentException>(() => StageRequirement.Create("NDA signed", "Attach the NDA.", _ => true));

        Assert.Contains("'NDA signed' is not a valid requirement id", e.Message, StringComparison.Ordinal);
    }
}
