using SalesPipeline.Domain;

namespace SalesPipeline.Leads;

/// <summary>Thrown when an assignment would put a person over their active-lead limit; nothing was changed.</summary>
public sealed class LeadLimitReachedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="person">Who would receive the lead.</param>
    /// <param name="lead">The lead.</param>
    /// <param name="limit">Their limit of active leads.</param>
    /// <param name="activeCount">How many active leads they hold now.</param>
    public LeadLimitReachedException(UserId person, LeadId lead, int limit, int activeCount)
        : base($"Lead '{lead}' was not given to '{person}': they hold {activeCount} active leads and their limit is {limit}. " +
               "Convert or disqualify one of their leads, raise their limit, or choose someone else. Nothing was changed.")
    {
        Person = person;
        Lead = lead;
        Limit = limit;
        ActiveCount = activeCount;
    }

    /// <summary>Gets who would receive the lead.</summary>
    public UserId Person { get; }

    /// <summary>Gets the lead.</summary>
    public LeadId Lead { get; }

    /// <summary>Gets their limit of active leads.</summary>
    public int Limit { get; }

    /// <summary>Gets how many active leads they hold now.</summary>
    public int ActiveCount { get; }
}

/// <summary>Thrown when a lead is not in a status that allows the command (such as converting a converted lead); nothing was changed.</summary>
public sealed class LeadRuleException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="lead">The lead.</param>
    /// <param name="message">What is refused and what to do.</param>
    public LeadRuleException(LeadId lead, string message)
        : base(message)
    {
        Lead = lead;
    }

    /// <summary>Gets the lead.</summary>
    public LeadId Lead { get; }
}

/// <summary>Thrown when no lead has the given id.</summary>
public sealed class LeadNotFoundException : KeyNotFoundException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="lead">The id that was looked for.</param>
    public LeadNotFoundException(LeadId lead)
        : base($"No lead has id '{lead}'; check the id against the stored leads, or import the lead first.")
    {
        Lead = lead;
    }

    /// <summary>Gets the id that was looked for.</summary>
    public LeadId Lead { get; }
}
