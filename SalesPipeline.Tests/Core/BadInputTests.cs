using NodaTime;
using NodaTime.Testing;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.Process;
using Xunit;
using static SalesPipeline.Tests.Core.DealKit;

namespace SalesPipeline.Tests.Core;

/// <summary>
/// The catalogue of bad input across the Core API: each case throws a specific exception type whose message names the
/// offending value or field and says what to do instead. (Named for the subject rather than one type: the cases span
/// Money, ids, the aggregate, pipeline JSON and the service.)
/// </summary>
public sealed class BadInputTests
{
    private static void AssertMentions(Exception e, params string[] parts)
    {
        foreach (var part in parts)
        {
            Assert.Contains(part, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Create_EmptyName_ThrowsArgumentExceptionNamingTheField()
    {
        var e = Assert.Throws<ArgumentException>(() => Opportunity.Create(NewDeal(name: "  "), Default, Anna, T0));

        Assert.Equal("name", e.ParamName);
        AssertMentions(e, "'name' must not be empty");
    }

    [Fact]
    public void Create_NameTooLong_ThrowsArgumentExceptionWithTheLimitAndLength()
    {
        var e = Assert.Throws<ArgumentException>(() => Opportunity.Create(NewDeal(name: new string('n', 301)), Default, Anna, T0));

        AssertMentions(e, "'name' must be at most 300 characters long, was 301");
    }

    [Fact]
    public void Create_NegativeValue_ThrowsArgumentOutOfRangeExceptionWithTheValue()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Opportunity.Create(NewDeal(amount: -1m), Default, Anna, T0));

        Assert.Equal("value", e.ParamName);
        Assert.Equal(-1m, e.ActualValue);
        AssertMentions(e, "'value' must not be negative, was -1 PLN");
    }

    [Fact]
    public void Create_ValueWithMoreDecimalsThanTheCurrency_ThrowsArgumentExceptionWithTheCurrencysPrecision()
    {
        var e = Assert.Throws<ArgumentException>(() => Opportunity.Create(NewDeal(amount: 1.005m), Default, Anna, T0));

        Assert.Equal("value", e.ParamName);
        AssertMentions(e, "'value' 1.005 PLN has more decimal places than PLN has (2)");
    }

    [Fact]
    public void Create_DefaultMoney_ThrowsArgumentExceptionSayingHowToMakeMoney()
    {
        var e = Assert.Throws<ArgumentException>(() => Opportunity.Create(NewDeal() with { Value = default }, Default, Anna, T0));

        Assert.Equal("value", e.ParamName);
        AssertMentions(e, "'value' has no currency", "Money.Of(amount, \"PLN\")");
    }

    [Fact]
    public void MoneyOf_UnknownCurrency_ThrowsArgumentExceptionWithExamples()
    {
        var e = Assert.Throws<ArgumentException>(() => Money.Of(10m, "ZLT"));

        Assert.Equal("currency", e.ParamName);
        AssertMentions(e, "'ZLT' is not an active ISO-4217 currency code", "such as PLN, EUR or USD");
    }

    [Fact]
    public void MoneyAdd_DifferentCurrencies_ThrowsCurrencyMismatchExceptionSayingWhatToDo()
    {
        var e = Assert.Throws<CurrencyMismatchException>(() => Money.Of(1m, "PLN") + Money.Of(1m, "EUR"));

        AssertMentions(e, "Cannot add PLN and EUR", "Aggregate per currency or convert with an exchange-rate table first");
    }

    [Fact]
    public void StageId_InvalidText_ThrowsArgumentExceptionWithTheRulesAndAnExample()
    {
        var e = Assert.Throws<ArgumentException>(() => new StageId("Offer"));

        AssertMentions(e, "'Offer' is not a valid stage id", "lower-case letters, digits and hyphens", "for example 'negotiation'");
    }

    [Fact]
    public void MoveTo_UnknownStage_ThrowsUnknownStageExceptionListingTheStages()
    {
        var deal = Create();
        var before = deal.ToState();

        var e = Assert.Throws<UnknownStageException>(() => deal.MoveTo(Default, new StageId("contract"), Anna, Hour(1)));

        Assert.Equal(new StageId("contract"), e.Stage);
        AssertMentions(e, "Pipeline 'new-business' has no stage 'contract'", "Its stages are: identification, qualification, offer, negotiation, won, lost");
        Assert.Equal(before, deal.ToState());
    }

    [Fact]
    public void MoveTo_ClosedDeal_ThrowsStageTransitionRejectedSayingReopenFirst()
    {
        var deal = Lost();

        var e = Assert.Throws<StageTransitionRejectedException>(() => deal.MoveTo(Default, Stages.Qualification, Anna, Hour(9)));

        Assert.Equal(TransitionRejection.OpportunityClosed, e.Reason);
        AssertMentions(e, "cannot move from 'lost' to 'qualification'", "it is closed in 'lost'", "Reopen it first");
    }

    [Fact]
    public void MoveTo_MoveNotAllowed_ThrowsStageTransitionRejectedListingWhereItMayGo()
    {
        var deal = InStage(Stages.Qualification);

        var e = Assert.Throws<StageTransitionRejectedException>(() => deal.MoveTo(Default, Stages.Won, Anna, Hour(9)));

        Assert.Equal(TransitionRejection.MoveNotAllowed, e.Reason);
        Assert.Equal([Stages.Identification, Stages.Offer, Stages.Lost], e.AllowedTargets);
        AssertMentions(e, "cannot move from 'qualification' to 'won'", "From 'qualification' it may move to: identification, offer, lost");
    }

    [Fact]
    public void Lose_ReasonNotOnTheList_ThrowsStageTransitionRejectedListingThePipelinesReasons()
    {
        var deal = InStage(Stages.Offer);

        var e = Assert.Throws<StageTransitionRejectedException>(() => deal.Lose(Default, " Mercury retrograde ", "It was written in the stars", Anna, Hour(9)));

        Assert.Equal(TransitionRejection.RequirementsUnmet, e.Reason);
        const string Says = "'Mercury retrograde' is not one of the pipeline's loss reasons. Give a loss reason from the pipeline's list: "
            + "'Price', 'Chose a competitor', 'No budget', 'No decision', 'Timing', 'Product fit', 'No relationship'.";
        Assert.Equal(new UnmetRequirement("loss-reason", Says), Assert.Single(e.UnmetRequirements));
        AssertMentions(e, "cannot move from 'offer' to 'lost'", $"[loss-reason] {Says}");
        Assert.Equal("Give a loss reason from the pipeline's list of loss reasons.", StageRequirements.LossReason.Description);
    }

    [Fact]
    public void Lose_WithoutComment_ThrowsStageTransitionRejectedAskingForAClosingComment()
    {
        var deal = InStage(Stages.Offer);

        var e = Assert.Throws<StageTransitionRejectedException>(() => deal.Lose(Default, "Price", null, Anna, Hour(9)));

        Assert.Equal("closing-comment", Assert.Single(e.UnmetRequirements).Id);
        AssertMentions(e, "[closing-comment] Write a closing comment: what decided the outcome and what to learn from it.");
    }

    [Fact]
    public void Reopen_OpenDeal_ThrowsStageTransitionRejectedSayingOnlyClosedDealsReopen()
    {
        var deal = InStage(Stages.Offer);
        var before = deal.ToState();

        var e = Assert.Throws<StageTransitionRejectedException>(() => deal.Reopen(Default, "Why not", Anna, Hour(9)));

        Assert.Equal(TransitionRejection.ReopenNotAllowed, e.Reason);
        Assert.Equal(Stages.Offer, e.From);
        AssertMentions(e, "'ERP rollout' cannot be reopened from 'offer'", "only a closed deal can be reopened, and only into an open stage");
        Assert.Equal(before, deal.ToState());
    }

    [Fact]
    public void LogActivity_TaskWithoutDue_ThrowsArgumentExceptionAskingForTheDueInstant()
    {
        var e = Assert.Throws<ArgumentException>(() => Create().LogActivity(new NewActivity(ActivityKind.Task, "Send the contract"), Anna, Hour(1)));

        Assert.Equal("activity", e.ParamName);
        AssertMentions(e, "A task needs a due instant");
    }

    [Fact]
    public void LogActivity_NextContactInThePast_ThrowsArgumentExceptionWithBothInstants()
    {
        var deal = Create();

        var e = Assert.Throws<ArgumentException>(() => deal.LogActivity(NewActivity.Call("Intro", nextContact: Hour(1)), Anna, Hour(2)));

        AssertMentions(e, $"The next contact ({Hour(1)}) must not be in the past (now {Hour(2)})");
        Assert.Empty(deal.Activities);
        Assert.Null(deal.NextContact);
    }

    [Fact]
    public void OverrideProbability_150_ThrowsArgumentOutOfRangeExceptionWithTheValueAndLimit()
    {
        var deal = Create();

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => deal.OverrideProbability(150, Anna, Hour(1)));

        Assert.Equal("percent", e.ParamName);
        Assert.Equal(150, e.ActualValue);
        AssertMentions(e, "percent ('150') must be less than or equal to '100'");
        Assert.Null(deal.ProbabilityOverride);
    }

