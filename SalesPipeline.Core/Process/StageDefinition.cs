using System.Globalization;
using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Process;

/// <summary>Whether a stage is open or closes the opportunity.</summary>
public enum StageKind
{
    /// <summary>The deal is still being worked on.</summary>
    Open,

    /// <summary>The deal is won (exactly one per pipeline).</summary>
    Won,

    /// <summary>The deal is lost (at least one per pipeline).</summary>
    Lost,
}

/// <summary>A stage of a pipeline: its id, names, kind, default probability, entry requirements and staleness limit.</summary>
/// <remarks>Immutable and safe to share between threads.</remarks>
public sealed class StageDefinition
{
    internal StageDefinition(
        StageId id,
        IReadOnlyDictionary<string, string> names,
        StageKind kind,
        int defaultProbability,
        IReadOnlyList<StageRequirement> requirements,
        Duration? staleAfter,
        int order)
    {
        Id = id;
        Names = names;
        Kind = kind;
        DefaultProbability = defaultProbability;
        Requirements = requirements;
        StaleAfter = staleAfter;
        Order = order;
    }

    /// <summary>Gets the stage's id.</summary>
    public StageId Id { get; }

    /// <summary>Gets the stage's display names by culture name (<c>en</c> is always present).</summary>
    public IReadOnlyDictionary<string, string> Names { get; }

    /// <summary>Gets whether the stage is open, won or lost.</summary>
    public StageKind Kind { get; }

    /// <summary>Gets the probability (0–100 %) of a deal in this stage unless its owner overrides it.</summary>
    public int DefaultProbability { get; }

    /// <summary>Gets what must be true for a deal to enter this stage.</summary>
    public IReadOnlyList<StageRequirement> Requirements { get; }

    /// <summary>Gets how long a deal may stay in this stage before it counts as stale; <see langword="null"/> for never.</summary>
    public Duration? StaleAfter { get; }

    /// <summary>Gets the stage's position in pipeline order (0 for the first stage).</summary>
    public int Order { get; }

    /// <summary>Gets whether the stage is open.</summary>
    public bool IsOpen => Kind == StageKind.Open;

    /// <summary>Gets the stage's name in a culture, falling back to the parent culture and then to English.</summary>
    /// <param name="culture">A culture such as <c>pl</c> or <c>pl-PL</c>.</param>
    /// <returns>The display name.</returns>
    public string NameIn(CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        for (var c = culture; !string.IsNullOrEmpty(c.Name); c = c.Parent)
        {
            if (Names.TryGetValue(c.Name, out var name))
            {
                return name;
            }
        }

        return Names["en"];
    }

    /// <summary>Gets the stage's English name.</summary>
    public string Name => Names["en"];

    /// <inheritdoc />
    public override string ToString() => Id.Value;
}

/// <summary>A move the pipeline allows between two stages.</summary>
/// <param name="From">The stage left.</param>
/// <param name="To">The stage entered.</param>
public readonly record struct StageMove(StageId From, StageId To);
