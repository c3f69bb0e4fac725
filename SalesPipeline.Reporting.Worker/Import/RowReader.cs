using System.Globalization;
using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Reporting.Worker.Import;

/// <summary>A valid row, ready to write: the opportunity (its account not yet resolved) and the account's name.</summary>
/// <param name="State">The opportunity, checked by <see cref="Opportunity.Restore"/>.</param>
/// <param name="AccountName">The client's name, to match or create; <see langword="null"/> when the row names none.</param>
internal sealed record ImportRow(OpportunityState State, string? AccountName);

/// <summary>
/// Turns one CSV record into an opportunity, or into the list of what is wrong with it. Built once per import from the
/// mapping, the file's header and the pipeline, which it checks against each other first.
/// </summary>
/// <remarks>Not thread-safe: one per import.</remarks>
internal sealed class RowReader
{
    private const int MaxTextLength = ImportValues.MaxTextLength;
    private const int MaxIdLength = 200;

    private readonly ImportMapping _mapping;

    /// <summary>The mapping's dates, read through this import's own reader, which remembers the texts it read.</summary>
    private readonly ImportDates _dates;
    private readonly PipelineDefinition _pipeline;
    private readonly int[] _index;
    private readonly string[] _column;
    private readonly (NameTemplate Template, int[] Indexes)?[] _templates;
    private readonly (StageDefinition Stage, int Index, string Column)[] _stageDates;
    private readonly Dictionary<string, StageDefinition> _stageValues;
    private readonly string _knownStageValues;
    private readonly IdFingerprints _ids = new();
    private readonly UserId _by;
    private readonly Instant _undated;
    private readonly Instant _importedAt;
    private readonly TimeOrderedIds _newIds = new();
    private readonly string[] _cells = new string[ImportFields.All.Count];
    private readonly string[] _cellColumns = new string[ImportFields.All.Count];

    private RowReader(
        ImportMapping mapping,
        PipelineDefinition pipeline,
        int[] index,
        string[] column,
        (NameTemplate, int[])?[] templates,
        (StageDefinition, int, string)[] stageDates,
        Dictionary<string, StageDefinition> stageValues,
        UserId by,
        Instant undated,
        Instant importedAt)
    {
        _mapping = mapping;
        _dates = mapping.Dates.ForOneImport();
        _pipeline = pipeline;
        _index = index;
        _column = column;
        _templates = templates;
        _stageDates = stageDates;
        _stageValues = stageValues;
        _knownStageValues = string.Join(", ", stageValues.Keys.Order(StringComparer.OrdinalIgnoreCase).Select(v => $"'{v}'"));
        _by = by;
        _undated = undated;
        _importedAt = importedAt;
    }

    /// <summary>Gets the number of columns in the header.</summary>
    public int HeaderCount { get; private init; }

    /// <summary>Checks the mapping against the header and the pipeline and prepares to read rows.</summary>
    /// <param name="mapping">The mapping.</param>
    /// <param name="pipeline">The pipeline the deals go into.</param>
    /// <param name="header">The file's header.</param>
    /// <param name="by">Who imports (recorded as the creator and as who recorded each history entry).</param>
    /// <param name="importedAt">When the import started: the creation instant of a deal that has no date at all, unless the mapping has a default creation date, and the instant the new deals' time-ordered ids are taken at.</param>
    /// <returns>The reader.</returns>
    /// <exception cref="ImportConfigurationException">Something does not fit; every fault is listed.</exception>
    public static RowReader Create(ImportMapping mapping, PipelineDefinition pipeline, IReadOnlyList<string> header, UserId by, Instant importedAt)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(header);
        var faults = new List<string>();
        var names = header.Select(h => h.Trim()).ToList();
        int Find(string name)
        {
            var exact = names.IndexOf(name.Trim());
            return exact >= 0 ? exact : names.FindIndex(h => string.Equals(h, name.Trim(), StringComparison.OrdinalIgnoreCase));
        }

        string Header() => names.Count <= 20 ? string.Join(", ", names) : string.Join(", ", names.Take(20)) + ", …";

        // A column given twice would have one of its values silently chosen; an empty name is never read.
        foreach (var twice in names.Select((n, i) => (Name: n, Number: i + 1)).Where(c => c.Name.Length > 0).GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            faults.Add($"The header has column '{twice.First().Name}' more than once (columns {string.Join(", ", twice.Select(c => c.Number))}): rename or remove all but one, so it is clear which is read.");
        }

