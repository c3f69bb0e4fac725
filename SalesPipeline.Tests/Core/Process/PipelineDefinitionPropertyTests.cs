using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Core.Process;

/// <summary>A random valid pipeline and the builder calls that made it (for the failure report).</summary>
/// <param name="Definition">The built pipeline.</param>
/// <param name="Recipe">What was asked of the builder.</param>
public sealed record RandomPipeline(PipelineDefinition Definition, string Recipe)
{
    /// <inheritdoc />
    public override string ToString() => Recipe;
}

/// <summary>
/// Random valid pipelines built through <see cref="PipelineDefinitionBuilder"/>: 1–6 open stages with random names
/// (quotes, backslashes, Polish letters, emoji), probabilities and staleness limits; 1–2 lost stages; random
/// requirement subsets; 0–5 loss reasons; forward-and-back moves plus random skips and wins; a random initial stage.
/// </summary>
public static class PipelineArbitraries
{
    private static readonly StageRequirement[] DealRequirements =
        [StageRequirements.ContactLogged, StageRequirements.NeedsAndBudget, StageRequirements.OfferAttached, StageRequirements.ClosingComment];

    private static Gen<string> Slug =>
        from first in Gen.Elements("abcdefghijklmnopqrstuvwxyz".ToCharArray())
        from rest in Gen.ArrayOf(Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789-".ToCharArray()))
        select first + new string(rest.Take(20).ToArray());

    private static Gen<string> Text =>
        from words in Gen.NonEmptyListOf(Gen.Elements("Oferta", "Négociation", "\"quoted\"", "back\\slash", "zażółć", "🚀", "<b>", "line\nbreak", "tab\t", "a"))
        select string.Join(" ", words.Take(5));

    private static Gen<StageRequirement[]> Subset(params StageRequirement[] from) =>
        Gen.SubListOf(from).Select(l => l.ToArray());

    private static Gen<int?> StaleDays => Gen.OneOf(Gen.Constant<int?>(null), Gen.Choose(1, 120).Select(d => (int?)d));

    private sealed record StageSpec(StageKind Kind, int Probability, string En, string? Pl, StageRequirement[] Requirements, int? StaleDays);

    private static Gen<StageSpec> OpenStage =>
        from probability in Gen.Choose(0, 100)
        from en in Text
        from pl in Gen.OneOf(Gen.Constant<string?>(null), Text.Select(t => (string?)t))
        from requirements in Subset(DealRequirements)
        from stale in StaleDays
        select new StageSpec(StageKind.Open, probability, en, pl, requirements, stale);

    private static Gen<StageSpec> ClosedStage(StageKind kind, bool lossReasonsListed) =>
        from en in Text
        from requirements in kind == StageKind.Lost && lossReasonsListed
            ? Subset([.. DealRequirements, StageRequirements.LossReason])
            : Subset(DealRequirements)
        select new StageSpec(kind, kind == StageKind.Won ? 100 : 0, en, null, requirements, null);

    public static Gen<RandomPipeline> PipelineGen =>
        from id in Slug
        from name in Gen.OneOf(Gen.Constant<string?>(null), Text.Select(t => (string?)t))
        from openCount in Gen.Choose(1, 6)
        from open in Gen.ListOf(OpenStage, openCount)
        from reasonCount in Gen.Choose(0, 5)
        from reasons in Gen.ListOf(Text, reasonCount)
        from won in ClosedStage(StageKind.Won, reasonCount > 0)
        from lostCount in Gen.Choose(1, 2)
        from lost in Gen.ListOf(ClosedStage(StageKind.Lost, reasonCount > 0), lostCount)
        from initial in Gen.Choose(0, openCount - 1)
        from skips in Gen.ListOf(Gen.Two(Gen.Choose(0, openCount - 1)), openCount)
        from wins in Gen.SubListOf(Enumerable.Range(0, openCount))
        from secondLostFrom in Gen.Choose(0, openCount - 1)
        select Build(id, name, [.. open], [.. reasons.Select((r, i) => $"{i + 1}. {r}")], won, [.. lost], initial, [.. skips], [.. wins], secondLostFrom);

    public static Arbitrary<RandomPipeline> Pipeline() => PipelineGen.ToArbitrary();

    private static RandomPipeline Build(
        string id,
        string? name,
        StageSpec[] open,
        string[] reasons,
        StageSpec won,
        StageSpec[] lost,
        int initial,
        (int From, int To)[] skips,
        int[] wins,
        int secondLostFrom)
    {
        var recipe = new List<string> { $"new PipelineDefinitionBuilder(\"{id}\", {(name is null ? "null" : $"\"{name}\"")})" };
        var builder = new PipelineDefinitionBuilder(id, name);

