using SalesPipeline.Domain;

namespace SalesPipeline.Documents;

/// <summary>What to generate an offer from.</summary>
/// <param name="Deal">The deal the offer is for; it is attached to it.</param>
/// <param name="Template">The offer template (a document of kind <c>offer-template</c>).</param>
/// <param name="PriceList">The price list whose lines the offer quotes (a document of kind <c>price-list</c>), if any.</param>
/// <param name="Lines">The price-list line numbers to quote, from 1, in the order the template's <c>line1</c>, <c>line2</c>… refer to them.</param>
/// <param name="Title">The offer's title; <c>Offer – DEAL NAME</c> when left out (generating again adds a version).</param>
public sealed record NewOffer(OpportunityId Deal, DocumentId Template, DocumentId? PriceList = null, IReadOnlyList<int>? Lines = null, string? Title = null);