        var count = ImportFields.All.Count;
        var index = new int[count];
        var column = new string[count];
        var templates = new (NameTemplate, int[])?[count];
        foreach (var field in ImportFields.All)
        {
            var f = (int)field;
            var canonical = ImportFields.CanonicalName(field);
            index[f] = -1;
            column[f] = canonical;
            if (mapping.Templates.TryGetValue(field, out var template))
            {
                var indexes = template.Columns.Select(Find).ToArray();
                foreach (var (name, i) in template.Columns.Zip(indexes))
                {
                    if (i < 0)
                    {
                        faults.Add($"The template for {canonical} \"{template.Text}\" uses column '{name}', which the header does not have ({Header()}).");
                    }
                }

                templates[f] = (template, indexes);
                column[f] = template.Text;
            }
            else if (mapping.Columns.TryGetValue(field, out var mapped))
            {
                index[f] = Find(mapped);
                column[f] = index[f] >= 0 ? names[index[f]] : mapped;
                if (index[f] < 0)
                {
                    faults.Add($"The mapping reads {canonical} from column '{mapped}', which the header does not have ({Header()}).");
                }
            }
            else
            {
                index[f] = Find(canonical);
                if (index[f] >= 0)
                {
                    column[f] = names[index[f]];
                }
            }
        }

        bool Present(ImportField field) => index[(int)field] >= 0 || templates[(int)field] is not null || mapping.Defaults.ContainsKey(field);
        if (index[(int)ImportField.Id] < 0 && !mapping.Columns.ContainsKey(ImportField.Id))
        {
            faults.Add($"No id column: the header needs 'id' (or map one with \"columns\": {{\"id\": \"…\"}}); it has {Header()}.");
        }

        foreach (var required in new[] { ImportField.Name, ImportField.Owner, ImportField.Amount, ImportField.Currency })
        {
            if (!Present(required) && !mapping.Columns.ContainsKey(required))
            {
                var canonical = ImportFields.CanonicalName(required);
                faults.Add($"No {canonical}: the header needs '{canonical}', or the mapping a column (\"columns\") or a default (\"defaults\") for it.");
            }
        }

        if (!Present(ImportField.Stage) && !Present(ImportField.Outcome) && !mapping.Columns.ContainsKey(ImportField.Stage) && !mapping.Columns.ContainsKey(ImportField.Outcome))
        {
            faults.Add("No stage: the header needs 'stage' (or 'outcome'), or the mapping a column or a default for it.");
        }

        var stageValues = new Dictionary<string, StageDefinition>(StringComparer.OrdinalIgnoreCase);
        foreach (var stage in pipeline.Stages)
        {
            stageValues.TryAdd(stage.Id.Value, stage);
            foreach (var name in stage.Names.Values)
            {
                stageValues.TryAdd(name, stage);
            }
        }

        foreach (var (value, id) in mapping.Stages)
        {
            if (pipeline.TryGetStage(new StageId(id), out var stage))
            {
                stageValues[value] = stage;
            }
            else
            {
                faults.Add($"The mapping maps stage value '{value}' to '{id}', which pipeline '{pipeline.Id}' does not have; its stages are {string.Join(", ", pipeline.Stages.Select(s => s.Id))}.");
            }
        }

        var stageDates = new List<(StageDefinition, int, string)>();
        foreach (var stage in pipeline.Stages)
        {
            if (mapping.StageDates.TryGetValue(stage.Id.Value, out var mapped))
            {
                var i = Find(mapped);
                if (i < 0)
                {
                    faults.Add($"The mapping reads the date of entering '{stage.Id}' from column '{mapped}', which the header does not have ({Header()}).");
                }
                else
                {
                    stageDates.Add((stage, i, names[i]));
                }
            }
            else if (Find(ImportFields.StageDatePrefix + stage.Id.Value) is >= 0 and var canonical)
            {
                stageDates.Add((stage, canonical, names[canonical]));
            }
        }

        // An entered_<stage> column for a stage the pipeline lacks would be dropped without a word, unless the mapping reads it.
        var read = new HashSet<string>(mapping.Columns.Values.Concat(mapping.StageDates.Values).Concat(mapping.Templates.Values.SelectMany(t => t.Columns)), StringComparer.OrdinalIgnoreCase);
        foreach (var name in names.Where(n => n.StartsWith(ImportFields.StageDatePrefix, StringComparison.OrdinalIgnoreCase) && !read.Contains(n)))
        {
            var stage = name[ImportFields.StageDatePrefix.Length..];
            if (!pipeline.Stages.Any(s => string.Equals(s.Id.Value, stage, StringComparison.OrdinalIgnoreCase)))
            {
                faults.Add($"Column '{name}' gives the date of entering stage '{stage}', which pipeline '{pipeline.Id}' does not have; its stages are {string.Join(", ", pipeline.Stages.Select(s => s.Id))}. Rename the column after one of them (or map it in \"stageDates\"), or remove it.");
            }
        }

