using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using Memstore.Protocol;
using Memstore.Protocol.Commands;

namespace Memstore.Transport;

/// <summary>
/// A single meta command (mg, ms, md, ma) and its one response line. Pooled: the hot path allocates nothing.
/// Every reply is checked before it is believed: it must carry the request's opaque token and be a kind
/// that can answer the command, else the stream is out of step and the connection is reset.
/// </summary>
internal sealed class MetaOperation : Operation
{
    private static readonly ConcurrentQueue<MetaOperation> Pool = new();
    private const int PoolLimit = 1024;
    private const int KeepRequestCapacity = 4096;

    private IBufferWriter<byte>? _destination;
    private ReplyKinds _accepted;
    private long _opaque = -1;

    private MetaOperation() { }

    public ValueTarget Target { get; private set; }

    /// <summary>The opaque token the request carries and its reply must echo (-1: untagged, only in parser tests).</summary>
    public long Opaque => _opaque;

    /// <summary>Tags the request: its reply must carry <paramref name="opaque"/>. Call before writing the request.</summary>
    public uint Tag(uint opaque)
    {
        _opaque = opaque;
        return opaque;
    }

    // Results, valid once the caller's await has completed successfully. The command that wrote the request
    // reads them through Reply, so reply codes stay inside Protocol/ and Transport/.
    public ResponseCode Code { get; private set; }

    /// <summary>The reply as the command reads it (Protocol/Commands).</summary>
    public MetaReply Reply => new(Code, ClientFlags, Cas, Ttl, ValueLength, Number, Lease);

    /// <summary>The <c>memstore.outcome</c> telemetry tag of the reply.</summary>
    public string Outcome => Code switch
    {
        ResponseCode.Value => "hit",
        ResponseCode.Miss => "miss",
        ResponseCode.NotFound => "not_found",
        ResponseCode.NotStored => "not_stored",
        ResponseCode.Exists => "exists",
        ResponseCode.Success when HasDataBlock => "stored",
        _ => "ok",
    };

    public uint ClientFlags { get; private set; }
    public CasToken Cas { get; private set; }
    public int ValueLength { get; private set; }
    public byte[]? ValueArray { get; private set; }
    public ulong Number { get; private set; }

    /// <summary>Remaining TTL in seconds from the <c>t</c> flag, or -1 (never expires, or not asked for).</summary>
    public long Ttl { get; private set; }

    /// <summary>The lease flags of the reply (<c>W</c>, <c>Z</c>, <c>X</c>).</summary>
    public LeaseFlags Lease { get; private set; }

    public static MetaOperation Rent(string name, string? key, ValueTarget target, IBufferWriter<byte>? destination = null, bool hasDataBlock = false,
        ReplyKinds accepted = ReplyKinds.Unspecified)
    {
        if (!Pool.TryDequeue(out var operation))
        {
            operation = new MetaOperation();
        }
        operation.Name = name;
        operation.SetKey(key);
        operation.Target = target;
        operation._destination = destination;
        operation.HasDataBlock = hasDataBlock;
        operation._accepted = accepted != ReplyKinds.Unspecified ? accepted : target switch
        {
            _ when hasDataBlock => ReplyKinds.Store,
            ValueTarget.None => ReplyKinds.Touch | ReplyKinds.Delete,
            ValueTarget.Number => ReplyKinds.Arithmetic,
            _ => ReplyKinds.Get,
        };
        operation._opaque = -1;
        operation.MaxValueLength = MetaResponseParser.MaxValueLength; // the connection sets its own limit; a pooled one must not keep the last one's
        operation.Code = default;
        operation.ClientFlags = 0;
        operation.Cas = default;
        operation.ValueLength = 0;
        operation.ValueArray = null;
        operation.Number = 0;
        operation.Ttl = -1;
        operation.Lease = LeaseFlags.None;
        operation.Request.Clear();
        operation.ResetReferences();
        return operation;
    }

