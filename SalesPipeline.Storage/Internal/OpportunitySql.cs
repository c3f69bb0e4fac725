namespace SalesPipeline.Storage.Internal;

/// <summary>The SQL of the opportunity tables for one dialect: the same text on every provider but for the money columns' names.</summary>
internal sealed class OpportunitySql
{
    public const string InsertStageChange =
        "INSERT INTO stage_changes (opportunity_id, seq, from_stage, to_stage, at, by_user, kind, comment) " +
        "VALUES (@OpportunityId, @Seq, @FromStage, @ToStage, @At, @ByUser, @Kind, @Comment)";

    public const string UpsertActivity =
        "INSERT INTO activities (id, opportunity_id, seq, kind, subject, author, recorded_at, happened_at, due, done) " +
        "VALUES (@Id, @OpportunityId, @Seq, @Kind, @Subject, @Author, @RecordedAt, @HappenedAt, @Due, @Done) " +
        "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, kind = excluded.kind, subject = excluded.subject, author = excluded.author, " +
        "recorded_at = excluded.recorded_at, happened_at = excluded.happened_at, due = excluded.due, done = excluded.done";

    public const string UpsertOffer =
        "INSERT INTO offers (opportunity_id, seq, title, document_id, attached_by, attached_at) " +
        "VALUES (@OpportunityId, @Seq, @Title, @DocumentId, @AttachedBy, @AttachedAt) " +
        "ON CONFLICT (opportunity_id, seq) DO UPDATE SET title = excluded.title, document_id = excluded.document_id, " +
        "attached_by = excluded.attached_by, attached_at = excluded.attached_at";

    public OpportunitySql(IStoreDialect dialect)
    {
        var amount = dialect.AmountColumn;
        var budget = dialect.BudgetColumn;
        Columns =
            $"id AS Id, pipeline_id AS PipelineId, name AS Name, currency AS Currency, {amount} AS Amount, expected_close AS ExpectedClose, " +
            "account_id AS AccountId, owner AS Owner, stage AS Stage, probability_override AS ProbabilityOverride, next_contact AS NextContact, " +
            $"has_qualification AS HasQualification, q_needs AS QNeeds, q_pains AS QPains, q_budget_currency AS QBudgetCurrency, {budget} AS QBudgetAmount, " +
            "q_offer_must_contain AS QOfferMustContain, outcome_kind AS OutcomeKind, outcome_reason AS OutcomeReason, outcome_comment AS OutcomeComment, " +
            "closed_at AS ClosedAt, created_at AS CreatedAt, created_by AS CreatedBy, last_changed_at AS LastChangedAt, last_changed_by AS LastChangedBy, " +
            "external_id AS ExternalId, version AS Version, last_touched_at AS LastTouchedAt";
        Insert =
            $"INSERT INTO opportunities (id, pipeline_id, name, currency, {amount}, expected_close, account_id, owner, stage, probability_override, " +
            $"next_contact, has_qualification, q_needs, q_pains, q_budget_currency, {budget}, q_offer_must_contain, outcome_kind, outcome_reason, " +
            "outcome_comment, closed_at, created_at, created_by, last_changed_at, last_changed_by, external_id, version, last_touched_at, lost_from) VALUES (@Id, @PipelineId, @Name, " +
            "@Currency, @Amount, @ExpectedClose, @AccountId, @Owner, @Stage, @ProbabilityOverride, @NextContact, @HasQualification, @QNeeds, @QPains, " +
            "@QBudgetCurrency, @QBudgetAmount, @QOfferMustContain, @OutcomeKind, @OutcomeReason, @OutcomeComment, @ClosedAt, @CreatedAt, @CreatedBy, " +
            "@LastChangedAt, @LastChangedBy, @ExternalId, @Version, @LastTouchedAt, @LostFrom) ON CONFLICT (id) DO NOTHING";
        Update =
            $"UPDATE opportunities SET pipeline_id = @PipelineId, name = @Name, currency = @Currency, {amount} = @Amount, expected_close = @ExpectedClose, " +
            "account_id = @AccountId, owner = @Owner, stage = @Stage, probability_override = @ProbabilityOverride, next_contact = @NextContact, " +
            $"has_qualification = @HasQualification, q_needs = @QNeeds, q_pains = @QPains, q_budget_currency = @QBudgetCurrency, {budget} = @QBudgetAmount, " +
            "q_offer_must_contain = @QOfferMustContain, outcome_kind = @OutcomeKind, outcome_reason = @OutcomeReason, outcome_comment = @OutcomeComment, " +
            "closed_at = @ClosedAt, created_at = @CreatedAt, created_by = @CreatedBy, last_changed_at = @LastChangedAt, last_changed_by = @LastChangedBy, " +
            "external_id = @ExternalId, version = @Version, last_touched_at = @LastTouchedAt, lost_from = @LostFrom WHERE id = @Id AND version = @Version - 1";
    }

    /// <summary>Gets the select list of <see cref="OpportunityRow"/>.</summary>
    public string Columns { get; }

    /// <summary>Gets the insert of a new deal's row; it writes nothing when the id is taken.</summary>
    public string Insert { get; }

    /// <summary>Gets the update of a deal's row, which writes only over the version it was read at.</summary>
    public string Update { get; }

    /// <summary>
    /// The statements that read the deals matching a condition on <c>o</c> (opportunities) and their children; they run
    /// as one batch, in this order.
    /// </summary>
    public IReadOnlyList<string> ReadStatements(string where)
    {
        var ids = $"SELECT o.id FROM opportunities o WHERE {where}";
        return
        [
            $"SELECT {Columns} FROM opportunities o WHERE {where}",
            $"SELECT {StageChangeRow.Columns} FROM stage_changes WHERE opportunity_id IN ({ids}) ORDER BY opportunity_id, seq",
            $"SELECT {ActivityRow.Columns} FROM activities WHERE opportunity_id IN ({ids}) ORDER BY opportunity_id, seq",
            $"SELECT {OfferRow.Columns} FROM offers WHERE opportunity_id IN ({ids}) ORDER BY opportunity_id, seq",
        ];
    }
}
