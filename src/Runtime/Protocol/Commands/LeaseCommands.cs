using System.Buffers;

namespace Memstore.Protocol.Commands;

/// <summary>A read that may carry a recompute lease: the item (or a miss) and the lease flags memcached sent with it.</summary>
/// <param name="Value">The item; a vivified placeholder is a hit with an empty value.</param>
/// <param name="Lease">Whether this caller won the lease, another caller holds it, and whether the item is stale.</param>
internal readonly record struct LeaseRead(CacheValue Value, LeaseFlags Lease)
{
    public bool Won => (Lease & LeaseFlags.Won) != 0;

    public bool OtherWon => (Lease & LeaseFlags.AlreadyWon) != 0;

    public bool Stale => (Lease & LeaseFlags.Stale) != 0;
}

/// <summary>
/// <c>mg</c> with a lease: on a miss memcached creates an empty placeholder for <c>N</c> seconds and gives the
/// first caller <c>W</c>, later ones <c>Z</c>; with <c>R</c>, the first caller to read the item in its last
/// seconds also gets <c>W</c> (early recache). A stale item (<c>md … I</c>) comes with <c>X</c> and a <c>W</c>
/// for one caller. The stampede protection of GetOrCreateAsync is built on this one request.
/// </summary>
internal readonly struct LeaseGetCommand(uint leaseSeconds, uint? recacheSeconds) : IMetaCommand<LeaseRead>
{
    public string Name => "get-or-create";
    public ReplyKinds Accepts => ReplyKinds.Get;
    public ValueTarget Target => ValueTarget.Array;
    public IBufferWriter<byte>? Destination => null;
    public bool HasDataBlock => false;

    public void Write(RequestBuffer request, ReadOnlySpan<byte> key, KeyMode mode, ReadOnlySpan<byte> dataBlock, uint opaque, uint maxTtl)
    {
        MetaRequestWriter.BeginKeyed(request, "mg "u8, key, mode);
        request.Write(" v f c"u8);
        request.WriteFlag((byte)'N', Expiration.Cap(leaseSeconds, maxTtl));
        // A gutter copy lives at most the cap anyway; an early-recache window as long as that would hand every
        // reader a lease and send each one to the backend, which the gutter pool is there to prevent.
        if (recacheSeconds is { } recache && maxTtl == 0)
        {
            request.WriteFlag((byte)'R', recache);
        }
        MetaRequestWriter.EndWithQuietAndOpaque(request, quiet: false, opaque);
    }

    public LeaseRead Read(in MetaReply reply, byte[]? value) =>
        new(reply.HasValue ? new CacheValue(value!, reply.ClientFlags, reply.Cas) : CacheValue.Miss, reply.Lease);
}

/// <summary>
/// <c>md … I T&lt;seconds&gt;</c>: marks the item stale instead of deleting it. Readers keep getting the old value
/// (with <c>X</c>) for the given seconds while one of them (<c>W</c>) recomputes it.
/// </summary>
internal readonly struct InvalidateCommand(uint staleSeconds) : IMetaCommand<bool>, IWriteCommand
{
    public bool IsWrite => true;
    public string Name => "invalidate";
    public ReplyKinds Accepts => ReplyKinds.Delete;
    public ValueTarget Target => ValueTarget.None;
    public IBufferWriter<byte>? Destination => null;
    public bool HasDataBlock => false;

    public void Write(RequestBuffer request, ReadOnlySpan<byte> key, KeyMode mode, ReadOnlySpan<byte> dataBlock, uint opaque, uint maxTtl)
    {
        MetaRequestWriter.BeginKeyed(request, "md "u8, key, mode);
        request.Write(" I"u8);
        request.WriteFlag((byte)'T', Expiration.Cap(staleSeconds, maxTtl));
        MetaRequestWriter.EndWithQuietAndOpaque(request, quiet: false, opaque);
    }

    /// <summary>True when the item existed and is now stale; false when there was none.</summary>
    public bool Read(in MetaReply reply, byte[]? value) => reply.Succeeded;
}
