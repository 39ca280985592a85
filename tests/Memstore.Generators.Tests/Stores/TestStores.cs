namespace Memstore.Generators.Tests.Stores;

[MemcacheStore(Prefix = "gt:")]
public partial class TestStore
{
    [Keyspace("all:{id}")]
    public partial Keyspace<string, Everything> Everything { get; }

    [Keyspace("settings:{user}")]
    public partial Keyspace<Guid, Settings> Settings { get; }

    [Keyspace("card:{n}")]
    public partial Keyspace<long, Card> Cards { get; }

    [Keyspace("renamed:{n}")]
    public partial Keyspace<ulong, Renamed> Renamed { get; }

    [Keyspace("shelf:{id}")]
    public partial Keyspace<int, Shelf> Shelves { get; }

    [Keyspace("color:{c}")]
    public partial Keyspace<Color, List<Point>> ByColor { get; }

    [Keyspace("text:{tenant}/{region}/{id}/{slot}")]
    public partial Keyspace<(string Tenant, Region Region, Guid Id, int Slot), string> Texts { get; }

    [Keyspace("blob:{id}")]
    public partial Keyspace<int, byte[]> Blobs { get; }

    [Keyspace("num:{id}")]
    public partial Keyspace<short, long> Numbers { get; }

    [Keyspace("short:{id}", TtlSeconds = 1)]
    public partial Keyspace<int, string> ShortLived { get; }

    [Counter("hits:{page}")]
    public partial CounterKeyspace<string> Hits { get; }

    [Keyspace("zall:{id}", CompressAboveBytes = 256)]
    public partial Keyspace<string, Everything> CompressedEverything { get; }

    [Keyspace("ztext:{id}", CompressAboveBytes = 512)]
    public partial Keyspace<int, string> CompressedTexts { get; }
}

// Two deploys of one keyspace, different versions of the value type. Deploys are separate compilations; in this
// one they need distinct prefixes (MEMS1007 compares every pair of stores), and the tests copy items between them.
[MemcacheStore(Prefix = "evo:")]
public partial class EvolutionV1Store
{
    [Keyspace("p:{id}")]
    public partial Keyspace<int, ProfileV1> Profiles { get; }

    [Keyspace("c:{id}")]
    public partial Keyspace<int, CardV1> Cards { get; }
}

[MemcacheStore(Prefix = "evo2:")]
public partial class EvolutionV2Store
{
    [Keyspace("p:{id}")]
    public partial Keyspace<int, ProfileV2> Profiles { get; }

    [Keyspace("c:{id}")]
    public partial Keyspace<int, CardV2> Cards { get; }
}

public static partial class Outer
{
    // A store nested in a partial type, with MCAS and deque declarations the generator must step over.
    [MemcacheStore(Prefix = "bank:")]
    public partial class BankStore
    {
        [McasGroup]
        [Keyspace("acct:{id}")]
        public partial McasKeyspace<string, ProfileV1> Accounts { get; }

        [McasGroup("owner:{id}")]
        public partial McasKeyspace<Guid, string> Owners { get; }

        [Deque("jobs")]
        public partial TypedDeque<string> Jobs { get; }

        [Deque("transfers")]
        public partial TypedDeque<ProfileV1> Transfers { get; }

        [Keyspace("audit:{id}")]
        public partial Keyspace<long, string> Audit { get; }
    }
}

public sealed record BankAccount(string Owner, long Balance);

/// <summary>A store whose accounts MCAS manages: reads through McasGet, writes only through MCAS commits.</summary>
[MemcacheStore(Prefix = "mbank:")]
public partial class McasBankStore
{
    [McasGroup("acct:{id}")]
    public partial McasKeyspace<string, BankAccount> Accounts { get; }

    [McasGroup]
    public partial McasKeyspace<(int Region, string Name), long> Totals { get; }

    [Keyspace("note:{id}")]
    public partial Keyspace<int, string> Notes { get; }
}
