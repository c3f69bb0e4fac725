using SalesPipeline.Domain;
using SalesPipeline.People;

namespace SalesPipeline.Abstractions;

/// <summary>Stores the people who use the system, with optimistic concurrency on <see cref="Person.Version"/>.</summary>
/// <remarks>Implementations are thread-safe.</remarks>
public interface IPersonStore
{
    /// <summary>Loads a person.</summary>
    /// <param name="id">Their user id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The person, or <see langword="null"/>.</returns>
    Task<Person?> FindAsync(UserId id, CancellationToken cancellationToken = default);

    /// <summary>Loads everyone, by user id.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The people.</returns>
    Task<IReadOnlyList<Person>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Saves a person: inserts them at version 0, otherwise updates them if their version is current.</summary>
    /// <param name="person">The person.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The new stored version.</returns>
    /// <exception cref="ConcurrencyConflictException">They changed since they were read (or already exist); nothing was written.</exception>
    Task<int> SaveAsync(Person person, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves a person as <see cref="SaveAsync"/> does, but only while someone other than them is an active admin
    /// (<see cref="Person.IsActiveAdmin"/>), checking that and writing in one atomic step: two admins demoting or
    /// deactivating each other at once leave one of them an admin.
    /// </summary>
    /// <param name="person">The changed person, at the version read.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The new stored version, or <see langword="null"/> when nobody else is an active admin (nothing was written).</returns>
    /// <exception cref="ConcurrencyConflictException">They changed since they were read (or already exist); nothing was written.</exception>
    Task<int?> SaveIfAnotherActiveAdminAsync(Person person, CancellationToken cancellationToken = default);

    /// <summary>Inserts a person only when nobody is stored yet (the first administrator of a new database).</summary>
    /// <param name="person">The person, at version 0.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Whether they were inserted; <see langword="false"/> when someone was already stored.</returns>
    Task<bool> AddFirstAsync(Person person, CancellationToken cancellationToken = default);
}
