namespace SalesPipeline.Leads;

/// <summary>Options of the lead base.</summary>
public sealed class LeadOptions
{
    /// <summary>Gets or sets the active-lead limit a person gets when none is given for them.</summary>
    /// <value>The default value is 25.</value>
    public int DefaultLeadLimit { get; set; } = 25;

    /// <summary>Gets the groups whose members may not take leads from the unassigned base themselves (a manager hands them out).</summary>
    /// <value>The default value is empty: self-service is on in every group.</value>
    public ISet<string> SelfServiceOffGroups { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Gets the reasons a lead may be disqualified with.</summary>
    /// <value>The default value is <c>no-budget</c>, <c>no-need</c>, <c>unreachable</c>, <c>duplicate</c>, <c>competitor</c>.</value>
    public IList<string> DisqualifyReasons { get; } = ["no-budget", "no-need", "unreachable", "duplicate", "competitor"];

    /// <summary>Gets or sets how many days after conversion a new deal's expected close date lies.</summary>
    /// <value>The default value is 90.</value>
    public int ExpectedCloseDays { get; set; } = 90;

    /// <summary>Gets or sets the currency of a converted lead's deal when no value is given (its value is then zero).</summary>
    /// <value>The default value is <c>EUR</c>.</value>
    public string DefaultCurrency { get; set; } = "EUR";

    internal IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (DefaultLeadLimit < 0)
        {
            errors.Add($"'Leads.DefaultLeadLimit' must be 0 or more, was {DefaultLeadLimit}.");
        }

        foreach (var group in SelfServiceOffGroups.Where(g => !People.Person.IsValidGroup(g)).Order(StringComparer.Ordinal))
        {
            errors.Add($"'Leads.SelfServiceOffGroups' holds '{group}', which is not a valid group: {People.Person.GroupRule}");
        }

        if (DisqualifyReasons.Count == 0 || DisqualifyReasons.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add("'Leads.DisqualifyReasons' must hold at least one reason, none of them empty.");
        }

        if (ExpectedCloseDays is < 1 or > 3650)
        {
            errors.Add($"'Leads.ExpectedCloseDays' must be between 1 and 3650, was {ExpectedCloseDays}.");
        }

        return errors;
    }
}