    [Fact]
    public void MoveTo_EarlierThanTheLastStageChange_ThrowsArgumentOutOfRangeExceptionSayingHistoryCannotGoBack()
    {
        var deal = Create();
        LogContact(deal, Hour(1));

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => deal.MoveTo(Default, Stages.Qualification, Anna, T0 - Duration.FromMinutes(1)));

        Assert.Equal("at", e.ParamName);
        AssertMentions(e, "would be earlier than the last one (2026-03-02T09:00:00Z)", "the history must not go back in time");
        Assert.Equal(Stages.Identification, deal.Stage);
    }

    [Fact]
    public async Task MoveAsync_ClockWentBack_ThrowsArgumentOutOfRangeExceptionAndStoresNothing()
    {
        var clock = new FakeClock(T0);
        var store = StoreWithTeam();
        var crm = new SalesPipelineService(store, store, store, store, PipelineCatalog.DefaultOnly, clock);
        var deal = await crm.CreateAsync(NewDeal(), Anna);
        await crm.LogActivityAsync(deal.Id, NewActivity.Call("Intro"), Anna);
        clock.Reset(T0 - Duration.FromHours(1));

        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => crm.MoveAsync(deal.Id, Stages.Qualification, Anna));

        AssertMentions(e, "would be earlier than the last one");
        Assert.Equal(Stages.Identification, (await crm.GetAsync(deal.Id)).Stage);
    }

    [Fact]
    public void FromJson_InvalidSyntax_ThrowsPipelineDefinitionExceptionWithLineAndPosition()
    {
        const string json = "{\n  \"id\": \"renewals\",\n  \"stages\": [ { \"id\": \"review\",, } ]\n}";

        var e = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinition.FromJson(json));

        var error = Assert.Single(e.Errors);
        Assert.StartsWith("The JSON is not a valid pipeline definition at line 3, position ", error, StringComparison.Ordinal);
        Assert.Contains("',' is an invalid start of a property name", error, StringComparison.Ordinal);
        AssertMentions(e, "is invalid (1 error)", error);
    }

    [Fact]
    public void FromJson_DefinitionWithSeveralFaults_ReportsEveryFaultAtOnce()
    {
        const string json = """
            {
              "id": "renewals",
              "stages": [
                { "id": "review", "kind": "open", "probability": 150 },
                { "id": "review", "kind": "open", "probability": 40 },
                { "id": "renewed", "kind": "won", "probability": 100, "requirements": ["telepathy"] },
                { "id": "orphan", "kind": "open", "probability": 30 }
              ],
              "moves": [ { "from": "review", "to": "renewed" }, { "from": "review", "to": "nowhere" } ]
            }
            """;

        var e = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinition.FromJson(json));

        Assert.Equal("renewals", e.PipelineId);
        Assert.Equal(6, e.Errors.Count);
        Assert.Contains("Stage 'review': probability must be between 0 and 100, was 150.", e.Errors);
        Assert.Contains("Stage 'review' is defined more than once: stage ids must be unique.", e.Errors);
        Assert.Contains(e.Errors, x => x.StartsWith("Stage 'renewed': requirement 'telepathy' is not known; known requirements: ", StringComparison.Ordinal));
        Assert.Contains("The pipeline has no lost stage: add at least one stage of kind 'lost'.", e.Errors);
        Assert.Contains("Move 'review' → 'nowhere': 'nowhere' is not a stage of the pipeline.", e.Errors);
        Assert.Contains("Stage 'orphan' cannot be reached from the initial stage 'review': allow a move into it.", e.Errors);
        AssertMentions(e, "Pipeline definition 'renewals' is invalid (6 errors):");
    }

    public static TheoryData<string, string, string> NullEntries => new()
    {
        { "a null stage", "\"stages\": [", "Stage #1 is null: give an object with id, kind and probability." },
        { "a null move", "\"moves\": [", "Move #1 is null: give an object with from and to." },
        { "a null requirement", "\"requirements\": [", "Stage 'qualification': requirement #1 is null: give a requirement id such as 'contact-logged'." },
        { "a null loss reason", "\"lossReasons\": [", "Loss reason #1 is null: give a text such as 'price'." },
    };

    [Theory]
    [MemberData(nameof(NullEntries))]
    public void FromJson_NullInAList_ThrowsPipelineDefinitionExceptionNamingTheEntry(string why, string list, string expected)
    {
        var json = Default.ToJson().Replace(list, list + "null, ", StringComparison.Ordinal);
        Assert.NotEqual(Default.ToJson(), json);

        var e = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinition.FromJson(json));

        Assert.True(e.Errors.Contains(expected), $"{why}: {string.Join(" | ", e.Errors)}");
    }

    [Fact]
    public void FromJson_MoveWithoutEnds_ThrowsPipelineDefinitionExceptionNamingTheMove()
    {
        var json = Default.ToJson().Replace("\"moves\": [", "\"moves\": [ { \"to\": \"qualification\" }, { \"from\": \"offer\" }, ", StringComparison.Ordinal);

        var e = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinition.FromJson(json));

        Assert.Contains("Move #1: 'from' is missing.", e.Errors);
        Assert.Contains("Move #2: 'to' is missing.", e.Errors);
    }

    [Fact]
    public void FromJson_NullStageName_ThrowsPipelineDefinitionExceptionNamingTheStageAndCulture()
    {
        var json = Default.ToJson().Replace("\"pl\": \"Identyfikacja\"", "\"pl\": null", StringComparison.Ordinal);

        var e = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinition.FromJson(json));

        Assert.Equal(["Stage 'identification': the name in 'pl' is null: give a text."], e.Errors);
    }

    [Fact]
    public void FromJson_UnknownRequirementId_ThrowsListingTheKnownRequirements()
    {
        var json = Default.ToJson().Replace("\"needs-and-budget\"", "\"needs-and-budgt\"", StringComparison.Ordinal);

        var e = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinition.FromJson(json));

        Assert.Equal(
            ["Stage 'offer': requirement 'needs-and-budgt' is not known; known requirements: closing-comment, contact-logged, loss-reason, needs-and-budget, offer-attached."],
            e.Errors);
    }

    [Fact]
    public void FromJson_UnknownProperty_ThrowsNamingThePropertyAndWhereItIs()
    {
        var json = Default.ToJson().Replace("\"probability\": 50,", "\"probability\": 50, \"colour\": \"green\",", StringComparison.Ordinal);

        var e = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinition.FromJson(json));

        var error = Assert.Single(e.Errors);
        Assert.Contains("property 'colour' (at $.stages[2].colour) is not part of a pipeline definition: remove it or correct its spelling.", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Internal", error, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_ValueOfTheWrongType_ThrowsNamingWhereItIs()
    {
        var json = Default.ToJson().Replace("\"probability\": 50,", "\"probability\": \"fifty\",", StringComparison.Ordinal);

        var e = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinition.FromJson(json));

        var error = Assert.Single(e.Errors);
        Assert.Contains("the value at $.stages[2].probability has the wrong type", error, StringComparison.Ordinal);
        Assert.Contains("whole numbers for probability", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_BrokenHistoryChain_ThrowsArgumentExceptionNamingTheEntry()
    {
        var state = InStage(Stages.Offer).ToState();
        var history = state.History.ToList();
        history[2] = history[2] with { From = Stages.Identification };

        var e = Assert.Throws<ArgumentException>(() => Opportunity.Restore(state with { History = history }, Default));

        Assert.Equal("state", e.ParamName);
        AssertMentions(e, "history entry 3 leaves 'identification' but the deal was in 'qualification': the history must be a chain");
    }

    [Fact]
    public async Task GetAsync_UnknownDeal_ThrowsOpportunityNotFoundExceptionSayingWhatToCheck()
    {
        var store = StoreWithTeam();
        var crm = new SalesPipelineService(store, store, store, store, PipelineCatalog.DefaultOnly, new FakeClock(T0));
        var id = OpportunityId.New();

        var e = await Assert.ThrowsAsync<OpportunityNotFoundException>(() => crm.MoveAsync(id, Stages.Lost, Anna));

        AssertMentions(e, $"No opportunity has id {id}", "Check the id");
    }
}
