using System.Buffers;
using Memstore.Serialization;
using MessagePack;

namespace Memstore.Mcas;

/// <summary>
/// Constants of Memstore's stored format for MCAS (docs/mcas.md) and the deque (docs/stored-format.md), public so that
/// tools and other clients can recognise Memstore's own items.
/// </summary>
public static class MemstoreWireFormat
{
    /// <summary>
    /// The client-flags bit reserved for Memstore's own items (markers, descriptors, deque anchors and nodes).
    /// Values written through MCAS may not set it; an item counts as Memstore's only with this bit set
    /// <em>and</em> a well-formed typed envelope.
    /// </summary>
    public const uint ReservedFlag = 0x8000_0000;

    /// <summary>
    /// The format version of the deque's records (anchor, node, shard set). Readers refuse versions they do not know.
    /// </summary>
    public const int Version = 1;

    /// <summary>
    /// The format version of MCAS records (marker, descriptor): 2 since markers say whether they were installed
    /// over an absent key and decided descriptors record the CAS token of every marker phase 1 installed; 3 since
    /// phase 1 may install markers in any order and decides only after every item was attempted (docs/mcas.md).
    /// The records' layout did not change from 2 to 3, the algorithm did: a version 2 participant that stops at the
    /// first failure would leave a version 3 participant's out-of-order marker unrecorded. Readers refuse versions
    /// they do not know.
    /// </summary>
    public const int McasVersion = 3;

    /// <summary>Envelope kind of a marker (a key owned by an MCAS operation).</summary>
    public const string MarkerKind = "mcas.ref";

    /// <summary>Envelope kind of an MCAS descriptor.</summary>
    public const string DescriptorKind = "mcas.desc";

    /// <summary>Envelope kind of a deque anchor.</summary>
    public const string AnchorKind = "deque.anchor";

    /// <summary>Envelope kind of a deque node.</summary>
    public const string NodeKind = "deque.node";

    /// <summary>Envelope kind of a sharded deque's shard count.</summary>
    public const string ShardSetKind = "deque.shards";
}

/// <summary>The state of an MCAS operation as stored in its descriptor.</summary>
internal enum McasStatus
{
    Undecided = 0,
    Succeeded = 1,
    Failed = 2,
}

/// <summary>One key of a descriptor: what it must hold, what it held and what it gets.</summary>
internal sealed class DescriptorItem
{
    public required string Key { get; init; }

    /// <summary>The CAS token the key must still carry; 0 means "must be absent" (acquired with add).</summary>
    public required ulong ExpectedCas { get; init; }

    public byte[]? OldValue { get; init; }
    public uint OldFlags { get; init; }

    /// <summary>Unix seconds at which the old item expires; 0 for never.</summary>
    public long OldExpires { get; init; }

    /// <summary>The value written on success; null deletes the key.</summary>
    public byte[]? NewValue { get; init; }
    public uint NewFlags { get; init; }
    public long NewExpires { get; init; }

    public bool ExpectAbsent => ExpectedCas == 0;
}

/// <summary>An MCAS descriptor: id, status, items sorted by ordinal UTF-8 key bytes, and the decided marker tokens.</summary>
internal sealed class Descriptor
{
    public required string Key { get; init; }
    public required string Id { get; init; }
    public McasStatus Status { get; set; }
    public required DescriptorItem[] Items { get; init; }

    /// <summary>
    /// Written by the decide: per item, the CAS token of the marker phase 1 installed (0: none). Phase 2 writes
    /// the outcome only over these markers; any other marker of this operation is a late install and is undone.
    /// </summary>
    public ulong[] Recorded { get; set; } = [];

    /// <summary>CAS token of the stored descriptor item as last seen by this process.</summary>
    public CasToken Cas { get; set; }

    /// <summary>
    /// Not stored: whether this process's phase 1 takes the keys one by one in key order, helping whoever holds one,
    /// instead of all at once (docs/mcas.md 4.3). A transaction's retry does, so that two retrying operations on the
    /// same keys do not each take one key of the other and both fail.
    /// </summary>
    public bool AcquireInOrder { get; set; }

    /// <summary>
    /// Not stored: the owner's descriptor add was refused without being sent (its server marked dead, unreachable or
    /// silent; <see cref="MemcacheException.NotSent"/>), so nothing of
    /// the operation reached a server (markers go out linked behind the add, or after its reply) and its failure is the
    /// whole outcome: nothing happened.
    /// </summary>
    public bool NothingSent { get; set; }

    public ulong RecordedAt(int index) => index < Recorded.Length ? Recorded[index] : 0;

