using System.Globalization;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;

namespace SalesPipeline.Process;

/// <summary>
/// Whether a new definition of a pipeline keeps every deal already in it valid: a definition replacing a stored one must not
/// strand deals, that is remove a stage a deal is in or passed through, or change the kind (open, won, lost) of the stage a
/// deal is in. A deal fits when <see cref="Opportunity.Restore"/> accepts it under the new definition, so the rule is the
/// one every later read of the deal applies.
/// </summary>
/// <param name="Pipeline">The pipeline checked.</param>
/// <param name="Checked">How many deals the pipeline has.</param>
/// <param name="Stranded">How many of them would not fit the new definition.</param>
/// <param name="Examples">The names of the first stranded deals and why each does not fit (at most <see cref="MaxExamples"/>).</param>
public sealed record PipelineFit(PipelineId Pipeline, long Checked, long Stranded, IReadOnlyList<string> Examples)
{
    /// <summary>The most stranded deals <see cref="Examples"/> describes.</summary>
    public const int MaxExamples = 5;

    /// <summary>Gets whether every deal fits.</summary>
    public bool Fits => Stranded == 0;

    /// <summary>
    /// Gets what is wrong and what to do, such as "2 of the 40 deals in pipeline 'renewals' would not fit the new definition,
    /// for example …"; empty when every deal fits.
    /// </summary>
    public string Reason => Fits
        ? string.Empty
        : string.Create(CultureInfo.InvariantCulture, $"{Stranded:N0} of the {Checked:N0} deals in pipeline '{Pipeline}' would not fit the new definition, for example ")
            + string.Join(" ", Examples) + " Keep the stages those deals are in, with their kinds.";

    /// <summary>Checks every stored deal of the definition's pipeline against the definition, streaming them.</summary>
    /// <param name="definition">The new definition.</param>
    /// <param name="deals">The store holding the deals.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>How many deals were checked and which would be stranded.</returns>
    /// <remarks>Thread-safe: it only reads.</remarks>
    public static async Task<PipelineFit> CheckAsync(PipelineDefinition definition, IOpportunityStore deals, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(deals);
        var examples = new List<string>();
        long checkedDeals = 0;
        long stranded = 0;
        await foreach (var deal in deals.QueryAsync(new OpportunityQuery(definition.Id), cancellationToken).ConfigureAwait(false))
        {
            checkedDeals++;
            try
            {
                Opportunity.Restore(deal, definition);
            }
            catch (ArgumentException e)
            {
                stranded++;
                if (examples.Count < MaxExamples)
                {
                    examples.Add($"'{deal.Name}': {Text.WithoutParameter(e)}");
                }
            }
        }

        return new PipelineFit(definition.Id, checkedDeals, stranded, examples);
    }
}
