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

// A generated store: declare keyspaces on a partial class (ShopStore.cs), the build writes the code.
var shop = new Quickstart.ShopStore(client);
var book = new Quickstart.Product("The Memcached Book", 39.90m, ["cache", "ops"], Quickstart.Category.Books) { Stock = 12 };
await shop.Products.SetAsync(42, book);
var stored = await shop.Products.TryGetAsync(42);
Console.WriteLine($"store: {shop.Products.FormatKey(42)} -> {stored.Value?.Name} at {stored.Value?.Price} ({stored.Value?.Category}, stock {stored.Value?.Stock})");
var repriced = await shop.Products.CompareAndSetAsync(42, book with { Price = 34.90m }, stored.Cas);
var stale = await shop.Products.CompareAndSetAsync(42, book with { Price = 1m }, stored.Cas);
Console.WriteLine($"store: typed cas -> {repriced.Status}; again with the stale token -> {stale.Status}");
var user = Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff");
await shop.Carts.SetAsync((user, "eu"), ["book-42", "game-7"]);
Console.WriteLine($"store: {shop.Carts.FormatKey((user, "eu"))} -> [{string.Join(", ", await shop.Carts.GetAsync((user, "eu")) ?? [])}]");
await shop.Views.IncrementAsync("home");
var views = await shop.Views.IncrementAsync("home", 2);
Console.WriteLine($"store: {shop.Views.FormatKey("home")} -> {views} (raw read by any client: \"{(await client.GetAsync(shop.Views.FormatKey("home"))).AsString()}\")");
var many = await shop.Products.GetManyAsync([42, 43]);
Console.WriteLine($"store: get-many 42, 43 -> {string.Join(", ", many.Select(item => item.Found ? item.Value!.Name : "(miss)"))}");
