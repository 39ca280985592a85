using System.Text;
using Memstore.Mcas;
using Memstore.Tests.Infrastructure;

namespace Memstore.Tests.Mcas;

/// <summary>In-process load: many workers, shared keys, retried MCAS; the sum must be exact.</summary>
[Trait("Category", "Memcached")]
public sealed class McasLoadTests(ThreeServerFixture cluster) : IClassFixture<ThreeServerFixture>
{
    [Fact]
    public async Task Many_workers_incrementing_random_keys_give_an_exact_sum()
    {
        await using var client = cluster.NewClient();
        var keys = Enumerable.Range(0, 8).Select(i => TestKeys.Unique($"inc{i}")).ToArray();
        const int workers = 16, incrementsPerWorker = 40;
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var mcas = new McasClient(client, new McasOptions { RetryBudget = TimeSpan.FromSeconds(30) });
            var random = new Random(w);
            for (var i = 0; i < incrementsPerWorker; i++)
            {
                var a = keys[random.Next(keys.Length)];
                var b = keys[random.Next(keys.Length)];
                await mcas.TransactAsync(async (tx, ct) =>
                {
                    foreach (var key in new[] { a, b }.Distinct())
                    {
                        var entry = await tx.GetAsync(key, ct);
                        var n = entry.Exists ? long.Parse(Encoding.UTF8.GetString(entry.Value!)) : 0;
                        tx.Set(key, Encoding.UTF8.GetBytes((n + 1).ToString()));
                    }
                });
            }
            await mcas.FlushAsync();
            return incrementsPerWorker * 0;
        })).ToArray();
        await Task.WhenAll(tasks);
        var reader = new McasClient(client);
        var entries = await reader.GetManyAsync(keys);
        var total = entries.Sum(e => e.Exists ? long.Parse(Encoding.UTF8.GetString(e.Value!)) : 0);
        // Each transaction increments one or two distinct keys; count what was expected the same way.
        long expected = 0;
        for (var w = 0; w < workers; w++)
        {
            var random = new Random(w);
            for (var i = 0; i < incrementsPerWorker; i++)
            {
                expected += random.Next(keys.Length) == random.Next(keys.Length) ? 1 : 2;
            }
        }
        Assert.Equal(expected, total);
        Assert.All(keys, key => Assert.Null(StoredRecordCodec.TryDecodeMarker(client.GetAsync(key).AsTask().Result)));
    }

    [Fact]
    public async Task Transaction_gives_up_with_the_contended_key_named()
    {
        await using var client = cluster.NewClient();
        var mcas = new McasClient(client, new McasOptions { MaxAttempts = 3, InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });
        var key = TestKeys.Unique("hot");
        var other = TestKeys.Unique("cold");
        var error = await Assert.ThrowsAsync<McasConflictException>(async () => await mcas.TransactAsync(async (tx, ct) =>
        {
            await tx.GetAsync(other, ct);
            await tx.GetAsync(key, ct);
            await client.SetAsync(key, "interloper", cancellationToken: ct); // changes under every attempt
            tx.Set(key, "x"u8.ToArray());
            tx.Set(other, "y"u8.ToArray());
        }));
        Assert.Equal(3, error.Attempts);
        Assert.Equal([key], error.ContendedKeys);
        Assert.Contains(key, error.Message);
    }
}
