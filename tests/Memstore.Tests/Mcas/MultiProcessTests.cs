using Memstore.Tests.Infrastructure;
using System.Text;
using System.Text.RegularExpressions;
using Memstore.Collections;
using Memstore.Mcas;
using Xunit.Abstractions;
using static Memstore.Tests.Mcas.WorkerProcesses;

namespace Memstore.Tests.Mcas;

/// <summary>
/// MCAS and the deque shared by separate OS processes (tests/Memstore.StressWorker) over three servers:
/// transfers keep the total exact, a process SIGKILLed after phase 1 is finished by another process,
/// and deque items move exactly once, in order per producer with one consumer.
/// </summary>
[Trait("Category", "Memcached")]
public sealed partial class MultiProcessTests(ThreeServerFixture cluster, ITestOutputHelper output) : IClassFixture<ThreeServerFixture>
{
    private const int Accounts = 20;
    private const long Start = 1000;

    [Fact]
    public async Task Four_processes_of_random_transfers_keep_the_total_exact()
    {
        await using var client = cluster.NewClient();
        var prefix = $"st{Guid.NewGuid():N}"[..12] + ":";
        await SeedAccountsAsync(client, prefix);
        var workers = Enumerable.Range(0, 4).Select(i => Worker("transfer", cluster.ConnectionString, prefix, Accounts.ToString(), "5", (i + 1).ToString())).ToArray();
        var outputs = await Task.WhenAll(workers.Select(w => FinishAsync(w, TimeSpan.FromSeconds(40))));
        foreach (var text in outputs)
        {
            output.WriteLine(text.Trim());
            Assert.Contains("DONE commits=", text);
        }
        var commits = outputs.Sum(text => int.Parse(CommitsPattern().Match(text).Groups[1].Value));
        output.WriteLine($"total commits: {commits} in 5 s over 4 processes");
        Assert.True(commits > 100);
        await AssertConsistentAsync(client, prefix);
        var descriptors = await DescriptorsAsync();
        output.WriteLine($"descriptors left: {descriptors.Count}");
        Assert.All(descriptors, d => Assert.True(d.Expires > 0 && d.Expires <= DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3600 + 5, $"descriptor {d.Key} outlives its TTL"));
    }

    [Fact]
    public async Task A_process_killed_after_phase_1_is_finished_by_another_process()
    {
        await using var client = cluster.NewClient();
        var prefix = $"cr{Guid.NewGuid():N}"[..12] + ":";
        await SeedAccountsAsync(client, prefix);
        using var victim = Worker("crash", cluster.ConnectionString, prefix, Accounts.ToString());
        var line = await victim.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.NotNull(line);
        Assert.StartsWith("PHASE1 ", line);
        victim.Kill(); // SIGKILL: no clean-up of any kind
        await victim.WaitForExitAsync();
        var parts = line!.Split(' ');
        var (descriptor, keys) = (parts[1], parts[2..]);
        Assert.All(keys, key => Assert.NotNull(StoredRecordCodec.TryDecodeMarker(client.GetAsync(key).AsTask().Result))); // left owned
        await AssertConsistentAsync(client, prefix); // this process's McasGet resolves them
        var left = await client.GetWithTtlAsync(descriptor, default);
        Assert.True(!left.Value.Found || left.Ttl is > 0 and <= 60, "the helper shortens the dead owner's descriptor to the linger time");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Deque_items_move_between_processes_exactly_once(int consumers)
    {
        await using var client = cluster.NewClient();
        var name = $"dqp{Guid.NewGuid():N}";
        await MemcacheDeque.CreateAsync(client, name);
        const int producers = 3, perProducer = 150;
        var consumerProcesses = Enumerable.Range(0, consumers).Select(_ => Worker("consume", cluster.ConnectionString, name)).ToArray();
        var consumed = consumerProcesses.Select(p => FinishAsync(p, TimeSpan.FromSeconds(60))).ToArray();
        var producerProcesses = Enumerable.Range(0, producers).Select(p => Worker("produce", cluster.ConnectionString, name, p.ToString(), perProducer.ToString())).ToArray();
        foreach (var text in await Task.WhenAll(producerProcesses.Select(p => FinishAsync(p, TimeSpan.FromSeconds(60)))))
        {
            Assert.Contains("DONE", text);
        }
        await client.SetAsync(name + ":done", "1");
        var lists = (await Task.WhenAll(consumed)).Select(text => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l != "DONE").ToList()).ToList();
        var all = lists.SelectMany(l => l).ToList();
        Assert.Equal(producers * perProducer, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
        if (consumers == 1)
        {
            for (var p = 0; p < producers; p++)
            {
                var sequence = all.Where(item => item.StartsWith($"{p}:", StringComparison.Ordinal)).Select(item => int.Parse(item.Split(':')[1])).ToList();
                Assert.Equal(Enumerable.Range(0, perProducer), sequence);
            }
        }
        output.WriteLine($"consumed per process: {string.Join(", ", lists.Select(l => l.Count))}");
    }

    private static async Task SeedAccountsAsync(MemcacheClient client, string prefix)
    {
        for (var i = 0; i < Accounts; i++)
        {
            await client.SetAsync($"{prefix}acct:{i}", Start.ToString());
        }
    }

    private static async Task AssertConsistentAsync(MemcacheClient client, string prefix)
    {
        var mcas = new McasClient(client);
        var entries = await mcas.GetManyAsync([.. Enumerable.Range(0, Accounts).Select(i => $"{prefix}acct:{i}")]);
        Assert.All(entries, e => Assert.True(e.Exists));
        Assert.Equal(Start * Accounts, entries.Sum(e => long.Parse(Encoding.ASCII.GetString(e.Value!))));
        foreach (var entry in entries)
        {
            Assert.Null(StoredRecordCodec.TryDecodeMarker(await client.GetAsync(entry.Key))); // no marker left
        }
    }

    /// <summary>Descriptor keys still stored, with their expiry, from memcached's LRU crawler.</summary>
    private async Task<List<(string Key, long Expires)>> DescriptorsAsync()
    {
        var found = new List<(string, long)>();
        foreach (var server in cluster.Servers)
        {
            var dump = await server.RawAsync("lru_crawler metadump all\r\n", TimeSpan.FromMilliseconds(300));
            foreach (Match match in MetadumpPattern().Matches(dump))
            {
                var key = Uri.UnescapeDataString(match.Groups[1].Value);
                if (key.StartsWith("memstore:mcas:", StringComparison.Ordinal))
                {
                    found.Add((key, long.Parse(match.Groups[2].Value)));
                }
            }
        }
        return found;
    }

    [GeneratedRegex(@"commits=(\d+)")]
    private static partial Regex CommitsPattern();

    [GeneratedRegex(@"key=(\S+) exp=(-?\d+)")]
    private static partial Regex MetadumpPattern();
}
