using System.Data.Common;
using Microsoft.Data.Sqlite;
using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Sqlite;

/// <summary>
/// SQLite's side of the shared stores: ids as text, instants as whole microseconds, money as integer minor units, dates
/// as ISO text, flags as 0/1; BEGIN IMMEDIATE takes the file's write lock, which serialises every writer.
/// </summary>
internal sealed class SqliteDialect(SqliteDatabase database) : IStoreDialect
{
    private const int SqliteUniqueViolation = 2067;

    /// <summary>The columns SQLite names when a unique index is violated, by index.</summary>
    private static readonly Dictionary<string, string> UniqueColumns = new(StringComparer.Ordinal)
    {
        ["ux_opportunities_external_id"] = "opportunities.pipeline_id, opportunities.external_id",
    };

    public IRelationalDatabase Database => database;

    /// <summary>Gets the SQLite database file the dialect speaks to.</summary>
    public SqliteDatabase File => database;

    // The write lock taken by BEGIN IMMEDIATE already excludes every other writer.
    public string LockOwner => "SELECT @Owner";

    public string LockPeople => "SELECT 1";

    public string LockDeals => "SELECT 1";

    public string AmountColumn => "amount_minor";

    public bool GroupsBySorting => true;

    public int HistoryParts => 2 * ConsistentRead.DefaultLanes;

    /// <inheritdoc />
    /// <remarks>The connection's own: on SQLite it bounds how long a statement waits for a lock, not how long it reads.</remarks>
    public int? WholeStoreReadTimeout => null;

    public string BudgetColumn => "q_budget_minor";

    /// <inheritdoc />
    /// <remarks>CROSS JOIN keeps the entries as the outer loop, so each looks its predecessor up by primary key.</remarks>
    public string EntryBeforeFrom =>
        "stage_changes nx CROSS JOIN stage_changes pe ON pe.opportunity_id = nx.opportunity_id AND pe.seq = nx.seq - 1";

    /// <remarks>
    /// The inner query reads stage_changes once in key order (opportunity_id, seq) and keeps, per deal, the row with the
    /// largest seq at or before @AsOf (SQLite takes a bare column from the row that holds the MAX). Histories never go back
    /// in time, so that is the last entry at or before @AsOf. The deals are then looked up in the same id order.
    /// </remarks>
    public string StageAtFrom =>
        "(SELECT opportunity_id, to_stage AS stage, MAX(seq) FROM stage_changes WHERE at <= @AsOf GROUP BY opportunity_id) s " +
        "CROSS JOIN opportunities o ON o.id = s.opportunity_id";

    public Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));
    }

    // SQLite's default BINARY collation compares UTF-8 bytes, which orders as code points do.
    public string Ordinal(string column) => column;

    // Dapper expands the list into one parameter per value.
    public string InList(string column, string parameter) => $"{column} IN {parameter}";

    public string IsFalse(string column) => $"{column} = 0";

    // SQLite names the index's columns, not the index, in its message.
    public bool IsUniqueViolation(DbException exception, string? index) =>
        exception is SqliteException { SqliteExtendedErrorCode: SqliteUniqueViolation } e &&
        (index is null || (UniqueColumns.TryGetValue(index, out var columns) && e.Message.Contains(columns, StringComparison.Ordinal)));

    // One writer at a time: a second one waits for the lock or gives up busy, it is never chosen to break a cycle.
    public bool IsDeadlock(DbException exception) => false;

    public object Key(Guid id) => id.ToString("D");

    public object Keys(IReadOnlyCollection<Guid> ids) => ids.Select(id => id.ToString("D")).ToArray();

    public Guid ToGuid(object key) => Guid.Parse((string)key);

    public object Time(Instant instant) => Micros.Floor(instant);

    public object Bound(long micros) => micros;

    public Instant ToInstant(object value) => Micros.ToInstant((long)value);

    public Duration ToDuration(object value) => Duration.FromTicks((long)value * 10);

    /// <remarks>Instants are stored as whole microseconds since the Unix epoch.</remarks>
    public string MicrosBetween(string later, string earlier) => $"({later} - {earlier})";

    public object Amount(Money money, string what) => MinorUnits.From(money, what);

    public decimal ToAmount(object value, string currency) => MinorUnits.ToAmount((long)value, currency);

    public object Date(LocalDate date) => IsoDate.Format(date);

    public LocalDate ToDate(object value) => IsoDate.Parse((string)value);

    public object Flag(bool value) => value ? 1L : 0L;

    public bool ToFlag(object value) => (long)value != 0;
}
