using System.Text;
using Memstore.Protocol;
using Memstore.Protocol.Commands;
using Memstore.Transport;

namespace Memstore.Tests.Protocol;

/// <summary>One response (or a batch's run of responses) on the wire and the operation that consumes it.</summary>
/// <param name="Name">Short name for messages.</param>
/// <param name="Wire">The bytes as memcached 1.6.18 sent them (Latin-1 text, so any byte value can appear).</param>
/// <param name="Create">Builds a fresh operation plus a function that describes its outcome.</param>
internal sealed record Segment(string Name, string Wire, Func<(Operation Operation, Func<string> Describe)> Create)
{
    public byte[] Bytes => Encoding.Latin1.GetBytes(Wire);

    public static Segment Meta(string name, string wire, ValueTarget target = ValueTarget.Array, bool hasDataBlock = false) =>
        new(name, wire, () =>
        {
            var operation = TestOperations.Rent(name, "foo", target, null, hasDataBlock);
            return (operation, () => ResponseDriver.Describe(operation));
        });

    public static Segment Batch(string name, string wire, int resultCount, int[] indexes) =>
        new(name, wire, () =>
        {
            var results = new CacheValue[resultCount];
            var operation = new MetaMultiGetOperation(results, indexes);
            return (operation, () => ResponseDriver.Describe(operation) + " results: " + ResponseDriver.Describe(results));
        });

    public static Segment Of(string name, string wire, Func<Operation> create) =>
        new(name, wire, () =>
        {
            var operation = create();
            return (operation, () => ResponseDriver.Describe(operation));
        });
}

/// <summary>A stream of responses for a sequence of operations.</summary>
internal sealed class Scenario
{
    public Scenario(string name, params Segment[] segments)
    {
        Name = name;
        Segments = segments;
        Bytes = segments.SelectMany(s => s.Bytes).ToArray();
        var ends = new int[segments.Length];
        var at = 0;
        for (var i = 0; i < segments.Length; i++)
        {
            at += segments[i].Bytes.Length;
            ends[i] = at;
        }
        Ends = ends;
    }

    public string Name { get; }
    public IReadOnlyList<Segment> Segments { get; }
    public byte[] Bytes { get; }
    public IReadOnlyList<int> Ends { get; }

    /// <summary>Fresh operations and, after driving them, the description of every outcome.</summary>
    public (Operation[] Operations, Func<string> Describe) Create()
    {
        var created = Segments.Select(s => s.Create()).ToArray();
        return (created.Select(c => c.Operation).ToArray(), () => string.Join("\n", created.Select(c => c.Describe())));
    }

    /// <summary>Drives fresh operations through the given chunking and returns the outcome description.</summary>
    public string Run(IEnumerable<int> chunks)
    {
        var (operations, describe) = Create();
        var outcome = ResponseDriver.Run(operations, Bytes, chunks, Ends);
        Assert.Equal(Segments.Count, outcome.CompletedAt.Count);
        Assert.Equal(0, outcome.Unclaimed);
        Assert.Equal(Bytes.Length, outcome.Consumed);
        return describe() + "\nresets: " + string.Join(",", outcome.Resets);
    }

    public override string ToString() => Name;
}

/// <summary>The responses observed from real memcached 1.6.18, byte for byte.</summary>
internal static class Fixtures
{
    public const string StoreHit = "HD c1\r\n";
    public const string GetHit = "VA 3 f5 c1 t-1 s3 kfoo O123\r\nbar\r\n";
    public const string Miss = "EN\r\n";
    public const string NoOp = "MN\r\n";
    public const string NotStored = "NS\r\n";
    public const string Exists = "EX\r\n";
    public const string NotFound = "NF\r\n";
    public const string NotFoundOpaque = "NF O7\r\n";
    public const string MissOpaqueKey = "EN O9 knope\r\n";
    public const string Incremented = "VA 2 c3\r\n10\r\n";
    public const string DecrementedPadded = "VA 2\r\n0 \r\n";
    public const string NonNumeric = "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n";
    public const string TooLarge = "SERVER_ERROR object too large for cache\r\n";
    public const string Error = "ERROR\r\n";
    public const string BadFormat = "CLIENT_ERROR bad command line format\r\n";
    public const string Version = "VERSION 1.6.18\r\n";
    public const string Stats = "STAT pid 2104\r\nSTAT version 1.6.18\r\nEND\r\n";
    public const string LongStats = "STAT pid 2104\r\nSTAT uptime 12\r\nSTAT version 1.6.18\r\nSTAT libevent 2.1.12-stable\r\nSTAT rusage_user 0.004000\r\nSTAT curr_items 0\r\nEND\r\n";
    public const string Ok = "OK\r\n";
    public const string Base64Miss = "EN kZm9v b\r\n";
    // Replies to "mg .. q O0", "mg .. q O1", "mg .. O2": the quiet miss of O1 is silent, the last request ends the batch.
    public const string Batch = "VA 3 f1 c10 O0\r\nabc\r\nVA 2 f2 c11 kZm9v b O2\r\nxy\r\n";
    public const string BatchMiss = "EN O0\r\n";

