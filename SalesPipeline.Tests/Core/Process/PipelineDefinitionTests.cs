using System.Text.Json;
using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;
using static SalesPipeline.Tests.Core.DealKit;

namespace SalesPipeline.Tests.Core.Process;

public sealed class PipelineDefinitionTests
{
    private const string RenewalsJson = """
        {
          // Comments and trailing commas are accepted: admins edit these files by hand.
          "id": "renewals",
          "name": "Renewals",
          "lossReasons": ["Price", "No longer needed"],
          "stages": [
            { "id": "review", "names": { "en": "Review", "pl": "Przegląd" }, "kind": "open", "probability": 40, "staleAfterDays": 10 },
            { "id": "proposal", "kind": "Open", "probability": 70, "requirements": ["offer-attached", "nda-signed"] },
            { "id": "renewed", "kind": "won", "probability": 100 },
            { "id": "churned", "kind": "lost", "probability": 0, "requirements": ["loss-reason"] },
          ],
          "moves": [
            { "from": "review", "to": "proposal" },
            { "from": "proposal", "to": "review" },
            { "from": "proposal", "to": "renewed" },
            { "from": "review", "to": "churned" },
            { "from": "proposal", "to": "churned" }
          ]
        }
        """;

    private static readonly StageRequirement NdaSigned =
        StageRequirement.Create("nda-signed", "Attach the signed NDA.", o => o.Offers.Any(d => d.Title.StartsWith("NDA", StringComparison.Ordinal)));

    [Fact]
    public void PermittedMoves_NewDeal_OnlyLostUntilAContactIsLogged()
    {
        var deal = Create();

        Assert.Equal([Stages.Lost], Default.PermittedMoves(deal));

        LogContact(deal, Hour(1));
        Assert.Equal([Stages.Qualification, Stages.Lost], Default.PermittedMoves(deal));
    }

    [Fact]
    public void PermittedMoves_OfferWithoutOfferDocument_HidesNegotiationAndWon()
    {
        var deal = InStage(Stages.Offer);

        Assert.Equal([Stages.Identification, Stages.Qualification, Stages.Lost], Default.PermittedMoves(deal));

        AttachOffer(deal, Hour(5));
        Assert.Equal([Stages.Identification, Stages.Qualification, Stages.Negotiation, Stages.Won, Stages.Lost], Default.PermittedMoves(deal));
    }

    [Fact]
    public void PermittedMoves_ClosedDeal_IsEmpty()
    {
        Assert.Empty(Default.PermittedMoves(Won()));
        Assert.Empty(Default.PermittedMoves(Lost()));
    }

    [Fact]
    public void WhyNot_LostWithNothingGiven_ListsEveryUnmetRequirementWithWhatToDo()
    {
        var deal = Create();

        var unmet = Default.WhyNot(deal, Stages.Lost);

        Assert.Equal(
            [
                new UnmetRequirement("loss-reason", "Give a loss reason from the pipeline's list: 'Price', 'Chose a competitor', 'No budget', 'No decision', 'Timing', 'Product fit', 'No relationship'."),
                new UnmetRequirement("closing-comment", "Write a closing comment: what decided the outcome and what to learn from it."),
            ],
            unmet);
    }

    [Fact]
    public void WhyNot_LostWithReasonAndComment_IsEmpty() =>
        Assert.Empty(Default.WhyNot(Create(), Stages.Lost, "price", "Too expensive"));

    [Fact]
    public void WhyNot_StageWithSeveralDealRequirements_ListsEveryOneNotJustTheFirst()
    {
        var pipeline = new PipelineDefinitionBuilder("strict")
            .AddStage("lead", StageKind.Open, 10)
            .AddStage("proposal", StageKind.Open, 50, s => s
                .Requires(StageRequirements.ContactLogged)
                .Requires(StageRequirements.NeedsAndBudget)
                .Requires(StageRequirements.OfferAttached))
            .AddStage("won", StageKind.Won, 100)
            .AddStage("lost", StageKind.Lost, 0)
            .AllowForwardAndBackMoves()
            .AllowMove("proposal", "won")
            .AllowMove("lead", "lost")
            .Build();
        var deal = Opportunity.Create(NewDeal(pipeline: pipeline.Id), pipeline, Anna, T0);

        Assert.Equal(["contact-logged", "needs-and-budget", "offer-attached"], pipeline.WhyNot(deal, new StageId("proposal")).Select(u => u.Id));

        LogContact(deal, Hour(1));
        AttachOffer(deal, Hour(1));
        Assert.Equal(["needs-and-budget"], pipeline.WhyNot(deal, new StageId("proposal")).Select(u => u.Id));

        var e = Assert.Throws<StageTransitionRejectedException>(() => deal.MoveTo(pipeline, new StageId("proposal"), Anna, Hour(2)));
        Assert.Equal(["needs-and-budget"], e.UnmetRequirements.Select(u => u.Id));
    }

