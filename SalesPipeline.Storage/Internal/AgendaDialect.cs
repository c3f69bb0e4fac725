using NodaTime;
using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// What the shared agenda store needs of a provider: how its columns read as provider-neutral values (ids as canonical text,
/// instants as microseconds since 1970, dates as ISO text), how values are passed, and the condition of its planned-activity index.
/// </summary>
internal interface IAgendaDialect
{
    /// <summary>Gets the database.</summary>
    IRelationalDatabase Database { get; }

    /// <summary>Gets the opportunities' amount column (read through <see cref="Money"/>).</summary>
    string Amount { get; }

    /// <summary>Gets the condition that deal <c>o</c> belongs to one of the owners in the string array <c>@Owners</c>.</summary>
    string OwnerIn { get; }

    /// <summary>Gets the condition on activities <c>a</c> that are not done, as the planned-activity index states it.</summary>
    string NotDone { get; }

    /// <summary>An id column as canonical lower-case text.</summary>
    string IdText(string column);

    /// <summary>An instant column as whole microseconds since 1970-01-01T00:00:00Z.</summary>
    string MicrosOf(string column);

    /// <summary>A date column as yyyy-MM-dd text.</summary>
    string DateText(string column);

    /// <summary>An instant to compare stored instants with (stored instants are truncated to microseconds).</summary>
    object Bound(Instant instant);

    /// <summary>A date to compare stored dates with.</summary>
    object Date(LocalDate date);

    /// <summary>An amount read from <see cref="Amount"/> (or its sum) in a currency.</summary>
    Money Money(object amount, string currency);
}
