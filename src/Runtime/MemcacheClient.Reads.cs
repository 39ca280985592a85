using System.Buffers;
using Memstore.Protocol;
using Memstore.Protocol.Commands;
using Memstore.Transport;

namespace Memstore;

public sealed partial class MemcacheClient
{
    /// <summary>Reads an item: its bytes, client flags and CAS token, or a miss.</summary>
    /// <param name="key">The key, as a string or as UTF-8 bytes (see <see cref="KeyMode"/> for the rules).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
#pragma warning disable RS0026 // The two GetAsync overloads differ in a required parameter (the destination), so no call is ambiguous.
    public ValueTask<CacheValue> GetAsync(MemcacheKey key, CancellationToken cancellationToken = default)
#pragma warning restore RS0026
    {
        Span<byte> scratch = stackalloc byte[ScratchFor(key)];
        return ExecuteAsync<GetValueCommand, CacheValue>(new GetValueCommand("get"), Validate(key, scratch), default, cancellationToken);
    }

    /// <summary>Reads an item and, on a hit, sets its expiry in the same request.</summary>
    /// <param name="key">The key, as a string or as UTF-8 bytes.</param>
    /// <param name="expiry">The new time to live; null or zero for "never expires".</param>
    /// <param name="cancellationToken">Cancels the wait; a request already sent may still be applied.</param>
    public ValueTask<CacheValue> GetAndTouchAsync(MemcacheKey key, TimeSpan? expiry, CancellationToken cancellationToken = default)
    {
        var command = new GetValueCommand("get-and-touch", Expiration.ToTtl(expiry));
        Span<byte> scratch = stackalloc byte[ScratchFor(key)];
        return ExecuteAsync<GetValueCommand, CacheValue>(command, Validate(key, scratch), default, cancellationToken);
    }

    /// <summary>
    /// Reads an item into <paramref name="destination"/> without allocating: on a hit the bytes are written
    /// to the buffer writer and the result says how many. On a miss nothing is written.
    /// </summary>
    /// <param name="key">The key, as a string or as UTF-8 bytes.</param>
    /// <param name="destination">Receives the value's bytes on a hit.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
#pragma warning disable RS0026 // See the first GetAsync.
    public ValueTask<CacheValueInfo> GetAsync(MemcacheKey key, IBufferWriter<byte> destination, CancellationToken cancellationToken = default)
#pragma warning restore RS0026
    {
        ArgumentNullException.ThrowIfNull(destination);
        Span<byte> scratch = stackalloc byte[ScratchFor(key)];
        return ExecuteAsync<GetIntoCommand, CacheValueInfo>(new GetIntoCommand(destination), Validate(key, scratch), default, cancellationToken);
    }

    /// <summary>Reads an item into a pooled buffer; returns null on a miss. Dispose the lease when done.</summary>
    /// <param name="key">The key, as a string or as UTF-8 bytes.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public ValueTask<CacheLease?> GetLeaseAsync(MemcacheKey key, CancellationToken cancellationToken = default)
    {
        Span<byte> scratch = stackalloc byte[ScratchFor(key)];
        return ExecuteAsync<GetLeaseCommand, CacheLease?>(default, Validate(key, scratch), default, cancellationToken);
    }

    /// <summary>Sets an item's expiry without reading it. Returns false when the key holds no item.</summary>
    /// <param name="key">The key, as a string or as UTF-8 bytes.</param>
    /// <param name="expiry">The new time to live; null or zero for "never expires".</param>
    /// <param name="cancellationToken">Cancels the wait; a request already sent may still be applied.</param>
    public ValueTask<bool> TouchAsync(MemcacheKey key, TimeSpan? expiry, CancellationToken cancellationToken = default)
    {
        var command = new TouchCommand(Expiration.ToTtl(expiry));
        Span<byte> scratch = stackalloc byte[ScratchFor(key)];
        return ExecuteAsync<TouchCommand, bool>(command, Validate(key, scratch), default, cancellationToken);
    }

    /// <summary>
    /// Reads an item into a pooled buffer and decodes it there: typed reads allocate only the decoded value.
    /// With <paramref name="touch"/> it is a get-and-touch to <paramref name="touchExpiry"/>.
    /// </summary>
    internal ValueTask<CacheItem<T>> GetDecodedAsync<T>(MemcacheKey key, IValueCodec<T> codec, bool touch, TimeSpan? touchExpiry, CancellationToken cancellationToken)
    {
        var command = new GetDecodedCommand<T>(codec, touch ? Expiration.ToTtl(touchExpiry) : null);
        Span<byte> scratch = stackalloc byte[ScratchFor(key)];
        return ExecuteAsync<GetDecodedCommand<T>, CacheItem<T>>(command, Validate(key, scratch), default, cancellationToken);
    }

