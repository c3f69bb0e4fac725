using FsCheck;
using FsCheck.Fluent;
using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Process.Internal;

namespace SalesPipeline.Tests.Storage;

/// <summary>
/// Builds opportunities through the domain API (so every generated state is one the product can produce), with
/// instants at whole microseconds, awkward text (quotes, SQL, non-Latin letters, emoji) and several currencies.
/// </summary>
internal static class Deals
{
    public static readonly Instant Epoch = Instant.FromUtc(2026, 1, 5, 9, 0);

    public static readonly string[] Texts =
    [
        "Intro call", "Zażółć gęślą jaźń", "O'Brien said \"yes\"; DROP TABLE opportunities; --", "Ünïcödé 🚀 deal", "line one\nline two\ttab",
        "%_ wildcard \\ backslash", "Ω≈ç√∫", "ERP rollout", "x", new string('a', 300),
    ];

    public static readonly string[] Currencies = ["PLN", "EUR", "USD", "JPY", "KWD"];

    public static UserId Anna { get; } = new("anna");

    /// <summary>A duration in whole microseconds, the precision the database stores keep.</summary>
    public static Duration Us(long micros) => Duration.FromNanoseconds(micros * 1_000);

    /// <summary>A pipeline like the default one under another id, so a test's aggregates see only its own deals.</summary>
    public static PipelineDefinition IsolatedPipeline() => DefaultPipeline.Build("p-" + Guid.NewGuid().ToString("N")[..20]);

    /// <summary>Random deals of one pipeline with owners from the given list.</summary>
    public static Gen<OpportunityState> Deal(PipelineDefinition pipeline, IReadOnlyList<UserId> owners) =>
        from seed in Gen.Choose(0, int.MaxValue)
        from owner in Gen.Elements(owners.ToArray())
        from steps in Gen.Choose(0, 14)
        select Build(pipeline, owner, new Random(seed), steps);

    /// <summary>Builds one deal deterministically from a seed: created, then <paramref name="steps"/> random commands.</summary>
    public static OpportunityState Build(PipelineDefinition pipeline, UserId owner, Random random, int steps)
    {
        var clock = Epoch + Duration.FromSeconds(random.Next(0, 86_400 * 200)) + Micro(random);
        var currency = Currencies[random.Next(Currencies.Length)];
        var deal = Opportunity.Create(
            new NewOpportunity(
                Texts[random.Next(Texts.Length)],
                Amount(random, currency),
                random.Next(3) == 0 ? null : new AccountId(Guid.NewGuid()),
                new LocalDate(2026, 1, 1).PlusDays(random.Next(0, 900)),
                owner,
                pipeline.Id,
                random.Next(3) == 0 ? "ext-" + Guid.NewGuid().ToString("N") : null),
            pipeline,
            owner,
            clock);
        Apply(deal, pipeline, random, steps, ref clock);
        return deal.ToState();
    }

    /// <summary>Applies random commands the deal allows; a refused command changes nothing and is skipped.</summary>
    public static void Apply(Opportunity deal, PipelineDefinition pipeline, Random random, int steps, ref Instant clock)
    {
        var by = deal.Owner;
        for (var i = 0; i < steps; i++)
        {
            clock += Duration.FromSeconds(random.Next(1, 86_400 * 5)) + Micro(random);
            var at = clock;
            var text = Texts[random.Next(Texts.Length)];
            try
            {
                switch (random.Next(12))
                {
                    case 0:
                        deal.LogActivity(NewActivity.Call(text, nextContact: random.Next(2) == 0 ? at + Duration.FromDays(3) + Micro(random) : null), by, at);
                        break;
                    case 1:
                        deal.LogActivity(random.Next(2) == 0 ? NewActivity.Meeting(text, due: at + Duration.FromDays(random.Next(1, 30)) + Micro(random)) : NewActivity.Task(text, at + Duration.FromHours(random.Next(1, 400))), by, at);
                        break;
                    case 2:
                        if (deal.Activities.FirstOrDefault(a => !a.Done) is { } planned)
                        {
                            deal.CompleteActivity(planned.Id, by, at);
                        }

                        break;
                    case 3:
                        deal.RecordQualification(
                            new QualificationData(random.Next(4) == 0 ? null : text, random.Next(2) == 0 ? null : Texts[random.Next(Texts.Length)], random.Next(3) == 0 ? null : Amount(random, deal.Value.Currency), random.Next(2) == 0 ? null : "SLA, price list"),
                            by,
                            at);
                        break;
                    case 4:
                        deal.AttachOffer(DocumentId.New(), text, by, at);
                        break;
                    case 5 or 6:
                        var moves = pipeline.PermittedMoves(deal).Where(s => pipeline.Stage(s).Kind != StageKind.Lost).ToList();
                        if (moves.Count > 0)
                        {
                            deal.MoveTo(pipeline, moves[random.Next(moves.Count)], by, at, random.Next(2) == 0 ? null : text);
                        }

                        break;
                    case 7:
                        deal.Lose(pipeline, pipeline.LossReasons[random.Next(pipeline.LossReasons.Count)], text, by, at);
                        break;
                    case 8:
                        if (deal.IsClosed)
                        {
                            deal.Reopen(pipeline, "Back on: " + text, by, at);
                        }

                        break;
                    case 9:
                        if (!deal.IsClosed)
                        {
                            deal.OverrideProbability(random.Next(3) == 0 ? null : random.Next(0, 101), by, at);
                        }

                        break;
                    case 10:
                        deal.Edit(by, at, name: random.Next(2) == 0 ? text : null, value: random.Next(2) == 0 ? Amount(random, deal.Value.Currency) : null);
                        break;
                    default:
                        deal.ScheduleNextContact(random.Next(3) == 0 ? null : at + Duration.FromHours(random.Next(1, 500)) + Micro(random), by, at);
                        break;
                }
            }
            catch (StageTransitionRejectedException)
            {
                // The deal does not meet the stage's requirements yet: the command changed nothing.
            }
        }
    }

    public static Money Amount(Random random, string currency)
    {
        var money = Money.Zero(currency);
        var minor = random.Next(4) switch
        {
            0 => 0L,
            1 => random.NextInt64(1, 1_000),
            2 => random.NextInt64(1, 100_000_000),
            _ => random.NextInt64(1, 10_000_000_000_000),
        };
        return Money.Of(minor / (decimal)Math.Pow(10, money.MinorUnitDigits), currency);
    }

    private static Duration Micro(Random random) => Duration.FromNanoseconds(random.Next(0, 1_000_000) * 1_000L);
}
