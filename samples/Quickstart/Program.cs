using System.Text;
using Memstore;

// Usage: dotnet run --project samples/Quickstart -- 127.0.0.1:11211[,127.0.0.1:11212,...]
var servers = args.Length > 0 ? args[0] : "127.0.0.1:11211";

// One client per cluster, shared by the whole application.
await using var client = MemcacheClient.Create(servers);
Console.WriteLine($"Connected to {client.Servers.Count} server(s): {string.Join(", ", client.Servers)}");
foreach (var (server, version) in await client.GetVersionsAsync())
{
    Console.WriteLine($"  {server} runs memcached {version}");
}

// set / get
await client.SetAsync("greeting", "hello, memcached", TimeSpan.FromMinutes(5));
var greeting = await client.GetAsync("greeting");
Console.WriteLine($"get greeting -> \"{greeting.AsString()}\" (stored on {client.Locate("greeting")}, cas {greeting.Cas})");

// a miss is a result, not an exception
var missing = await client.GetAsync("no-such-key");
Console.WriteLine($"get no-such-key -> {(missing.Found ? "hit" : "miss")}");

// compare-and-set with an explicit token
await client.SetAsync("counter-doc", "v1");
var read = await client.GetAsync("counter-doc");
var first = await client.CompareAndSetAsync("counter-doc", Encoding.UTF8.GetBytes("v2"), read.Cas);
var second = await client.CompareAndSetAsync("counter-doc", Encoding.UTF8.GetBytes("v3"), read.Cas);
Console.WriteLine($"cas with fresh token -> {first.Status}; cas with the same (now stale) token -> {second.Status}");

// counters
var visits = await client.IncrementAsync("visits", 1, initialValue: 1);
visits = await client.IncrementAsync("visits", 10);
Console.WriteLine($"visits -> {visits.Value}");

// multi-get: one pipelined round trip per server, results in the order asked
var keys = new[] { "user:1", "user:2", "user:3", "user:4" };
foreach (var key in keys.Take(3))
{
    await client.SetAsync(key, $"profile of {key}");
}
var users = await client.GetManyAsync(keys);
for (var i = 0; i < keys.Length; i++)
{
    Console.WriteLine($"  {keys[i],-7} on {client.Locate(keys[i])} -> {users[i].AsString() ?? "(miss)"}");
}

// an error: the key would inject a command, so it is refused before anything is sent
try
{
    await client.GetAsync("a\r\nflush_all");
}
catch (InvalidKeyException ex)
{
    Console.WriteLine($"invalid key refused: {ex.Message}");
}

Console.WriteLine($"greeting still there: {(await client.GetAsync("greeting")).Found}");
