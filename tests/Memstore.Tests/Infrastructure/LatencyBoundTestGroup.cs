namespace Memstore.Tests.Infrastructure;

/// <summary>
/// Tests that bound the latency of every call run alone. The client does not time a request out while the
/// thread pool is starved (see Connection.Sweep in src/Runtime/Transport), so a machine busy with other tests (package builds,
/// NativeAOT) would make a correct client miss the bound.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LatencyBoundTestGroup
{
    public const string Name = "LatencyBound";
}
