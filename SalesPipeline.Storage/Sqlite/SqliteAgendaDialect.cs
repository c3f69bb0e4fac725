using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Storage.Internal;

namespace SalesPipeline.Storage.Sqlite;

/// <summary>SQLite's side of the agenda store: ids, instants and dates are stored as the neutral values already.</summary>
internal sealed class SqliteAgendaDialect(SqliteDatabase database) : IAgendaDialect
{
    public IRelationalDatabase Database => database;

    public string Amount => "amount_minor";

    // Dapper expands the list into one parameter per owner.
    public string OwnerIn => "o.owner IN @Owners";

    public string NotDone => "a.done = 0";

    public string IdText(string column) => column;

    public string MicrosOf(string column) => column;

    public string DateText(string column) => column;

    public object Bound(Instant instant) => Micros.Ceiling(instant);

    public object Date(LocalDate date) => IsoDate.Format(date);

    public Money Money(object amount, string currency) => MinorUnits.ToMoney(Convert.ToInt64(amount, System.Globalization.CultureInfo.InvariantCulture), currency);
}
