using System.Data.Common;
using Dapper;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Domain;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// The rows a bulk import writes, as values in column order for each table, in the dialect's types: the one description
/// both providers' bulk primitives (SQLite's prepared INSERT executed per row, PostgreSQL's binary COPY) write from.
/// </summary>
internal static class ImportRows
{
    /// <summary>The opportunities columns in value order; <c>{amount}</c> and <c>{budget}</c> are the dialect's money columns.</summary>
    public static string OpportunityColumns(IStoreDialect d) =>
        $"id, pipeline_id, name, currency, {d.AmountColumn}, expected_close, account_id, owner, stage, probability_override, next_contact, " +
        $"has_qualification, q_needs, q_pains, q_budget_currency, {d.BudgetColumn}, q_offer_must_contain, outcome_kind, outcome_reason, outcome_comment, " +
        "closed_at, created_at, created_by, last_changed_at, last_changed_by, external_id, version, last_touched_at, lost_from";

    public const string StageChangeColumns = "opportunity_id, seq, from_stage, to_stage, at, by_user, kind, comment";

    public const string ActivityColumns = "id, opportunity_id, seq, kind, subject, author, recorded_at, happened_at, due, done";

    public const string OfferColumns = "opportunity_id, seq, title, document_id, attached_by, attached_at";

    /// <summary>
    /// Fills <paramref name="values"/> with a new deal's row (version 1), in <see cref="OpportunityColumns"/> order. The
    /// import session has checked that the deal is new (version 0).
    /// </summary>
    /// <exception cref="ArgumentException">A value cannot be stored.</exception>
    public static void Opportunity(IStoreDialect d, OpportunityState s, object?[] values)
    {
        var r = d.ToRow(s, 1);
        values[0] = r.Id;
        values[1] = r.PipelineId;
        values[2] = r.Name;
        values[3] = r.Currency;
        values[4] = r.Amount;
        values[5] = r.ExpectedClose;
        values[6] = r.AccountId;
        values[7] = r.Owner;
        values[8] = r.Stage;
        values[9] = r.ProbabilityOverride;
        values[10] = r.NextContact;
        values[11] = r.HasQualification;
        values[12] = r.QNeeds;
        values[13] = r.QPains;
        values[14] = r.QBudgetCurrency;
        values[15] = r.QBudgetAmount;
        values[16] = r.QOfferMustContain;
        values[17] = r.OutcomeKind;
        values[18] = r.OutcomeReason;
        values[19] = r.OutcomeComment;
        values[20] = r.ClosedAt;
        values[21] = r.CreatedAt;
        values[22] = r.CreatedBy;
        values[23] = r.LastChangedAt;
        values[24] = r.LastChangedBy;
        values[25] = r.ExternalId;
        values[26] = r.Version;
        values[27] = r.LastTouchedAt;
        values[28] = r.LostFrom;
    }

    /// <summary>Fills <paramref name="values"/> with history entry <paramref name="seq"/> of a deal, in <see cref="StageChangeColumns"/> order.</summary>
    public static void StageChange(IStoreDialect d, object key, int seq, StageChange c, object?[] values)
    {
        values[0] = key;
        values[1] = seq;
        values[2] = c.From?.Value;
        values[3] = c.To.Value;
        values[4] = d.Time(c.At);
        values[5] = c.By.Value;
        values[6] = Codes.Of(c.Kind);
        values[7] = c.Comment;
    }

    /// <summary>Fills <paramref name="values"/> with activity <paramref name="seq"/> of a deal, in <see cref="ActivityColumns"/> order.</summary>
    public static void Activity(IStoreDialect d, object key, int seq, Activity a, object?[] values)
    {
        values[0] = d.Key(a.Id.Value);
        values[1] = key;
        values[2] = seq;
        values[3] = Codes.Of(a.Kind);
        values[4] = a.Subject;
        values[5] = a.Author.Value;
        values[6] = d.Time(a.RecordedAt);
        values[7] = a.HappenedAt is { } happened ? d.Time(happened) : null;
        values[8] = a.Due is { } due ? d.Time(due) : null;
        values[9] = d.Flag(a.Done);
    }

    /// <summary>Fills <paramref name="values"/> with offer <paramref name="seq"/> of a deal, in <see cref="OfferColumns"/> order.</summary>
    public static void Offer(IStoreDialect d, object key, int seq, OfferDocument o, object?[] values)
    {
        values[0] = key;
        values[1] = seq;
        values[2] = o.Title;
        values[3] = o.Document.ToString();
        values[4] = o.AttachedBy.Value;
        values[5] = d.Time(o.AttachedAt);
    }

    /// <summary>
    /// The account named as <paramref name="account"/> (case-insensitively) inside the import's transaction: one already
    /// known to the import, else the first stored, else <paramref name="account"/>, written now.
    /// </summary>
    public static async Task<AccountId> EnsureAccountAsync(
        IStoreDialect d, DbConnection connection, DbTransaction transaction, AccountNameCache accounts, Account account, CancellationToken cancellationToken)
    {
        var folded = account.Name.ToUpperInvariant();
        if (accounts.TryGet(folded, out var known))
        {
            return known;
        }

        var existing = await connection.ExecuteScalarAsync<object?>(new CommandDefinition(
            "SELECT id FROM accounts WHERE name_folded = @Folded ORDER BY id LIMIT 1", new { Folded = folded }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (existing is not null)
        {
            return accounts.Add(folded, new AccountId(d.ToGuid(existing)));
        }

        await connection.ExecuteAsync(new CommandDefinition(RelationalAccountStore.InsertAccount, d.ToRow(account, 1), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return accounts.Add(folded, account.Id);
    }
}
