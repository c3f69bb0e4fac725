using NodaTime;

namespace SalesPipeline.Process.Internal;

/// <summary>The five-stage process of the product's design, with its default requirements.</summary>
internal static class DefaultPipeline
{
    public const string Id = "new-business";

    public static readonly string[] LossReasons =
    [
        "Price",
        "Chose a competitor",
        "No budget",
        "No decision",
        "Timing",
        "Product fit",
        "No relationship",
    ];

    public static PipelineDefinition Build(string id)
    {
        var b = new PipelineDefinitionBuilder(id, "New business")
            .AddStage("identification", StageKind.Open, 10, s => s.Name("en", "Identification").Name("pl", "Identyfikacja").StaleAfter(Duration.FromDays(14)))
            .AddStage("qualification", StageKind.Open, 25, s => s.Name("en", "Qualification").Name("pl", "Kwalifikacja").Requires(StageRequirements.ContactLogged).StaleAfter(Duration.FromDays(21)))
            .AddStage("offer", StageKind.Open, 50, s => s.Name("en", "Offer").Name("pl", "Oferta").Requires(StageRequirements.NeedsAndBudget).StaleAfter(Duration.FromDays(14)))
            .AddStage("negotiation", StageKind.Open, 75, s => s.Name("en", "Negotiation").Name("pl", "Negocjacje").Requires(StageRequirements.OfferAttached).StaleAfter(Duration.FromDays(30)))
            .AddStage("won", StageKind.Won, 100, s => s.Name("en", "Won").Name("pl", "Wygrana").Requires(StageRequirements.OfferAttached))
            .AddStage("lost", StageKind.Lost, 0, s => s.Name("en", "Lost").Name("pl", "Przegrana").Requires(StageRequirements.LossReason).Requires(StageRequirements.ClosingComment))
            .WithLossReasons(LossReasons)
            .AllowForwardAndBackMoves()
            .AllowMove("offer", "won")
            .AllowMove("negotiation", "won");
        foreach (var open in new[] { "identification", "qualification", "offer", "negotiation" })
        {
            b.AllowMove(open, "lost");
        }

        return b.Build();
    }
}
