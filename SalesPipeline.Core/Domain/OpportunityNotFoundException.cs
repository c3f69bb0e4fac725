namespace SalesPipeline.Domain;

/// <summary>Thrown when no opportunity has the given id.</summary>
public sealed class OpportunityNotFoundException : KeyNotFoundException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="id">The id looked for.</param>
    public OpportunityNotFoundException(OpportunityId id)
        : base($"No opportunity has id {id}. Check the id, or whether the opportunity was created in another store.")
    {
        Id = id;
    }

    /// <summary>Gets the id looked for.</summary>
    public OpportunityId Id { get; }
}
