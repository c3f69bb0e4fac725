using System.Data;
using System.Data.Common;
using Npgsql;
using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Postgres;

/// <summary>
/// PostgreSQL's side of the shared stores: native uuid, timestamptz, numeric, date and boolean columns; READ COMMITTED
/// writes whose conditional updates wait for a concurrent writer; a transaction-scoped advisory lock per owner, so two
/// assignments to one person run one after the other and the second counts the first's lead.
/// </summary>
internal sealed class PostgresDialect(PostgresDatabase database) : IStoreDialect
{
    /// <summary>The first key of the advisory locks on owners; the second is the owner's hashed id.</summary>
    private const int OwnerLockSpace = 0x5A1E_0005;

    public IRelationalDatabase Database => database;

    public string LockOwner => $"SELECT pg_advisory_xact_lock({OwnerLockSpace}, hashtext(@Owner))";

    public string LockPeople => "LOCK TABLE people IN SHARE ROW EXCLUSIVE MODE";

    /// <inheritdoc />
    public string LockDeals => "LOCK TABLE opportunities IN SHARE ROW EXCLUSIVE MODE";

    public string AmountColumn => "amount";

    public bool GroupsBySorting => false;

    /// <remarks>
    /// Each part is a query of its own on the server, competing for its cores with the report's other reads: cut in four, a
    /// report over 10^7 deals took longer than in two (measured alternating on one server).
    /// </remarks>
    public int HistoryParts => 2;

    /// <inheritdoc />
    public int? WholeStoreReadTimeout => 0;

    public string BudgetColumn => "q_budget_amount";

    /// <inheritdoc />
    /// <remarks>A lateral subquery kept apart (OFFSET 0), so the planner seeks per entry rather than hashing the whole history.</remarks>
    public string EntryBeforeFrom =>
        "stage_changes nx CROSS JOIN LATERAL (SELECT s.to_stage, s.at FROM stage_changes s WHERE s.opportunity_id = nx.opportunity_id AND s.seq = nx.seq - 1 OFFSET 0) pe";

    /// <remarks>An index-only seek per deal on stage_changes (opportunity_id, at, seq) INCLUDE (to_stage).</remarks>
    public string StageAtFrom =>
        "opportunities o CROSS JOIN LATERAL (SELECT sc.to_stage AS stage FROM stage_changes sc WHERE sc.opportunity_id = o.id AND sc.at <= @AsOf " +
        "ORDER BY sc.at DESC, sc.seq DESC LIMIT 1) s";

    public async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await ((NpgsqlConnection)connection).BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);

    public string Ordinal(string column) => column + " COLLATE \"C\"";

    // Npgsql passes the list as one array parameter.
    public string InList(string column, string parameter) => $"{column} = ANY({parameter})";

    public string IsFalse(string column) => $"NOT {column}";

    public bool IsUniqueViolation(DbException exception, string? index) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } e && (index is null || e.ConstraintName == index);

    public bool IsDeadlock(DbException exception) => exception is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected };

    public object Key(Guid id) => id;

    public object Keys(IReadOnlyCollection<Guid> ids) => ids.ToArray();

    public Guid ToGuid(object key) => (Guid)key;

    public object Time(Instant instant) => PgTime.Of(instant);

    public object Bound(long micros) => PgTime.Bound(micros);

    public Instant ToInstant(object value) => PgTime.ToInstant((DateTime)value);

    // timestamptz - timestamptz is an interval of days and time (never months), read as a TimeSpan exact to the microsecond.
    public Duration ToDuration(object value) => Duration.FromTimeSpan((TimeSpan)value);

    /// <remarks>
    /// The difference of two timestamps is an interval of days and a time of day (no months); each field is a whole number
    /// below 2^53, so it is exact whether EXTRACT returns a numeric (PostgreSQL 14 on) or a double (before), where the epoch
    /// seconds of a long interval would not be.
    /// </remarks>
    public string MicrosBetween(string later, string earlier)
    {
        var difference = $"({later} - {earlier})";
        return $"(CAST(EXTRACT(DAY FROM {difference}) AS BIGINT) * 86400000000 + CAST(EXTRACT(HOUR FROM {difference}) AS BIGINT) * 3600000000 " +
            $"+ CAST(EXTRACT(MINUTE FROM {difference}) AS BIGINT) * 60000000 + CAST(EXTRACT(MICROSECONDS FROM {difference}) AS BIGINT))";
    }

    public object Amount(Money money, string what) => money.Amount;

    public decimal ToAmount(object value, string currency) => (decimal)value;

    public object Date(LocalDate date) => date.Year is >= 1 and <= 9999
        ? date.ToDateOnly()
        : throw new ArgumentOutOfRangeException(nameof(date), date, $"The date {date} cannot be stored: dates must fall in the years 1 to 9999.");

    public LocalDate ToDate(object value) => value switch
    {
        DateOnly d => LocalDate.FromDateOnly(d),
        _ => LocalDate.FromDateTime((DateTime)value),
    };

    public object Flag(bool value) => value;

    public bool ToFlag(object value) => (bool)value;
}