    /// <summary>
    /// Reads many items at once. Keys are split by server and each server's share goes out as one pipelined
    /// part closed by a tagged get of its last key: one round trip per server, all servers at once. The result
    /// has one entry per key, in the order of <paramref name="keys"/>.
    /// </summary>
    public ValueTask<CacheValue[]> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return GetManyCoreAsync(keys, null, keys.Count, cancellationToken);
    }

    /// <summary>Reads many items by keys given as UTF-8 bytes (see the string overload).</summary>
    internal ValueTask<CacheValue[]> GetManyAsync(Utf8KeyList keys, CancellationToken cancellationToken) =>
        GetManyCoreAsync(null, keys, keys.Count, cancellationToken);

    /// <summary>One multi-get over either key form (exactly one of <paramref name="textKeys"/> and <paramref name="utf8Keys"/>).</summary>
    private async ValueTask<CacheValue[]> GetManyCoreAsync(IReadOnlyList<string>? textKeys, Utf8KeyList? utf8Keys, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var results = new CacheValue[count];
        if (count > 0)
        {
            await SendPerServerAsync(SplitByServer(textKeys, utf8Keys, results), cancellationToken).ConfigureAwait(false);
        }
        return results;
    }

    /// <summary>Sends every server's part at once, then waits for all of them.</summary>
    private ValueTask SendPerServerAsync(List<(Connection Connection, MultiGetOperation Operation)> parts, CancellationToken cancellationToken)
    {
        var pending = new List<(Operation Operation, ValueTask Completion)>(parts.Count);
        Exception? firstError = null;
        foreach (var (connection, operation) in parts)
        {
            StartOrRecord(pending, operation, connection, cancellationToken, ref firstError);
        }
        return AwaitAllAsync(pending, firstError);
    }

    /// <summary>Sends one of several concurrent requests; a synchronous failure is remembered, not thrown.</summary>
    private void StartOrRecord(List<(Operation Operation, ValueTask Completion)> pending, Operation operation, Connection connection,
        CancellationToken cancellationToken, ref Exception? firstError)
    {
        try
        {
#pragma warning disable CA2012 // Each ValueTask is awaited exactly once, in AwaitAllAsync, after every request is under way.
            pending.Add((operation, SendAsync(operation, connection, cancellationToken)));
#pragma warning restore CA2012
        }
#pragma warning disable CA1031 // Remembered and rethrown after every request has been awaited.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            operation.ReleaseByCaller();
            firstError ??= ex;
        }
    }

    /// <summary>Awaits every request (so none is left running), releases them, then rethrows the first failure.</summary>
    private static async ValueTask AwaitAllAsync(List<(Operation Operation, ValueTask Completion)> pending, Exception? firstError)
    {
        foreach (var (operation, completion) in pending)
        {
            try
            {
                await completion.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Every request must be awaited before the first error is rethrown.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                firstError ??= ex;
            }
            finally
            {
                operation.ReleaseByCaller();
            }
        }
        if (firstError is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(firstError);
        }
    }

    /// <summary>
    /// Builds one part per connection in a single pass: each key is validated, routed and written
    /// once (classic multi-key gets for text keys, quiet meta gets for base64 keys).
    /// </summary>
    private List<(Connection Connection, MultiGetOperation Operation)> SplitByServer(IReadOnlyList<string>? textKeys, Utf8KeyList? utf8Keys, CacheValue[] results)
    {
        var parts = new List<(Connection Connection, MultiGetOperation Operation)>(Math.Min(ServerCount, results.Length));
        Span<byte> scratch = stackalloc byte[KeyCodec.ScratchSize];
        try
        {
            for (var i = 0; i < results.Length; i++)
            {
                var key = textKeys is not null ? Validate(textKeys[i], scratch) : Validate(utf8Keys![i], scratch);
                var connection = Route(key, "get-many");
                MultiGetOperation? operation = null;
                foreach (var (existing, part) in parts)
                {
                    if (ReferenceEquals(existing, connection))
                    {
                        operation = part;
                        break;
                    }
                }
                if (operation is null)
                {
                    // Text keys go as classic multi-key gets (cheaper for memcached per key); base64 keys need meta.
                    operation = _keyMode == KeyMode.Text ? new ClassicMultiGetOperation(results, connection.Opaques) : new MetaMultiGetOperation(results, connection.Opaques);
                    parts.Add((connection, operation));
                }
                operation.AddKey(i, key.Bytes, _keyMode);
            }
        }
        catch
        {
            foreach (var (_, operation) in parts)
            {
                operation.AbandonConnectionReference();
                operation.ReleaseByCaller();
            }
            throw;
        }
        foreach (var (_, operation) in parts)
        {
            operation.Close();
        }
        return parts;
    }
}
