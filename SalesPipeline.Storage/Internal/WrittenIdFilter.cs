using System.Text;

namespace SalesPipeline.Storage.Internal;

/// <summary>
/// The external ids an import has written to one pipeline, kept as a Bloom filter of a fixed 2 MiB (2^24 bits, seven bits
/// per id, allocated at the first id) instead of the ids themselves: <see cref="MayContain"/> is true for every id added, and for an id never added
/// only rarely (about once in a thousand at 10^6 ids; at 10^7 ids the filter is nearly full and answers true for most). A
/// caller asks the store about the ids it may contain and takes the others as not written, so the filter saves work
/// without changing an answer.
/// </summary>
internal sealed class WrittenIdFilter
{
    private const int BitsLog2 = 24;
    private const int Probes = 7;
    private const ulong Mask = (1UL << BitsLog2) - 1;

    /// <summary>The bits, allocated at the first <see cref="Add"/>: a session that follows a pipeline it never writes to keeps none.</summary>
    private ulong[]? _bits;

    /// <summary>Records an id as written.</summary>
    public void Add(string id)
    {
        var bits = _bits ??= new ulong[(1 << BitsLog2) / 64];
        var (first, step) = Hashes(AsStored(id));
        for (var i = 0; i < Probes; i++)
        {
            var bit = Bit(first, step, i);
            bits[bit >> 6] |= 1UL << (int)(bit & 63);
        }
    }

    /// <summary>False when <paramref name="id"/> was certainly never added; true when it may have been.</summary>
    public bool MayContain(string id)
    {
        if (_bits is not { } bits)
        {
            return false;
        }

        var (first, step) = Hashes(AsStored(id));
        for (var i = 0; i < Probes; i++)
        {
            var bit = Bit(first, step, i);
            if ((bits[bit >> 6] & (1UL << (int)(bit & 63))) == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Probe <paramref name="i"/>'s bit of an id whose hashes are <paramref name="first"/> and <paramref name="step"/>.</summary>
    private static ulong Bit(ulong first, ulong step, int i) => (first + ((ulong)i * step)) & Mask;

    /// <summary>
    /// The id as the store keeps it: text is stored as UTF-8, where a lone surrogate (which no UTF-8 text holds) becomes
    /// U+FFFD, so an id written with one matches a look-up of the same id with U+FFFD in its place, in the file as here.
    /// </summary>
    private static string AsStored(string id) =>
        id.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0 ? id : Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(id));

    /// <summary>
    /// The first bit and the step between an id's bits, from the runtime's string hash (randomised per process, which is
    /// all an in-memory filter needs) spread over 64 bits by the splitmix64 finaliser; the step is odd, so the probes differ.
    /// </summary>
    private static (ulong First, ulong Step) Hashes(string id)
    {
        var z = (ulong)(uint)string.GetHashCode(id.AsSpan()) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z, (z >> 32) | 1);
    }
}
