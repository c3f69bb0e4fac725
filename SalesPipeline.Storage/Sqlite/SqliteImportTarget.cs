using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Microsoft.Data.Sqlite;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Sqlite;

/// <summary>
/// Large imports into SQLite: one write transaction for the whole import, rows written through prepared commands
/// that are bound and re-executed per row (Dapper's list execution re-binds by reflection and is markedly slower at
/// 10^6 rows). Nothing is visible until <see cref="IImportSession.CommitAsync"/>.
/// </summary>
/// <remarks>Thread-safe; a session holds the database's write lock until it is committed or disposed.</remarks>
internal sealed class SqliteImportTarget(SqliteDatabase database) : IImportTarget
{
    /// <summary>
    /// The page cache of an import's connection, in KiB. The importer's ids are time-ordered, so the id indexes only grow
    /// at their end; what still lands on random pages are the indexes keyed by the data (close date, account, owner).
    /// With SQLite's default 2 MB cache a 10^6-deal load spends its time re-reading and spilling those pages; 64 MB holds
    /// them, as fast as 256 MB did (for deals with random ids too), and keeps an import's memory about the same for 10^5
    /// and 10^6 rows. It is released when the session ends.
    /// </summary>
    internal const int CacheKibibytes = 64 * 1024;

    /// <inheritdoc />
    public async Task<IImportSession> BeginImportAsync(CancellationToken cancellationToken = default)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SetCacheAsync(connection, CacheKibibytes, cancellationToken).ConfigureAwait(false);
            return new Session(database, connection, connection.BeginTransaction(deferred: false));
        }
        catch (SqliteException e) when (database.Unavailable(e) is { } unavailable)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw unavailable;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // A PRAGMA takes no parameters; the value is an integer, never user text.
    private static Task<int> SetCacheAsync(SqliteConnection connection, int kibibytes, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"PRAGMA cache_size = -{kibibytes}"), cancellationToken: cancellationToken));

    private sealed class Session : IImportSession
    {
        private const int SqliteUniqueViolation = 2067;

        private readonly SqliteDatabase _database;
        private readonly SqliteConnection _connection;
        private readonly SqliteTransaction _transaction;
        private readonly BulkCommand _opportunity;
        private readonly BulkCommand _history;
        private readonly BulkCommand _activity;
        private readonly BulkCommand _offer;
        private readonly SqliteCommand _existing;
        private readonly AccountNameCache _accounts = new();
        private bool _done;

        public Session(SqliteDatabase database, SqliteConnection connection, SqliteTransaction transaction)
        {
            _database = database;
            _connection = connection;
            _transaction = transaction;
            _opportunity = new BulkCommand(connection, transaction, SqliteBulkSql.InsertOpportunity);
            _history = new BulkCommand(connection, transaction, SqliteBulkSql.InsertStageChange);
            _activity = new BulkCommand(connection, transaction, SqliteBulkSql.InsertActivity);
            _offer = new BulkCommand(connection, transaction, SqliteBulkSql.InsertOffer);
            _existing = connection.CreateCommand();
            _existing.Transaction = transaction;
            _existing.CommandText = SqliteBulkSql.SelectExistingExternalIds;
            _existing.Parameters.Add(new SqliteParameter("$0", null));
            _existing.Parameters.Add(new SqliteParameter("$1", null));
            _existing.Prepare();
        }

        public async Task<IReadOnlySet<string>> ExistingExternalIdsAsync(PipelineId pipeline, IReadOnlyCollection<string> externalIds, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(externalIds);
            ObjectDisposedException.ThrowIf(_done, this);
            var found = new HashSet<string>(StringComparer.Ordinal);
            if (externalIds.Count == 0)
            {
                return found;
            }

            // One prepared statement, the ids as one JSON array: an IN list of 500 parameters cost a fresh statement per
            // chunk and a by-name bind of each parameter, about 15% of a 10^6-row import.
            _existing.Parameters[0].Value = pipeline.Value;
            _existing.Parameters[1].Value = JsonSerializer.Serialize(externalIds, SqliteJson.Default.IReadOnlyCollectionString);
            var reader = await _existing.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    found.Add(reader.GetString(0));
                }
            }

            return found;
        }

        public async Task<AccountId> EnsureAccountAsync(string name, UserId by, Instant at, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_done, this);
            var account = Account.Create(name, null, by, at);
            var folded = account.Name.ToUpperInvariant();
            if (_accounts.TryGet(folded, out var known))
            {
                return known;
            }

            var existing = await _connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT id FROM accounts WHERE name_folded = @Folded ORDER BY id LIMIT 1", new { Folded = folded }, _transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (existing is not null)
            {
                return _accounts.Add(folded, new AccountId(Guid.Parse(existing)));
            }

            await _connection.ExecuteAsync(new CommandDefinition(SqliteAccountStore.InsertAccount, SqliteMap.ToRow(account, 1), _transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return _accounts.Add(folded, account.Id);
        }

        public Task AddAsync(IReadOnlyList<OpportunityState> batch, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(batch);
            ObjectDisposedException.ThrowIf(_done, this);
            try
            {
                foreach (var state in batch)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Write(state);
                }
            }
            catch (SqliteException e) when (_database.Unavailable(e) is { } unavailable)
            {
                throw unavailable;
            }
            catch (SqliteException e) when (e.SqliteExtendedErrorCode == SqliteUniqueViolation)
            {
                throw new InvalidOperationException($"An imported opportunity has an external id (or an activity id) that is already stored: {e.Message}", e);
            }

            return Task.CompletedTask;
        }

        public async Task SavePipelineDefinitionAsync(PipelineId id, string json, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_done, this);
            ArgumentException.ThrowIfNullOrWhiteSpace(json);
            try
            {
                await _connection.ExecuteAsync(new CommandDefinition(
                    PipelineDefinitionRow.Upsert, new PipelineDefinitionRow(id.Value, json), _transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }
            catch (SqliteException e) when (_database.Unavailable(e) is { } unavailable)
            {
                throw unavailable;
            }
        }

        public Task CommitAsync(CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(_done, this);
            cancellationToken.ThrowIfCancellationRequested();
            _transaction.Commit();
            _done = true;
            return Task.CompletedTask;
        }

        public async ValueTask DisposeAsync()
        {
            _done = true;
            _opportunity.Dispose();
            _history.Dispose();
            _activity.Dispose();
            _offer.Dispose();
            await _existing.DisposeAsync().ConfigureAwait(false);
            await _transaction.DisposeAsync().ConfigureAwait(false);
            try
            {
                // The connection goes back to the pool: give it SQLite's default cache again.
                await SetCacheAsync(_connection, 2_000, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
            }
        }

        private void Write(OpportunityState s)
        {
            if (s.Version != 0)
            {
                throw new ArgumentException($"An import adds new opportunities (version 0); opportunity {s.Id} has version {s.Version}.", nameof(s));
            }

            var id = SqliteMap.Id(s.Id.Value);
            var q = s.Qualification;
            var p = _opportunity.Values;
            p[0].Value = id;
            p[1].Value = s.PipelineId.Value;
            p[2].Value = s.Name;
            p[3].Value = s.Value.Currency;
            p[4].Value = MinorUnits.From(s.Value, "value");
            p[5].Value = IsoDate.Format(s.ExpectedClose);
            p[6].Value = s.Account is { } account ? SqliteMap.Id(account.Value) : DBNull.Value;
            p[7].Value = s.Owner.Value;
            p[8].Value = s.Stage.Value;
            p[9].Value = s.ProbabilityOverride is { } probability ? probability : DBNull.Value;
            p[10].Value = s.NextContact is { } next ? Micros.Floor(next) : DBNull.Value;
            p[11].Value = q is null ? 0 : 1;
            p[12].Value = (object?)q?.Needs ?? DBNull.Value;
            p[13].Value = (object?)q?.Pains ?? DBNull.Value;
            p[14].Value = (object?)q?.Budget?.Currency ?? DBNull.Value;
            p[15].Value = q?.Budget is { } budget ? MinorUnits.From(budget, "budget") : DBNull.Value;
            p[16].Value = (object?)q?.OfferMustContain ?? DBNull.Value;
            p[17].Value = s.Outcome is { } outcome ? Codes.Of(outcome.Kind) : DBNull.Value;
            p[18].Value = (object?)s.Outcome?.Reason ?? DBNull.Value;
            p[19].Value = (object?)s.Outcome?.Comment ?? DBNull.Value;
            p[20].Value = s.Outcome is { } closed ? Micros.Floor(closed.ClosedAt) : DBNull.Value;
            p[21].Value = Micros.Floor(s.CreatedAt);
            p[22].Value = s.CreatedBy.Value;
            p[23].Value = Micros.Floor(s.LastChangedAt);
            p[24].Value = s.LastChangedBy.Value;
            p[25].Value = (object?)s.ExternalId ?? DBNull.Value;
            p[26].Value = Micros.Floor(s.Touched);
            if (_opportunity.Execute() == 0)
            {
                throw new ConcurrencyConflictException("opportunity", s.Id.ToString(), 0, null);
            }

            for (var i = 0; i < s.History.Count; i++)
            {
                var c = s.History[i];
                var h = _history.Values;
                h[0].Value = id;
                h[1].Value = i;
                h[2].Value = (object?)c.From?.Value ?? DBNull.Value;
                h[3].Value = c.To.Value;
                h[4].Value = Micros.Floor(c.At);
                h[5].Value = c.By.Value;
                h[6].Value = Codes.Of(c.Kind);
                h[7].Value = (object?)c.Comment ?? DBNull.Value;
                _history.Execute();
            }

            for (var i = 0; i < s.Activities.Count; i++)
            {
                var a = s.Activities[i];
                var v = _activity.Values;
                v[0].Value = SqliteMap.Id(a.Id.Value);
                v[1].Value = id;
                v[2].Value = i;
                v[3].Value = Codes.Of(a.Kind);
                v[4].Value = a.Subject;
                v[5].Value = a.Author.Value;
                v[6].Value = Micros.Floor(a.RecordedAt);
                v[7].Value = a.HappenedAt is { } happened ? Micros.Floor(happened) : DBNull.Value;
                v[8].Value = a.Due is { } due ? Micros.Floor(due) : DBNull.Value;
                v[9].Value = a.Done ? 1 : 0;
                _activity.Execute();
            }

            for (var i = 0; i < s.Offers.Count; i++)
            {
                var o = s.Offers[i];
                var v = _offer.Values;
                v[0].Value = id;
                v[1].Value = i;
                v[2].Value = o.Title;
                v[3].Value = o.Document.ToString();
                v[4].Value = o.AttachedBy.Value;
                v[5].Value = Micros.Floor(o.AttachedAt);
                _offer.Execute();
            }
        }
    }
}

