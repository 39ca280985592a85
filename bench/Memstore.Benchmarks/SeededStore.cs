using MessagePack;

namespace Memstore.Benchmarks;

/// <summary>
/// One memcached (<see cref="MemcachedServer"/>), a client and the generated <see cref="BenchStore"/> over it,
/// with the items the store measurements read: <c>bench:blob:1</c> (100 bytes) and <c>bench:order:1</c>
/// (the sample order, serialized by the generated resolver).
/// </summary>
internal sealed class SeededStore : IAsyncDisposable
{
    private SeededStore(MemcachedServer server)
    {
        Server = server;
        Client = MemcacheClient.Create(server.Endpoint);
        Store = new BenchStore(Client);
        OrderBytes = MessagePackSerializer.Serialize(Order, SerializerOptions.Generated);
    }

    public MemcachedServer Server { get; }

    public MemcacheClient Client { get; }

    public BenchStore Store { get; }

    public byte[] Blob { get; } = new byte[100];

    public BenchOrder Order { get; } = GeneratedStoreBenchmarks.SampleOrder();

    public byte[] OrderBytes { get; }

    public static async Task<SeededStore> StartAsync()
    {
        var seeded = new SeededStore(MemcachedServer.Start());
        await seeded.Client.SetAsync("bench:blob:1", seeded.Blob).ConfigureAwait(false);
        await seeded.Client.SetAsync("bench:order:1", seeded.OrderBytes, flags: MemcacheFlags.MessagePack).ConfigureAwait(false);
        return seeded;
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync().ConfigureAwait(false);
        Server.Dispose();
    }
}
