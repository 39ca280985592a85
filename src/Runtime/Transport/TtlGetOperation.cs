using Memstore.Protocol;

namespace Memstore.Transport;

/// <summary>
/// <c>mg key v f c t</c>: value, client flags, CAS token and remaining TTL in one request. MCAS needs the
/// TTL so that releasing a key (old or new value) keeps the expiry the item had. Not pooled: MCAS reads
/// are rarer than plain gets and the result outlives the request.
/// </summary>
internal sealed class TtlGetOperation : Operation
{
    public TtlGetOperation(string key) => Key = key;

    public ResponseCode Code { get; private set; }
    public uint ClientFlags { get; private set; }
    public CasToken Cas { get; private set; }
    public byte[]? Value { get; private set; }

    /// <summary>Remaining seconds, or -1 for "never expires".</summary>
    public long Ttl { get; private set; } = -1;

    public void Write(ReadOnlySpan<byte> keyBytes, KeyMode mode)
    {
        Name = "mcas-get";
        Request.Write("mg "u8);
        KeyCodec.WriteWireKey(Request, keyBytes, mode);
        if (mode == KeyMode.Binary)
        {
            Request.WriteFlag((byte)'b');
        }
        Request.Write(" v f c t"u8);
        Request.WriteCrLf();
    }

    public override bool TryConsume(ReadOnlySpan<byte> data, out int consumed, out int needed, out bool resetConnection)
    {
        resetConnection = false;
        if (!MetaResponseParser.TryParse(data, out var response, out needed))
        {
            consumed = 0;
            return false;
        }
        consumed = response.TotalLength;
        if (!TryBeginCompletion())
        {
            return true;
        }
        Exception? error = null;
        if (response.IsError)
        {
            error = ErrorFromResponse(data, response);
        }
        else if (response.Code == ResponseCode.NoOp)
        {
            error = Unexpected(response);
            resetConnection = true;
        }
        else
        {
            Code = response.Code;
            ClientFlags = response.ClientFlags;
            Cas = new CasToken(response.Cas);
            Ttl = response.Ttl;
            if (response.Code == ResponseCode.Value)
            {
                Value = data.Slice(response.ValueOffset, response.ValueLength).ToArray();
            }
        }
        EndCompletion(error);
        return true;
    }
}
