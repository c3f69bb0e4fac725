// Samples for the scanner's Internal-namespace self-check.
#pragma warning disable CA1812 // Never instantiated: reflected over only.

namespace SalesPipeline.Tests.Architecture.Samples.Internal;

public sealed class PublicImplementation;

internal sealed class HiddenImplementation;
