using System.Buffers;

namespace Memstore.Protocol.Commands;

// The single-key reads: one mg line (MetaGet) and a reply read into the result each caller asked for.

/// <summary><c>mg</c> into a new array: a hit or a miss.</summary>
internal readonly struct GetValueCommand(string name, uint? touchTtl = null) : IMetaCommand<CacheValue>, IWriteCommand
{
    public bool IsWrite => touchTtl is not null; // a get-and-touch sets the expiry
    public string Name => name;
    public ReplyKinds Accepts => ReplyKinds.Get;
    public ValueTarget Target => ValueTarget.Array;
    public IBufferWriter<byte>? Destination => null;
    public bool HasDataBlock => false;

    public void Write(RequestBuffer request, ReadOnlySpan<byte> key, KeyMode mode, ReadOnlySpan<byte> dataBlock, uint opaque, uint maxTtl) =>
        new MetaGet(TouchTtl: touchTtl is { } ttl ? Expiration.Cap(ttl, maxTtl) : null).Write(request, key, mode, opaque);

    public CacheValue Read(in MetaReply reply, byte[]? value) =>
        reply.HasValue ? new CacheValue(value!, reply.ClientFlags, reply.Cas) : CacheValue.Miss;
}

/// <summary><c>mg</c> with the remaining TTL (<c>t</c>): what MCAS needs to keep an item's expiry when it releases a key.</summary>
internal readonly struct GetWithTtlCommand : IMetaCommand<(CacheValue Value, long Ttl)>
{
    public string Name => "mcas-get";
    public ReplyKinds Accepts => ReplyKinds.Get;
    public ValueTarget Target => ValueTarget.Array;
    public IBufferWriter<byte>? Destination => null;
    public bool HasDataBlock => false;

    public void Write(RequestBuffer request, ReadOnlySpan<byte> key, KeyMode mode, ReadOnlySpan<byte> dataBlock, uint opaque, uint maxTtl) =>
        new MetaGet(WithTtl: true).Write(request, key, mode, opaque);

    public (CacheValue Value, long Ttl) Read(in MetaReply reply, byte[]? value) =>
        reply.HasValue ? (new CacheValue(value!, reply.ClientFlags, reply.Cas), reply.Ttl) : (CacheValue.Miss, -1);
}

/// <summary><c>mg</c> into the caller's buffer writer: nothing allocated, the result says how many bytes came.</summary>
internal readonly struct GetIntoCommand(IBufferWriter<byte> destination) : IMetaCommand<CacheValueInfo>
{
    public string Name => "get";
    public ReplyKinds Accepts => ReplyKinds.Get;
    public ValueTarget Target => ValueTarget.Writer;
    public IBufferWriter<byte>? Destination => destination;
    public bool HasDataBlock => false;

    public void Write(RequestBuffer request, ReadOnlySpan<byte> key, KeyMode mode, ReadOnlySpan<byte> dataBlock, uint opaque, uint maxTtl) =>
        new MetaGet().Write(request, key, mode, opaque);

    public CacheValueInfo Read(in MetaReply reply, byte[]? value) =>
        reply.HasValue ? new CacheValueInfo(true, reply.ValueLength, reply.ClientFlags, reply.Cas) : default;
}

/// <summary><c>mg</c> into a pooled array the caller leases.</summary>
internal readonly struct GetLeaseCommand : IMetaCommand<CacheLease?>
{
    public string Name => "get";
    public ReplyKinds Accepts => ReplyKinds.Get;
    public ValueTarget Target => ValueTarget.Pooled;
    public IBufferWriter<byte>? Destination => null;
    public bool HasDataBlock => false;

    public void Write(RequestBuffer request, ReadOnlySpan<byte> key, KeyMode mode, ReadOnlySpan<byte> dataBlock, uint opaque, uint maxTtl) =>
        new MetaGet().Write(request, key, mode, opaque);

    public CacheLease? Read(in MetaReply reply, byte[]? value) =>
        reply.HasValue ? new CacheLease(value!, reply.ValueLength, reply.ClientFlags, reply.Cas) : null;
}

/// <summary><c>mg</c> into a pooled array, decoded there and returned to the pool: typed reads allocate only the decoded value.</summary>
internal readonly struct GetDecodedCommand<T>(IValueCodec<T> codec, uint? touchTtl) : IMetaCommand<CacheItem<T>>, IWriteCommand
{
    public bool IsWrite => touchTtl is not null;
    public string Name => touchTtl is null ? "get" : "get-and-touch";
    public ReplyKinds Accepts => ReplyKinds.Get;
    public ValueTarget Target => ValueTarget.Pooled;
    public IBufferWriter<byte>? Destination => null;
    public bool HasDataBlock => false;

    public void Write(RequestBuffer request, ReadOnlySpan<byte> key, KeyMode mode, ReadOnlySpan<byte> dataBlock, uint opaque, uint maxTtl) =>
        new MetaGet(TouchTtl: touchTtl is { } ttl ? Expiration.Cap(ttl, maxTtl) : null).Write(request, key, mode, opaque);

    public CacheItem<T> Read(in MetaReply reply, byte[]? value)
    {
        if (!reply.HasValue)
        {
            return default;
        }
        try
        {
            return new CacheItem<T>(codec.Decode(value.AsMemory(0, reply.ValueLength), reply.ClientFlags), reply.Cas);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(value!);
        }
    }
}

/// <summary><c>mg</c> without a value and with <c>T</c>: sets the expiry; false when the key holds no item.</summary>
internal readonly struct TouchCommand(uint ttl) : IMetaCommand<bool>, IWriteCommand
{
    public bool IsWrite => true;
    public string Name => "touch";
    public ReplyKinds Accepts => ReplyKinds.Touch;
    public ValueTarget Target => ValueTarget.None;
    public IBufferWriter<byte>? Destination => null;
    public bool HasDataBlock => false;

    public void Write(RequestBuffer request, ReadOnlySpan<byte> key, KeyMode mode, ReadOnlySpan<byte> dataBlock, uint opaque, uint maxTtl) =>
        new MetaGet(HeaderOnly: true, TouchTtl: Expiration.Cap(ttl, maxTtl)).Write(request, key, mode, opaque);

    public bool Read(in MetaReply reply, byte[]? value) => reply.Succeeded;
}
