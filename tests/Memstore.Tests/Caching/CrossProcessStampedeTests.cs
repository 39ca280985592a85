using System.Text.RegularExpressions;
using Memstore.Tests.Infrastructure;
using Memstore.Tests.Mcas;

namespace Memstore.Tests.Caching;

/// <summary>
/// The stampede across real processes: 8 StressWorker processes × 32 callers ask at the same moment for one cold
/// key whose factory takes 50 ms. With GetOrCreateAsync the factory runs once in all; code that gets and, on a
/// miss, computes and sets runs it in (nearly) every caller.
/// </summary>
[Trait("Category", "Memcached")]
public sealed partial class CrossProcessStampedeTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>
{
    private const int Processes = 8;
    private const int CallersPerProcess = 32;

    [Fact]
    public async Task Eight_processes_of_32_callers_run_the_factory_once()
    {
        var (runs, values, counted) = await StampedeAsync(naive: false);
        Assert.Equal(1, runs);
        Assert.Equal(1UL, counted);
        Assert.Single(values); // every caller of every process got the one value
    }

    [Fact]
    public async Task Without_leases_the_same_stampede_runs_the_factory_in_many_callers()
    {
        var (runs, _, counted) = await StampedeAsync(naive: true);
        Assert.Equal((ulong)runs, counted);
        Assert.True(runs > Processes, $"get-then-set ran the factory {runs} times");
    }

    private async Task<(int Runs, HashSet<string> Values, ulong Counted)> StampedeAsync(bool naive)
    {
        var key = TestKeys.Unique(naive ? "stampede-naive" : "stampede");
        // Far enough ahead that every process is up and connected before the callers start.
        var start = DateTimeOffset.UtcNow.AddSeconds(4).ToUnixTimeMilliseconds();
        var workers = Enumerable.Range(0, Processes)
            .Select(_ => WorkerProcesses.Worker(["stampede", fixture.Server.ConnectionString, key, CallersPerProcess.ToString(), "50", start.ToString(), .. naive ? new[] { "naive" } : []]))
            .ToArray();
        var outputs = await Task.WhenAll(workers.Select(w => WorkerProcesses.FinishAsync(w, TimeSpan.FromSeconds(60))));
        var runs = 0;
        var values = new HashSet<string>();
        foreach (var output in outputs)
        {
            runs += int.Parse(RunsLine().Match(output).Groups[1].Value);
            foreach (var value in ValuesLine().Match(output).Groups[1].Value.Split('|'))
            {
                values.Add(value);
            }
        }
        await using var client = MemcacheClient.Create(fixture.Server.ConnectionString);
        var counted = ulong.Parse((await client.GetAsync(key + ":runs")).AsString()!);
        return (runs, values, counted);
    }

    [GeneratedRegex(@"RUNS (\d+)")]
    private static partial Regex RunsLine();

    [GeneratedRegex(@"VALUES (\S+)")]
    private static partial Regex ValuesLine();
}
