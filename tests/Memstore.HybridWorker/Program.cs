// Usage: Memstore.HybridWorker SERVERS write KEY TEXT NUMBER   (prints "written")
//        Memstore.HybridWorker SERVERS read KEY                (prints "TEXT NUMBER", or "miss")
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: Memstore.HybridWorker SERVERS write KEY TEXT NUMBER | SERVERS read KEY");
    return 2;
}

var services = new ServiceCollection();
services.AddMemstore(options => options.Servers.Add(Memstore.ServerAddress.Parse(args[0])));
services.AddMemstoreDistributedCache();
services.AddHybridCache();
await using var provider = services.BuildServiceProvider();
var cache = provider.GetRequiredService<HybridCache>();

switch (args[1])
{
    case "write":
        await cache.SetAsync(args[2], new Greeting(args[3], int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture)));
        Console.WriteLine("written");
        return 0;
    case "read":
        var found = await cache.GetOrCreateAsync<Greeting?>(args[2], _ => ValueTask.FromResult<Greeting?>(null),
            new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableLocalCacheWrite | HybridCacheEntryFlags.DisableDistributedCacheWrite });
        Console.WriteLine(found is null ? "miss" : $"{found.Text} {found.Number}");
        return 0;
    default:
        Console.Error.WriteLine($"unknown command {args[1]}");
        return 2;
}

/// <summary>The cached value; serialized by HybridCache (System.Text.Json).</summary>
internal sealed record Greeting(string Text, int Number);
