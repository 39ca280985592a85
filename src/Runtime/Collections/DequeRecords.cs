using System.Buffers;
using Memstore.Mcas;
using MessagePack;

namespace Memstore.Collections;

/// <summary>Anchor status (Michael 2003): STABLE, or a push at one end whose back-link is not yet in place.</summary>
internal enum AnchorStatus
{
    Stable = 0,
    RightPush = 1,
    LeftPush = 2,
}

/// <summary>The deque's anchor: status and the keys of both end nodes (both null when empty).</summary>
internal readonly record struct Anchor(AnchorStatus Status, string? Left, string? Right)
{
    public bool IsEmpty => Left is null;
}

/// <summary>A node: the value and the keys of its neighbours.</summary>
internal sealed record Node(byte[] Value, string? Left, string? Right);

internal static class DequeCodec
{
    public static byte[] EncodeAnchor(Anchor anchor)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(5);
        writer.Write(MemstoreWireFormat.AnchorKind);
        writer.Write(MemstoreWireFormat.Version);
        writer.Write((int)anchor.Status);
        writer.Write(anchor.Left);
        writer.Write(anchor.Right);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static Anchor DecodeAnchor(string name, in CacheValue value)
    {
        try
        {
            var reader = Open(value, MemstoreWireFormat.AnchorKind, 5);
            return new Anchor((AnchorStatus)reader.ReadInt32(), reader.ReadString(), reader.ReadString());
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or InvalidDataException)
        {
            throw new MemcacheProtocolException($"The key {name} does not hold a Memstore deque anchor ({ex.Message}).");
        }
    }

    public static byte[] EncodeNode(Node node)
    {
        var buffer = new ArrayBufferWriter<byte>(node.Value.Length + 128);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(5);
        writer.Write(MemstoreWireFormat.NodeKind);
        writer.Write(MemstoreWireFormat.Version);
        writer.Write(node.Value.AsSpan());
        writer.Write(node.Left);
        writer.Write(node.Right);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static Node DecodeNode(string key, in CacheValue value)
    {
        try
        {
            var reader = Open(value, MemstoreWireFormat.NodeKind, 5);
            var bytes = StoredRecordCodec.ReadBytes(ref reader) ?? [];
            return new Node(bytes, reader.ReadString(), reader.ReadString());
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or InvalidDataException)
        {
            throw new MemcacheProtocolException($"The key {key} does not hold a Memstore deque node ({ex.Message}).");
        }
    }

    private static MessagePackReader Open(in CacheValue value, string kind, int fields)
    {
        if ((value.Flags & MemstoreWireFormat.ReservedFlag) == 0)
        {
            throw new InvalidDataException("client flags lack Memstore's reserved bit");
        }
        var reader = new MessagePackReader(value.Value);
        if (reader.ReadArrayHeader() < fields || reader.ReadString() != kind)
        {
            throw new InvalidDataException($"not a '{kind}' envelope");
        }
        StoredRecordCodec.CheckVersion(reader.ReadInt32(), kind);
        return reader;
    }
}

/// <summary>The outcome of a pop: the value, or nothing because the deque was empty.</summary>
/// <param name="Success">False when the deque was empty.</param>
/// <param name="Value">The popped bytes (null when empty).</param>
public readonly record struct DequePopResult(bool Success, byte[]? Value);

/// <summary>Creating a deque whose name already exists, or binding to one that does not.</summary>
public sealed class DequeNameException : MemcacheException
{
    /// <summary>Creates the exception.</summary>
    public DequeNameException(string message, string name) : base(message) => Name = name;

    /// <summary>The deque's name.</summary>
    public string Name { get; }
}

/// <summary>
/// A deque lost an entry it needs (its anchor, or a node found missing twice in a row): memcached evicted
/// or flushed it. Items may be lost; run deques on a dedicated pool with eviction off (<c>memcached -M</c>).
/// </summary>
public sealed class DequeCorruptionException : MemcacheException
{
    /// <summary>Creates the exception.</summary>
    public DequeCorruptionException(string message, string name, string? missingKey) : base(message)
    {
        Name = name;
        MissingKey = missingKey;
    }

    /// <summary>The deque's name.</summary>
    public string Name { get; }

    /// <summary>The key found missing.</summary>
    public string? MissingKey { get; }
}
