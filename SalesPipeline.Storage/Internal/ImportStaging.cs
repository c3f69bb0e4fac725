namespace SalesPipeline.Storage.Internal;

/// <summary>
/// The staging tables of a bulk import that loads its rows into session tables first (PostgreSQL's binary COPY cannot
/// skip or name a conflicting row) and merges them into the stored tables inside the import's transaction: one staging
/// table per stored table, with the same columns (<see cref="ImportRows"/>), and the SQL that checks and merges them.
/// </summary>
internal static class ImportStaging
{
    /// <summary>
    /// The first staged deal whose id is already stored; the merge would break the primary key on it, so it is looked for
    /// first and reported as a conflict that names the deal.
    /// </summary>
    public const string FirstStoredId =
        "SELECT s.id FROM staged_opportunities s WHERE EXISTS (SELECT 1 FROM opportunities o WHERE o.id = s.id) LIMIT 1";

    /// <summary>The stored tables an import writes, parents first (the order they are merged in), each with its staging table.</summary>
    public static IReadOnlyList<Table> Tables(IStoreDialect d) =>
    [
        new("opportunities", ImportRows.OpportunityColumns(d)),
        new("stage_changes", ImportRows.StageChangeColumns),
        new("activities", ImportRows.ActivityColumns),
        new("offers", ImportRows.OfferColumns),
    ];

    /// <summary>A stored table, its staging table and the columns an import writes, in <see cref="ImportRows"/> value order.</summary>
    /// <param name="Name">The stored table.</param>
    /// <param name="Columns">The columns, comma-separated.</param>
    internal sealed record Table(string Name, string Columns)
    {
        /// <summary>Gets the staging table's name.</summary>
        public string Staged => "staged_" + Name;

        /// <summary>Gets the number of columns.</summary>
        public int Width => Columns.Split(',').Length;

        /// <summary>Gets the staging table and its columns, the target of a bulk load.</summary>
        public string StagedTarget => $"{Staged} ({Columns})";

        /// <summary>Gets the statement that appends every staged row to the stored table.</summary>
        public string Merge => $"INSERT INTO {Name} ({Columns}) SELECT {Columns} FROM {Staged}";
    }
}
