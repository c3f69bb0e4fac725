using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Postgres;

/// <summary>PostgreSQL's side of the agenda store: uuid, timestamptz and date columns read as text and microseconds.</summary>
internal sealed class PostgresAgendaDialect(PostgresDatabase database) : IAgendaDialect
{
    public IRelationalDatabase Database => database;

    public string Amount => "amount";

    // Npgsql passes the list as one array parameter.
    public string OwnerIn => "o.owner = ANY(@Owners)";

    public string NotDone => "NOT a.done";

    public string IdText(string column) => column + "::text";

    // EXTRACT of a timestamptz is an exact numeric of seconds with its microseconds.
    public string MicrosOf(string column) => $"(EXTRACT(EPOCH FROM {column}) * 1000000)::bigint";

    public string DateText(string column) => $"to_char({column}, 'YYYY-MM-DD')";

    public object Bound(Instant instant) => PgTime.Bound(Micros.Ceiling(instant));

    public object Date(LocalDate date) => new DateOnly(date.Year, date.Month, date.Day);

    public Money Money(object amount, string currency) => Domain.Money.Of(Convert.ToDecimal(amount, System.Globalization.CultureInfo.InvariantCulture), currency);
}