    /// <summary>The index of the item for <paramref name="key"/>, or -1.</summary>
    public int IndexOf(string key)
    {
        for (var i = 0; i < Items.Length; i++)
        {
            if (string.Equals(Items[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }
}

/// <summary>What a marker says: the operation that owns the key, and whether it was installed over an absent key.</summary>
internal readonly record struct Marker(string DescriptorKey, bool OverAbsent);

/// <summary>Hand-written MessagePack encoding of every stored record (no reflection).</summary>
internal static class StoredRecordCodec
{
    public static byte[] EncodeMarker(string descriptorKey, bool overAbsent)
    {
        using var buffer = new PooledBufferWriter(64 + (3 * descriptorKey.Length));
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(4);
        writer.Write(MemstoreWireFormat.MarkerKind);
        writer.Write(MemstoreWireFormat.McasVersion);
        writer.Write(descriptorKey);
        writer.Write(overAbsent);
        writer.Flush();
        return buffer.WrittenMemory.ToArray();
    }

    /// <summary>
    /// The marker an item holds, or null if it is not one (then it is user data). A marker of another format
    /// version is a <see cref="MemcacheProtocolException"/>: guessing at it could lose data.
    /// </summary>
    public static Marker? TryDecodeMarker(in CacheValue value)
    {
        if (!value.Found || (value.Flags & MemstoreWireFormat.ReservedFlag) == 0)
        {
            return null;
        }
        try
        {
            var reader = new MessagePackReader(value.Value);
            var count = reader.ReadArrayHeader();
            if (count < 3 || reader.NextMessagePackType != MessagePackType.String || reader.ReadString() != MemstoreWireFormat.MarkerKind)
            {
                return null;
            }
            CheckVersion(reader.ReadInt32(), MemstoreWireFormat.MarkerKind, MemstoreWireFormat.McasVersion);
            var descriptorKey = reader.ReadString();
            if (count < 4 || descriptorKey is null)
            {
                throw new MemcacheProtocolException($"A stored '{MemstoreWireFormat.MarkerKind}' record of version {MemstoreWireFormat.McasVersion} has {count} fields; it needs 4.");
            }
            return new Marker(descriptorKey, reader.ReadBoolean());
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or OverflowException)
        {
            return null;
        }
    }

    public static byte[] EncodeDescriptor(Descriptor descriptor)
    {
        using var buffer = new PooledBufferWriter(EncodedSizeBound(descriptor));
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(5);
        writer.Write(MemstoreWireFormat.DescriptorKind);
        writer.Write(MemstoreWireFormat.McasVersion);
        writer.Write(descriptor.Id);
        writer.Write((int)descriptor.Status);
        writer.WriteArrayHeader(descriptor.Items.Length);
        for (var i = 0; i < descriptor.Items.Length; i++)
        {
            var item = descriptor.Items[i];
            writer.WriteArrayHeader(9);
            writer.Write(item.Key);
            writer.Write(item.ExpectedCas);
            WriteBytes(ref writer, item.OldValue);
            writer.Write(item.OldFlags);
            writer.Write(item.OldExpires);
            WriteBytes(ref writer, item.NewValue);
            writer.Write(item.NewFlags);
            writer.Write(item.NewExpires);
            writer.Write(descriptor.RecordedAt(i));
        }
        writer.Flush();
        return buffer.WrittenMemory.ToArray();
    }

    /// <summary>Enough room for the descriptor with every string at its worst case, so encoding never grows the buffer.</summary>
    private static int EncodedSizeBound(Descriptor descriptor)
    {
        var size = 64 + (3 * descriptor.Id.Length);
        foreach (var item in descriptor.Items)
        {
            size += 96 + (3 * item.Key.Length) + (item.OldValue?.Length ?? 0) + (item.NewValue?.Length ?? 0);
        }
        return size;
    }

    public static Descriptor DecodeDescriptor(string key, in CacheValue value)
    {
        try
        {
            var reader = new MessagePackReader(value.Value);
            var count = reader.ReadArrayHeader();
            if (count < 5 || reader.ReadString() != MemstoreWireFormat.DescriptorKind)
            {
                throw Corrupt(key, "not a descriptor envelope");
            }
            CheckVersion(reader.ReadInt32(), MemstoreWireFormat.DescriptorKind, MemstoreWireFormat.McasVersion);
            var id = reader.ReadString() ?? throw Corrupt(key, "no id");
            var status = (McasStatus)reader.ReadInt32();
            if (status is not (McasStatus.Undecided or McasStatus.Succeeded or McasStatus.Failed))
            {
                throw Corrupt(key, $"status {(int)status}");
            }
            var items = new DescriptorItem[reader.ReadArrayHeader()];
            var recorded = new ulong[items.Length];
            for (var i = 0; i < items.Length; i++)
            {
                if (reader.ReadArrayHeader() < 9)
                {
                    throw Corrupt(key, "short item");
                }
                items[i] = new DescriptorItem
                {
                    Key = reader.ReadString() ?? throw Corrupt(key, "item without key"),
                    ExpectedCas = reader.ReadUInt64(),
                    OldValue = ReadBytes(ref reader),
                    OldFlags = reader.ReadUInt32(),
                    OldExpires = reader.ReadInt64(),
                    NewValue = ReadBytes(ref reader),
                    NewFlags = reader.ReadUInt32(),
                    NewExpires = reader.ReadInt64(),
                };
                recorded[i] = reader.ReadUInt64();
            }
            return new Descriptor { Key = key, Id = id, Status = status, Items = items, Recorded = recorded, Cas = value.Cas };
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or OverflowException)
        {
            throw Corrupt(key, ex.Message);
        }
    }

    internal static void WriteBytes(ref MessagePackWriter writer, byte[]? value)
    {
        if (value is null)
        {
            writer.WriteNil();
        }
        else
        {
            writer.Write(value.AsSpan());
        }
    }

    internal static byte[]? ReadBytes(ref MessagePackReader reader)
    {
        if (reader.TryReadNil())
        {
            return null;
        }
        var sequence = reader.ReadBytes();
        return sequence is { } bytes ? bytes.ToArray() : null;
    }

    internal static void CheckVersion(int version, string kind, int expected = MemstoreWireFormat.Version)
    {
        if (version != expected)
        {
            throw new MemcacheProtocolException($"A stored '{kind}' record has format version {version}; this client reads version {expected}. Records of another version are never guessed at: upgrade the client, or drain the operations of the other version first.");
        }
    }

    private static MemcacheProtocolException Corrupt(string key, string why) =>
        new($"The MCAS descriptor {key} is not a valid Memstore record ({why}).");
}
