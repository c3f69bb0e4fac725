using System.Data.Common;
using Dapper;
using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// An import session's external-id look-ups (<see cref="Abstractions.IImportSession.ExistingExternalIdsAsync"/>), which ask the store
/// only about ids that may be stored. A pipeline that had no deal with an external id at the session's first look-up in it
/// is followed: the session keeps the external ids it writes there in a <see cref="WrittenIdFilter"/> and counts them. Once
/// no other session can write deals until this one ends (<see cref="IBulkWriter.Alone"/>: on SQLite from the start, since an
/// import holds the write lock throughout; on PostgreSQL once it holds the deal tables for itself), a look-up in a followed
/// pipeline whose deals with an external id are exactly the ones the session wrote can only find the session's own rows, and
/// asks the store only about the ids the filter may hold. A 10^6-row import into a new pipeline otherwise looked up every
/// batch's ids in the store to find none.
/// </summary>
internal sealed class ImportExternalIds
{
    /// <summary>The most pipelines a session follows (a 2 MiB filter each); look-ups in others always ask the store.</summary>
    internal const int FollowedPipelines = 4;

    /// <summary>Non-zero (true) when pipeline @Pipeline has a deal with an external id; the unique index on them answers it.</summary>
    private const string AnyExternalId = "SELECT EXISTS (SELECT 1 FROM opportunities WHERE pipeline_id = @Pipeline AND external_id IS NOT NULL)";

    /// <summary>How many deals of pipeline @Pipeline have an external id.</summary>
    private const string ExternalIdCount = "SELECT COUNT(*) FROM opportunities WHERE pipeline_id = @Pipeline AND external_id IS NOT NULL";

    /// <summary>Each pipeline looked up in: the followed ones with what the session wrote there, the others null.</summary>
    private readonly Dictionary<PipelineId, Followed?> _pipelines = [];

    /// <summary>
    /// Whether the session has seen that no other session can write deals until it ends, and confirmed the pipelines it followed
    /// before then (<see cref="ConfirmAloneAsync"/>): from then on every followed pipeline is answered by its filter.
    /// </summary>
    private bool _alone;

    /// <summary>
    /// The ids among <paramref name="externalIds"/> stored in <paramref name="pipeline"/>, the session's own included:
    /// <paramref name="ask"/> asked about all of them, or only about those the pipeline's filter may hold. <paramref name="alone"/>
    /// tells whether no other session can write deals from now until this one ends (<see cref="IBulkWriter.Alone"/>).
    /// </summary>
    public async Task<IReadOnlySet<string>> LookUpAsync(
        DbConnection connection,
        DbTransaction transaction,
        bool alone,
        PipelineId pipeline,
        IReadOnlyCollection<string> externalIds,
        Func<IReadOnlyCollection<string>, Task<IReadOnlySet<string>>> ask,
        CancellationToken cancellationToken)
    {
        if (alone && !_alone)
        {
            await ConfirmAloneAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            _alone = true;
        }

        if (!_pipelines.TryGetValue(pipeline, out var followed))
        {
            // The session's own rows count too: a pipeline written to before its first look-up is not followed.
            var any = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                AnyExternalId, new { Pipeline = pipeline.Value }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            followed = !any && _pipelines.Count(p => p.Value is not null) < FollowedPipelines ? new Followed() : null;
            _pipelines[pipeline] = followed;
        }

        if (_alone && followed is not null)
        {
            externalIds = externalIds.Where(followed.Filter.MayContain).ToList();
            if (externalIds.Count == 0)
            {
                return new HashSet<string>(StringComparer.Ordinal);
            }
        }

        return await ask(externalIds).ConfigureAwait(false);
    }

    /// <summary>Records deals the session has written.</summary>
    public void Written(IEnumerable<OpportunityState> deals)
    {
        foreach (var deal in deals)
        {
            if (deal.ExternalId is { } externalId && _pipelines.GetValueOrDefault(deal.PipelineId) is { } followed)
            {
                followed.Filter.Add(externalId);
                followed.Count++;
            }
        }
    }

    /// <summary>
    /// Once, at the first look-up after no other session can write deals until this one ends: each followed pipeline whose
    /// deals with an external id are exactly the ones the session wrote stays followed; one where another session's appeared
    /// meanwhile no longer is. (A pipeline first looked up from then on, without an external id, is answered by its filter
    /// from the start.)
    /// </summary>
    private async Task ConfirmAloneAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        foreach (var (pipeline, followed) in _pipelines.Where(p => p.Value is not null).ToList())
        {
            var stored = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                ExternalIdCount, new { Pipeline = pipeline.Value }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (stored != followed!.Count)
            {
                _pipelines[pipeline] = null;
            }
        }
    }

    /// <summary>A followed pipeline: the external ids the session wrote there, and how many.</summary>
    private sealed class Followed
    {
        public WrittenIdFilter Filter { get; } = new();

        public long Count { get; set; }
    }
}