    /// <summary>Every single-response fixture, paired with the operation that would receive it.</summary>
    public static IReadOnlyList<Segment> Singles { get; } =
    [
        Segment.Meta("set", StoreHit, ValueTarget.None, hasDataBlock: true),
        Segment.Meta("get", GetHit),
        Segment.Meta("get-pooled", GetHit, ValueTarget.Pooled),
        Segment.Meta("get-miss", Miss),
        Segment.Meta("append", NotStored, ValueTarget.None, hasDataBlock: true),
        Segment.Meta("cas", Exists, ValueTarget.None, hasDataBlock: true),
        Segment.Meta("delete", NotFound, ValueTarget.None),
        Segment.Meta("delete-opaque", NotFoundOpaque, ValueTarget.None),
        Segment.Meta("get-miss-opaque", MissOpaqueKey),
        Segment.Meta("incr", Incremented, ValueTarget.Number),
        Segment.Meta("decr", DecrementedPadded, ValueTarget.Number),
        Segment.Meta("incr-nonnumeric", NonNumeric, ValueTarget.Number),
        Segment.Meta("set-too-large", TooLarge, ValueTarget.None, hasDataBlock: true),
        Segment.Meta("unknown", Error, ValueTarget.None),
        Segment.Meta("set-bad-format", BadFormat, ValueTarget.None, hasDataBlock: true),
        Segment.Meta("get-b64-miss", Base64Miss),
        Segment.Batch("get-many", Batch, 5, [3, 0, 4]),
        Segment.Batch("get-many-empty", BatchMiss, 1, [0]),
        Segment.Of("version", Version, () => ServerCommandOperation.For(new VersionCommand())),
        Segment.Of("stats", Stats, () => ServerCommandOperation.For(new StatsCommand())),
        Segment.Of("stats-long", LongStats, () => ServerCommandOperation.For(new StatsCommand())),
        Segment.Of("flush_all", Ok, () => ServerCommandOperation.For(new FlushAllCommand())),
        Segment.Of("ping", NoOp, () => ServerCommandOperation.For(new NoOpCommand())),
    ];

    /// <summary>A value of <paramref name="length"/> bytes that contains CR LF, "VA", "MN" and every byte value.</summary>
    public static string TrickyValue(int length)
    {
        var random = new Random(20261123);
        var chars = new char[length];
        ReadOnlySpan<char> traps = "\r\nVA 3\r\nMN\r\nEND\r\n\n\r";
        for (var i = 0; i < length; i++)
        {
            chars[i] = i % 97 < traps.Length ? traps[i % 97] : (char)random.Next(256);
        }
        return new string(chars);
    }

    public static Segment LargeValue(int length) =>
        Segment.Meta("get-large", $"VA {length} f7 c99 t300\r\n{TrickyValue(length)}\r\n");

    /// <summary>Every scenario: each fixture alone, a long pipelined mix, and a large value.</summary>
    public static IReadOnlyDictionary<string, Scenario> Scenarios { get; } = BuildScenarios();

    private static Dictionary<string, Scenario> BuildScenarios()
    {
        var all = new Dictionary<string, Scenario>(StringComparer.Ordinal);
        foreach (var single in Singles)
        {
            all[single.Name] = new Scenario(single.Name, single);
        }
        all["pipeline"] = new Scenario("pipeline", [.. Singles]);
        all["pipeline-gets"] = new Scenario("pipeline-gets",
            Segment.Meta("get1", GetHit), Segment.Meta("get2", Miss), Segment.Meta("get3", GetHit, ValueTarget.Pooled),
            Segment.Batch("many", Batch, 5, [3, 0, 4]), Segment.Meta("incr", DecrementedPadded, ValueTarget.Number),
            Segment.Meta("get4", "VA 0 f0\r\n\r\n"));
        all["large"] = new Scenario("large", LargeValue(20_000));
        all["large-then-more"] = new Scenario("large-then-more", Segment.Meta("h", StoreHit, ValueTarget.None), LargeValue(9_000), Segment.Of("v", Version, () => ServerCommandOperation.For(new VersionCommand())));
        return all;
    }
}
