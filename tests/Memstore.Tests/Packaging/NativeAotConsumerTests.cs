using System.Diagnostics;
using System.Text.RegularExpressions;
using Memstore.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Memstore.Tests.Packaging;

/// <summary>
/// Issue 4's Native AOT / trimming check, automated: a new console project that references only the packed
/// package, with a generated store, is published with <c>PublishAot=true</c>; no trim or AOT warning may come
/// from Memstore, the generated code or the project's own code, and the native binary must work against a
/// real memcached. Nothing of this repository is built or published here (other test projects are running
/// its assemblies): the consumer is a fresh project in a temporary folder.
/// </summary>
[Collection(PackedPackageGroup.Name)]
[Trait("Category", "Packaging")]
public sealed partial class NativeAotConsumerTests(PackedPackage package, ITestOutputHelper output)
{
    // "<origin> : warning IL2104: <message> [<project>]", or ILC's "<origin>: Trim analysis warning IL2026: ...".
    [GeneratedRegex(@"^(?<origin>.*?)\s*:\s*(?:(?:Trim|AOT) analysis )?warning (?<code>IL\d{4})\s*:\s*(?<message>.*?)(?:\s+\[[^\]]*\])?\s*$", RegexOptions.Multiline)]
    private static partial Regex IlWarning();

    [GeneratedRegex(@"^.*\bwarning [A-Z]+\d+\b.*$", RegexOptions.Multiline)]
    private static partial Regex AnyWarning();

    [Fact]
    public async Task A_generated_store_publishes_with_native_AOT_without_warnings_of_its_own_and_runs()
    {
        var total = Stopwatch.StartNew();
        var app = await package.NewProjectAsync("Aot", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <PublishAot>true</PublishAot>
                <!-- The checks print decimals and dates: the same text under any machine culture. -->
                <InvariantGlobalization>true</InvariantGlobalization>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Memstore" Version="{package.Version}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), ConsumerProgram);

        // Restore (the AOT compiler and runtime packs come from the NuGet source), trim, compile, link.
        // Took 40-50 s on a 2-core machine (restore cached); the timeout only turns a hang into a clear failure.
        var publishTime = Stopwatch.StartNew();
        var publish = await PackedPackage.DotnetAsync(TimeSpan.FromMinutes(10), app, "publish", "-c", "Release", "-r", "linux-x64");
        publishTime.Stop();
        Assert.Contains("Generating native code", publish, StringComparison.Ordinal);

        var warnings = AnyWarning().Matches(publish).Select(m => m.Value.Trim()).Distinct().ToList();
        output.WriteLine($"dotnet publish -r linux-x64 (PublishAot): {publishTime.Elapsed.TotalSeconds:F1} s, {warnings.Count} distinct warning(s)");
        foreach (var warning in warnings)
        {
            output.WriteLine("  " + warning);
        }

        var il = IlWarning().Matches(publish).Select(m => (Origin: m.Groups["origin"].Value.Trim(), Code: m.Groups["code"].Value, Message: m.Groups["message"].Value.Trim())).Distinct().ToList();
        // Allowed, and only these: MessagePack 2.5.307's own assembly-level summaries ("Assembly 'MessagePack' produced
        // trim / AOT analysis warnings"). Its dynamic resolvers (Reflection.Emit, MakeGenericType) are reachable
        // through StandardResolver, which our generated MemstoreResolver chains to for built-in types; the generated
        // formatters cover the stored types, so those paths are not taken at run time (the run below proves it).
        // A warning about Memstore, generated code or Program.cs would appear either in full (the consumer's own
        // assembly) or as "Assembly 'Memstore' produced ..." (a package assembly): neither is allowed. To see
        // MessagePack's warnings in full, publish with -p:TrimmerSingleWarn=false (about 90, all inside MessagePack.*).
        var unexpected = il.Where(w => !IsMessagePackSummary(w.Origin, w.Code, w.Message)).ToList();
        Assert.True(unexpected.Count == 0, "trim/AOT warnings that are not MessagePack's own:\n" + string.Join('\n', unexpected) + "\n\nfull output:\n" + publish);

        await using var memcached = await MemcachedServer.StartAsync();
        var binary = Path.Combine(app, "bin", "Release", "net10.0", "linux-x64", "publish", "Aot");
        Assert.True(File.Exists(binary), $"no native binary at {binary}");
        var (exitCode, printed) = await PackedPackage.RunAsync(binary, app, TimeSpan.FromMinutes(1), memcached.ConnectionString);
        output.WriteLine(printed);
        Assert.True(exitCode == 0, $"the native binary exited with {exitCode}:\n{printed}");
        Assert.Equal(
            [
                "ok set: aot:order:7 -> Stored",
                "ok get: #7 Ada (1 Loop Road, Cambridge) [2x pen @ 1.50, 1x ink @ 12.00] Paid 2026-11-23T17:00:00.0000000Z note=fragile",
                "ok cas: fresh token Stored, stale token Exists, now Shipped",
                "ok tuple key: aot:cart:6f9619ff8b86d011b42d00cf4fc964ff:eu -> [book-42, game-7], aot:cart:6f9619ff8b86d011b42d00cf4fc964ff:us -> miss",
                "ok counter: aot:views:home -> 1, 3, 2; raw \"2\"",
                "ok get-many: 7/Shipped, miss, 7/Shipped",
                "ok raw client: raw:greeting -> \"hello\"",
                "all checks passed",
            ],
            printed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        output.WriteLine($"whole test: {total.Elapsed.TotalSeconds:F1} s");
    }

