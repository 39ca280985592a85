using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using Memstore.Protocol;

namespace Memstore.Transport;

/// <summary>Where the value of a <c>VA</c> response goes.</summary>
internal enum ValueTarget : byte
{
    /// <summary>No value expected; a <c>VA</c> reply is a protocol error.</summary>
    None,
    /// <summary>Copied into a new array the caller owns.</summary>
    Array,
    /// <summary>Copied into an array rented from the shared pool (a lease).</summary>
    Pooled,
    /// <summary>Written into the caller's <see cref="IBufferWriter{T}"/>.</summary>
    Writer,
    /// <summary>Parsed as the decimal result of an increment or decrement.</summary>
    Number,
}

/// <summary>A single meta command (mg, ms, md, ma) and its one response line. Pooled: the hot path allocates nothing.</summary>
internal sealed class MetaOperation : Operation
{
    private static readonly ConcurrentQueue<MetaOperation> Pool = new();
    private const int PoolLimit = 1024;
    private const int KeepRequestCapacity = 4096;

    private IBufferWriter<byte>? _destination;

    private MetaOperation() { }

    public ValueTarget Target { get; private set; }

    // Results, valid once the caller's await has completed successfully.
    public ResponseCode Code { get; private set; }
    public uint ClientFlags { get; private set; }
    public CasToken Cas { get; private set; }
    public int ValueLength { get; private set; }
    public byte[]? ValueArray { get; private set; }
    public ulong Number { get; private set; }

    /// <summary>Remaining TTL in seconds from the <c>t</c> flag, or -1 (never expires, or not asked for).</summary>
    public long Ttl { get; private set; }

    public static MetaOperation Rent(string name, string? key, ValueTarget target, IBufferWriter<byte>? destination = null, bool hasDataBlock = false)
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
        operation.Code = default;
        operation.ClientFlags = 0;
        operation.Cas = default;
        operation.ValueLength = 0;
        operation.ValueArray = null;
        operation.Number = 0;
        operation.Ttl = -1;
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
        else if (response.Code == ResponseCode.NoOp || (response.Code == ResponseCode.Value && Target == ValueTarget.None))
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
                error = DeliverValue(data.Slice(response.ValueOffset, response.ValueLength));
            }
        }
        EndCompletion(error);
        return true;
    }

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
