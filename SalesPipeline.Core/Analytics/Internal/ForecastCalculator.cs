using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;

namespace SalesPipeline.Analytics.Internal;

/// <summary>The weighted forecast by expected close month, and sales velocity.</summary>
internal static class ForecastCalculator
{
    public static ForecastReport Forecast(IEnumerable<OpportunityState> deals, PipelineDefinition pipeline, Instant asOf, ForecastOptions options)
    {
        var stages = new StageLookup(pipeline);
        var months = new SortedDictionary<YearMonth, OpenSums>();
        var total = new OpenSums(options.Conversion);
        foreach (var deal in deals)
        {
            if (!Deals.InScope(deal, pipeline, options.Owner) || OpenStageAt(deal, stages, asOf) is not { } stage)
            {
                continue;
            }

            var month = deal.ExpectedClose.ToYearMonth();
            if (!months.TryGetValue(month, out var sums))
            {
                sums = new OpenSums(options.Conversion);
                months.Add(month, sums);
            }

            var probability = deal.ProbabilityOverride ?? stages.DefaultProbabilities[stage];
            var amount = deal.Value.Amount;
            sums.Add(deal.Value.Currency, 1, amount, amount * probability / 100m);
        }

        foreach (var sums in months.Values)
        {
            total.AddAll(sums);
        }

        var rows = months.Select(kv => new ForecastMonth(kv.Key, kv.Value.Count, kv.Value.ToRows(total))).ToArray();
        return new ForecastReport(asOf, rows, total.ToRows());
    }

    public static SalesVelocityReport Velocity(IEnumerable<OpportunityState> deals, PipelineDefinition pipeline, Instant asOf, Interval period, SalesVelocityOptions options)
    {
        var stages = new StageLookup(pipeline);
        var conversion = options.Conversion;
        var open = new OpenSums(conversion);
        var wonValues = new OpenSums(conversion);
        long won = 0, lost = 0, cycleCount = 0;
        var cycleDays = 0m;
        foreach (var deal in deals)
        {
            if (!Deals.InScope(deal, pipeline, options.Owner))
            {
                continue;
            }

            if (OpenStageAt(deal, stages, asOf) is not null)
            {
                open.Add(deal.Value.Currency, 1, 0m, 0m);
            }

            if (deal.Outcome is not { } outcome || !Deals.Contains(period, outcome.ClosedAt))
            {
                continue;
            }

            var isWon = outcome.Kind == OutcomeKind.Won;
            if (isWon)
            {
                won++;
                wonValues.Add(deal.Value.Currency, 1, deal.Value.Amount, 0m);
            }
            else
            {
                lost++;
            }

            if (isWon || options.CycleBasis == VelocityCycleBasis.AllClosedDeals)
            {
                cycleCount++;
                cycleDays += Deals.Days(outcome.ClosedAt - deal.CreatedAt);
            }
        }

        var winRate = Deals.Ratio(won, won + lost);
        var averageCycle = Deals.Mean(cycleDays, cycleCount);
        var openRows = open.ToRows();
        var wonRows = wonValues.ToRows();
        var currencies = openRows.Select(r => r.Currency).Union(wonRows.Select(r => r.Currency)).Order(StringComparer.Ordinal);
        var values = currencies
            .Select(currency =>
            {
                var openDeals = openRows.FirstOrDefault(r => r.Currency == currency)?.Count ?? 0;
                var wonRow = wonRows.FirstOrDefault(r => r.Currency == currency);
                var averageWon = wonRow is null ? null : Deals.Mean(wonRow.Value, wonRow.Count);
                decimal? perDay = averageWon is { } size && winRate is { } rate && averageCycle is { } cycle && cycle > 0m
                    ? openDeals * size * rate / cycle
                    : null;
                return new VelocityValues(currency, openDeals, averageWon, perDay);
            })
            .ToArray();
        return new SalesVelocityReport(asOf, period, options.CycleBasis, open.Count, won, lost, winRate, averageCycle, values);
    }

    /// <summary>The index of the open stage the deal was in at <paramref name="asOf"/>, or null when it did not exist or was closed.</summary>
    public static int? OpenStageAt(OpportunityState deal, StageLookup stages, Instant asOf)
    {
        var history = deal.History;
        var entry = Deals.LastEntryAtOrBefore(history, asOf);
        if (entry < 0)
        {
            return null;
        }

        var stage = stages.IndexOf(history[entry].To);
        return stages.Kinds[stage] == StageKind.Open ? stage : null;
    }
}
