using System.Globalization;
using Memstore;
using Memstore.Faults;

// Frozen and killed server under load: the live servers' keys' throughput as a ratio to the same run
// without a fault, and how soon the victim's keys fail fast or move. See docs/performance.md.
var ci = CultureInfo.InvariantCulture;
double Arg(string name, double fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], ci) : fallback;
}
if (args.Contains("-h") || args.Contains("--help"))
{
    Console.WriteLine("usage: Memstore.Faults [--concurrency 64] [--duration 10] [--fault-at 1] [--warmup 2] [--timeout 2] [--get-ratio 0.9] [--keys 30000] [--policy failfast|redistribute|both] [--timeout-limit 3 (0: as before timeouts counted)] [--faults freeze,kill] [--repeat 1] | --failure-cost [calls]");
    return 0;
}
if (Array.IndexOf(args, "--failure-cost") is var fc and >= 0)
{
    await FailureCost.RunAsync(fc + 1 < args.Length ? int.Parse(args[fc + 1], ci) : 100_000);
    return 0;
}
var options = new FaultOptions(
    Concurrency: (int)Arg("--concurrency", 64),
    DurationSeconds: Arg("--duration", 10),
    FaultAtSeconds: Arg("--fault-at", 1),
    WarmupSeconds: Arg("--warmup", 2),
    OperationTimeout: TimeSpan.FromSeconds(Arg("--timeout", 2)),
    GetRatio: Arg("--get-ratio", 0.9),
    Keys: (int)Arg("--keys", 30_000),
    ValueSize: 100,
    ServerThreads: 1,
    ServerTimeoutLimit: (int)Arg("--timeout-limit", new MemcacheClientOptions().ServerTimeoutLimit));
var policyArg = Array.IndexOf(args, "--policy") is var p and >= 0 && p + 1 < args.Length ? args[p + 1].ToLowerInvariant() : "both";
FailoverPolicy[] policies = policyArg switch
{
    "failfast" => [FailoverPolicy.FailFast],
    "redistribute" => [FailoverPolicy.Redistribute],
    _ => [FailoverPolicy.FailFast, FailoverPolicy.Redistribute],
};
var faultsArg = Array.IndexOf(args, "--faults") is var f and >= 0 && f + 1 < args.Length ? args[f + 1].ToLowerInvariant() : "freeze,kill";
var faults = faultsArg.Split(',').Select(name => name switch
{
    "freeze" => Fault.Freeze,
    "kill" => Fault.Kill,
    _ => throw new ArgumentException($"unknown fault '{name}' (freeze, kill)"),
}).ToArray();
Console.WriteLine(string.Create(ci, $"load average {FailureCost.LoadAverage()}"));
Console.WriteLine(string.Create(ci, $"3 servers, concurrency={options.Concurrency}, window={options.DurationSeconds}s, fault at {options.FaultAtSeconds}s, OperationTimeout={options.OperationTimeout.TotalSeconds}s, get_ratio={options.GetRatio}, ServerTimeoutLimit={options.ServerTimeoutLimit}, cores={Environment.ProcessorCount}"));
var repeats = (int)Arg("--repeat", 1);
var settledRatios = new Dictionary<(FailoverPolicy, Fault), List<(double Throughput, double PerCpu)>>();
foreach (var policy in policies)
{
  for (var repeat = 0; repeat < repeats; repeat++)
  {
    // Each fault run is compared with the no-fault run just before it: on a shared machine the load moves.
    var baseline = await FaultScenario.RunAsync(Fault.None, policy, options);
    foreach (var fault in faults)
    {
        var run = await FaultScenario.RunAsync(fault, policy, options);
        var faultAt = options.FaultAtSeconds;
        var settled = faultAt + options.OperationTimeout.TotalSeconds + 1;
        var end = options.DurationSeconds;
        double Ratio(double from, double to) => baseline.LiveRate(from, to) is var b and > 0 ? run.LiveRate(from, to) / b : 0;
        var victimOkAfter = ScenarioResult.Rate(run.VictimOk, settled, end);
        var victimFailedAfter = ScenarioResult.Rate(run.VictimFailed, settled, end);
        Console.WriteLine(string.Create(ci,
            $"policy={policy} fault={fault} live_ratio_whole={Ratio(faultAt, end):0.00} live_ratio_first_timeout={Ratio(faultAt, faultAt + options.OperationTimeout.TotalSeconds):0.00} "
            + $"live_ratio_settled={Ratio(settled, end):0.00} marked_dead_after_s={(run.MarkedDeadAfterSeconds is { } d ? d.ToString("0.00", ci) : "never")} "
            + $"live_failures={run.LiveFailed.Sum()} live_max_ms={run.LiveMaxLatency.TotalMilliseconds:0} "
            + $"victim_ok_per_s_settled={victimOkAfter:0} victim_failed_per_s_settled={victimFailedAfter:0} victim_max_ms_after_dead={run.VictimMaxLatencyAfterDead.TotalMilliseconds:0} "
            + $"baseline_live_ops_per_s={baseline.LiveRate(faultAt, end):0} live_per_cpu_ratio_settled={PerCpuRatio():0.00} "
            + $"client_cpu_share_settled={run.SettledClientCpu / (run.SettledClientCpu + run.SettledServerCpu):0.00} baseline_client_cpu_share_settled={baseline.SettledClientCpu / (baseline.SettledClientCpu + baseline.SettledServerCpu):0.00} "
            + $"cpu_s_settled={(run.SettledClientCpu + run.SettledServerCpu).TotalSeconds:0.0} baseline_cpu_s_settled={(baseline.SettledClientCpu + baseline.SettledServerCpu).TotalSeconds:0.0} load_average={FailureCost.LoadAverage()}"));
        double PerCpuRatio() => baseline.SettledLivePerCpuSecond(end) is var b and > 0 ? run.SettledLivePerCpuSecond(end) / b : 0;
        if (!settledRatios.TryGetValue((policy, fault), out var list))
        {
            settledRatios[(policy, fault)] = list = [];
        }
        list.Add((Ratio(settled, end), PerCpuRatio()));
    }
  }
}
foreach (var ((policy, fault), ratios) in settledRatios)
{
    string Describe(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return string.Create(ci, $"median={sorted[sorted.Length / 2]:0.00} min={sorted[0]:0.00} max={sorted[^1]:0.00} all=[{string.Join(' ', sorted.Select(r => r.ToString("0.00", ci)))}]");
    }
    Console.WriteLine(string.Create(ci,
        $"summary policy={policy} fault={fault} runs={ratios.Count} live_ratio_settled: {Describe(ratios.Select(r => r.Throughput))}; live_per_cpu_ratio_settled: {Describe(ratios.Select(r => r.PerCpu))}"));
}
return 0;
