namespace SalesPipeline.Process;

/// <summary>
/// The probability and weighting rule, the one place it is written: a deal in a won stage is 100 %, in a lost stage 0 %,
/// in an open stage the owner's override when there is one, else the stage's default; its weighted value is its value ×
/// probability ÷ 100, exact in <see cref="decimal"/>. The deal itself, every calculator, the stores' SQL aggregates and the
/// report all use it.
/// </summary>
/// <remarks>Thread-safe: pure functions.</remarks>
public static class DealProbability
{
    /// <summary>The probability in percent of a deal in <paramref name="stage"/>.</summary>
    /// <param name="stage">The stage the deal is in.</param>
    /// <param name="probabilityOverride">The owner's override in percent, if any; ignored in a closed stage.</param>
    /// <returns>100 in a won stage, 0 in a lost stage, else the override or the stage's default.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stage"/> is <see langword="null"/>.</exception>
    public static int Of(StageDefinition stage, int? probabilityOverride)
    {
        ArgumentNullException.ThrowIfNull(stage);
        return Of(stage.Kind, stage.DefaultProbability, probabilityOverride);
    }

    /// <summary>The probability in percent of a deal in a stage of <paramref name="kind"/> with <paramref name="defaultProbability"/>.</summary>
    /// <param name="kind">The stage's kind.</param>
    /// <param name="defaultProbability">The stage's default probability in percent.</param>
    /// <param name="probabilityOverride">The owner's override in percent, if any; ignored in a closed stage.</param>
    /// <returns>100 when won, 0 when lost, else the override or the default.</returns>
    public static int Of(StageKind kind, int defaultProbability, int? probabilityOverride) => kind switch
    {
        StageKind.Won => 100,
        StageKind.Lost => 0,
        _ => probabilityOverride ?? defaultProbability,
    };

    /// <summary>The weighted value of an amount at a probability: amount × probability ÷ 100, exact.</summary>
    /// <param name="amount">The amount (a deal's value, or a sum of values at one probability).</param>
    /// <param name="probability">The probability in percent.</param>
    /// <returns>The weighted amount.</returns>
    public static decimal Weighted(decimal amount, int probability) => amount * probability / 100m;
}
