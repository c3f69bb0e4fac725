using NodaTime;
using NodaTime.Testing;
using NodaTime.Text;
using SalesPipeline.Access;
using SalesPipeline.Agendas;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.People;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Core.Agendas;

/// <summary>Whose agenda a person may see, and the request's checks, on the in-memory store.</summary>
public sealed class AgendaServiceTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 12, 1, 8, 0);
    private static readonly LocalDate Today = new(2026, 12, 1);
    private static readonly UserId Ada = new("ada");
    private static readonly UserId Mona = new("mona");
    private static readonly UserId Sam = new("sam");
    private static readonly UserId Sue = new("sue");
    private static readonly UserId Tom = new("tom");

    private readonly InMemoryStore _store = new();
    private readonly AgendaService _agenda;

    public AgendaServiceTests()
    {
        foreach (var person in new[]
        {
            new Person(Ada, "Ada", Role.Admin, ["hq"], null, 25, true),
            new Person(Mona, "Mona", Role.Manager, ["north"], null, 25, true),
            new Person(Sam, "Sam", Role.Salesperson, ["north"], Mona, 25, true),
            new Person(Sue, "Sue", Role.Salesperson, ["north", "south"], Mona, 25, true),
            new Person(Tom, "Tom", Role.Salesperson, ["south"], null, 25, true),
        })
        {
            _store.SaveAsync(person).GetAwaiter().GetResult();
        }

        _agenda = new AgendaService(_store, _store, PipelineCatalog.DefaultOnly, new FakeClock(Now));
    }

    [Theory]
    [InlineData("sam", null, false, "sam")]
    [InlineData("mona", "sam", false, "sam")]
    [InlineData("mona", null, true, "mona,sam,sue")]
    [InlineData("ada", null, true, "ada,mona,sam,sue,tom")]
    [InlineData("ada", "tom", false, "tom")]
    public async Task GetAsync_AllowedScope_CoversThoseOwners(string by, string? owner, bool team, string owners)
    {
        var agenda = await _agenda.GetAsync(new AgendaRequest(Today, Today.PlusDays(6), owner is null ? null : new UserId(owner), team), new UserId(by));

        Assert.Equal(owners, string.Join(',', agenda.Owners.Select(o => o.Value)));
    }

    [Theory]
    [InlineData("sam", "sue", false)]
    [InlineData("sam", null, true)]
    [InlineData("mona", "tom", false)]
    [InlineData("ghost", null, false)]
    public async Task GetAsync_ScopeOutsideTheRules_IsRefusedWithTheAccessException(string by, string? owner, bool team)
    {
        var e = await Assert.ThrowsAsync<AccessDeniedException>(() => _agenda.GetAsync(new AgendaRequest(Today, Today, owner is null ? null : new UserId(owner), team), new UserId(by)));

        Assert.Equal(new UserId(by), e.User);
    }

    [Fact]
    public async Task GetAsync_BadRequests_SayWhatIsWrong()
    {
        var backwards = await Assert.ThrowsAsync<ArgumentException>(() => _agenda.GetAsync(new AgendaRequest(Today, Today.PlusDays(-1)), Sam));
        Assert.Contains("starts on 2026-12-01 ('from') after it ends on 2026-11-30 ('to')", backwards.Message, StringComparison.Ordinal);
        var longest = await _agenda.GetAsync(new AgendaRequest(Today, Today.PlusDays(AgendaRequest.MaxDays - 1)), Sam);
        Assert.Equal(Today.PlusDays(AgendaRequest.MaxDays - 1), longest.To);
        var tooLong = await Assert.ThrowsAsync<ArgumentException>(() => _agenda.GetAsync(new AgendaRequest(Today, Today.PlusDays(AgendaRequest.MaxDays)), Sam));
        Assert.Contains("longer than 366 days", tooLong.Message, StringComparison.Ordinal);
        var both = await Assert.ThrowsAsync<ArgumentException>(() => _agenda.GetAsync(new AgendaRequest(Today, Today, Sam, Team: true), Mona));
        Assert.Contains("either one owner's or the team's", both.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => _agenda.GetAsync(new AgendaRequest(Today, Today, new UserId("ghost")), Ada));
        Assert.Contains("No person has user id 'ghost'", unknown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1899-12-31", "1900-01-06", "first day ('from') 1899-12-31")]
    [InlineData("0001-01-01", "0001-01-01", "first day ('from') 0001-01-01")]
    [InlineData("2200-12-25", "2201-01-01", "last day ('to') 2201-01-01")]
    [InlineData("9999-12-31", "9999-12-31", "first day ('from') 9999-12-31")]
    public async Task GetAsync_DayOutsideTheBounds_ThrowsNamingTheDayAndTheBounds(string from, string to, string named)
    {
        var request = new AgendaRequest(LocalDatePattern.Iso.Parse(from).Value, LocalDatePattern.Iso.Parse(to).Value);

        var e = await Assert.ThrowsAsync<ArgumentException>(() => _agenda.GetAsync(request, Sam));

        Assert.Equal("request", e.ParamName);
        Assert.StartsWith($"The agenda's {named} is outside the days an agenda covers, 1900-01-01 to 2200-12-31: give a day between them.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_TheBoundsThemselves_AreCovered()
    {
        Assert.Equal(new LocalDate(1900, 1, 1), AgendaRequest.EarliestDay);
        Assert.Equal(new LocalDate(2200, 12, 31), AgendaRequest.LatestDay);

        var first = await _agenda.GetAsync(new AgendaRequest(AgendaRequest.EarliestDay, AgendaRequest.EarliestDay.PlusDays(6)), Sam);
        var last = await _agenda.GetAsync(new AgendaRequest(AgendaRequest.LatestDay.PlusDays(-6), AgendaRequest.LatestDay) { Zone = DateTimeZoneProviders.Tzdb["Pacific/Kiritimati"] }, Sam);

        Assert.Equal(AgendaRequest.EarliestDay, first.From);
        Assert.Equal(AgendaRequest.LatestDay, last.To);
    }

    [Fact]
    public async Task GetAsync_SkippedChecks_AnyOwnerAndTheTeamIsEveryoneStored()
    {
        var open = new AgendaService(_store, _store, PipelineCatalog.DefaultOnly, new FakeClock(Now), new AccessOptions { SkipAccessChecks = true });

        Assert.Equal([new UserId("anyone")], (await open.GetAsync(new AgendaRequest(Today, Today, new UserId("anyone")), Sam)).Owners);
        Assert.Equal(5, (await open.GetAsync(new AgendaRequest(Today, Today, Team: true), new UserId("report"))).Owners.Count);
    }
}
