using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;
using static SalesPipeline.Tests.Core.DealKit;

namespace SalesPipeline.Tests.Core.Domain;

public sealed class ActivityTests
{
    [Theory]
    [InlineData(ActivityKind.Call, true)]
    [InlineData(ActivityKind.Email, true)]
    [InlineData(ActivityKind.Meeting, true)]
    [InlineData(ActivityKind.LinkedInMessage, true)]
    [InlineData(ActivityKind.Note, false)]
    [InlineData(ActivityKind.Task, false)]
    public void IsContact_EachKind_OnlyClientContactsCount(ActivityKind kind, bool isContact) =>
        Assert.Equal(isContact, kind.IsContact());

    [Fact]
    public void LogActivity_WithAnIdOfItsOwn_RecordsThatIdAndOtherwiseDrawsANewOne()
    {
        var deal = Create();
        var id = new ActivityId(Guid.CreateVersion7());

        var given = deal.LogActivity(NewActivity.Call("Intro call") with { Id = id }, Bob, Hour(2));
        var drawn = deal.LogActivity(NewActivity.Call("Follow-up call"), Bob, Hour(3));

        Assert.Equal(id, given.Id);
        Assert.Equal([id, drawn.Id], deal.Activities.Select(a => a.Id));
        Assert.NotEqual(Guid.Empty, drawn.Id.Value);
        Assert.NotEqual(id, drawn.Id);
    }

    [Fact]
    public void LogActivity_WithAnEmptyId_ThrowsAndRecordsNothing()
    {
        var deal = Create();

        var e = Assert.Throws<ArgumentException>(() => deal.LogActivity(NewActivity.Call("Intro call", nextContact: Hour(48)) with { Id = new ActivityId(Guid.Empty) }, Bob, Hour(2)));

        Assert.Equal("activity", e.ParamName);
        Assert.Contains("id is empty", e.Message, StringComparison.Ordinal);
        Assert.Empty(deal.Activities);
        Assert.Null(deal.NextContact);
    }

    [Fact]
    public void LogActivity_ContactWithNextContact_RecordsTheContactAndSetsNextContactInTheSameCall()
    {
        var deal = Create();
        var nextTuesday = Hour(24 * 8);

        var call = deal.LogActivity(NewActivity.Call("Intro call", nextContact: nextTuesday), Bob, Hour(2));

        Assert.Equal(ActivityKind.Call, call.Kind);
        Assert.Equal("Intro call", call.Subject);
        Assert.Equal(Bob, call.Author);
        Assert.Equal(Hour(2), call.RecordedAt);
        Assert.Equal(Hour(2), call.HappenedAt);
        Assert.Null(call.Due);
        Assert.True(call.Done);
        Assert.True(call.IsCompletedContact);
        Assert.Equal(nextTuesday, deal.NextContact);
        Assert.Equal([call], deal.Activities);
        Assert.Equal(Bob, deal.LastChangedBy);
        Assert.Equal(Hour(2), deal.LastChangedAt);
    }

    [Fact]
    public void LogActivity_ContactThatHappenedEarlier_KeepsWhenItHappened()
    {
        var deal = Create();

        var email = deal.LogActivity(NewActivity.Email("Sent the brochure", happenedAt: Hour(1)), Anna, Hour(3));

        Assert.Equal(Hour(1), email.HappenedAt);
        Assert.Equal(Hour(3), email.RecordedAt);
    }

    [Fact]
    public void LogActivity_ContactWithoutNextContact_KeepsTheAgreedNextContact()
    {
        var deal = Create();
        deal.ScheduleNextContact(Hour(48), Anna, Hour(1));

        deal.LogActivity(NewActivity.LinkedInMessage("Connected"), Anna, Hour(2));

        Assert.Equal(Hour(48), deal.NextContact);
    }

    [Fact]
    public void LogActivity_ContactInTheFuture_ThrowsArgumentExceptionSayingPlanItInstead()
    {
        var deal = Create();

        var e = Assert.Throws<ArgumentException>(() => deal.LogActivity(NewActivity.Call("Call", happenedAt: Hour(5)), Anna, Hour(1)));

        Assert.Contains("after it is logged", e.Message, StringComparison.Ordinal);
        Assert.Contains("plan it with a due instant instead", e.Message, StringComparison.Ordinal);
        Assert.Empty(deal.Activities);
    }