    /// <summary>Hands a pooled value array to the caller, who must return it to <see cref="ArrayPool{T}.Shared"/>.</summary>
    public byte[]? TakeValueArray()
    {
        var array = ValueArray;
        ValueArray = null;
        return array;
    }

    public override bool TryConsume(ReadOnlySpan<byte> data, CompletionBatch? completions, out int consumed, out int needed, out bool resetConnection)
    {
        resetConnection = false;
        if (!MetaResponseParser.TryParse(data, out var response, out needed, MaxValueLength))
        {
            consumed = 0;
            return false;
        }
        consumed = response.TotalLength;
        // Checked even when the caller has given up: a reply that is not this request's means every later
        // reply on the connection would go to the wrong caller. Error lines carry no opaque (memcached
        // sends none), so they are taken as the oldest request's; a stray one puts the next reply out of
        // step, which this check then catches.
        if (!response.IsError && ((_opaque >= 0 && response.Opaque != _opaque) || (_accepted & (ReplyKinds)(1 << (int)response.Code)) == 0))
        {
            throw Mismatch(response.Opaque, response.Code);
        }
        if (!TryBeginCompletion())
        {
            // The caller gave up (timeout or cancellation); the reply is matched and dropped.
            resetConnection = response.Code == ResponseCode.ClientError && HasDataBlock;
            return true;
        }
        Exception? error = null;
        if (response.IsError)
        {
            error = ErrorFromResponse(data, response);
            // A rejected command line with a data block behind it leaves the data to be read as commands.
            resetConnection = response.Code == ResponseCode.ClientError && HasDataBlock;
        }
        else
        {
            Code = response.Code;
            ClientFlags = response.ClientFlags;
            Cas = new CasToken(response.Cas);
            Ttl = response.Ttl;
            Lease = response.Lease;
            if (response.Code == ResponseCode.Value)
            {
                error = DeliverValue(data.Slice(response.ValueOffset, response.ValueLength));
            }
        }
        EndCompletion(error, completions);
        return true;
    }

    /// <summary>
    /// The error for a reply that is not this request's. Kept out of <see cref="TryConsume"/>, which runs for
    /// every reply: building the message there made it twice as large, too large for the JIT to inline.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private MemcacheProtocolException Mismatch(long opaque, ResponseCode code) =>
        _opaque >= 0 && opaque != _opaque
            ? OutOfStep(opaque < 0 ? $"a {code} reply without an opaque token" : $"a {code} reply with opaque token {opaque}", $"opaque token {_opaque}")
            : OutOfStep($"a {code} reply", $"one of {_accepted}");

    private Exception? DeliverValue(ReadOnlySpan<byte> value)
    {
        ValueLength = value.Length;
        switch (Target)
        {
            case ValueTarget.Array:
                ValueArray = value.ToArray();
                break;
            case ValueTarget.Pooled:
                ValueArray = ArrayPool<byte>.Shared.Rent(value.Length);
                value.CopyTo(ValueArray);
                break;
            case ValueTarget.Writer:
                try
                {
                    _destination!.Write(value);
                }
#pragma warning disable CA1031 // The caller's buffer writer failing must fail the caller, not the connection.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    return ex;
                }
                break;
            case ValueTarget.Number:
                // memcached may pad a shrunken number with spaces ("0 "), so trim before parsing.
                var digits = value.TrimEnd((byte)' ');
                if (!Utf8Parser.TryParse(digits, out ulong number, out var used) || used != digits.Length)
                {
                    return MetaResponseParser.Malformed($"counter value is not a number (from {Server})", value);
                }
                Number = number;
                break;
        }
        return null;
    }

    protected override void Recycle()
    {
        _destination = null;
        SetKey((string?)null);
        if (ValueArray is { } leftover && Target == ValueTarget.Pooled)
        {
            ArrayPool<byte>.Shared.Return(leftover);
        }
        ValueArray = null;
        Request.Trim(KeepRequestCapacity);
        if (Pool.Count < PoolLimit)
        {
            Pool.Enqueue(this);
        }
        else
        {
            Request.Dispose();
        }
    }
}
