using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.InMemory;
using SalesPipeline.People;
using SalesPipeline.Process;

namespace SalesPipeline.Tests.Core;

/// <summary>
/// Deals for the Core tests, made and moved only through the aggregate's public methods, one hour apart from
/// <see cref="T0"/>, so every test starts from a state the process itself produced.
/// </summary>
internal static class DealKit
{
    public static readonly UserId Anna = new("anna");
    public static readonly UserId Bob = new("bob");

    /// <summary>Monday 2026-03-02 09:00 UTC.</summary>
    public static readonly Instant T0 = Instant.FromUtc(2026, 3, 2, 9, 0);

    public static PipelineDefinition Default => PipelineDefinition.Default;

    /// <summary>An in-memory store holding Anna (a salesperson) and Bob (her manager), both in group <c>north</c>.</summary>
    public static InMemoryStore StoreWithTeam()
    {
        var store = new InMemoryStore();
        foreach (var person in new[] { new Person(Bob, "Bob", Role.Manager, ["north"], null, 25, true), new Person(Anna, "Anna", Role.Salesperson, ["north"], Bob, 25, true) })
        {
            // The in-memory store completes at once.
            store.SaveAsync(person).GetAwaiter().GetResult();
        }

        return store;
    }

    public static Instant Hour(int hours) => T0 + Duration.FromHours(hours);

    public static NewOpportunity NewDeal(string name = "ERP rollout", decimal amount = 120_000m, string currency = "PLN", PipelineId? pipeline = null) =>
        new(name, Money.Of(amount, currency), null, new LocalDate(2027, 3, 31), Pipeline: pipeline);

    public static Opportunity Create(string name = "ERP rollout") => Opportunity.Create(NewDeal(name), Default, Anna, T0);

    public static void LogContact(Opportunity deal, Instant at) =>
        deal.LogActivity(NewActivity.Call("Intro call", happenedAt: at), Anna, at);

    public static void RecordNeedsAndBudget(Opportunity deal, Instant at) =>
        deal.RecordQualification(new QualificationData("A new ERP", "Spreadsheets everywhere", Money.Of(150_000m, "PLN"), "Migration plan"), Anna, at);

    public static void AttachOffer(Opportunity deal, Instant at) =>
        deal.AttachOffer(DocumentId.New(), "Offer v1", Anna, at);

    /// <summary>A deal in an open stage of the default pipeline, having met every requirement on the way (and no more).</summary>
    public static Opportunity InStage(StageId stage)
    {
        var deal = Create();
        if (stage == Stages.Identification)
        {
            return deal;
        }

        LogContact(deal, Hour(1));
        deal.MoveTo(Default, Stages.Qualification, Anna, Hour(2));
        if (stage == Stages.Qualification)
        {
            return deal;
        }

        RecordNeedsAndBudget(deal, Hour(3));
        deal.MoveTo(Default, Stages.Offer, Anna, Hour(4));
        if (stage == Stages.Offer)
        {
            return deal;
        }

        AttachOffer(deal, Hour(5));
        deal.MoveTo(Default, Stages.Negotiation, Anna, Hour(6));
        if (stage == Stages.Negotiation)
        {
            return deal;
        }

        throw new ArgumentException($"'{stage}' is not an open stage of the default pipeline.", nameof(stage));
    }

    /// <summary>A deal won from negotiation at <c>Hour(7)</c>.</summary>
    public static Opportunity Won()
    {
        var deal = InStage(Stages.Negotiation);
        deal.Win(Default, Anna, Hour(7), "Best migration plan");
        return deal;
    }

    /// <summary>A deal lost from qualification at <c>Hour(3)</c>.</summary>
    public static Opportunity Lost()
    {
        var deal = InStage(Stages.Qualification);
        deal.Lose(Default, "Price", "Their budget was half our price", Anna, Hour(3));
        return deal;
    }
}
