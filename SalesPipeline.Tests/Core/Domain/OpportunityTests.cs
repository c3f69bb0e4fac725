using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;
using static SalesPipeline.Tests.Core.DealKit;

namespace SalesPipeline.Tests.Core.Domain;

public sealed class OpportunityTests
{
    [Fact]
    public void StageLostAt_LostFromQualification_IsQualification_AndNoneForWonOrOpenDeals()
    {
        Assert.Equal(Stages.Qualification, Lost().ToState().StageLostAt);
        Assert.Null(Won().ToState().StageLostAt);
        Assert.Null(InStage(Stages.Offer).ToState().StageLostAt);
    }

    [Fact]
    public void Create_ValidData_StartsInTheInitialStageWithOneCreatedEntry()
    {
        var account = AccountId.New();
        var deal = Opportunity.Create(
            new NewOpportunity("  ERP rollout ", Money.Of(120_000m, "PLN"), account, new LocalDate(2027, 3, 31), ExternalId: "crm-17"),
            Default,
            Anna,
            T0);

        Assert.Equal("ERP rollout", deal.Name);
        Assert.Equal(Money.Of(120_000m, "PLN"), deal.Value);
        Assert.Equal(account, deal.Account);
        Assert.Equal(new LocalDate(2027, 3, 31), deal.ExpectedClose);
        Assert.Equal(Default.Id, deal.PipelineId);
        Assert.Equal(Stages.Identification, deal.Stage);
        Assert.Equal("crm-17", deal.ExternalId);
        Assert.Equal(Anna, deal.Owner);
        Assert.Equal(Anna, deal.CreatedBy);
        Assert.Equal(T0, deal.CreatedAt);
        Assert.Equal(Anna, deal.LastChangedBy);
        Assert.Equal(T0, deal.LastChangedAt);
        Assert.Equal(T0, deal.EnteredStageAt);
        Assert.Equal(0, deal.Version);
        Assert.False(deal.IsClosed);
        Assert.Null(deal.Outcome);
        Assert.Null(deal.NextContact);
        Assert.Empty(deal.Activities);
        Assert.Empty(deal.Offers);
        var created = Assert.Single(deal.History);
        Assert.Equal(new StageChange(null, Stages.Identification, T0, Anna, StageChangeKind.Created), created);
    }

    [Fact]
    public void Create_WithOwner_OwnerIsNotTheCreator()
    {
        var deal = Opportunity.Create(NewDeal() with { Owner = Bob }, Default, Anna, T0);

        Assert.Equal(Bob, deal.Owner);
        Assert.Equal(Anna, deal.CreatedBy);
    }

    [Fact]
    public void Create_ForAnotherPipeline_ThrowsArgumentException()
    {
        var e = Assert.Throws<ArgumentException>(() => Opportunity.Create(NewDeal(pipeline: new PipelineId("renewals")), Default, Anna, T0));

        Assert.Contains("asks for pipeline 'renewals' but was given pipeline 'new-business'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1899)]
    [InlineData(2201)]
    public void Create_ImplausibleExpectedClose_ThrowsArgumentOutOfRangeException(int year)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Opportunity.Create(NewDeal() with { ExpectedClose = new LocalDate(year, 1, 1) }, Default, Anna, T0));

        Assert.Equal("expectedClose", e.ParamName);
        Assert.Contains("between 1900 and 2200", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_ImplausibleCreationInstant_ThrowsNamingTheInstantAndTheRange()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Opportunity.Create(NewDeal(), Default, Anna, Instant.FromUtc(1, 1, 1, 0, 0)));

        Assert.Equal("at", e.ParamName);
        Assert.StartsWith("The creation instant 0001-01-01T00:00:00Z is not a plausible date: expected a year between 1900 and 2200.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Win_ImplausibleCloseInstant_ThrowsAndLeavesTheDealAsItWas()
    {
        var deal = InStage(Stages.Negotiation);
        var before = deal.ToState();

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => deal.Win(Default, Anna, Instant.FromUtc(2201, 1, 1, 0, 0), "signed"));

        Assert.StartsWith("The instant of the change 2201-01-01T00:00:00Z is not a plausible date: expected a year between 1900 and 2200.", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, deal.ToState());
    }

    [Theory]
    [InlineData("due", "The Task's due instant 9999-12-31T00:00:00Z")]
    [InlineData("next", "The next contact 9999-12-31T00:00:00Z")]
    [InlineData("happened", "The instant the Call happened 1899-12-31T00:00:00Z")]
    public void LogActivity_ImplausibleInstant_ThrowsNamingItAndLogsNothing(string which, string named)
    {
        var deal = Create();
        var activity = which switch
        {
            "due" => NewActivity.Task("Send the offer", Instant.FromUtc(9999, 12, 31, 0, 0)),
            "next" => NewActivity.Call("Intro call", nextContact: Instant.FromUtc(9999, 12, 31, 0, 0)),
            _ => NewActivity.Call("Intro call", happenedAt: Instant.FromUtc(1899, 12, 31, 0, 0)),
        };

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => deal.LogActivity(activity, Anna, Hour(1)));

        Assert.StartsWith(named + " is not a plausible date: expected a year between 1900 and 2200.", e.Message, StringComparison.Ordinal);
        Assert.Empty(deal.Activities);
        Assert.Null(deal.NextContact);
    }

