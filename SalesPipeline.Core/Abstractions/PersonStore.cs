using SalesPipeline.Domain;
using SalesPipeline.People;

namespace SalesPipeline.Abstractions;

/// <summary>What <see cref="IPersonStore.SaveIfAsync"/> checks, in the same atomic step as the write.</summary>
[Flags]
public enum PersonChecks
{
    /// <summary>Nothing: a plain save.</summary>
    None = 0,

    /// <summary>Someone other than the person is an active admin (<see cref="Person.IsActiveAdmin"/>).</summary>
    AnotherActiveAdmin = 1,

    /// <summary>Nobody active other than the person has them as their manager.</summary>
    ManagesNoActivePeople = 2,

    /// <summary>The person's manager, if they have one, is a stored person who is active.</summary>
    ManagerActive = 4,
}

/// <summary>What <see cref="IPersonStore.SaveIfAsync"/> did.</summary>
/// <param name="Version">The new stored version, or <see langword="null"/> when a check failed and nothing was written.</param>
/// <param name="Failed">The checks that failed; <see cref="PersonChecks.None"/> when the person was written.</param>
/// <param name="ActivePeopleManaged">
/// When <see cref="PersonChecks.ManagesNoActivePeople"/> failed, the active people who have the person as their manager,
/// by user id; otherwise empty.
/// </param>
public sealed record PersonSaveResult(int? Version, PersonChecks Failed, IReadOnlyList<UserId> ActivePeopleManaged);

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

    /// <summary>
    /// Saves a person as <see cref="SaveAsync"/> does, but only while every one of <paramref name="checks"/> holds, checking
    /// them and writing in one atomic step: a person deactivated while someone is being given them as manager leaves either
    /// the manager active or the other person without them.
    /// </summary>
    /// <param name="person">The person, at the version read (0: new).</param>
    /// <param name="checks">What must hold for the write.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The new stored version, or the checks that failed (nothing was written).</returns>
    /// <exception cref="ConcurrencyConflictException">They changed since they were read (or already exist); nothing was written.</exception>
    Task<PersonSaveResult> SaveIfAsync(Person person, PersonChecks checks, CancellationToken cancellationToken = default);

    /// <summary>Inserts a person only when nobody is stored yet (the first administrator of a new database).</summary>
    /// <param name="person">The person, at version 0.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Whether they were inserted; <see langword="false"/> when someone was already stored.</returns>
    Task<bool> AddFirstAsync(Person person, CancellationToken cancellationToken = default);
}
