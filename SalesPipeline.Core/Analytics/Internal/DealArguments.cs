using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SalesPipeline.Analytics.Internal;

/// <summary>
/// The check every public entry point that takes a collection of deals makes: no deal is <see langword="null"/>, which
/// would otherwise fail as a <see cref="NullReferenceException"/> deep inside a calculator. A list is checked before the work
/// begins; any other sequence as it is read, so that it is still read only once.
/// </summary>
internal static class DealArguments
{
    /// <summary>Checks that no deal is <see langword="null"/>.</summary>
    /// <typeparam name="T">The deal type (<see cref="Domain.OpportunityState"/> or <see cref="Domain.Opportunity"/>).</typeparam>
    /// <param name="deals">The deals.</param>
    /// <param name="paramName">The caller's parameter, for the exception.</param>
    /// <returns>The deals to compute over: <paramref name="deals"/> itself when it is a list, else a sequence that checks each deal as it reads it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="deals"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A deal of a list is <see langword="null"/> (a deal of another sequence: when it is read).</exception>
    public static IEnumerable<T> NoNulls<T>(IEnumerable<T> deals, [CallerArgumentExpression(nameof(deals))] string paramName = "deals")
        where T : class
    {
        ArgumentNullException.ThrowIfNull(deals, paramName);
        switch (deals)
        {
            case T[] array:
                Check(array, paramName);
                return deals;
            case List<T> list:
                Check(CollectionsMarshal.AsSpan(list), paramName);
                return deals;
            case IReadOnlyList<T> list:
                for (var i = 0; i < list.Count; i++)
                {
                    if (list[i] is null)
                    {
                        throw NullAt(i, paramName);
                    }
                }

                return deals;
            default:
                return Checked(deals, paramName);
        }
    }

    /// <summary>A stream of deals that checks each deal as it reads it.</summary>
    /// <typeparam name="T">The deal type.</typeparam>
    /// <param name="deals">The deals.</param>
    /// <param name="paramName">The caller's parameter, for the exception.</param>
    /// <returns>The checked stream.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="deals"/> is <see langword="null"/>.</exception>
    public static IAsyncEnumerable<T> NoNulls<T>(IAsyncEnumerable<T> deals, [CallerArgumentExpression(nameof(deals))] string paramName = "deals")
        where T : class
    {
        ArgumentNullException.ThrowIfNull(deals, paramName);
        return CheckedAsync(deals, paramName);
    }

    private static void Check<T>(ReadOnlySpan<T> deals, string paramName)
        where T : class
    {
        for (var i = 0; i < deals.Length; i++)
        {
            if (deals[i] is null)
            {
                throw NullAt(i, paramName);
            }
        }
    }

    private static IEnumerable<T> Checked<T>(IEnumerable<T> deals, string paramName)
        where T : class
    {
        var index = 0;
        foreach (var deal in deals)
        {
            yield return deal ?? throw NullAt(index, paramName);
            index++;
        }
    }

    private static async IAsyncEnumerable<T> CheckedAsync<T>(IAsyncEnumerable<T> deals, string paramName, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class
    {
        var index = 0;
        await foreach (var deal in deals.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return deal ?? throw NullAt(index, paramName);
            index++;
        }
    }

    private static ArgumentException NullAt(int index, string paramName) =>
        new($"The deals contain null at index {index}; pass only recorded deals.", paramName);
}
