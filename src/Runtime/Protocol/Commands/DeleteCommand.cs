using System.Buffers;

namespace Memstore.Protocol.Commands;

/// <summary><c>md</c>, optionally only while the item still carries a CAS token (<c>C</c>).</summary>
internal readonly struct DeleteCommand(CasToken compare) : IMetaCommand<DeleteStatus>, IWriteCommand
{
    /// <summary>Quiet mode (<c>q</c>): memcached leaves out the <c>HD</c> of a deleted item (batched quiet deletes).</summary>
    public bool Quiet { get; init; }

    public bool IsWrite => true;
    public string Name => "delete";
    public ReplyKinds Accepts => ReplyKinds.Delete;
    public ValueTarget Target => ValueTarget.None;
    public IBufferWriter<byte>? Destination => null;
    public bool HasDataBlock => false;

    public void Write(RequestBuffer request, ReadOnlySpan<byte> key, KeyMode mode, ReadOnlySpan<byte> dataBlock, uint opaque, uint maxTtl) =>
        Write(request, key, mode, (long)opaque);

    /// <summary>Writes the line; <paramref name="opaque"/> below zero leaves the token out (tests only).</summary>
    public void Write(RequestBuffer request, ReadOnlySpan<byte> key, KeyMode mode, long opaque)
    {
        MetaRequestWriter.BeginKeyed(request, "md "u8, key, mode);
        if (compare.HasValue)
        {
            request.WriteFlag((byte)'C', compare.Value);
        }
        MetaRequestWriter.EndWithQuietAndOpaque(request, Quiet, opaque);
    }

    public DeleteStatus Read(in MetaReply reply, byte[]? value) => reply.Code switch
    {
        ResponseCode.Success => DeleteStatus.Deleted,
        ResponseCode.Exists => DeleteStatus.Exists,
        _ => DeleteStatus.NotFound,
    };
}