        if (mapping.Defaults.TryGetValue(ImportField.Stage, out var stageDefault) && !stageValues.ContainsKey(stageDefault))
        {
            faults.Add($"The mapping's defaults.stage '{stageDefault}' is not a stage of pipeline '{pipeline.Id}'; its stages are {string.Join(", ", pipeline.Stages.Select(s => s.Id))}.");
        }

        foreach (var stage in mapping.StageDates.Keys.Where(s => !pipeline.TryGetStage(new StageId(s), out _)))
        {
            faults.Add($"The mapping has a date column for stage '{stage}', which pipeline '{pipeline.Id}' does not have; its stages are {string.Join(", ", pipeline.Stages.Select(s => s.Id))}.");
        }

        if (faults.Count > 0)
        {
            throw new ImportConfigurationException($"header and mapping for pipeline '{pipeline.Id}'", faults);
        }

        // A default creation date applies only to deals with no date at all (it must not override their stage dates).
        var undated = mapping.CreatedDefault ?? importedAt;
        return new RowReader(mapping, pipeline, index, column, templates, [.. stageDates], stageValues, by, undated, importedAt)
        {
            HeaderCount = names.Count,
        };
    }

    /// <summary>Reads one record.</summary>
    /// <param name="field">The record's field by index (trimming is done here); an index past the record's end reads as empty.</param>
    /// <param name="fieldCount">How many fields the record has.</param>
    /// <param name="row">The row number errors carry.</param>
    /// <param name="errors">Receives what is wrong with the row.</param>
    /// <returns>The opportunity, or <see langword="null"/> when the row is invalid.</returns>
    public ImportRow? Read(Func<int, string> field, int fieldCount, long row, List<ImportError> errors)
    {
        var before = errors.Count;
        void Fail(ImportField f, string reason) => errors.Add(new ImportError(row, _cellColumns[(int)f], _cells[(int)f], reason));

        if (fieldCount != HeaderCount)
        {
            errors.Add(new ImportError(row, string.Empty, string.Empty, $"the row has {fieldCount} fields but the header has {HeaderCount}: a separator or a quote is probably missing or extra."));
            return null;
        }

        foreach (var f in ImportFields.All)
        {
            Load(f, field);

            // The mapping's defaults were checked when it was read; the file's cells are checked here.
            if (ImportValues.Text(_cells[(int)f]) is { } control && !_cellColumns[(int)f].StartsWith("defaults.", StringComparison.Ordinal))
            {
                Fail(f, control);
            }
        }

        if (errors.Count > before)
        {
            return null;
        }

        // Identity.
        var id = Cell(ImportField.Id);
        if (id.Length == 0)
        {
            Fail(ImportField.Id, "the id is required: re-imports match deals on it.");
        }
        else if (id.Length > MaxIdLength)
        {
            Fail(ImportField.Id, $"an id is at most {MaxIdLength} characters long, was {id.Length}.");
        }
        else if (!_ids.TryAdd(id, row, out var firstRow))
        {
            Fail(ImportField.Id, $"duplicate id: row {firstRow} has the same id.");
        }

        var name = Cell(ImportField.Name);
        if (name.Length == 0)
        {
            Fail(ImportField.Name, "the name is required.");
        }
        else if (ImportValues.Length(name, "a name", MaxTextLength) is { } tooName)
        {
            Fail(ImportField.Name, tooName);
        }

        var account = Cell(ImportField.Account);
        if (ImportValues.Length(account, "an account name", MaxTextLength) is { } tooAccount)
        {
            Fail(ImportField.Account, tooAccount);
        }

        UserId? owner = null;
        var ownerText = Cell(ImportField.Owner);
        if (ownerText.Length == 0)
        {
            Fail(ImportField.Owner, "the owner is required (or give the mapping a default owner).");
        }
        else
        {
            var user = _mapping.Owners.TryGetValue(ownerText, out var mappedUser) ? mappedUser : ownerText;
            if (ImportValues.Length(user, "a user id", ImportValues.MaxUserLength) is { } tooLong)
            {
                Fail(ImportField.Owner, tooLong);
            }
            else
            {
                owner = new UserId(user);
            }
        }

        // Stage and outcome.
        StageDefinition? stage = null;
        var stageText = Cell(ImportField.Stage);
        if (stageText.Length > 0 && !_stageValues.TryGetValue(stageText, out stage))
        {
            Fail(ImportField.Stage, $"unknown stage; expected one of {_knownStageValues}.");
        }

        ImportOutcome? outcome = null;
        var outcomeText = Cell(ImportField.Outcome);
        if (outcomeText.Length > 0)
        {
            if (ImportValues.Outcome(outcomeText, _mapping.Outcomes, out var mappedOutcome) is { } unknown)
            {
                Fail(ImportField.Outcome, unknown);
            }
            else
            {
                outcome = mappedOutcome;
            }
        }

        if (stage is null && stageText.Length == 0)
        {
            stage = outcome switch
            {
                ImportOutcome.Won => _pipeline.Stage(_pipeline.WonStage),
                ImportOutcome.Lost => _pipeline.Stage(_pipeline.LostStages[0]),
                _ => null,
            };
            if (stage is null && outcomeText.Length == 0)
            {
                Fail(ImportField.Stage, "the stage is required (or a won/lost outcome).");
            }
            else if (stage is null && outcome is not null)
            {
                Fail(ImportField.Stage, "an open deal needs its stage.");
            }
        }
        else if (stage is not null && outcome is { } said && said != OutcomeOf(stage.Kind))
        {
            Fail(ImportField.Outcome, $"says {said.ToString().ToLowerInvariant()} but stage '{stage.Id}' is {stage.Kind.ToString().ToLowerInvariant()}.");
        }

        // Money.
        decimal? amount = null;
        var amountText = Cell(ImportField.Amount);
        if (amountText.Length == 0)
        {
            Fail(ImportField.Amount, "the amount is required (or give the mapping a default amount).");
        }
        else if (ImportValues.Amount(amountText, _mapping.Numbers, out var parsedAmount) is { } badAmount)
        {
            Fail(ImportField.Amount, badAmount);
        }
        else
        {
            amount = parsedAmount;
        }

        var currency = Cell(ImportField.Currency);
        if (currency.Length == 0)
        {
            Fail(ImportField.Currency, "the currency is required (or give the mapping a default currency).");
        }
        else if (ImportValues.Currency(currency) is { } badCurrency)
        {
            Fail(ImportField.Currency, badCurrency);
        }
        else if (amount is { } known && ImportValues.Decimals(known, currency) is { } tooPrecise)
        {
            Fail(ImportField.Amount, tooPrecise);
            amount = null;
        }

        int? probability = null;
        var probabilityText = Cell(ImportField.Probability);
        if (probabilityText.Length > 0)
        {
            if (ImportValues.Probability(probabilityText, _mapping.NumberCulture, out var p) is { } badProbability)
            {
                Fail(ImportField.Probability, badProbability);
            }
            else
            {
                probability = p;
            }
        }

        var reason = Cell(ImportField.Reason);
        if (ImportValues.Length(reason, "a reason", MaxTextLength) is { } tooReason)
        {
            Fail(ImportField.Reason, tooReason);
        }

        // Dates.
        var created = ReadInstant(ImportField.Created, errors, row);
        var closed = ReadInstant(ImportField.Closed, errors, row);
        LocalDate? expectedClose = null;
        var expectedText = Cell(ImportField.ExpectedClose);
        if (expectedText.Length > 0)
        {
            if (ImportValues.Date(expectedText, _dates, out var date) is { } badDate)
            {
                Fail(ImportField.ExpectedClose, badDate);
            }
            else
            {
                expectedClose = date;
            }
        }

        Span<Instant?> entered = _stageDates.Length <= 16 ? stackalloc Instant?[16] : new Instant?[_stageDates.Length];
        for (var i = 0; i < _stageDates.Length; i++)
        {
            var (_, at, column) = _stageDates[i];
            var text = Trimmed(field, at);
            if (text.Length == 0)
            {
                continue;
            }

            if (ImportValues.Instant(text, _dates, out var instant) is { } badInstant)
            {
                errors.Add(new ImportError(row, column, text, badInstant));
            }
            else
            {
                entered[i] = instant;
            }
        }

        if (errors.Count > before || stage is null || owner is null || amount is null)
        {
            return null;
        }

        var history = History(stage, created, closed, entered, row, errors);
        if (history is null)
        {
            return null;
        }

        var createdAt = created ?? history[0].At;
        var value = Money.Of(amount.Value, currency);
        var outcomeKind = OutcomeOf(stage.Kind);
        var result = outcomeKind switch
        {
            ImportOutcome.Won => new Outcome(OutcomeKind.Won, reason.Length == 0 ? null : reason, null, history[^1].At),
            ImportOutcome.Lost => new Outcome(OutcomeKind.Lost, _pipeline.FindLossReason(reason) ?? (reason.Length == 0 ? null : reason), null, history[^1].At),
            _ => null,
        };
        var expected = expectedClose
            ?? (result is not null
                ? result.ClosedAt.InZone(_dates.Zone).Date
                : createdAt.InZone(_dates.Zone).Date.PlusDays(_mapping.ExpectedCloseDays));

        // A time-ordered (version 7) id, at the import's start, rather than a random one: the deals of an import then go to the
        // end of the id indexes (the opportunities' primary key, the history's) instead of to random pages of them, so a large
        // import stays fast with a small page cache. A random id made a 10^6-row load into SQLite 3 to 4 times slower.
        var state = new OpportunityState(
            new OpportunityId(_newIds.Next(_importedAt)), _pipeline.Id, name, value, expected, null, owner.Value, stage.Id, probability, null, null, [], [], history,
            result, createdAt, _by, history[^1].At, _by, 0, id);
        try
        {
            Opportunity.Restore(state, _pipeline);
        }
        catch (ArgumentException e)
        {
            // Anything the domain refuses that the checks above did not catch is still this row's fault, not the import's.
            var f = e.ParamName switch { "value" => ImportField.Amount, "name" => ImportField.Name, "owner" => ImportField.Owner, _ => (ImportField?)null };
            // The domain's message without the parameter note .NET appends.
            var refusal = e.ParamName is { } parameter ? e.Message.Replace($" (Parameter '{parameter}')", string.Empty, StringComparison.Ordinal) : e.Message;
            errors.Add(f is { } known
                ? new ImportError(row, _cellColumns[(int)known], _cells[(int)known], refusal)
                : new ImportError(row, string.Empty, string.Empty, refusal));
            return null;
        }

        return new ImportRow(state, account.Length == 0 ? null : account);
    }

    private static ImportOutcome OutcomeOf(StageKind kind) => kind switch
    {
        StageKind.Won => ImportOutcome.Won,
        StageKind.Lost => ImportOutcome.Lost,
        _ => ImportOutcome.Open,
    };

    private static string Trimmed(Func<int, string> field, int index) => index < 0 ? string.Empty : field(index).Trim();

    /// <summary>
    /// A template's text for the row. A method of its own, so that only a field built from a template pays for the closure
    /// over its column indexes (captured in <see cref="Load"/>, it was allocated for every field of every row).
    /// </summary>
    private static string Rendered(NameTemplate template, int[] indexes, Func<int, string> field) =>
        template.Render(k => Trimmed(field, indexes[k]));

    /// <summary>
    /// Builds the stage history: the dated open stages in pipeline order, then the current stage. A closed deal enters its
    /// closing stage when it closed; an open deal's current stage without a date of its own is entered at the last date known
    /// before it (or at creation). When the deal was created before its first dated stage and that stage is not the
    /// pipeline's initial stage, the history starts in the initial stage at creation.
    /// </summary>
    private List<StageChange>? History(StageDefinition stage, Instant? created, Instant? closed, Span<Instant?> entered, long row, List<ImportError> errors)
    {
        var before = errors.Count;
        void Fail(ImportField f, string reason) => errors.Add(new ImportError(row, _cellColumns[(int)f], _cells[(int)f], reason));
        string Date(Instant at) => at.InZone(_dates.Zone).Date.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture);

        var steps = new List<(StageDefinition Stage, Instant At, string Column)>(4);
        Instant? currentAt = null;
        var currentColumn = string.Empty;
        for (var i = 0; i < _stageDates.Length; i++)
        {
            if (entered[i] is not { } at)
            {
                continue;
            }

            var (dated, _, column) = _stageDates[i];
            if (dated.Id == stage.Id)
            {
                currentAt = at;
                currentColumn = column;
            }
            else if (!dated.IsOpen)
            {
                // One column often dates every closing stage (close_date for won and lost): only the deal's own counts.
                continue;
            }
            else if (stage.IsOpen && dated.Order > stage.Order)
            {
                errors.Add(new ImportError(row, column, Date(at), $"the deal is in '{stage.Id}', which comes before '{dated.Id}' in the pipeline: the history is built in pipeline order, so a later stage cannot be dated."));
            }
            else
            {
                steps.Add((dated, at, column));
            }
        }

        if (!stage.IsOpen)
        {
            if (closed is { } closedAt && currentAt is { } stageAt && closedAt != stageAt)
            {
                Fail(ImportField.Closed, $"the deal closed on {Date(closedAt)} but entered '{stage.Id}' on {Date(stageAt)} (column '{currentColumn}'): a deal closes when it enters its closing stage.");
            }

            currentAt = closed ?? currentAt;
            if (currentAt is null)
            {
                Fail(ImportField.Closed, $"a {stage.Kind.ToString().ToLowerInvariant()} deal needs a close date.");
            }
        }
        else if (closed is not null)
        {
            Fail(ImportField.Closed, $"the deal is open (stage '{stage.Id}') but has a close date.");
        }

        for (var i = 1; i < steps.Count; i++)
        {
            if (steps[i].At < steps[i - 1].At)
            {
                errors.Add(new ImportError(row, steps[i].Column, Date(steps[i].At), $"the deal entered '{steps[i].Stage.Id}' before '{steps[i - 1].Stage.Id}' ({Date(steps[i - 1].At)}), an earlier stage of the pipeline."));
            }
        }

        if (currentAt is { } current && steps.Count > 0 && current < steps[^1].At)
        {
            var (column, text) = stage.IsOpen ? (currentColumn, Date(current)) : (_cellColumns[(int)ImportField.Closed], _cells[(int)ImportField.Closed]);
            errors.Add(new ImportError(row, column, text.Length == 0 ? Date(current) : text, $"the deal entered '{stage.Id}' before it entered '{steps[^1].Stage.Id}' ({Date(steps[^1].At)}), an earlier stage."));
        }

        if (created is { } createdAt)
        {
            foreach (var step in steps)
            {
                if (step.At < createdAt)
                {
                    errors.Add(new ImportError(row, step.Column, Date(step.At), $"the deal entered '{step.Stage.Id}' before it was created ({Date(createdAt)})."));
                }
            }

            if (currentAt is { } current2 && current2 < createdAt)
            {
                if (stage.IsOpen)
                {
                    errors.Add(new ImportError(row, currentColumn, Date(current2), $"the deal entered '{stage.Id}' before it was created ({Date(createdAt)})."));
                }
                else
                {
                    Fail(ImportField.Closed, $"the deal closes before it was created ({Date(createdAt)}).");
                }
            }
        }

        if (errors.Count > before)
        {
            return null;
        }

        var start = created ?? (steps.Count > 0 ? steps[0].At : currentAt) ?? _undated;
        currentAt ??= steps.Count > 0 ? steps[^1].At : start;
        var history = new List<StageChange>(steps.Count + 2);
        StageId? from = null;
        void Enter(StageId to, Instant at)
        {
            history.Add(new StageChange(from, to, at, _by, StageChangeKind.Imported));
            from = to;
        }

        var (firstStage, firstAt) = steps.Count > 0 ? (steps[0].Stage, steps[0].At) : (stage, currentAt.Value);
        if (firstStage.Id != _pipeline.InitialStage && start < firstAt)
        {
            Enter(_pipeline.InitialStage, start);
        }

        foreach (var step in steps)
        {
            Enter(step.Stage.Id, step.At);
        }

        Enter(stage.Id, currentAt.Value);
        return history;
    }

    private Instant? ReadInstant(ImportField f, List<ImportError> errors, long row)
    {
        var text = _cells[(int)f];
        if (text.Length == 0)
        {
            return null;
        }

        if (ImportValues.Instant(text, _dates, out var instant) is { } fault)
        {
            errors.Add(new ImportError(row, _cellColumns[(int)f], text, fault));
            return null;
        }

        return instant;
    }

    private string Cell(ImportField f) => _cells[(int)f];

    /// <summary>Reads a field's value (a column, a template, or the mapping's default when empty) and remembers where it came from.</summary>
    private void Load(ImportField f, Func<int, string> field)
    {
        var i = (int)f;
        var value = _templates[i] is var (template, indexes) ? Rendered(template, indexes, field) : Trimmed(field, _index[i]);

        var column = _column[i];
        if (value.Length == 0 && f != ImportField.Created && _mapping.Defaults.TryGetValue(f, out var fallback))
        {
            value = fallback;
            column = _index[i] >= 0 ? column : "defaults." + ImportFields.CanonicalName(f);
        }

        _cells[i] = value;
        _cellColumns[i] = column;
    }
}
