using System.Runtime.InteropServices;

namespace SalesPipeline.Reporting.Worker.Import;

/// <summary>
/// Finds ids seen earlier in the file without keeping every id string, in 36 bytes per slot of a hash table that has up to
/// twice as many slots as rows: each id is kept as a 128-bit fingerprint (two independent 64-bit hashes) with the row it
/// was first seen in. The fingerprint is two 64-bit halves rather than a <see cref="UInt128"/>, whose 16-byte alignment
/// padded each slot from 32 bytes to 48, both in the table and in the larger one it is copied into each time it grows.
/// Two different ids share a fingerprint with a probability of about n²/2¹²⁹ (10⁻²⁵ for ten million rows), so in practice
/// the answer is exact.
/// This is the one structure of an import that grows with the file.
/// </summary>
internal sealed class IdFingerprints
{
    private readonly Dictionary<Fingerprint, long> _firstRow = [];

    /// <summary>Records an id, or tells the row it was first seen in.</summary>
    /// <param name="id">The id.</param>
    /// <param name="row">The row it is in now.</param>
    /// <param name="firstRow">The earlier row with the same id, when there is one.</param>
    /// <returns><see langword="true"/> when the id is new.</returns>
    public bool TryAdd(string id, long row, out long firstRow)
    {
        // One hash look-up per id: the slot is added (and set) or found.
        ref var first = ref CollectionsMarshal.GetValueRefOrAddDefault(_firstRow, Of(id), out var seen);
        if (seen)
        {
            firstRow = first;
            return false;
        }

        first = row;
        firstRow = 0;
        return true;
    }

    internal static Fingerprint Of(string id)
    {
        // FNV-1a and a multiply-rotate hash over the UTF-16 code units, each finished with the splitmix64 mixer.
        var a = 14695981039346656037UL;
        var b = 0x9E3779B97F4A7C15UL ^ (ulong)id.Length;
        foreach (var c in id)
        {
            a = (a ^ c) * 1099511628211UL;
            b = ulong.RotateLeft((b ^ c) * 0xC2B2AE3D27D4EB4FUL, 31);
        }

        return new Fingerprint(Mix(a), Mix(b));
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>An id's two hashes.</summary>
    /// <param name="First">The first hash.</param>
    /// <param name="Second">The second hash.</param>
    internal readonly record struct Fingerprint(ulong First, ulong Second)
    {
        public bool Equals(Fingerprint other) => First == other.First && Second == other.Second;

        // The halves are mixed already: any 32 bits of one serve as the table's hash.
        public override int GetHashCode() => (int)First;
    }
}