    [Fact]
    public void WhyNot_MoveNotAllowed_SaysWhereTheDealMayGo()
    {
        var unmet = Assert.Single(Default.WhyNot(Create(), Stages.Negotiation));

        Assert.Equal(PipelineDefinition.MoveNotAllowedBlocker, unmet.Id);
        Assert.Contains("From 'identification' it may move to: qualification, lost", unmet.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void WhyNot_ClosedDeal_SaysReopenFirst()
    {
        var unmet = Assert.Single(Default.WhyNot(Won(), Stages.Negotiation));

        Assert.Equal(PipelineDefinition.ClosedBlocker, unmet.Id);
        Assert.Contains("Reopen it first", unmet.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void WhyNot_UnknownStage_ThrowsUnknownStageExceptionListingTheStages()
    {
        var e = Assert.Throws<UnknownStageException>(() => Default.WhyNot(Create(), new StageId("signed")));

        Assert.Equal(new StageId("signed"), e.Stage);
        Assert.Equal(Default.Id, e.PipelineId);
        Assert.Contains("has no stage 'signed'. Its stages are: identification, qualification, offer, negotiation, won, lost.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stage_Lookups_FindKnownStagesOnly()
    {
        Assert.True(Default.TryGetStage(Stages.Offer, out var offer));
        Assert.Equal(50, offer.DefaultProbability);
        Assert.False(Default.TryGetStage(new StageId("signed"), out _));
        Assert.Throws<UnknownStageException>(() => Default.TargetsFrom(new StageId("signed")));
    }

    [Theory]
    [InlineData("Price", "Price")]
    [InlineData("  no BUDGET ", "No budget")]
    [InlineData("Weather", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void FindLossReason_AsTyped_GivesTheConfiguredReasonOrNull(string? typed, string? configured) =>
        Assert.Equal(configured, Default.FindLossReason(typed));

    [Fact]
    public void ToMermaid_Default_DrawsEveryStageAndEveryAllowedMoveOnly()
    {
        var mermaid = Default.ToMermaid();
        var lines = mermaid.Split('\n').Select(l => l.Trim()).ToList();

        Assert.StartsWith("stateDiagram-v2", mermaid, StringComparison.Ordinal);
        Assert.Contains("[*] --> identification", lines);
        foreach (var move in Default.Moves)
        {
            Assert.Contains(lines, l => l.StartsWith($"{move.From} --> {move.To} :", StringComparison.Ordinal));
        }

        Assert.Equal(Default.Moves.Count, lines.Count(l => l.Contains(" --> ", StringComparison.Ordinal) && !l.StartsWith("[*]", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.StartsWith("identification --> negotiation", StringComparison.Ordinal));
        Assert.Contains("offer --> won : won [offer-attached]", lines);
        Assert.Contains("qualification --> lost : lost [loss-reason] [closing-comment]", lines);
    }

    [Fact]
    public void ToDot_Default_DrawsEveryStageAndEveryAllowedMoveOnly()
    {
        var dot = Default.ToDot();

        Assert.StartsWith("digraph {", dot, StringComparison.Ordinal);
        foreach (var stage in Default.Stages)
        {
            Assert.Contains($"\"{stage.Id}\" [label=\"{stage.Id}\"];", dot, StringComparison.Ordinal);
        }

        foreach (var move in Default.Moves)
        {
            Assert.Contains($"\"{move.From}\" -> \"{move.To}\"", dot, StringComparison.Ordinal);
        }

        Assert.Equal(Default.Moves.Count, dot.Split('\n').Count(l => l.StartsWith('"') && l.Contains("\" -> \"", StringComparison.Ordinal)));
        Assert.DoesNotContain("\"identification\" -> \"negotiation\"", dot, StringComparison.Ordinal);
        Assert.Contains("init -> \"identification\"", dot, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_Default_WritesTheDocumentedFormat()
    {
        using var json = JsonDocument.Parse(Default.ToJson());
        var root = json.RootElement;

        Assert.Equal("new-business", root.GetProperty("id").GetString());
        Assert.Equal("identification", root.GetProperty("initialStage").GetString());
        Assert.Equal(Default.LossReasons, root.GetProperty("lossReasons").EnumerateArray().Select(r => r.GetString()));
        var lost = root.GetProperty("stages")[5];
        Assert.Equal("lost", lost.GetProperty("kind").GetString());
        Assert.Equal(0, lost.GetProperty("probability").GetInt32());
        Assert.Equal(["loss-reason", "closing-comment"], lost.GetProperty("requirements").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("Przegrana", lost.GetProperty("names").GetProperty("pl").GetString());
        Assert.False(lost.TryGetProperty("staleAfterDays", out _));
        Assert.Equal(14, root.GetProperty("stages")[0].GetProperty("staleAfterDays").GetInt32());
        Assert.Equal(15, root.GetProperty("moves").GetArrayLength());
    }

    [Fact]
    public void FromJson_DefaultWrittenAsJson_ReadsBackTheSamePipeline()
    {
        var json = Default.ToJson();

        var read = PipelineDefinition.FromJson(json);

        Assert.Equal(json, read.ToJson());
        Assert.Equal(Default.Moves, read.Moves);
        Assert.Equal(Default.Stages.Select(s => s.Requirements), read.Stages.Select(s => s.Requirements));
    }

    [Fact]
    public void FromJson_HandWrittenWithCustomRequirement_BuildsAWorkingPipeline()
    {
        var pipeline = PipelineDefinition.FromJson(RenewalsJson, [NdaSigned]);

        Assert.Equal(new PipelineId("renewals"), pipeline.Id);
        Assert.Equal("Renewals", pipeline.Name);
        Assert.Equal(["review", "proposal", "renewed", "churned"], pipeline.Stages.Select(s => s.Id.Value));
        Assert.Equal(Duration.FromDays(10), pipeline.Stage(new StageId("review")).StaleAfter);
        Assert.Equal("Przegląd", pipeline.Stage(new StageId("review")).Names["pl"]);
        Assert.Equal([StageRequirements.OfferAttached, NdaSigned], pipeline.Stage(new StageId("proposal")).Requirements);

        var deal = Opportunity.Create(NewDeal(pipeline: pipeline.Id), pipeline, Anna, T0);
        Assert.Equal(["offer-attached", "nda-signed"], pipeline.WhyNot(deal, new StageId("proposal")).Select(u => u.Id));
        deal.AttachOffer(DocumentId.New(), "NDA and offer", Anna, Hour(1));
        deal.MoveTo(pipeline, new StageId("proposal"), Anna, Hour(2));
        deal.Win(pipeline, Anna, Hour(3));
        Assert.Equal(new StageId("renewed"), deal.Stage);
    }

    [Fact]
    public void FromJson_CustomRequirementNotPassed_IsReportedAsUnknown()
    {
        var e = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinition.FromJson(RenewalsJson));

        Assert.Equal("renewals", e.PipelineId);
        var error = Assert.Single(e.Errors);
        Assert.Equal(
            "Stage 'proposal': requirement 'nda-signed' is not known; known requirements: closing-comment, contact-logged, loss-reason, needs-and-budget, offer-attached.",
            error);
    }

    [Fact]
    public void FromJson_MissingFields_ReportsEachMissingField()
    {
        const string json = """
            {
              "stages": [
                { "id": "a", "probability": 10 },
                { "kind": "won", "probability": 100 },
                { "id": "l", "kind": "lost" }
              ]
            }
            """;

        var e = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinition.FromJson(json));

        Assert.Contains("'id' is missing: give the pipeline an id such as 'new-business'.", e.Errors);
        Assert.Contains("Stage 'a': 'kind' is missing: use open, won or lost.", e.Errors);
        Assert.Contains("Stage #2: 'id' is missing.", e.Errors);
        Assert.Contains("Stage 'l': 'probability' is missing: give a percentage from 0 to 100.", e.Errors);
    }

    [Fact]
    public void FromJson_KindInAnyCaseOrSpacedAround_IsReadByItsName()
    {
        const string json = """
            {
              "id": "p",
              "stages": [
                { "id": "a", "kind": "OPEN", "probability": 10 },
                { "id": "w", "kind": " Won ", "probability": 100 },
                { "id": "l", "kind": "lost", "probability": 0 }
              ],
              "moves": [ { "from": "a", "to": "w" }, { "from": "a", "to": "l" } ]
            }
            """;

        var definition = PipelineDefinition.FromJson(json);

        Assert.Equal([StageKind.Open, StageKind.Won, StageKind.Lost], definition.Stages.Select(s => s.Kind));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("5")]
    [InlineData("finished")]
    [InlineData("open, lost")]
    [InlineData("Open,Won")]
    [InlineData("won, lost")]
    public void FromJson_KindNotOpenWonOrLost_ReportsOnlyTheBadKind(string kind)
    {
        var json = $$"""
            {
              "id": "p",
              "stages": [
                { "id": "a", "kind": "open", "probability": 10 },
                { "id": "b", "kind": "{{kind}}", "probability": 20 },
                { "id": "w", "kind": "won", "probability": 100 },
                { "id": "l", "kind": "lost", "probability": 0 }
              ],
              "moves": [ { "from": "a", "to": "b" }, { "from": "b", "to": "w" }, { "from": "a", "to": "l" } ]
            }
            """;

        var e = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinition.FromJson(json));

        Assert.Equal([$"Stage 'b': kind '{kind}' is not open, won or lost."], e.Errors);
    }

    [Fact]
    public void FromJson_StaleAfterDaysNotPositive_ReportsIt()
    {
        var json = Default.ToJson().Replace("\"staleAfterDays\": 14", "\"staleAfterDays\": 0", StringComparison.Ordinal);

        var e = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinition.FromJson(json));

        Assert.Equal(
            ["Stage 'identification': 'staleAfterDays' must be from 1 to 3650 (ten years), was 0.", "Stage 'offer': 'staleAfterDays' must be from 1 to 3650 (ten years), was 0."],
            e.Errors);
    }

    [Theory]
    [InlineData(3_651)]
    [InlineData(5_000_000)]
    [InlineData(20_000_000)]
    public void FromJson_StaleAfterDaysOverTenYears_ReportsItWithTheOtherFaults(int days)
    {
        var json = Default.ToJson()
            .Replace("\"staleAfterDays\": 14", $"\"staleAfterDays\": {days}", StringComparison.Ordinal)
            .Replace("\"probability\": 10,", "\"probability\": 500,", StringComparison.Ordinal);

        var e = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinition.FromJson(json));

        Assert.Contains($"Stage 'identification': 'staleAfterDays' must be from 1 to 3650 (ten years), was {days}.", e.Errors);
        Assert.Contains("Stage 'identification': probability must be between 0 and 100, was 500.", e.Errors);
    }

    [Fact]
    public void Build_StaleAfterOverTenYears_ReportsIt()
    {
        var builder = new PipelineDefinitionBuilder("renewals")
            .AddStage("contact", StageKind.Open, 30, s => s.StaleAfter(Duration.FromDays(100_000)))
            .AddStage("renewed", StageKind.Won, 100)
            .AddStage("churned", StageKind.Lost, 0)
            .AllowMove("contact", "renewed")
            .AllowMove("contact", "churned");

        var e = Assert.Throws<PipelineDefinitionException>(builder.Build);

        Assert.Equal(["Stage 'contact': stale-after must be at most 3650 days (ten years), was 100000 days."], e.Errors);
    }

    [Fact]
    public void FromJson_LiteralNull_ReportsAnEmptyDocument()
    {
        var e = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinition.FromJson("null"));

        Assert.Equal(["The JSON is empty ('null'): expected an object with id, stages and moves."], e.Errors);
    }
}
