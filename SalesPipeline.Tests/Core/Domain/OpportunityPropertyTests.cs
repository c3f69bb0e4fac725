using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Core.Domain;

/// <summary>
/// Properties of the aggregate under random sequences of up to 30 commands (moves to random stages, wins, losses with
/// listed, carelessly typed and unlisted reasons, reopens, contacts, qualification, offers, overrides, clock advances
/// and stale timestamps), checked after every command.
/// </summary>
public sealed class OpportunityPropertyTests
{
    [Property(Arbitrary = [typeof(DealScripts)], MaxTest = 300)]
    public void History_AfterAnyCommands_IsAChainWhoseInstantsNeverDecrease(DealScript script) =>
        DealScripts.Replay(script, (deal, _) =>
        {
            var history = deal.History;
            Assert.Null(history[0].From);
            Assert.Equal(StageChangeKind.Created, history[0].Kind);
            for (var i = 1; i < history.Count; i++)
            {
                Assert.Equal(history[i - 1].To, history[i].From);
                Assert.True(history[i].At >= history[i - 1].At, $"Entry {i + 1} at {history[i].At} is before entry {i} at {history[i - 1].At}.");
                Assert.Equal(PipelineDefinition.Default.Stage(history[i - 1].To).IsOpen ? StageChangeKind.Moved : StageChangeKind.Reopened, history[i].Kind);
            }

            Assert.Equal(history[^1].To, deal.Stage);
            Assert.Equal(history[^1].At, deal.EnteredStageAt);
            Assert.True(deal.LastChangedAt >= deal.EnteredStageAt);
        });

    [Property(Arbitrary = [typeof(DealScripts)], MaxTest = 300)]
    public void WonDeal_AfterAnyCommands_HasAnOfferAndProbability100(DealScript script) =>
        DealScripts.Replay(script, (deal, _) =>
        {
            if (deal.Stage == PipelineDefinition.Default.WonStage)
            {
                Assert.NotEmpty(deal.Offers);
                Assert.Equal(100, deal.Probability);
                Assert.Equal(OutcomeKind.Won, deal.Outcome?.Kind);
                Assert.Equal(deal.EnteredStageAt, deal.Outcome!.ClosedAt);
            }
            else
            {
                Assert.NotEqual(OutcomeKind.Won, deal.Outcome?.Kind);
            }
        });

    [Property(Arbitrary = [typeof(DealScripts)], MaxTest = 300)]
    public void LostDeal_AfterAnyCommands_HasAListedReasonACommentAndProbability0(DealScript script) =>
        DealScripts.Replay(script, (deal, _) =>
        {
            if (deal.Stage == Stages.Lost)
            {
                Assert.Equal(OutcomeKind.Lost, deal.Outcome?.Kind);
                Assert.False(string.IsNullOrWhiteSpace(deal.Outcome!.Reason));
                Assert.Contains(deal.Outcome.Reason, PipelineDefinition.Default.LossReasons);
                Assert.False(string.IsNullOrWhiteSpace(deal.Outcome.Comment));
                Assert.Equal(0, deal.Probability);
            }
            else
            {
                Assert.NotEqual(OutcomeKind.Lost, deal.Outcome?.Kind);
            }
        });

    [Property(Arbitrary = [typeof(DealScripts)], MaxTest = 300)]
    public void RefusedCommand_AnyRefusal_LeavesTheDealExactlyAsItWas(DealScript script) =>
        DealScripts.Replay(script, (deal, step) =>
        {
            if (step.Refusal is not null)
            {
                Assert.Equal(step.Before, deal.ToState());
            }
        });

    [Property(Arbitrary = [typeof(DealScripts)], MaxTest = 300)]
    public void Probability_AfterAnyCommands_FollowsOutcomeThenOverrideThenStageDefault(DealScript script) =>
        DealScripts.Replay(script, (deal, _) =>
        {
            var expected = deal.Outcome?.Kind switch
            {
                OutcomeKind.Won => 100,
                OutcomeKind.Lost => 0,
                _ => deal.ProbabilityOverride ?? PipelineDefinition.Default.Stage(deal.Stage).DefaultProbability,
            };
            Assert.Equal(expected, deal.Probability);
            Assert.InRange(deal.Probability, 0, 100);
        });

    [Property(Arbitrary = [typeof(DealScripts)], MaxTest = 200)]
    public void Restore_StateAfterAnyCommands_RoundTrips(DealScript script)
    {
        var deal = DealScripts.Replay(script);

        var restored = Opportunity.Restore(deal.ToState(), PipelineDefinition.Default);

        Assert.Equal(deal.ToState(), restored.ToState());
        Assert.Equal(deal.Probability, restored.Probability);
    }

    /// <summary>Keeps the properties above from passing vacuously: the generator must reach every interesting state.</summary>
    [Fact]
    public void DealScripts_SampledWithAFixedSeed_ReachWonLostReopenedAndRefusals()
    {
        var scripts = DealScripts.ScriptGen.Sample(size: 50, seed: new Rnd(20260302UL), numberOfSamples: 400);
        int won = 0, lost = 0, reopened = 0, refused = 0, steps = 0;

        foreach (var script in scripts)
        {
            Assert.InRange(script.Commands.Count, 0, DealScripts.MaxCommands);
            var deal = DealScripts.Replay(script, (_, step) =>
            {
                steps++;
                refused += step.Refusal is null ? 0 : 1;
            });
            won += deal.History.Any(h => h.To == Stages.Won) ? 1 : 0;
            lost += deal.History.Any(h => h.To == Stages.Lost) ? 1 : 0;
            reopened += deal.History.Any(h => h.Kind == StageChangeKind.Reopened) ? 1 : 0;
        }

        Assert.True(won >= 30, $"Only {won} of 400 scripts won a deal.");
        Assert.True(lost >= 30, $"Only {lost} of 400 scripts lost a deal.");
        Assert.True(reopened >= 15, $"Only {reopened} of 400 scripts reopened a deal.");
        Assert.InRange(refused, steps / 10, steps * 9 / 10);
    }
}
