using System.Globalization;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary>
/// Refuses a report scope that would be empty by surprise: no pipeline was named, the default pipeline holds no deal, and
/// other pipelines do. Used by every command that reports on "the default pipeline unless told otherwise".
/// </summary>
internal static class PipelineScope
{
    /// <summary>
    /// Checks the scope before any work. Does nothing when <paramref name="pipelineNamed"/> is set (an empty pipeline someone
    /// asked for by name is an answer, not a surprise) or when the default pipeline holds a deal; otherwise, when other pipelines
    /// hold deals, throws a <see cref="CliInputException"/> naming them with their deal counts and how to pick one.
    /// </summary>
    /// <param name="store">The deals.</param>
    /// <param name="aggregates">Counts the deals of each pipeline when the default one is empty.</param>
    /// <param name="pipeline">The pipeline the report would cover (the default one when none was named).</param>
    /// <param name="pipelineNamed">Whether the user named the pipeline.</param>
    /// <param name="howToPick">How the user names a pipeline, for the message: <c>--pipeline</c>, or a schedule's setting.</param>
    /// <param name="example">Writes the example of naming the pipeline with the most deals, given its id.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="CliInputException">The default pipeline is empty and other pipelines hold deals.</exception>
    public static async Task EnsureNotEmptyAsync(
        IOpportunityStore store, IPipelineAggregates aggregates, PipelineDefinition pipeline, bool pipelineNamed, string howToPick, Func<string, string> example, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(aggregates);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(example);
        if (pipelineNamed)
        {
            return;
        }

        await foreach (var _ in store.QueryAsync(new OpportunityQuery(pipeline.Id), cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        // Only reached when the default pipeline is empty: the store counts the deals of each pipeline (in SQL on a database).
        var counts = await aggregates.DealCountsAsync(cancellationToken).ConfigureAwait(false);
        if (counts.Count == 0)
        {
            return;
        }

        var byDeals = counts.OrderByDescending(c => c.Deals).ThenBy(c => c.Pipeline.Value, StringComparer.Ordinal).ToList();
        var held = string.Join(", ", byDeals.Select(c => string.Create(CultureInfo.InvariantCulture, $"'{c.Pipeline}' ({c.Deals:N0} deals)")));
        var first = byDeals[0].Pipeline.Value;
        throw new CliInputException(
            $"The default pipeline '{pipeline.Id}' has no deals; deals are in {held}. Pick one with {howToPick}, for example {example(first)}.");
    }

    /// <summary>
    /// Refuses an owner who owns no deal in <paramref name="pipeline"/> (a misspelt name would give a report of nothing),
    /// naming the pipeline's owners (at most 20).
    /// </summary>
    /// <param name="store">The deals.</param>
    /// <param name="pipeline">The pipeline the report covers.</param>
    /// <param name="owner">The owner asked for.</param>
    /// <param name="who">How the message names the owner before "owns no deals", such as <c>--owner 'anna'</c>.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="CliInputException">The owner owns no deal in the pipeline.</exception>
    public static async Task EnsureOwnsDealsAsync(IOpportunityStore store, PipelineDefinition pipeline, UserId owner, string who, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(pipeline);
        await foreach (var _ in store.QueryAsync(new OpportunityQuery(pipeline.Id, owner), cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var owners = new SortedSet<string>(StringComparer.CurrentCulture);
        await foreach (var deal in store.QueryAsync(new OpportunityQuery(pipeline.Id), cancellationToken).ConfigureAwait(false))
        {
            owners.Add(deal.Owner.Value);
            if (owners.Count > 20)
            {
                break;
            }
        }

        throw new CliInputException($"{who} owns no deals in pipeline '{pipeline.Id}'. Owners: {(owners.Count == 0 ? "none (the pipeline is empty)" : string.Join(", ", owners.Take(20)))}.");
    }
}
