using System.Data.Common;
using Dapper;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;
using SalesPipeline.People;

namespace SalesPipeline.Storage.Internal;

/// <summary>People in SQLite or PostgreSQL: the same table and SQL on both.</summary>
/// <remarks>Thread-safe: every call uses its own pooled connection.</remarks>
internal sealed class RelationalPersonStore(IStoreDialect dialect) : IPersonStore
{
    private IRelationalDatabase Database => dialect.Database;

    /// <inheritdoc />
    public Task<Person?> FindAsync(UserId id, CancellationToken cancellationToken = default) =>
        Database.ReadAsync(
            async (connection, transaction) => (await connection.QuerySingleOrDefaultAsync<PersonRow>(new CommandDefinition(
                $"SELECT {PersonRow.Columns} FROM people WHERE id = @Id", new { Id = id.Value }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))?.ToPerson(),
            cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Person>> ListAsync(CancellationToken cancellationToken = default) =>
        Database.ReadAsync<IReadOnlyList<Person>>(
            async (connection, transaction) => [.. (await connection.QueryAsync<PersonRow>(new CommandDefinition(
                $"SELECT {PersonRow.Columns} FROM people ORDER BY id", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).Select(r => r.ToPerson())],
            cancellationToken);

    /// <inheritdoc />
    public Task<int> SaveAsync(Person person, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(person);
        return Database.WithConnectionAsync(connection => WriteAsync(connection, null, person, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<int?> SaveIfAnotherActiveAdminAsync(Person person, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(person);
        return dialect.WriteAsync(
            async (connection, transaction) =>
            {
                await LockPeopleAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                var others = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    PersonRow.CountOtherActiveAdmins, new { Id = person.Id.Value, Admin = Roles.Name(Role.Admin) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                return others == 0 ? (int?)null : await WriteAsync(connection, transaction, person, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<PersonSaveResult> SaveIfAsync(Person person, PersonChecks checks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(person);
        return dialect.WriteAsync(
            async (connection, transaction) =>
            {
                await LockPeopleAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                var failed = PersonChecks.None;
                if (checks.HasFlag(PersonChecks.AnotherActiveAdmin) && await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    PersonRow.CountOtherActiveAdmins, new { Id = person.Id.Value, Admin = Roles.Name(Role.Admin) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false) == 0)
                {
                    failed |= PersonChecks.AnotherActiveAdmin;
                }

                List<UserId> managed = checks.HasFlag(PersonChecks.ManagesNoActivePeople)
                    ? [.. (await connection.QueryAsync<string>(new CommandDefinition(PersonRow.ActivePeopleManaged, new { Id = person.Id.Value }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
                        .Order(StringComparer.Ordinal).Select(id => new UserId(id))]
                    : [];
                if (managed.Count > 0)
                {
                    failed |= PersonChecks.ManagesNoActivePeople;
                }

                if (checks.HasFlag(PersonChecks.ManagerActive) && person.Manager is { } manager && await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    PersonRow.CountActive, new { Id = manager.Value }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false) == 0)
                {
                    failed |= PersonChecks.ManagerActive;
                }

                return failed == PersonChecks.None
                    ? new PersonSaveResult(await WriteAsync(connection, transaction, person, cancellationToken).ConfigureAwait(false), failed, [])
                    : new PersonSaveResult(null, failed, managed);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> AddFirstAsync(Person person, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(person);
        var row = PersonRow.From(person, 1);
        return dialect.WriteAsync(
            async (connection, transaction) =>
            {
                await LockPeopleAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                return await connection.ExecuteAsync(new CommandDefinition(PersonRow.InsertFirst, row, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
            },
            cancellationToken);
    }

    /// <summary>
    /// Takes the people's lock in a write transaction before it reads them, so a second such write waits for this one to end
    /// and then reads what it wrote.
    /// </summary>
    private Task<int> LockPeopleAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(dialect.LockPeople, transaction: transaction, cancellationToken: cancellationToken));

    /// <summary>Inserts a person at version 0, otherwise updates them if their version is current; returns the new version.</summary>
    private static async Task<int> WriteAsync(DbConnection connection, DbTransaction? transaction, Person person, CancellationToken cancellationToken)
    {
        var version = person.Version + 1;
        var row = PersonRow.From(person, version);
        var written = await connection.ExecuteAsync(new CommandDefinition(person.Version == 0 ? PersonRow.Insert : PersonRow.Update, row, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (written == 0)
        {
            var actual = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT version FROM people WHERE id = @Id", new { row.Id }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            throw new ConcurrencyConflictException("person", person.Id.ToString(), person.Version, (int?)actual);
        }

        return version;
    }
}