    private static bool IsMessagePackSummary(string origin, string code, string message) =>
        Path.GetFileName(origin) == "MessagePack.dll"
        && ((code == "IL2104" && message.StartsWith("Assembly 'MessagePack' produced trim warnings", StringComparison.Ordinal))
            || (code == "IL3053" && message.StartsWith("Assembly 'MessagePack' produced AOT analysis warnings", StringComparison.Ordinal)));

    /// <summary>
    /// The consumer: a record value with a nested record, a list and an enum; a tuple-keyed keyspace; a counter.
    /// One line per check, "ok" or "FAIL"; exit code 1 when any failed.
    /// </summary>
    private const string ConsumerProgram = """
        using Memstore;
        using Consumer;

        // Usage: Aot 127.0.0.1:PORT
        var failures = 0;
        void Check(string what, bool ok, string detail)
        {
            Console.WriteLine($"{(ok ? "ok" : "FAIL")} {what}: {detail}");
            failures += ok ? 0 : 1;
        }

        await using var client = MemcacheClient.Create(args[0]);
        var store = new OrderStore(client);

        var order = new Order(7, new Customer("Ada", new Address("1 Loop Road", "Cambridge")),
            [new Line("pen", 2, 1.50m), new Line("ink", 1, 12.00m)], Status.Paid, new DateTime(2026, 11, 23, 17, 0, 0, DateTimeKind.Utc))
        {
            Note = "fragile",
        };

        var set = await store.Orders.SetAsync(7, order);
        Check("set", set.Stored, $"{store.Orders.FormatKey(7)} -> {set.Status}");

        var read = await store.Orders.TryGetAsync(7);
        Check("get", read.Found && Same(read.Value, order), Describe(read.Value));

        var first = await store.Orders.CompareAndSetAsync(7, order with { Status = Status.Shipped }, read.Cas);
        var second = await store.Orders.CompareAndSetAsync(7, order with { Status = Status.Cancelled }, read.Cas);
        var afterCas = await store.Orders.GetAsync(7);
        Check("cas", first.Status == StoreStatus.Stored && second.Status == StoreStatus.Exists && afterCas?.Status == Status.Shipped,
            $"fresh token {first.Status}, stale token {second.Status}, now {afterCas?.Status}");

        var user = Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff");
        await store.Carts.SetAsync((user, "eu"), ["book-42", "game-7"]);
        var cart = await store.Carts.GetAsync((user, "eu"));
        var otherRegion = await store.Carts.TryGetAsync((user, "us"));
        Check("tuple key", cart is ["book-42", "game-7"] && !otherRegion.Found,
            $"{store.Carts.FormatKey((user, "eu"))} -> [{string.Join(", ", cart ?? [])}], {store.Carts.FormatKey((user, "us"))} -> {(otherRegion.Found ? "hit" : "miss")}");

        var one = await store.Views.IncrementAsync("home");
        var three = await store.Views.IncrementAsync("home", 2);
        var two = await store.Views.DecrementAsync("home");
        var raw = await client.GetAsync(store.Views.FormatKey("home"));
        Check("counter", one == 1 && three == 3 && two == 2 && raw.AsString() == "2" && await store.Views.GetAsync("home") == 2,
            $"{store.Views.FormatKey("home")} -> {one}, {three}, {two}; raw \"{raw.AsString()}\"");

        var many = await store.Orders.GetManyAsync([7, 8, 7]);
        Check("get-many", many is [{ Found: true, Value.Status: Status.Shipped }, { Found: false }, { Found: true, Value.Id: 7 }],
            string.Join(", ", many.Select(item => item.Found ? $"{item.Value.Id}/{item.Value.Status}" : "miss")));

        await client.SetAsync("raw:greeting", "hello");
        var greeting = await client.GetAsync("raw:greeting");
        Check("raw client", greeting.AsString() == "hello", $"raw:greeting -> \"{greeting.AsString()}\"");

        Console.WriteLine(failures == 0 ? "all checks passed" : $"{failures} check(s) failed");
        return failures == 0 ? 0 : 1;

        static bool Same(Order? a, Order b) =>
            a is not null && a.Id == b.Id && a.Customer == b.Customer && a.Lines.SequenceEqual(b.Lines)
            && a.Status == b.Status && a.Placed == b.Placed && a.Note == b.Note;

        static string Describe(Order? o) => o is null ? "miss"
            : $"#{o.Id} {o.Customer.Name} ({o.Customer.Address.Street}, {o.Customer.Address.City}) [{string.Join(", ", o.Lines.Select(l => $"{l.Count}x {l.Sku} @ {l.Price}"))}] {o.Status} {o.Placed:O} note={o.Note}";

        namespace Consumer
        {
            public sealed record Address(string Street, string City);

            public sealed record Customer(string Name, Address Address);

            public sealed record Line(string Sku, int Count, decimal Price);

            public enum Status { Paid, Shipped, Cancelled }

            public sealed record Order(int Id, Customer Customer, List<Line> Lines, Status Status, DateTime Placed)
            {
                public string? Note { get; set; }
            }

            [MemcacheStore(Prefix = "aot:")]
            public partial class OrderStore
            {
                [Keyspace("order:{id}")]
                public partial Keyspace<int, Order> Orders { get; }

                [Keyspace("cart:{user}:{region}")]
                public partial Keyspace<(Guid User, string Region), string[]> Carts { get; }

                [Counter("views:{page}")]
                public partial CounterKeyspace<string> Views { get; }
            }
        }
        """;
}
