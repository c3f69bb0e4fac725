namespace SalesPipeline.Process;

/// <summary>Thrown when a new definition of a pipeline would strand deals already in it; nothing was stored.</summary>
public sealed class PipelineFitException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="fit">The check that failed.</param>
    public PipelineFitException(PipelineFit fit)
        : base($"The definition of pipeline '{fit?.Pipeline}' was not stored: {fit?.Reason}")
    {
        ArgumentNullException.ThrowIfNull(fit);
        Fit = fit;
    }

    /// <summary>Gets the check that failed: how many deals would be stranded, with examples.</summary>
    public PipelineFit Fit { get; }
}
