using Memstore.Protocol;
using Memstore.Transport;

namespace Memstore;

public sealed partial class MemcacheClient
{
    /// <summary>
    /// Reads value, flags, CAS token and remaining TTL (seconds, -1 for never) in one request.
    /// Used by MCAS, which must keep an item's expiry when it releases the key.
    /// </summary>
    internal ValueTask<(CacheValue Value, long Ttl)> GetWithTtlAsync(string key, CancellationToken cancellationToken)
    {
        Span<byte> scratch = stackalloc byte[KeyCodec.ScratchSize];
        var operation = PrepareGet("mcas-get", Validate(key, scratch), ValueTarget.Array, null, null, out var connection, out var failure, withTtl: true);
        return operation is null ? FailedCall<(CacheValue Value, long Ttl)>.Create(failure!) : CompleteWithTtlAsync(operation, connection, cancellationToken);
    }

    private async ValueTask<(CacheValue Value, long Ttl)> CompleteWithTtlAsync(MetaOperation operation, Connection connection, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(operation, connection, cancellationToken).ConfigureAwait(false);
            return operation.Code == ResponseCode.Value
                ? (new CacheValue(operation.TakeValueArray()!, operation.ClientFlags, operation.Cas), operation.Ttl)
                : (CacheValue.Miss, -1);
        }
        finally
        {
            operation.ReleaseByCaller();
        }
    }

    /// <summary>The largest value the client accepts, so MCAS can refuse a descriptor that would not fit.</summary>
    internal int MaxValueSizeForMcas => (int)_maxValueSize;
}
