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

    /// <summary>How many deals are stored, counted up to @Limit: enough to tell whether an import adds at least as many.</summary>
    public const string StoredDealsUpTo = "SELECT COUNT(*) FROM (SELECT 1 FROM opportunities LIMIT @Limit) s";

    /// <summary>Gathers the deals table's statistics, the import's own rows included (a role that does not own it is warned and skipped).</summary>
    public const string AnalyzeDeals = "ANALYZE opportunities";

    /// <summary>The lock <see cref="AnalyzeDeals"/> takes, held until the import ends; it fails at once while another session analyzes the table.</summary>
    public const string LockForAnalyze = "LOCK TABLE opportunities IN SHARE UPDATE EXCLUSIVE MODE NOWAIT";

    /// <summary>The savepoint a lock that could not be taken at once rolls back to.</summary>
    public const string LockSavepoint = "table_lock";

    /// <summary>The lock that lets an import drop and build again the deal tables' indexes; it fails at once while another session holds any lock on them.</summary>
    public const string LockForSetAside = "LOCK TABLE opportunities, stage_changes, activities, offers IN ACCESS EXCLUSIVE MODE NOWAIT";

    /// <summary>
    /// What a large load sets aside and builds again at its end (PostgreSQL), each as the statement that drops it and the
    /// one that builds it again from its stored definition: the deal tables' indexes except the unique ones (which check
    /// each row and answer the id and external-id look-ups), then the history tables' foreign keys (checked again by one
    /// join over the whole tables instead of one look-up per row), built in that order.
    /// </summary>
    public const string SetAside =
        "SELECT format('DROP INDEX %s', i.indexrelid::regclass) AS DropSql, pg_get_indexdef(i.indexrelid) AS CreateSql, 0 AS Step " +
        "FROM pg_index i WHERE i.indrelid = ANY (ARRAY['opportunities', 'stage_changes', 'activities', 'offers']::regclass[]) AND NOT i.indisunique " +
        "UNION ALL " +
        "SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname), " +
        "format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)), 1 " +
        "FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid = ANY (ARRAY['stage_changes', 'activities', 'offers']::regclass[]) " +
        "ORDER BY Step, DropSql";

    /// <summary>The stored tables an import writes, parents first (the order they are merged in), each with its staging table.</summary>
    public static IReadOnlyList<Table> Tables(IStoreDialect d) =>
    [
        new("opportunities", ImportRows.OpportunityColumns(d)),
        new("stage_changes", ImportRows.StageChangeColumns),
        new("activities", ImportRows.ActivityColumns),
        new("offers", ImportRows.OfferColumns),
    ];

    /// <summary>An index or constraint a large load sets aside (<see cref="SetAside"/>).</summary>
    /// <param name="DropSql">The statement that drops it.</param>
    /// <param name="CreateSql">The statement that builds it again.</param>
    /// <param name="Step">0 for an index, 1 for a foreign key: the order they are built in.</param>
    internal sealed record SetAsideItem(string DropSql, string CreateSql, int Step);

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