    [Fact]
    public void ScheduleNextContact_ImplausibleInstant_ThrowsAndKeepsTheOldOne()
    {
        var deal = Create();
        deal.ScheduleNextContact(Hour(24), Anna, Hour(1));

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => deal.ScheduleNextContact(Instant.FromUtc(3000, 1, 1, 0, 0), Anna, Hour(2)));

        Assert.Equal("when", e.ParamName);
        Assert.Equal(Hour(24), deal.NextContact);
    }

    [Theory]
    [InlineData("created")]
    [InlineData("history")]
    [InlineData("closed")]
    [InlineData("expectedClose")]
    public void Restore_ImplausibleDate_ThrowsNamingTheDeal(string which)
    {
        var state = Won().ToState();
        var far = Instant.FromUtc(9999, 1, 1, 0, 0);
        state = which switch
        {
            "created" => state with { CreatedAt = Instant.FromUtc(1899, 1, 1, 0, 0) },
            "history" => state with { History = [.. state.History.Take(state.History.Count - 1), state.History[^1] with { At = far }] },
            "closed" => state with { Outcome = state.Outcome! with { ClosedAt = far } },
            _ => state with { ExpectedClose = new LocalDate(1, 1, 1) },
        };

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Opportunity.Restore(state, Default));

        Assert.Contains("is not a plausible date: expected a year between 1900 and 2200.", e.Message, StringComparison.Ordinal);
        Assert.Contains(which == "expectedClose" ? "'expectedClose' 0001-01-01" : $"Opportunity {state.Id}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Rollout\uFFFE")]
    [InlineData("Rollout \uFDD0 phase 2")]
    public void Restore_NameAnEarlierVersionStoredWithANoncharacter_StaysReadable_ThoughCreateRefusesIt(string name)
    {
        var state = Won().ToState() with { Name = name };

        var restored = Opportunity.Restore(state, Default);

        Assert.Equal(name, restored.Name);
        var e = Assert.Throws<ArgumentException>(() => Opportunity.Create(new NewOpportunity(name, Money.Of(1m, "PLN"), AccountId.New(), new LocalDate(2027, 3, 31)), Default, Anna, T0));
        Assert.Contains("noncharacter", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateAndEdit_OwnerWithANoncharacter_IsRefused_ThoughSuchAnIdIsReadBack()
    {
        var owner = new UserId("ext\uFFFEowner");

        var create = Assert.Throws<ArgumentException>(() => Opportunity.Create(new NewOpportunity("Rollout", Money.Of(1m, "PLN"), AccountId.New(), new LocalDate(2027, 3, 31), owner), Default, Anna, T0));
        var deal = InStage(Stages.Offer);
        var edit = Assert.Throws<ArgumentException>(() => deal.Edit(Anna, T0 + Duration.FromDays(30), owner: owner));

        Assert.StartsWith("'owner' holds a noncharacter (U+FFFE) at position 4", create.Message, StringComparison.Ordinal);
        Assert.StartsWith("'owner' holds a noncharacter (U+FFFE) at position 4", edit.Message, StringComparison.Ordinal);
        Assert.NotEqual(owner, deal.Owner);
    }

    [Fact]
    public void Restore_NameWithAControlCharacter_IsStillRefused()
    {
        var state = Won().ToState() with { Name = "Roll\u0001out" };

        var e = Assert.Throws<ArgumentException>(() => Opportunity.Restore(state, Default));

        Assert.Contains("'name' holds a control character (U+0001) at position 5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_ValueAboveTheMaximum_ThrowsArgumentOutOfRangeException()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Opportunity.Create(NewDeal() with { Value = Money.Of(Opportunity.MaxAmount + 1m, "PLN") }, Default, Anna, T0));

        Assert.Equal("value", e.ParamName);
    }

    [Fact]
    public void Create_ZeroDecimalCurrencyWithCents_IsRefusedButTrailingZerosAreFine()
    {
        Assert.Throws<ArgumentException>(() => Opportunity.Create(NewDeal() with { Value = Money.Of(100.5m, "JPY") }, Default, Anna, T0));

        var deal = Opportunity.Create(NewDeal() with { Value = Money.Of(100.000m, "JPY") }, Default, Anna, T0);
        Assert.Equal(Money.Of(100m, "JPY"), deal.Value);
    }

    [Fact]
    public void Create_WithAnIdOfItsOwn_KeepsThatIdAndOtherwiseDrawsANewOne()
    {
        var id = new OpportunityId(Guid.CreateVersion7());

        var given = Opportunity.Create(NewDeal() with { Id = id }, Default, Anna, T0);
        var drawn = Opportunity.Create(NewDeal(), Default, Anna, T0);

        Assert.Equal(id, given.Id);
        Assert.NotEqual(Guid.Empty, drawn.Id.Value);
        Assert.NotEqual(id, drawn.Id);
    }

    [Fact]
    public void Create_WithAnEmptyId_ThrowsArgumentExceptionNamingTheId()
    {
        var e = Assert.Throws<ArgumentException>(() => Opportunity.Create(NewDeal() with { Id = new OpportunityId(Guid.Empty) }, Default, Anna, T0));

        Assert.Equal("data", e.ParamName);
        Assert.Contains("id is empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_ByDefaultUser_ThrowsArgumentException()
    {
        var e = Assert.Throws<ArgumentException>(() => Opportunity.Create(NewDeal(), Default, default, T0));

        Assert.Equal("by", e.ParamName);
    }

    [Fact]
    public void Edit_SomeFields_ChangesOnlyThoseAndRecordsWhoAndWhen()
    {
        var deal = Create();

        deal.Edit(Bob, Hour(5), value: Money.Of(90_000m, "PLN"), owner: Bob);

        Assert.Equal("ERP rollout", deal.Name);
        Assert.Equal(Money.Of(90_000m, "PLN"), deal.Value);
        Assert.Equal(new LocalDate(2027, 3, 31), deal.ExpectedClose);
        Assert.Equal(Bob, deal.Owner);
        Assert.Equal(Bob, deal.LastChangedBy);
        Assert.Equal(Hour(5), deal.LastChangedAt);
    }

    [Fact]
    public void Edit_OneInvalidField_ChangesNothing()
    {
        var deal = Create();
        var before = deal.ToState();

        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            deal.Edit(Bob, Hour(1), name: "Renamed", value: Money.Of(-5m, "PLN")));

        Assert.Equal("value", e.ParamName);
        Assert.Equal(before, deal.ToState());
    }

    [Fact]
    public void Edit_BlankName_ThrowsAndKeepsTheName()
    {
        var deal = Create();

        var e = Assert.Throws<ArgumentException>(() => deal.Edit(Anna, Hour(1), name: " "));

        Assert.Equal("name", e.ParamName);
        Assert.Equal("ERP rollout", deal.Name);
    }

    [Fact]
    public void Probability_InEachOpenStage_IsTheStageDefault()
    {
        Assert.Equal(10, InStage(Stages.Identification).Probability);
        Assert.Equal(25, InStage(Stages.Qualification).Probability);
        Assert.Equal(50, InStage(Stages.Offer).Probability);
        Assert.Equal(75, InStage(Stages.Negotiation).Probability);
    }

    [Fact]
    public void OverrideProbability_ThenMovesBetweenOpenStages_OverrideSurvivesUntilCleared()
    {
        var deal = InStage(Stages.Qualification);

        deal.OverrideProbability(40, Bob, Hour(3));
        Assert.Equal(40, deal.Probability);
        Assert.Equal(40, deal.ProbabilityOverride);

        RecordNeedsAndBudget(deal, Hour(4));
        deal.MoveTo(Default, Stages.Offer, Anna, Hour(5));
        Assert.Equal(40, deal.Probability);
        deal.MoveTo(Default, Stages.Identification, Anna, Hour(6));
        Assert.Equal(40, deal.Probability);

        deal.OverrideProbability(null, Bob, Hour(7));
        Assert.Null(deal.ProbabilityOverride);
        Assert.Equal(10, deal.Probability);
        Assert.Equal(Bob, deal.LastChangedBy);
        Assert.Equal(Hour(7), deal.LastChangedAt);
    }

    [Fact]
    public void Probability_WonDealWithOverride_Is100()
    {
        var deal = InStage(Stages.Negotiation);
        deal.OverrideProbability(30, Anna, Hour(7));

        deal.Win(Default, Anna, Hour(8));

        Assert.Equal(100, deal.Probability);
        Assert.Equal(deal.Value, deal.WeightedValue);
    }

    [Fact]
    public void Probability_LostDealWithOverride_Is0()
    {
        var deal = InStage(Stages.Offer);
        deal.OverrideProbability(90, Anna, Hour(7));

        deal.Lose(Default, "Timing", "Budget moved to next year", Anna, Hour(8));

        Assert.Equal(0, deal.Probability);
        Assert.Equal(Money.Of(0m, "PLN"), deal.WeightedValue);
    }

    [Fact]
    public void OverrideProbability_OnClosedDeal_ThrowsInvalidOperationExceptionSayingReopenFirst()
    {
        var deal = Won();
        var before = deal.ToState();

        var e = Assert.Throws<InvalidOperationException>(() => deal.OverrideProbability(50, Anna, Hour(8)));

        Assert.Contains("is closed", e.Message, StringComparison.Ordinal);
        Assert.Contains("Reopen it first", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, deal.ToState());
    }

    [Fact]
    public void Reopen_DealWhoseOverrideWasNeverCleared_OverrideAppliesAgain()
    {
        var deal = InStage(Stages.Negotiation);
        deal.OverrideProbability(60, Anna, Hour(7));
        deal.Win(Default, Anna, Hour(8));

        deal.Reopen(Default, "Customer withdrew the signature", Anna, Hour(9));

        Assert.Equal(60, deal.Probability);
    }

    [Fact]
    public void WeightedValue_OpenDeal_IsValueTimesProbability() =>
        Assert.Equal(Money.Of(60_000m, "PLN"), InStage(Stages.Offer).WeightedValue);

    [Fact]
    public void MoveTo_AllowedMove_AppendsAChangeWithWhoWhenAndComment()
    {
        var deal = Create();
        LogContact(deal, Hour(1));

        deal.MoveTo(Default, Stages.Qualification, Bob, Hour(2), "Had a good call");

        Assert.Equal(Stages.Qualification, deal.Stage);
        Assert.Equal(new StageChange(Stages.Identification, Stages.Qualification, Hour(2), Bob, StageChangeKind.Moved, "Had a good call"), deal.History[^1]);
        Assert.Equal(Hour(2), deal.EnteredStageAt);
        Assert.Equal(Bob, deal.LastChangedBy);
        Assert.Equal(Hour(2), deal.LastChangedAt);
    }

    [Fact]
    public void Win_FromNegotiation_RecordsOutcomeWithCommentAndCloseInstant()
    {
        var deal = InStage(Stages.Negotiation);

        deal.Win(Default, Bob, Hour(9), "Best migration plan");

        Assert.True(deal.IsClosed);
        Assert.Equal(Stages.Won, deal.Stage);
        Assert.Equal(new Outcome(OutcomeKind.Won, null, "Best migration plan", Hour(9)), deal.Outcome);
        Assert.Equal(new StageChange(Stages.Negotiation, Stages.Won, Hour(9), Bob, StageChangeKind.Moved, "Best migration plan"), deal.History[^1]);
    }

    [Fact]
    public void Lose_WithReasonInAnyCase_RecordsTheConfiguredReasonAndComment()
    {
        var deal = InStage(Stages.Offer);

        deal.Lose(Default, "  chose a COMPETITOR ", "They had a local partner", Bob, Hour(9));

        Assert.Equal(Stages.Lost, deal.Stage);
        Assert.Equal(new Outcome(OutcomeKind.Lost, "Chose a competitor", "They had a local partner", Hour(9)), deal.Outcome);
        Assert.Equal(Bob, deal.History[^1].By);
    }

    [Fact]
    public void Lose_IntoAStageThatIsNotLost_ThrowsArgumentExceptionListingLostStages()
    {
        var deal = InStage(Stages.Offer);

        var e = Assert.Throws<ArgumentException>(() => deal.Lose(Default, "Price", "Too expensive", Anna, Hour(9), Stages.Won));

        Assert.Contains("'won' is not a lost stage", e.Message, StringComparison.Ordinal);
        Assert.Contains("lost stages of 'new-business': lost", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MoveTo_ClosedDeal_ThrowsOpportunityClosedAndChangesNothing()
    {
        var deal = Won();
        var before = deal.ToState();

        var e = Assert.Throws<StageTransitionRejectedException>(() => deal.MoveTo(Default, Stages.Negotiation, Anna, Hour(10)));

        Assert.Equal(TransitionRejection.OpportunityClosed, e.Reason);
        Assert.Equal(Stages.Won, e.From);
        Assert.Equal(Stages.Negotiation, e.To);
        Assert.Contains("Reopen it first", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, deal.ToState());
    }

    [Fact]
    public void Reopen_WonDeal_ReturnsToTheStageItWasClosedFromAndRecordsAReopenedChange()
    {
        var deal = Won();

        deal.Reopen(Default, "Customer withdrew the signature", Bob, Hour(10));

        Assert.False(deal.IsClosed);
        Assert.Null(deal.Outcome);
        Assert.Equal(Stages.Negotiation, deal.Stage);
        Assert.Equal(75, deal.Probability);
        Assert.Equal(
            new StageChange(Stages.Won, Stages.Negotiation, Hour(10), Bob, StageChangeKind.Reopened, "Customer withdrew the signature"),
            deal.History[^1]);
    }

    [Fact]
    public void Reopen_LostDealIntoAnotherOpenStage_EntersThatStage()
    {
        var deal = Lost();

        deal.Reopen(Default, "They found budget after all", Anna, Hour(10), Stages.Identification);

        Assert.Equal(Stages.Identification, deal.Stage);
        Assert.Equal(StageChangeKind.Reopened, deal.History[^1].Kind);
        Assert.Equal(Stages.Lost, deal.History[^1].From);
        Assert.Contains(Stages.Qualification, Default.PermittedMoves(deal));
    }

    [Fact]
    public void Reopen_IntoAClosedStage_ThrowsReopenNotAllowed()
    {
        var deal = Lost();
        var before = deal.ToState();

        var e = Assert.Throws<StageTransitionRejectedException>(() => deal.Reopen(Default, "Try again", Anna, Hour(10), Stages.Won));

        Assert.Equal(TransitionRejection.ReopenNotAllowed, e.Reason);
        Assert.Equal(before, deal.ToState());
    }

    [Fact]
    public void Reopen_WithoutComment_ThrowsArgumentException()
    {
        var deal = Lost();

        var e = Assert.Throws<ArgumentException>(() => deal.Reopen(Default, " ", Anna, Hour(10)));

        Assert.Equal("comment", e.ParamName);
        Assert.True(deal.IsClosed);
    }

    [Fact]
    public void RecordQualification_Twice_ReplacesTheDataAndTrimsTexts()
    {
        var deal = Create();
        deal.RecordQualification(new QualificationData("Old needs", null, null, null), Anna, Hour(1));

        deal.RecordQualification(new QualificationData(" New ERP ", "  ", Money.Of(10m, "PLN"), null), Bob, Hour(2));

        Assert.Equal(new QualificationData("New ERP", null, Money.Of(10m, "PLN"), null), deal.Qualification);
        Assert.True(deal.Qualification!.HasNeedsAndBudget);
        Assert.Equal(Bob, deal.LastChangedBy);
    }

    [Fact]
    public void RecordQualification_NegativeBudget_ThrowsAndKeepsThePreviousData()
    {
        var deal = Create();
        RecordNeedsAndBudget(deal, Hour(1));
        var before = deal.ToState();

        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            deal.RecordQualification(new QualificationData("Needs", null, Money.Of(-1m, "PLN"), null), Anna, Hour(2)));

        Assert.Equal("budget", e.ParamName);
        Assert.Equal(before, deal.ToState());
    }

    [Fact]
    public void AttachOffer_Document_RecordsItsIdTitleWhoAndWhen()
    {
        var deal = Create();
        var document = DocumentId.New();

        var offer = deal.AttachOffer(document, " Offer v2 ", Bob, Hour(3));

        Assert.Equal(new OfferDocument(document, "Offer v2", Bob, Hour(3)), offer);
        Assert.Equal([offer], deal.Offers);
        Assert.Equal(Hour(3), deal.LastChangedAt);
    }

    [Fact]
    public void AttachOffer_SameDocumentTwice_ThrowsArgumentExceptionAndKeepsOne()
    {
        var deal = Create();
        var document = DocumentId.New();
        deal.AttachOffer(document, "Offer", Anna, Hour(1));

        var e = Assert.Throws<ArgumentException>(() => deal.AttachOffer(document, "Offer", Anna, Hour(2)));

        Assert.Contains("already attached", e.Message, StringComparison.Ordinal);
        Assert.Single(deal.Offers);
    }

    [Fact]
    public void LastChangedAt_ChangeRecordedWithAnEarlierInstant_NeverGoesBack()
    {
        var deal = Create();
        deal.AttachOffer(DocumentId.New(), "Offer", Anna, Hour(5));

        deal.AttachOffer(DocumentId.New(), "Offer 2", Bob, Hour(4));

        Assert.Equal(Hour(5), deal.LastChangedAt);
        Assert.Equal(Bob, deal.LastChangedBy);
    }

    [Fact]
    public void Restore_StateOfAnyDeal_GivesTheSameState()
    {
        foreach (var deal in new[] { Create(), InStage(Stages.Negotiation), Won(), Lost() })
        {
            var state = deal.ToState();

            var restored = Opportunity.Restore(state, Default);

            Assert.Equal(state, restored.ToState());
            Assert.Equal(deal.Probability, restored.Probability);
        }
    }

    [Fact]
    public void Restore_ForAnotherPipeline_ThrowsArgumentException()
    {
        var renewals = new PipelineDefinitionBuilder("renewals")
            .AddStage("review", StageKind.Open, 50)
            .AddStage("renewed", StageKind.Won, 100)
            .AddStage("churned", StageKind.Lost, 0)
            .AllowMove("review", "renewed")
            .AllowMove("review", "churned")
            .Build();

        var e = Assert.Throws<ArgumentException>(() => Opportunity.Restore(Create().ToState(), renewals));

        Assert.Contains("belongs to pipeline 'new-business', not 'renewals'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_HistoryGoingBackInTime_ThrowsArgumentException()
    {
        var state = InStage(Stages.Qualification).ToState();
        var history = state.History.ToList();
        history[1] = history[1] with { At = T0 - Duration.FromHours(1) };

        var e = Assert.Throws<ArgumentException>(() => Opportunity.Restore(state with { History = history }, Default));

        Assert.Contains("history entry 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("is earlier than the entry before it", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_StageDisagreeingWithHistory_ThrowsArgumentException()
    {
        var state = InStage(Stages.Qualification).ToState() with { Stage = Stages.Offer };

        var e = Assert.Throws<ArgumentException>(() => Opportunity.Restore(state, Default));

        Assert.Contains("is in stage 'offer' but its history ends in 'qualification'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_WonStageWithoutOutcome_ThrowsArgumentException()
    {
        var state = Won().ToState() with { Outcome = null };

        var e = Assert.Throws<ArgumentException>(() => Opportunity.Restore(state, Default));

        Assert.Contains("is in won stage 'won' but has no matching outcome", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_OpenStageWithOutcome_ThrowsArgumentException()
    {
        var state = Create().ToState() with { Outcome = new Outcome(OutcomeKind.Won, null, null, T0) };

        var e = Assert.Throws<ArgumentException>(() => Opportunity.Restore(state, Default));

        Assert.Contains("is in open stage 'identification' but has an outcome", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_EmptyHistory_ThrowsArgumentException()
    {
        var state = Create().ToState() with { History = [] };

        var e = Assert.Throws<ArgumentException>(() => Opportunity.Restore(state, Default));

        Assert.Contains("has no stage history", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_HistoryThroughAnUnknownStage_ThrowsUnknownStageException()
    {
        var state = Create().ToState();
        var bogus = new StageId("bogus");
        state = state with
        {
            Stage = bogus,
            History = [.. state.History, new StageChange(Stages.Identification, bogus, Hour(1), Anna, StageChangeKind.Imported)],
        };

        var e = Assert.Throws<UnknownStageException>(() => Opportunity.Restore(state, Default));

        Assert.Equal(bogus, e.Stage);
    }

    [Fact]
    public void ToState_Snapshot_IsNotAffectedByLaterChanges()
    {
        var deal = Create();
        var snapshot = deal.ToState();

        LogContact(deal, Hour(1));
        deal.MoveTo(Default, Stages.Qualification, Anna, Hour(2));

        Assert.Single(snapshot.History);
        Assert.Empty(snapshot.Activities);
        Assert.NotEqual(snapshot, deal.ToState());
    }
}
