using System.Buffers;

namespace Memstore.Protocol.Commands;

/// <summary>
/// <c>ma</c>: increment, or decrement (<c>MD</c>), by a delta (<c>D</c>), returning the new value and CAS token
/// (<c>v c</c>). With an initial value the counter is created on a miss (<c>N</c> with the TTL, <c>J</c>).
/// </summary>
internal readonly struct ArithmeticCommand : IMetaCommand<CounterResult>, IWriteCommand
{
    private readonly bool _decrement;
    private readonly ulong _delta;
    private readonly ulong? _initialValue;
    private readonly uint _ttl;

    /// <summary>Checks the expiry (an argument mistake throws here, before anything is routed).</summary>
    public ArithmeticCommand(bool decrement, ulong delta, ulong? initialValue, TimeSpan? expiry)
    {
        _decrement = decrement;
        _delta = delta;
        _initialValue = initialValue;
        _ttl = Expiration.ToTtl(expiry);
    }

    public bool IsWrite => true;

    public string Name => _decrement ? "decrement" : "increment";
    public ReplyKinds Accepts => ReplyKinds.Arithmetic;
    public ValueTarget Target => ValueTarget.Number;
    public IBufferWriter<byte>? Destination => null;
    public bool HasDataBlock => false;

    public void Write(RequestBuffer request, ReadOnlySpan<byte> key, KeyMode mode, ReadOnlySpan<byte> dataBlock, uint opaque, uint maxTtl) =>
        Write(request, key, mode, (long)opaque, maxTtl);

    /// <summary>Writes the line; <paramref name="opaque"/> below zero leaves the token out (tests only).</summary>
    public void Write(RequestBuffer request, ReadOnlySpan<byte> key, KeyMode mode, long opaque, uint maxTtl = 0)
    {
        MetaRequestWriter.BeginKeyed(request, "ma "u8, key, mode);
        if (_initialValue is { } initial)
        {
            request.WriteFlag((byte)'N', Expiration.Cap(_ttl, maxTtl));
            request.WriteFlag((byte)'J', initial);
        }
        request.WriteFlag((byte)'D', _delta);
        if (_decrement)
        {
            request.Write(" MD"u8);
        }
        request.Write(" v c"u8);
        MetaRequestWriter.EndWithQuietAndOpaque(request, quiet: false, opaque);
    }

    public CounterResult Read(in MetaReply reply, byte[]? value) =>
        reply.HasValue ? new CounterResult(true, reply.Number, reply.Cas) : default;
}
