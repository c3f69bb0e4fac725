using System.Text;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using Xunit;

namespace SalesPipeline.Tests.Core.Process;

/// <summary>
/// The documented size limits of a pipeline definition: a definition at each limit is accepted (and, every limit being
/// small, validated in trivially bounded work); one over a limit is refused for that alone, naming the limit, before
/// anything else is checked.
/// </summary>
public sealed class PipelineDefinitionLimitsTests
{
    [Fact]
    public void Build_AtEveryLimitAtOnce_Builds()
    {
        var definition = Largest(PipelineDefinition.MaxStages, PipelineDefinition.MaxMoves, PipelineDefinition.MaxLossReasons).Build();

        Assert.Equal(PipelineDefinition.MaxStages, definition.Stages.Count);
        Assert.Equal(PipelineDefinition.MaxMoves, definition.Moves.Count);
        Assert.Equal(PipelineDefinition.MaxLossReasons, definition.LossReasons.Count);
        Assert.Equal("Reason 199", definition.FindLossReason(" reason 199 "));
    }

    [Fact]
    public void FromJson_AtEveryLimitAtOnce_ReadsItBack()
    {
        var json = Largest(PipelineDefinition.MaxStages, PipelineDefinition.MaxMoves, PipelineDefinition.MaxLossReasons).Build().ToJson();

        var definition = PipelineDefinition.FromJson(json);

        Assert.Equal(PipelineDefinition.MaxMoves, definition.Moves.Count);
        Assert.True(Encoding.UTF8.GetByteCount(json) <= PipelineDefinition.MaxJsonBytes, "The largest definition must fit the byte limit.");
    }

    [Theory]
    [InlineData("stages", "The pipeline has 51 stages, more than the limit of 50 stages")]
    [InlineData("moves", "The pipeline has 1,001 moves, more than the limit of 1,000 moves")]
    [InlineData("loss reasons", "The pipeline has 201 loss reasons, more than the limit of 200 loss reasons")]
    public void Build_OneOverALimit_RefusedForThatAloneNamingTheLimit(string what, string message)
    {
        var builder = what switch
        {
            "stages" => Largest(PipelineDefinition.MaxStages + 1, 0, 0),
            "moves" => Largest(PipelineDefinition.MaxStages, PipelineDefinition.MaxMoves + 1, 0),
            _ => Largest(PipelineDefinition.MaxStages, 0, PipelineDefinition.MaxLossReasons + 1),
        };

        var error = Assert.Throws<PipelineDefinitionException>(builder.Build);

        Assert.Equal(message + ": remove some.", Assert.Single(error.Errors));
    }

    [Fact]
    public void Build_FarOverEveryLimit_RefusedAtOnceWithOnlyTheLimits()
    {
        var builder = new PipelineDefinitionBuilder("huge");
        for (var i = 0; i < 10_000; i++)
        {
            builder.AddStage($"s{i}", StageKind.Open, 10).AllowMove($"s{i}", "nowhere");
        }

        var error = Assert.Throws<PipelineDefinitionException>(builder.WithLossReasons(Enumerable.Range(0, 110_000).Select(i => $"r{i}")).Build);

        Assert.Equal(3, error.Errors.Count);
        Assert.All(error.Errors, e => Assert.Contains("more than the limit of", e, StringComparison.Ordinal));
    }

    [Fact]
    public void FromJson_AtTheByteLimit_Reads()
    {
        var json = Padded(PipelineDefinition.Default.ToJson(), PipelineDefinition.MaxJsonBytes);

        Assert.Equal(PipelineDefinition.Default.Id, PipelineDefinition.FromJson(json).Id);
    }

    [Fact]
    public void FromJson_OneByteOverTheLimit_RefusedNamingTheLimit()
    {
        // The last character takes two bytes in UTF-8, so the text is one character but two bytes longer than the limit allows.
        var json = Padded(PipelineDefinition.Default.ToJson(), PipelineDefinition.MaxJsonBytes - 1) + "\u00A0";

        var error = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinition.FromJson(json));

        Assert.Equal("The JSON is longer than the limit of 262,144 bytes: shorten it.", Assert.Single(error.Errors));
    }

    [Fact]
    public void FromJson_ManyLossReasonsWithinTheBytes_RefusedByTheReasonLimit()
    {
        var json = PipelineDefinition.Default.ToJson().Replace(
            "\"lossReasons\": [",
            "\"lossReasons\": [" + string.Concat(Enumerable.Range(0, 20_000).Select(i => $"\"r{i}\",")),
            StringComparison.Ordinal);

        var error = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinition.FromJson(json));

        Assert.Contains("more than the limit of 200 loss reasons", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    /// <summary>
    /// A valid pipeline of <paramref name="stages"/> stages (all open but the last two, won and lost), with
    /// <paramref name="moves"/> moves (every open stage to won and lost, forward, then backward moves) and
    /// <paramref name="reasons"/> loss reasons. Moves beyond the valid ones repeat the first (invalid, but counted).
    /// </summary>
    private static PipelineDefinitionBuilder Largest(int stages, int moves, int reasons)
    {
        var builder = new PipelineDefinitionBuilder("largest");
        var open = stages - 2;
        for (var i = 0; i < open; i++)
        {
            builder.AddStage($"s{i}", StageKind.Open, 10);
        }

        builder.AddStage("won", StageKind.Won, 100).AddStage("lost", StageKind.Lost, 0);
        var all = new List<(string, string)>();
        for (var i = 0; i < open; i++)
        {
            all.Add(($"s{i}", "won"));
            all.Add(($"s{i}", "lost"));
            if (i + 1 < open)
            {
                all.Add(($"s{i}", $"s{i + 1}"));
            }
        }

        for (var i = 1; i < open; i++)
        {
            for (var j = 0; j < i - 1; j++)
            {
                all.Add(($"s{i}", $"s{j}"));
            }
        }

        for (var m = 0; m < moves; m++)
        {
            var (from, to) = m < all.Count ? all[m] : all[0];
            builder.AllowMove(from, to);
        }

        return builder.WithLossReasons(Enumerable.Range(0, reasons).Select(i => $"Reason {i}"));
    }

    private static string Padded(string json, int bytes) =>
        json + new string(' ', bytes - Encoding.UTF8.GetByteCount(json));
}
