using BenchmarkDotNet.Running;
using Memstore.Benchmarks;

if (args.Length > 0 && args[0] == "alloc-check")
{
    // Exact, process-wide bytes per operation for GetAsync into a reused buffer (see docs/performance.md).
    return await AllocationCheck.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200_000).ConfigureAwait(false);
}
BenchmarkSwitcher.FromAssembly(typeof(ClientBenchmarks).Assembly).Run(args);
return 0;
