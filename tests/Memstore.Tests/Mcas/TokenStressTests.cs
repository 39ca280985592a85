using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Memstore.Mcas;
using Memstore.Tests.Infrastructure;
using Xunit.Abstractions;
using static Memstore.Tests.Mcas.WorkerProcesses;

namespace Memstore.Tests.Mcas;

/// <summary>
/// Tokens moving among slots, each move one MCAS that deletes a slot and creates another, from three worker
/// processes × 4 loops, with one worker paused (SIGSTOP) and another SIGKILLed and restarted, or with a memcached
/// paused past the operation timeout. Late expected-absent installs used to duplicate tokens here. The ≥ 30 s
/// version is bench/token-stress.sh.
/// </summary>
[Trait("Category", "Memcached")]
public sealed partial class TokenStressTests(ThreeServerFixture cluster, ITestOutputHelper output) : IClassFixture<ThreeServerFixture>
{
    internal const int Slots = 10, Tokens = 5;

    [Fact]
    public async Task Tokens_stay_exactly_once_with_workers_paused_and_killed()
    {
        await using var client = cluster.NewClient();
        var prefix = $"tk{Guid.NewGuid():N}"[..12] + ":";
        await SeedAsync(client, prefix);
        Process Movers(int seed, double seconds) => Worker("tokens", cluster.ConnectionString, prefix, Slots.ToString(), Tokens.ToString(), seconds.ToString("F1"), seed.ToString(), "4");
        var clock = Stopwatch.StartNew();
        var steady = Movers(1, 6);
        var paused = Movers(2, 6);
        var victim = Movers(3, 6);
        var finishing = new List<Task<string>> { FinishAsync(steady, TimeSpan.FromSeconds(40)), FinishAsync(paused, TimeSpan.FromSeconds(40)) };
        await Task.Delay(2000);
        await SignalAsync(paused, "STOP");
        await Task.Delay(1000);
        await SignalAsync(paused, "CONT");
        await Task.Delay(500);
        await KillAsync(victim);
        finishing.Add(FinishAsync(Movers(4, 2.5), TimeSpan.FromSeconds(40))); // the restart
        var outputs = await Task.WhenAll(finishing);
        output.WriteLine($"wall {clock.Elapsed.TotalSeconds:F1} s");
        AssertWorkersClean(outputs, output, "DONE moves=");
        var moves = outputs.Sum(text => int.Parse(MovesPattern().Match(text).Groups[1].Value));
        var checks = outputs.Sum(text => int.Parse(ChecksPattern().Match(text).Groups[1].Value));
        output.WriteLine($"moves {moves}, checks {checks} (SIGKILLed worker's counts lost with it)");
        Assert.True(moves > 50, $"only {moves} moves");
        Assert.True(checks > 0);
        await AssertTokensAsync(client, prefix);
    }

    [Fact]
    public async Task Tokens_stay_exactly_once_when_a_server_pauses_past_the_operation_timeout()
    {
        // Requests time out inside operations (owners settle them, or leave them to the background finishing) and
        // background releases fail (owners finish them): docs/mcas.md 4.2 and 4.3. The workers count the timeouts.
        await using var client = cluster.NewClient();
        var prefix = $"tp{Guid.NewGuid():N}"[..12] + ":";
        await SeedAsync(client, prefix);
        Process Movers(int seed) => Worker("tokens", cluster.ConnectionString, prefix, Slots.ToString(), Tokens.ToString(), "7", seed.ToString(), "4", "tolerate-transport");
        var workers = new[] { Movers(11), Movers(12), Movers(13) };
        var finishing = workers.Select(w => FinishAsync(w, TimeSpan.FromSeconds(60))).ToList();
        await Task.Delay(2000);
        var server = cluster.Servers[0];
        server.Pause();                                             // past the workers' 2 s operation timeout
        try
        {
            await Task.Delay(3000);
        }
        finally
        {
            server.Resume();
        }
        var outputs = await Task.WhenAll(finishing);
        AssertWorkersClean(outputs, output, "DONE moves=");
        Assert.Contains(outputs, text => !text.Contains("transport_errors=0 ", StringComparison.Ordinal)); // the pause was felt
        await AssertTokensAsync(client, prefix);
    }

    internal static async Task SeedAsync(MemcacheClient client, string prefix)
    {
        for (var i = 0; i < Slots; i++)
        {
            if (i < Tokens)
            {
                await client.SetAsync($"{prefix}slot:{i}", $"tok:{i}");
            }
        }
    }

    /// <summary>Exactly the starting tokens, each once (read with McasGet), and no marker left behind it.</summary>
    internal static async Task AssertTokensAsync(MemcacheClient client, string prefix)
    {
        var keys = Enumerable.Range(0, Slots).Select(i => $"{prefix}slot:{i}").ToList();
        var entries = await new McasClient(client).GetManyAsync(keys);
        var held = entries.Where(e => e.Exists).Select(e => Encoding.UTF8.GetString(e.Value!)).Order(StringComparer.Ordinal);
        Assert.Equal(Enumerable.Range(0, Tokens).Select(j => $"tok:{j}").Order(StringComparer.Ordinal), held);
        foreach (var key in keys)
        {
            var plain = await client.GetAsync(key);
            Assert.False(plain.Found && (plain.Flags & MemstoreWireFormat.ReservedFlag) != 0, $"marker left in {key}");
        }
    }

    [GeneratedRegex(@"moves=(\d+)")]
    internal static partial Regex MovesPattern();

    [GeneratedRegex(@"checks=(\d+)")]
    internal static partial Regex ChecksPattern();
}
