using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;
using static SalesPipeline.Tests.Core.DealKit;

namespace SalesPipeline.Tests.Core.Process;

public sealed class AttentionTests
{
    private static Instant Day(double days) => T0 + Duration.FromHours(days * 24);

    [Fact]
    public void OverdueFollowUps_NextContactBeforeAsOf_IsListedWithHowLongOverdue()
    {
        var deal = Create("Acme ERP");
        deal.LogActivity(NewActivity.Call("Intro call", nextContact: Day(2)), Anna, Day(0.5));

        var followUp = Assert.Single(Attention.OverdueFollowUps([deal], Day(3)));

        Assert.Equal(new FollowUp(deal.Id, "Acme ERP", Anna, FollowUpKind.NextContact, "Next contact", Day(2), Duration.FromDays(1)), followUp);
    }

    [Fact]
    public void OverdueFollowUps_AsOfBeforeOrAtTheDueInstant_IsEmpty()
    {
        var deal = Create();
        deal.ScheduleNextContact(Day(2), Anna, Day(0));
        deal.LogActivity(NewActivity.Task("Send the deck", Day(2)), Anna, Day(0));

        Assert.Empty(Attention.OverdueFollowUps([deal], Day(1)));
        Assert.Empty(Attention.OverdueFollowUps([deal], Day(2)));
        Assert.Equal(2, Attention.OverdueFollowUps([deal], Day(2) + Duration.FromSeconds(1)).Count);
    }

    [Fact]
    public void OverdueFollowUps_PlannedTasksAndMeetings_AreListedUntilDoneMostOverdueFirst()
    {
        var deal = Create();
        var task = deal.LogActivity(NewActivity.Task("Send the deck", Day(1)), Anna, Day(0));
        deal.LogActivity(NewActivity.Meeting("Workshop", due: Day(3)), Anna, Day(0));

        var overdue = Attention.OverdueFollowUps([deal], Day(5));

        Assert.Equal(["Send the deck", "Workshop"], overdue.Select(f => f.Subject));
        Assert.All(overdue, f => Assert.Equal(FollowUpKind.PlannedActivity, f.Kind));
        Assert.Equal(Duration.FromDays(4), overdue[0].Overdue);

        deal.CompleteActivity(task.Id, Anna, Day(5));
        Assert.Equal(["Workshop"], Attention.OverdueFollowUps([deal], Day(5)).Select(f => f.Subject));
    }

    [Fact]
    public void OverdueFollowUps_ClosedDeals_AreLeftOut()
    {
        var lost = InStage(Stages.Qualification);
        lost.ScheduleNextContact(Hour(5), Anna, Hour(3));
        lost.Lose(Default, "Timing", "Next year", Anna, Hour(4));

        Assert.Empty(Attention.OverdueFollowUps([lost], Day(30)));
    }

    [Fact]
    public void OverdueFollowUps_SeveralDeals_OrderedByDueThenName()
    {
        var b = Create("Beta");
        var a = Create("Alpha");
        var c = Create("Gamma");
        b.ScheduleNextContact(Day(2), Anna, Day(0));
        a.ScheduleNextContact(Day(2), Anna, Day(0));
        c.ScheduleNextContact(Day(1), Anna, Day(0));

        var overdue = Attention.OverdueFollowUps([b, a, c], Day(4));

        Assert.Equal(["Gamma", "Alpha", "Beta"], overdue.Select(f => f.OpportunityName));
    }

    [Fact]
    public void StaleDeals_IdleLongerThanTheStagesLimit_AreListedLongestFirst()
    {
        var fresh = Create("Fresh");
        var old = Create("Old");
        LogContact(fresh, Day(10));
        fresh.MoveTo(Default, Stages.Qualification, Anna, Day(10));

        var stale = Attention.StaleDeals([fresh, old], PipelineCatalog.DefaultOnly, Day(15));

        var deal = Assert.Single(stale);
        Assert.Equal(new StaleDeal(old.Id, "Old", Anna, Stages.Identification, T0, Duration.FromDays(15), Duration.FromDays(14)), deal);
    }

    [Fact]
    public void StaleDeals_ActivityLoggedLongAfterEnteringTheStage_CountsFromTheActivity()
    {
        var deal = Create();
        LogContact(deal, Day(10));

        Assert.Empty(Attention.StaleDeals([deal], PipelineCatalog.DefaultOnly, Day(20)));
        var stale = Assert.Single(Attention.StaleDeals([deal], PipelineCatalog.DefaultOnly, Day(25)));
        Assert.Equal((Day(10), Duration.FromDays(15), T0), (stale.LastTouchedAt, stale.Idle, deal.EnteredStageAt));
    }

    [Fact]
    public void StaleDeals_EditAndNextContactScheduled_EachResetIt()
    {
        var deal = Create();
        deal.Edit(Anna, Day(5), value: Money.Of(2m, "PLN"));
        Assert.Equal(Day(5), deal.LastTouchedAt);
        deal.ScheduleNextContact(Day(30), Anna, Day(8));

        Assert.Empty(Attention.StaleDeals([deal], PipelineCatalog.DefaultOnly, Day(22)));
        Assert.Single(Attention.StaleDeals([deal], PipelineCatalog.DefaultOnly, Day(22) + Duration.FromSeconds(1)));
    }

    [Fact]
    public void StaleDeals_ExactlyAtTheLimit_IsNotYetStale()
    {
        var deal = Create();

        Assert.Empty(Attention.StaleDeals([deal], PipelineCatalog.DefaultOnly, Day(14)));
        Assert.Single(Attention.StaleDeals([deal], PipelineCatalog.DefaultOnly, Day(14) + Duration.FromSeconds(1)));
    }

    [Fact]
    public void StaleDeals_ClosedDealsAndStagesWithoutLimit_AreLeftOut()
    {
        var pipeline = new PipelineDefinitionBuilder("no-limits")
            .AddStage("open", StageKind.Open, 50)
            .AddStage("won", StageKind.Won, 100)
            .AddStage("lost", StageKind.Lost, 0)
            .AllowMove("open", "won")
            .AllowMove("open", "lost")
            .Build();
        var unlimited = Opportunity.Create(NewDeal(pipeline: pipeline.Id), pipeline, Anna, T0);
        var catalog = new PipelineCatalog([Default, pipeline]);

        Assert.Empty(Attention.StaleDeals([Won(), Lost(), unlimited], catalog, Day(365)));
    }

    [Fact]
    public void StaleDeals_TwoStaleDeals_LongestIdleFirst()
    {
        var older = Create("Older");
        var newer = Opportunity.Create(NewDeal("Newer"), Default, Anna, Day(1));

        var stale = Attention.StaleDeals([newer, older], PipelineCatalog.DefaultOnly, Day(20));

        Assert.Equal(["Older", "Newer"], stale.Select(s => s.OpportunityName));
        Assert.Equal([Duration.FromDays(20), Duration.FromDays(19)], stale.Select(s => s.Idle));
    }
}
