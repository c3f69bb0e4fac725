using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Benchmarks;

/// <summary>
/// Deals of the default pipeline built through the public API, as a salesperson's work leaves them. The data is
/// deterministic (spread by the deal's index), so every run and both sides of a comparison see the same deals.
/// </summary>
internal static class SampleDeals
{
    /// <summary>How many deals <see cref="SpreadOverOpenStages"/> builds before its pattern repeats: every kind of deal is among them.</summary>
    public const int Period = 120;

    public static UserId Owner { get; } = new("anna.nowak");

    /// <summary>When every sample deal is created; its later changes follow at whole days.</summary>
    public static Instant Created { get; } = Instant.FromUtc(2025, 3, 3, 9, 0);

    /// <summary>An instant after every change a sample deal has, for moves made by a benchmark.</summary>
    public static Instant Later { get; } = Created + Duration.FromDays(30);

    /// <summary>
    /// Spreads deals over the open stages: 40 % identification, 30 % qualification, 20 % offer, 10 % negotiation.
    /// Within a stage they differ in what is recorded, so each requirement is met by some and not by others:
    /// identification deals with no activity, a note only, a call, or a planned meeting and an e-mail; qualification
    /// deals without qualification data, with needs but no budget, or with both; offer deals with and without an
    /// attached offer.
    /// </summary>
    public static Opportunity[] SpreadOverOpenStages(int count)
    {
        var deals = new Opportunity[count];
        for (var i = 0; i < count; i++)
        {
            var variant = i / 10;
            deals[i] = (i % 10) switch
            {
                < 4 => InIdentification(i, variant % 4),
                < 7 => InQualification(i, variant % 3),
                < 9 => InOffer(i, variant % 2 == 1),
                _ => InNegotiation(i),
            };
        }

        return deals;
    }

    /// <summary>Deals in identification with a call logged, so each may move to qualification and back.</summary>
    public static Opportunity[] ReadyForQualification(int count)
    {
        var deals = new Opportunity[count];
        for (var i = 0; i < count; i++)
        {
            var deal = New(i);
            LogCall(deal, Day(1));
            deals[i] = deal;
        }

        return deals;
    }

    private static Opportunity InIdentification(int i, int variant)
    {
        var deal = New(i);
        switch (variant)
        {
            case 1:
                deal.LogActivity(NewActivity.Note("Found on the trade-fair list"), Owner, Day(1));
                break;
            case 2:
                LogCall(deal, Day(1));
                break;
            case 3:
                deal.LogActivity(NewActivity.Meeting("Discovery meeting", due: Day(40)), Owner, Day(1));
                deal.LogActivity(NewActivity.Email("Sent the company profile"), Owner, Day(2));
                break;
            default:
                break;
        }

        return deal;
    }

    private static Opportunity InQualification(int i, int variant)
    {
        var deal = New(i);
        LogCall(deal, Day(1));
        deal.MoveTo(PipelineDefinition.Default, Stages.Qualification, Owner, Day(2));
        deal.LogActivity(NewActivity.Note("Decision maker is the CFO"), Owner, Day(3));
        if (variant > 0)
        {
            deal.RecordQualification(
                new QualificationData("Replace spreadsheets with a CRM", "Lost follow-ups", variant == 2 ? Money.Of(40_000m + i, "PLN") : null, null),
                Owner,
                Day(4));
        }

        return deal;
    }

    private static Opportunity InOffer(int i, bool offerAttached)
    {
        var deal = Qualified(i);
        deal.MoveTo(PipelineDefinition.Default, Stages.Offer, Owner, Day(5));
        if (offerAttached)
        {
            deal.AttachOffer(DocumentId.New(), $"Offer {i}", Owner, Day(6));
        }

        return deal;
    }

    private static Opportunity InNegotiation(int i)
    {
        var deal = Qualified(i);
        deal.MoveTo(PipelineDefinition.Default, Stages.Offer, Owner, Day(5));
        deal.AttachOffer(DocumentId.New(), $"Offer {i}", Owner, Day(6));
        deal.LogActivity(NewActivity.Meeting("Offer walkthrough"), Owner, Day(7));
        deal.MoveTo(PipelineDefinition.Default, Stages.Negotiation, Owner, Day(8));
        return deal;
    }

    private static Opportunity Qualified(int i)
    {
        var deal = New(i);
        LogCall(deal, Day(1));
        deal.MoveTo(PipelineDefinition.Default, Stages.Qualification, Owner, Day(2));
        deal.RecordQualification(
            new QualificationData("Replace spreadsheets with a CRM", "Lost follow-ups", Money.Of(60_000m + i, "PLN"), "Licences and onboarding"),
            Owner,
            Day(4));
        return deal;
    }

    private static Opportunity New(int i) => Opportunity.Create(
        new NewOpportunity($"Deal {i}", Money.Of(10_000m + (i % 500 * 1_000m), "PLN"), null, new LocalDate(2025, 6, 30)),
        PipelineDefinition.Default,
        Owner,
        Created);

    private static void LogCall(Opportunity deal, Instant at) =>
        deal.LogActivity(NewActivity.Call("Intro call", nextContact: at + Duration.FromDays(7)), Owner, at);

    private static Instant Day(int day) => Created + Duration.FromDays(day);
}
