using System.Data.Common;
using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// What the shared relational stores need of a provider beyond plain SQL: its database, its write transaction and locks,
/// the column types it keeps values in, the few SQL texts that differ, and how it reports a broken unique index. The stores
/// themselves (SQL, rows, saves, reads, aggregates) are written once, over this seam.
/// </summary>
internal interface IStoreDialect
{
    /// <summary>Gets the database.</summary>
    IRelationalDatabase Database { get; }

    /// <summary>
    /// Gets a statement, taking <c>@Owner</c>, that makes every other transaction that runs it for the same owner wait until
    /// this one ends, so an owner's active leads are counted and changed by one transaction at a time.
    /// </summary>
    string LockOwner { get; }

    /// <summary>Gets a statement that makes every other transaction that runs it wait until this one ends (the first person).</summary>
    string LockPeople { get; }

    /// <summary>
    /// Gets a statement that makes every other transaction that writes deals wait until this one ends (and waits for those
    /// already writing), so a check of the stored deals made in this transaction still holds at its commit; the mode
    /// conflicts with itself, so pipeline definition writes queue too.
    /// </summary>
    string LockDeals { get; }

    /// <summary>Gets the column of <c>opportunities</c> that holds the deal's value (its currency is in <c>currency</c>).</summary>
    string AmountColumn { get; }

    /// <summary>
    /// Gets whether the database groups by sorting every row (SQLite, whose amounts are integers), so that reads whose rows
    /// the library can group as cheaply (the history facts, one row per deal; the sales cycles, whose list the median needs
    /// anyway) take the rows ungrouped: false where the database hashes them on the server and grouping saves rows that
    /// would have to travel (PostgreSQL).
    /// </summary>
    bool GroupsBySorting { get; }

    /// <summary>
    /// Gets how many parts of the deal ids the history facts' grouped read is cut into, each read on a connection of its own:
    /// where the reads run in this process (SQLite), twice as many as a consistent read has connections
    /// (<see cref="ConsistentRead.DefaultLanes"/>, one per core up to four), so a connection that finishes its part takes the
    /// next instead of idling beside a longer one; where each part is a query on the server (PostgreSQL), two.
    /// </summary>
    int HistoryParts { get; }

    /// <summary>Gets the column of <c>opportunities</c> that holds the qualification budget.</summary>
    string BudgetColumn { get; }

    /// <summary>
    /// Gets the FROM clause of the snapshot funnel: every deal <c>o</c> with the stage <c>s.stage</c> it was in at
    /// <c>@AsOf</c>, written the way the provider answers it fastest.
    /// </summary>
    string StageAtFrom { get; }

    /// <summary>
    /// Gets the FROM clause of the ended stays: every history entry <c>nx</c> after a deal's first, with the entry before it
    /// as <c>pe</c> (its <c>to_stage</c> and <c>at</c>), found by one primary-key seek per entry.
    /// </summary>
    string EntryBeforeFrom { get; }

    /// <summary>
    /// Gets the command timeout, in seconds, of the aggregate reads that go over every deal of a pipeline (0 for none), or
    /// <see langword="null"/> for the connection's own. Such a read grows with the store, unlike a point read: on PostgreSQL at
    /// 10^7 deals one statement takes longer than Npgsql's default 30 seconds, so there it waits without limit and only the
    /// caller's cancellation token stops it.
    /// </summary>
    int? WholeStoreReadTimeout { get; }

    /// <summary>Starts a write transaction: the version checks and writes in it cannot interleave with another writer's.</summary>
    Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Orders <paramref name="column"/> by code point, as the in-memory store compares strings.</summary>
    string Ordinal(string column);

    /// <summary>The condition that <paramref name="column"/> equals one of the values of the list (array) parameter <paramref name="parameter"/>.</summary>
    string InList(string column, string parameter);

    /// <summary>The condition that the yes/no <paramref name="column"/> is no, written as the provider's partial indexes state it.</summary>
    string IsFalse(string column);

    /// <summary>Whether <paramref name="exception"/> is a violation of the unique index <paramref name="index"/> (of any unique index or key when <see langword="null"/>).</summary>
    bool IsUniqueViolation(DbException exception, string? index);

    /// <summary>Whether the database stopped the statement to break a deadlock with another session.</summary>
    bool IsDeadlock(DbException exception);

    /// <summary>The stored form of an id.</summary>
    object Key(Guid id);

    /// <summary>The stored form of several ids, as the list parameter of <see cref="InList"/>.</summary>
    object Keys(IReadOnlyCollection<Guid> ids);

    /// <summary>The id a stored key stands for.</summary>
    Guid ToGuid(object key);

    /// <summary>The stored form of an instant (truncated to the microsecond).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The provider cannot store the instant.</exception>
    object Time(Instant instant);

    /// <summary>A query bound of whole microseconds since the Unix epoch, in the provider's instant type.</summary>
    object Bound(long micros);

    /// <summary>The instant a stored value stands for.</summary>
    Instant ToInstant(object value);

    /// <summary>The duration the difference of two stored instants (<c>later - earlier</c> in SQL) stands for.</summary>
    Duration ToDuration(object value);

    /// <summary>The SQL of the whole microseconds from the stored instant <paramref name="earlier"/> to <paramref name="later"/>, a 64-bit integer.</summary>
    string MicrosBetween(string later, string earlier);

    /// <summary>The stored form of an amount of money (its currency is stored beside it).</summary>
    /// <exception cref="ArgumentException">The amount cannot be stored exactly.</exception>
    object Amount(Money money, string what);

    /// <summary>The amount a stored value, or a SUM of stored values, stands for in <paramref name="currency"/>.</summary>
    decimal ToAmount(object value, string currency);

    /// <summary>The stored form of a date.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The provider cannot store the date.</exception>
    object Date(LocalDate date);

    /// <summary>The date a stored value stands for.</summary>
    LocalDate ToDate(object value);

    /// <summary>The stored form of a yes/no value.</summary>
    object Flag(bool value);

    /// <summary>The yes/no value a stored value stands for.</summary>
    bool ToFlag(object value);
}

/// <summary>The write path every shared store takes.</summary>
internal static class StoreWrites
{
    /// <summary>Runs <paramref name="work"/> in one write transaction of the dialect on a pooled connection and commits it.</summary>
    public static Task<T> WriteAsync<T>(this IStoreDialect dialect, Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        dialect.Database.WithConnectionAsync(
            async connection =>
            {
                var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    var result = await work(connection, transaction).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return result;
                }
            },
            cancellationToken);
}
