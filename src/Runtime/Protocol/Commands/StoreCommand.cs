using System.Buffers;

namespace Memstore.Protocol.Commands;

/// <summary>
/// <c>ms</c> in one of its modes (set, add <c>ME</c>, replace <c>MR</c>, append <c>MA</c>, prepend <c>MP</c>),
/// optionally compare-and-set (<c>C</c>), always asking for the new CAS token (<c>c</c>). The value is the data block.
/// </summary>
internal readonly struct StoreCommand : IMetaCommand<StoreResult>, IWriteCommand
{
    private readonly StoreMode _mode;
    private readonly uint _clientFlags;
    private readonly uint _ttl;
    private readonly CasToken _compare;

    /// <summary>Checks the caller's mode and expiry (argument mistakes throw here, before anything is routed).</summary>
    public StoreCommand(StoreMode mode, TimeSpan? expiry, uint clientFlags, CasToken compare)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown store mode.");
        }
        _mode = mode;
        _ttl = Expiration.ToTtl(expiry);
        _clientFlags = clientFlags;
        _compare = compare;
    }

    /// <summary>Quiet mode (<c>q</c>): memcached leaves out the <c>HD</c> of a stored value (batched quiet sets).</summary>
    public bool Quiet { get; init; }

    public bool IsWrite => true;

    public string Name => _compare.HasValue ? "cas" : _mode switch
    {
        StoreMode.Add => "add",
        StoreMode.Replace => "replace",
        StoreMode.Append => "append",
        StoreMode.Prepend => "prepend",
        _ => "set",
    };

    public ReplyKinds Accepts => ReplyKinds.Store;
    public ValueTarget Target => ValueTarget.None;
    public IBufferWriter<byte>? Destination => null;
    public bool HasDataBlock => true;

    public void Write(RequestBuffer request, ReadOnlySpan<byte> key, KeyMode mode, ReadOnlySpan<byte> dataBlock, uint opaque, uint maxTtl) =>
        Write(request, key, mode, dataBlock, (long)opaque, maxTtl);

    /// <summary>Writes the request; <paramref name="opaque"/> below zero leaves the token out (tests only).</summary>
    public void Write(RequestBuffer request, ReadOnlySpan<byte> key, KeyMode mode, ReadOnlySpan<byte> dataBlock, long opaque, uint maxTtl = 0)
    {
        request.Write("ms "u8);
        KeyCodec.WriteWireKey(request, key, mode);
        request.WriteByte((byte)' ');
        request.WriteDecimal((ulong)dataBlock.Length);
        if (mode == KeyMode.Base64)
        {
            request.WriteFlag((byte)'b');
        }
        request.WriteFlag((byte)'c');
        // append/prepend keep the item's own flags and TTL, so sending them would only mislead a reader of the wire.
        if (_mode is not (StoreMode.Append or StoreMode.Prepend))
        {
            request.WriteFlag((byte)'F', _clientFlags);
            request.WriteFlag((byte)'T', Expiration.Cap(_ttl, maxTtl));
        }
        if (_compare.HasValue)
        {
            request.WriteFlag((byte)'C', _compare.Value);
        }
        var modeFlag = _mode switch
        {
            StoreMode.Add => (byte)'E',
            StoreMode.Replace => (byte)'R',
            StoreMode.Append => (byte)'A',
            StoreMode.Prepend => (byte)'P',
            _ => (byte)0,
        };
        if (modeFlag != 0)
        {
            request.Write(" M"u8);
            request.WriteByte(modeFlag);
        }
        MetaRequestWriter.EndWithQuietAndOpaque(request, Quiet, opaque);
        request.Write(dataBlock);
        request.WriteCrLf();
    }

    /// <summary>The new CAS token only when stored; <c>EX</c> a CAS mismatch; <c>NF</c> a CAS on a missing item.</summary>
    public StoreResult Read(in MetaReply reply, byte[]? value) => reply.Code switch
    {
        ResponseCode.Success => new StoreResult(StoreStatus.Stored, reply.Cas),
        ResponseCode.Exists => new StoreResult(StoreStatus.Exists, CasToken.None),
        ResponseCode.NotFound => new StoreResult(StoreStatus.NotFound, CasToken.None),
        _ => new StoreResult(StoreStatus.NotStored, CasToken.None),
    };
}
