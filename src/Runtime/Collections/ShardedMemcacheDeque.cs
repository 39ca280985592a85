using System.Buffers;
using Memstore.Mcas;
using MessagePack;

namespace Memstore.Collections;

/// <summary>
/// Several <see cref="MemcacheDeque"/>s under one name, for throughput: each push goes to the next shard in
/// turn and each pop scans the shards from a rotating start, so callers rarely meet on the same anchor.
/// Ordering: FIFO/LIFO holds within a shard only. Items pushed one after another by one handle land on
/// different shards and may be popped in any order; a producer that needs its own order kept pushes to
/// one of <see cref="Shards"/>. A pop reports empty only after finding every shard empty in one sweep.
/// The shard count is stored under the name (<c>deque.shards</c> record, docs/stored-format.md).
/// </summary>
public sealed class ShardedMemcacheDeque
{
    private readonly MemcacheDeque[] _shards;
    private int _pushCursor;
    private int _popCursor;

    private ShardedMemcacheDeque(string name, MemcacheDeque[] shards)
    {
        Name = name;
        _shards = shards;
#pragma warning disable CA5394 // Spreads handles over shards; not security.
        _pushCursor = Random.Shared.Next(shards.Length);
        _popCursor = Random.Shared.Next(shards.Length);
#pragma warning restore CA5394
    }

    /// <summary>The name of the set; shard <c>i</c> is the deque <c>{Name}:s{i}</c>.</summary>
    public string Name { get; }

    /// <summary>The shards, for callers that need order within one of them.</summary>
    public IReadOnlyList<MemcacheDeque> Shards => _shards;

    /// <summary>Creates <paramref name="shardCount"/> empty shards. Fails with <see cref="DequeNameException"/> if the name exists.</summary>
    public static async ValueTask<ShardedMemcacheDeque> CreateAsync(MemcacheClient client, string name, int shardCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.RefuseMovingFailover("A deque (MemcacheDeque)");
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shardCount, 1024);
        var shards = new MemcacheDeque[shardCount];
        for (var i = 0; i < shardCount; i++)
        {
            shards[i] = await MemcacheDeque.CreateAsync(client, ShardName(name, i), cancellationToken).ConfigureAwait(false);
        }
        // The shard count goes in last, so a binder never sees a set whose shards are not all there.
        var added = await client.AddAsync(name, EncodeCount(shardCount), null, MemstoreWireFormat.ReservedFlag, cancellationToken).ConfigureAwait(false);
        if (!added.Stored)
        {
            throw new DequeNameException($"Cannot create sharded deque {name}: the key already exists.", name);
        }
        return new ShardedMemcacheDeque(name, shards);
    }

    /// <summary>Attaches to an existing sharded deque (reads its shard count and checks every shard).</summary>
    public static async ValueTask<ShardedMemcacheDeque> BindAsync(MemcacheClient client, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.RefuseMovingFailover("A deque (MemcacheDeque)");
        ArgumentException.ThrowIfNullOrEmpty(name);
        var value = await client.GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (!value.Found)
        {
            throw new DequeNameException($"Cannot bind to sharded deque {name}: no such key.", name);
        }
        var count = DecodeCount(name, value);
        var shards = new MemcacheDeque[count];
        for (var i = 0; i < count; i++)
        {
            shards[i] = await MemcacheDeque.BindAsync(client, ShardName(name, i), cancellationToken).ConfigureAwait(false);
        }
        return new ShardedMemcacheDeque(name, shards);
    }

    /// <summary>Appends at the right end of the next shard.</summary>
    public ValueTask PushRightAsync(ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        NextPush().PushRightAsync(value, cancellationToken);

    /// <summary>Prepends at the left end of the next shard.</summary>
    public ValueTask PushLeftAsync(ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        NextPush().PushLeftAsync(value, cancellationToken);

    /// <summary>Pops from the right end of the first non-empty shard, scanning from a rotating start.</summary>
    public ValueTask<DequePopResult> TryPopRightAsync(CancellationToken cancellationToken = default) => PopAsync(right: true, cancellationToken);

    /// <summary>Pops from the left end of the first non-empty shard, scanning from a rotating start.</summary>
    public ValueTask<DequePopResult> TryPopLeftAsync(CancellationToken cancellationToken = default) => PopAsync(right: false, cancellationToken);

    private MemcacheDeque NextPush() => _shards[(int)((uint)Interlocked.Increment(ref _pushCursor) % (uint)_shards.Length)];

    private async ValueTask<DequePopResult> PopAsync(bool right, CancellationToken cancellationToken)
    {
        var start = (uint)Interlocked.Increment(ref _popCursor);
        for (var i = 0; i < _shards.Length; i++)
        {
            var shard = _shards[(int)((start + (uint)i) % (uint)_shards.Length)];
            var popped = right ? await shard.TryPopRightAsync(cancellationToken).ConfigureAwait(false) : await shard.TryPopLeftAsync(cancellationToken).ConfigureAwait(false);
            if (popped.Success)
            {
                return popped;
            }
        }
        return default;
    }

    internal static string ShardName(string name, int index) => $"{name}:s{index}";

    private static byte[] EncodeCount(int count)
    {
        var buffer = new ArrayBufferWriter<byte>(32);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(3);
        writer.Write(MemstoreWireFormat.ShardSetKind);
        writer.Write(MemstoreWireFormat.Version);
        writer.Write(count);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    internal static int DecodeCount(string name, in CacheValue value)
    {
        try
        {
            var reader = new MessagePackReader(value.Value);
            if ((value.Flags & MemstoreWireFormat.ReservedFlag) != 0 && reader.ReadArrayHeader() == 3 && reader.ReadString() == MemstoreWireFormat.ShardSetKind)
            {
                StoredRecordCodec.CheckVersion(reader.ReadInt32(), MemstoreWireFormat.ShardSetKind);
                var count = reader.ReadInt32();
                if (count is >= 1 and <= 1024)
                {
                    return count;
                }
            }
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException)
        {
        }
        throw new DequeNameException($"The key {name} is not a Memstore sharded deque.", name);
    }
}
