namespace SalesPipeline.Access;

/// <summary>Options of the access rules every command checks.</summary>
public sealed class AccessOptions
{
    /// <summary>
    /// Gets or sets whether commands skip the access checks: any user id may then do everything, and no people need to be
    /// stored. Meant for a host application with a single user; a multi-user host must leave it off.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: every command checks the acting user.</value>
    public bool SkipAccessChecks { get; set; }
}