    [Fact]
    public void LogActivity_TaskWithDue_IsPlannedNotDone()
    {
        var deal = Create();

        var task = deal.LogActivity(NewActivity.Task("Prepare the offer", Hour(24)), Anna, Hour(1));

        Assert.Equal(ActivityKind.Task, task.Kind);
        Assert.Equal(Hour(24), task.Due);
        Assert.Null(task.HappenedAt);
        Assert.False(task.Done);
        Assert.False(task.IsCompletedContact);
    }

    [Fact]
    public void LogActivity_TaskWithoutDue_ThrowsArgumentExceptionAndLogsNothing()
    {
        var deal = Create();

        var e = Assert.Throws<ArgumentException>(() => deal.LogActivity(new NewActivity(ActivityKind.Task, "Prepare the offer"), Anna, Hour(1)));

        Assert.Equal("activity", e.ParamName);
        Assert.Contains("task needs a due instant", e.Message, StringComparison.Ordinal);
        Assert.Empty(deal.Activities);
    }

    [Fact]
    public void LogActivity_NoteAndTask_AreNotContactsForQualification()
    {
        var deal = Create();
        deal.LogActivity(NewActivity.Note("Found them on a fair"), Anna, Hour(1));
        deal.LogActivity(NewActivity.Task("Call them", Hour(2)), Anna, Hour(1));

        var unmet = Default.WhyNot(deal, Stages.Qualification);

        Assert.Equal(["contact-logged"], unmet.Select(u => u.Id));
    }

    [Fact]
    public void CompleteActivity_PlannedMeeting_BecomesAContactThatHappenedThen()
    {
        var deal = Create();
        var meeting = deal.LogActivity(NewActivity.Meeting("Discovery workshop", due: Hour(24)), Anna, Hour(1));
        Assert.False(meeting.IsCompletedContact);
        Assert.Contains(Default.WhyNot(deal, Stages.Qualification), u => u.Id == "contact-logged");

        deal.CompleteActivity(meeting.Id, Bob, Hour(25));

        var done = Assert.Single(deal.Activities);
        Assert.True(done.Done);
        Assert.Equal(Hour(25), done.HappenedAt);
        Assert.True(done.IsCompletedContact);
        Assert.Equal(Bob, deal.LastChangedBy);
        Assert.Empty(Default.WhyNot(deal, Stages.Qualification));
    }

    [Fact]
    public void CompleteActivity_AlreadyDone_ThrowsInvalidOperationExceptionNamingTheActivity()
    {
        var deal = Create();
        var call = deal.LogActivity(NewActivity.Call("Intro call"), Anna, Hour(1));

        var e = Assert.Throws<InvalidOperationException>(() => deal.CompleteActivity(call.Id, Anna, Hour(2)));

        Assert.Contains("'Intro call' is already done", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CompleteActivity_UnknownActivity_ThrowsArgumentException()
    {
        var deal = Create();
        var unknown = ActivityId.New();

        var e = Assert.Throws<ArgumentException>(() => deal.CompleteActivity(unknown, Anna, Hour(2)));

        Assert.Contains($"has no activity {unknown}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScheduleNextContact_SetThenClear_RecordsWhoAndWhen()
    {
        var deal = Create();

        deal.ScheduleNextContact(Hour(72), Bob, Hour(1));
        Assert.Equal(Hour(72), deal.NextContact);
        Assert.Equal(Bob, deal.LastChangedBy);

        deal.ScheduleNextContact(null, Anna, Hour(2));
        Assert.Null(deal.NextContact);
        Assert.Equal(Anna, deal.LastChangedBy);
        Assert.Equal(Hour(2), deal.LastChangedAt);
    }

    [Fact]
    public void ScheduleNextContact_InThePast_ThrowsArgumentException()
    {
        var deal = Create();

        var e = Assert.Throws<ArgumentException>(() => deal.ScheduleNextContact(Hour(1), Anna, Hour(2)));

        Assert.Equal("when", e.ParamName);
        Assert.Null(deal.NextContact);
    }

    [Fact]
    public void LogActivity_UndefinedKind_ThrowsArgumentExceptionListingKinds()
    {
        var deal = Create();

        var e = Assert.Throws<ArgumentException>(() => deal.LogActivity(new NewActivity((ActivityKind)42, "Fax"), Anna, Hour(1)));

        Assert.Contains("Activity kind 42 is not one of: Call, Email, Meeting, LinkedInMessage, Note, Task", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LogActivity_SubjectLongerThan500_ThrowsArgumentException()
    {
        var deal = Create();

        var e = Assert.Throws<ArgumentException>(() => deal.LogActivity(NewActivity.Note(new string('x', 501)), Anna, Hour(1)));

        Assert.Contains("'subject' must be at most 500 characters long, was 501", e.Message, StringComparison.Ordinal);
    }
}