/// <summary>The import's INSERT statements, with positional parameters in column order.</summary>
internal static class SqliteBulkSql
{
    public const string InsertOpportunity =
        "INSERT INTO opportunities (id, pipeline_id, name, currency, amount_minor, expected_close, account_id, owner, stage, probability_override, " +
        "next_contact, has_qualification, q_needs, q_pains, q_budget_currency, q_budget_minor, q_offer_must_contain, outcome_kind, outcome_reason, " +
        "outcome_comment, closed_at, created_at, created_by, last_changed_at, last_changed_by, external_id, version, last_touched_at) " +
        "VALUES ($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, 1, $26) ON CONFLICT (id) DO NOTHING";

    public const string InsertStageChange =
        "INSERT INTO stage_changes (opportunity_id, seq, from_stage, to_stage, at, by_user, kind, comment) VALUES ($0, $1, $2, $3, $4, $5, $6, $7)";

    public const string InsertActivity =
        "INSERT INTO activities (id, opportunity_id, seq, kind, subject, author, recorded_at, happened_at, due, done) VALUES ($0, $1, $2, $3, $4, $5, $6, $7, $8, $9)";

    /// <summary>The external ids, given as one JSON array ($1), that pipeline $0 already has; the unique index answers each.</summary>
    public const string SelectExistingExternalIds =
        "SELECT external_id FROM opportunities WHERE pipeline_id = $0 AND external_id IN (SELECT value FROM json_each($1))";

    public const string InsertOffer =
        "INSERT INTO offers (opportunity_id, seq, title, document_id, attached_by, attached_at) VALUES ($0, $1, $2, $3, $4, $5)";
}

/// <summary>A prepared command whose parameters ($0, $1, …) are created once and re-bound for every row.</summary>
internal sealed class BulkCommand : IDisposable
{
    private readonly SqliteCommand _command;

    public BulkCommand(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        _command = connection.CreateCommand();
        _command.Transaction = transaction;
        _command.CommandText = sql;
        var count = sql.Count(ch => ch == '$');
        Values = new SqliteParameter[count];
        for (var i = 0; i < count; i++)
        {
            Values[i] = _command.Parameters.Add(new SqliteParameter("$" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), null));
        }

        _command.Prepare();
    }

    public SqliteParameter[] Values { get; }

    public int Execute() => _command.ExecuteNonQuery();

    public void Dispose() => _command.Dispose();
}

/// <summary>The JSON the import's SQL is given, serialised without reflection.</summary>
[JsonSerializable(typeof(IReadOnlyCollection<string>))]
internal sealed partial class SqliteJson : JsonSerializerContext;
