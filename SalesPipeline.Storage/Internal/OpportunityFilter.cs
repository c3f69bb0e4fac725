using System.Text;
using SalesPipeline.Abstractions;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// The conditions of an <see cref="OpportunityQuery"/> on the <c>opportunities</c> table aliased <c>o</c>, the same text on
/// SQLite and PostgreSQL; each store binds <c>@Pipeline</c>, <c>@Owner</c> and <c>@Before</c> in its own types.
/// </summary>
internal static class OpportunityFilter
{
    /// <summary>The conditions, each starting with " AND "; empty for a query that matches every deal.</summary>
    public static string Conditions(OpportunityQuery query)
    {
        var filter = new StringBuilder();
        if (query.Pipeline is not null)
        {
            filter.Append(" AND o.pipeline_id = @Pipeline");
        }

        if (query.Owner is not null)
        {
            filter.Append(" AND o.owner = @Owner");
        }

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

        return filter.ToString();
    }
}