        void Add(string stageId, StageSpec spec)
        {
            builder.AddStage(stageId, spec.Kind, spec.Probability, s =>
            {
                s.Name("en", spec.En);
                if (spec.Pl is not null)
                {
                    s.Name("pl", spec.Pl);
                }

                foreach (var requirement in spec.Requirements)
                {
                    s.Requires(requirement);
                }

                s.StaleAfter(spec.StaleDays is { } days ? Duration.FromDays(days) : null);
            });
            recipe.Add($".AddStage(\"{stageId}\", {spec.Kind}, {spec.Probability}, en: \"{spec.En}\", pl: \"{spec.Pl}\", requires: [{string.Join(", ", spec.Requirements.Select(r => r.Id))}], staleDays: {spec.StaleDays})");
        }

        void Allow(string from, string to)
        {
            builder.AllowMove(from, to);
            recipe.Add($".AllowMove(\"{from}\", \"{to}\")");
        }

        var openIds = open.Select((_, i) => $"open-{i}").ToArray();
        var lostIds = lost.Select((_, i) => $"lost-{i}").ToArray();
        for (var i = 0; i < open.Length; i++)
        {
            Add(openIds[i], open[i]);
        }

        Add("won", won);
        for (var i = 0; i < lost.Length; i++)
        {
            Add(lostIds[i], lost[i]);
        }

        builder.AllowForwardAndBackMoves();
        recipe.Add(".AllowForwardAndBackMoves()");
        foreach (var (from, to) in skips.Where(s => s.To > s.From + 1).Distinct())
        {
            Allow(openIds[from], openIds[to]);
        }

        foreach (var from in wins.Append(open.Length - 1).Distinct())
        {
            Allow(openIds[from], "won");
        }

        foreach (var from in openIds)
        {
            Allow(from, lostIds[0]);
        }

        if (lostIds.Length > 1)
        {
            Allow(openIds[secondLostFrom], lostIds[1]);
        }

        builder.StartIn(openIds[initial]).WithLossReasons(reasons);
        recipe.Add($".StartIn(\"{openIds[initial]}\").WithLossReasons({string.Join(", ", reasons.Select(r => $"\"{r}\""))})");
        return new RandomPipeline(builder.Build(), string.Join(Environment.NewLine, recipe));
    }
}

public sealed class PipelineDefinitionPropertyTests
{
    [Property(Arbitrary = [typeof(PipelineArbitraries)], MaxTest = 300)]
    public void ToJson_AnyValidDefinition_RoundTripsThroughFromJson(RandomPipeline random)
    {
        var definition = random.Definition;
        var json = definition.ToJson();

        var read = PipelineDefinition.FromJson(json);

        Assert.Equal(json, read.ToJson());
        Assert.Equal(definition.Id, read.Id);
        Assert.Equal(definition.Name, read.Name);
        Assert.Equal(definition.InitialStage, read.InitialStage);
        Assert.Equal(definition.Moves, read.Moves);
        Assert.Equal(definition.LossReasons, read.LossReasons);
        Assert.Equal(definition.Stages.Count, read.Stages.Count);
        foreach (var (expected, actual) in definition.Stages.Zip(read.Stages))
        {
            Assert.Equal(expected.Id, actual.Id);
            Assert.Equal(expected.Kind, actual.Kind);
            Assert.Equal(expected.DefaultProbability, actual.DefaultProbability);
            Assert.Equal(expected.StaleAfter, actual.StaleAfter);
            Assert.Equal(expected.Names, actual.Names);
            Assert.Equal(expected.Requirements, actual.Requirements);
        }
    }

    [Property(Arbitrary = [typeof(DealScripts)], MaxTest = 200)]
    public void PermittedMoves_AfterAnyCommands_AreExactlyTheMovesThatSucceed(DealScript script) =>
        DealScripts.Replay(script, (deal, _) =>
        {
            var pipeline = PipelineDefinition.Default;
            var permitted = pipeline.PermittedMoves(deal);
            var at = deal.LastChangedAt;
            foreach (var stage in pipeline.Stages)
            {
                var attempt = Opportunity.Restore(deal.ToState(), pipeline);
                var succeeded = Succeeds(() =>
                {
                    if (stage.Kind == StageKind.Lost)
                    {
                        attempt.Lose(pipeline, "Price", "Too expensive", DealKit.Anna, at, stage.Id);
                    }
                    else
                    {
                        attempt.MoveTo(pipeline, stage.Id, DealKit.Anna, at);
                    }
                });

                Assert.True(succeeded == permitted.Contains(stage.Id), $"Move to '{stage.Id}' from '{deal.Stage}': permitted {permitted.Contains(stage.Id)}, succeeded {succeeded}.");
                Assert.Equal(succeeded, pipeline.WhyNot(deal, stage.Id, "Price", "Too expensive").Count == 0);
            }
        });

    private static bool Succeeds(Action move)
    {
        try
        {
            move();
            return true;
        }
        catch (StageTransitionRejectedException)
        {
            return false;
        }
    }
}
