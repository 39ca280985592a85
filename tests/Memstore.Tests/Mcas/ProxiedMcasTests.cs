using Memstore.Mcas;
using Memstore.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

using static Memstore.Tests.Mcas.McasRequestLines;

namespace Memstore.Tests.Mcas;

/// <summary>
/// The setting of the two-server forced-interleaving tests (FewerWavesTests, OutOfOrderTests): two real memcached,
/// each behind a <see cref="HoldingProxy"/> that every participant goes through, so that all place keys alike and
/// any one request can be held; keys and descriptor ids chosen by the server the ring gives them.
/// </summary>
public abstract class ProxiedMcasTests(ThreeServerFixture cluster) : IAsyncDisposable
{
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly List<IAsyncDisposable> _owned = [];

    protected MemcachedServer S1 => cluster.Servers[0];
    protected MemcachedServer S2 => cluster.Servers[1];

    protected (HoldingProxy, HoldingProxy) Proxies()
    {
        var p1 = HoldingProxy.Start(S1);
        var p2 = HoldingProxy.Start(S2);
        _owned.Add(p1);
        _owned.Add(p2);
        return (p1, p2);
    }

    protected McasClient NewMcas(HoldingProxy p1, HoldingProxy p2, ILoggerFactory? log = null)
    {
        var options = MemcacheClientOptions.Parse($"{p1.ConnectionString},{p2.ConnectionString}");
        options.OperationTimeout = Wait;
        var client = new MemcacheClient(options, log);
        _owned.Add(client);
        return new McasClient(client);
    }

    /// <summary>Two keys in ordinal order (the descriptor's item order), the first placed on <paramref name="first"/>, the second on <paramref name="second"/>.</summary>
    protected static (string, string) KeysOn(MemcacheClient client, HoldingProxy first, HoldingProxy second)
    {
        var prefix = TestKeys.Unique("proxied");
        var candidates = Enumerable.Range(0, 1000).Select(i => $"{prefix}:{i:D4}").ToList();
        var a = candidates.First(k => client.Locate(k).Port == first.Port);
        var b = candidates.First(k => string.CompareOrdinal(k, a) > 0 && client.Locate(k).Port == second.Port);
        return (a, b);
    }

    /// <summary><see cref="KeysOn"/>, with the first key holding "a0" and the second "b0" (every client places keys alike).</summary>
    protected static async Task<(string, string)> SeededKeysOnAsync(MemcacheClient client, HoldingProxy first, HoldingProxy second)
    {
        var (a, b) = KeysOn(client, first, second);
        await client.SetAsync(a, "a0");
        await client.SetAsync(b, "b0");
        return (a, b);
    }

    /// <summary>A descriptor id whose key the ring places with <paramref name="key"/>, as the owner's own choice would.</summary>
    protected static string FreshIdWith(MemcacheClient client, string key) =>
        Enumerable.Range(0, 1000).Select(_ => Guid.NewGuid().ToString("N")).First(id => client.Locate("memstore:mcas:" + id) == client.Locate(key));

    /// <summary>A descriptor id whose key the ring places behind <paramref name="proxy"/>.</summary>
    protected static string FreshIdOn(MemcacheClient client, HoldingProxy proxy) =>
        Enumerable.Range(0, 1000).Select(_ => Guid.NewGuid().ToString("N")).First(id => client.Locate("memstore:mcas:" + id).Port == proxy.Port);

    protected static async Task<string> DescriptorOfMarkerAsync(MemcachedServer server, string key)
    {
        await using var raw = MemcacheClient.Create(server.ConnectionString);
        var value = await raw.GetAsync(key);
        return (StoredRecordCodec.TryDecodeMarker(value) ?? throw new InvalidOperationException($"{key} holds no marker")).DescriptorKey;
    }

    protected async Task AssertNoMarkerAsync(params string[] keys)
    {
        foreach (var key in keys)
        {
            foreach (var server in new[] { S1, S2 })
            {
                Assert.DoesNotContain(ReservedFlag[1..], await server.RawAsync($"mg {key} f\r\n"), StringComparison.Ordinal);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}
