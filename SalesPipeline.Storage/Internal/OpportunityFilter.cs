using System.Text;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// The conditions on the <c>opportunities</c> table aliased <c>o</c>, written once for every store and provider, and the
/// values they bind (<c>@Pipeline</c>, <c>@Owner</c>, <c>@Before</c>, <c>@Stage</c>) in the dialect's types.
/// </summary>
internal static class OpportunityFilter
{
    /// <summary>The owner condition, starting with " AND "; empty when <paramref name="owner"/> is <see langword="null"/>. Binds <c>@Owner</c>.</summary>
    public static string Owner(UserId? owner) => owner is null ? string.Empty : " AND o.owner = @Owner";

    /// <summary>The conditions of <paramref name="query"/>, each starting with " AND "; empty for a query that matches every deal.</summary>
    public static string Conditions(OpportunityQuery query)
    {
        var filter = new StringBuilder();
        if (query.Pipeline is not null)
        {
            filter.Append(" AND o.pipeline_id = @Pipeline");
        }

        filter.Append(Owner(query.Owner));
        filter.Append(query.Status switch
        {
            OpportunityStatus.Open => " AND o.outcome_kind IS NULL",
            OpportunityStatus.Closed => " AND o.outcome_kind IS NOT NULL",
            _ => string.Empty,
        });
        if (query.NextContactBefore is not null)
        {
            filter.Append(" AND o.next_contact < @Before");
        }

        if (query.Stage is not null)
        {
            filter.Append(" AND o.stage = @Stage");
        }

        return filter.ToString();
    }

    /// <summary>The values <see cref="Conditions"/> refers to, and <c>@After</c>: the key of the last deal of the previous page.</summary>
    public static object Parameters(IStoreDialect dialect, OpportunityQuery query, object? after) => new
    {
        After = after,
        Pipeline = query.Pipeline?.Value,
        Owner = query.Owner?.Value,
        Before = query.NextContactBefore is { } before ? dialect.Bound(Micros.Ceiling(before)) : null,
        Stage = query.Stage?.Value,
    };
}
