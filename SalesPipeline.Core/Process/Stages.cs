using SalesPipeline.Domain;

namespace SalesPipeline.Process;

/// <summary>The stage ids of the default pipeline.</summary>
public static class Stages
{
    /// <summary>Identification: promising prospects, the relationship starts.</summary>
    public static StageId Identification { get; } = new("identification");

    /// <summary>Qualification: needs, pains and budget.</summary>
    public static StageId Qualification { get; } = new("qualification");

    /// <summary>Offer: a professional offer is sent.</summary>
    public static StageId Offer { get; } = new("offer");

    /// <summary>Negotiation: price, dates, terms, contract.</summary>
    public static StageId Negotiation { get; } = new("negotiation");

    /// <summary>Won.</summary>
    public static StageId Won { get; } = new("won");

    /// <summary>Lost.</summary>
    public static StageId Lost { get; } = new("lost");
}
