using BenchmarkDotNet.Running;
using Memstore.Benchmarks;

if (args.Length > 0 && args[0] == "alloc-check")
{
    // Exact, process-wide bytes per operation for GetAsync into a reused buffer (see docs/performance.md).
    return await AllocationCheck.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200_000).ConfigureAwait(false);
}
if (args.Length > 0 && args[0] == "correlation-cpu")
{
    // Client work per request without the network, by process CPU time (see docs/performance.md, issue 12).
    var ci = System.Globalization.CultureInfo.InvariantCulture;
    return CorrelationCpuCheck.Run(args.Length > 1 ? int.Parse(args[1], ci) : 15, args.Length > 2 ? int.Parse(args[2], ci) : 200_000);
}
if (args.Length > 0 && args[0] == "typed-overhead")
{
    // Generated keyspace versus raw client, interleaved rounds, median ratio (see docs/performance.md).
    var rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 21;
    var perRound = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 2_000;
    return await TypedOverheadCheck.RunAsync(rounds, perRound, args.Length > 3 ? args[3] : null).ConfigureAwait(false);
}
if (args.Length > 0 && args[0] == "mcas-speed")
{
    // MCAS read+commit rates as ratios to plain sets in the same run (see docs/performance.md, "MCAS v2 speed").
    var ci = System.Globalization.CultureInfo.InvariantCulture;
    var rounds = args.Length > 1 ? int.Parse(args[1], ci) : 9;
    var seconds = args.Length > 2 ? double.Parse(args[2], ci) : 1.0;
    var servers = args.Length > 3 ? int.Parse(args[3], ci) : 1;
    return await McasSpeedCheck.RunAsync(rounds, seconds, servers, args.Length > 4 ? args[4] : null).ConfigureAwait(false);
}
if (args.Length > 0 && args[0] == "swr-latency")
{
    // Readers' p50/p99 during stale-while-revalidate refreshes against plain hits, interleaved rounds (see docs/performance.md).
    var ci = System.Globalization.CultureInfo.InvariantCulture;
    return await StaleWhileRevalidateCheck.RunAsync(args.Length > 1 ? int.Parse(args[1], ci) : 5, args.Length > 2 ? double.Parse(args[2], ci) : 2.0,
        args.Length > 3 ? int.Parse(args[3], ci) : 16).ConfigureAwait(false);
}
if (args.Length > 0 && args[0] == "compression")
{
    // LZ4 against zstd on cache-like values: size ratio and time per compress/decompress (see docs/compression.md).
    return CompressionCheck.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
}
BenchmarkSwitcher.FromAssembly(typeof(ClientBenchmarks).Assembly).Run(args);
return 0;
