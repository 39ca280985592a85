using System.Diagnostics;
using System.Text;
using Memstore.Caching;
using Memstore.Protocol.Commands;

namespace Memstore;

// Cache-aside on memcached's leases (doc/protocol.txt, "Meta Get": N, R, W, Z, X): one caller across all
// processes computes a missing, expiring or invalidated value; the others wait for it or keep the current one.
public sealed partial class MemcacheClient
{
    private const int MaxPollMilliseconds = 100;

    private readonly SingleFlight<CacheValue> _flights = new();

    /// <summary>
    /// Returns the item, or computes it once with <paramref name="factory"/> and stores it. On a miss exactly one
    /// caller across every process using this cluster wins a lease (meta <c>mg … N</c>) and runs the factory; the
    /// others wait (bounded by <see cref="GetOrCreateOptions.WaitTimeout"/>, polling with backoff) and return the
    /// winner's value. Callers in this process share one computation, so one process sends one request per key.
    /// With <see cref="GetOrCreateOptions.RecacheWindow"/>, one caller refreshes a value about to expire while
    /// the others keep reading it; a value marked stale by <see cref="InvalidateAsync"/> is served while one
    /// caller recomputes it (unless <see cref="GetOrCreateOptions.AllowStale"/> is false).
    /// </summary>
    /// <param name="key">The key, as a string or as UTF-8 bytes.</param>
    /// <param name="factory">Computes the value (for example from the database). If it throws, the lease is released at
    /// once, so the other callers do not wait out the lease time, and the exception reaches every caller that shared it.</param>
    /// <param name="options">Expiry, flags, lease and wait bounds; <see cref="GetOrCreateOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels this caller's wait; the shared computation stops only when every caller sharing it has cancelled.</param>
    /// <returns>The stored item, or the value this process computed (its CAS token is none when it was not stored:
    /// another writer changed the item meanwhile, or the wait expired and the value was computed locally).</returns>
    /// <remarks>An empty value under a lease held by another caller is taken for memcached's placeholder: a caller that
    /// meets one waits for the lease holder, so a cached empty value is returned only once no lease is out on it.</remarks>
    public ValueTask<CacheValue> GetOrCreateAsync(MemcacheKey key, Func<CancellationToken, ValueTask<byte[]>> factory,
        GetOrCreateOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(factory);
        options ??= GetOrCreateOptions.Default;
        options.Validate();
        Span<byte> scratch = stackalloc byte[ScratchFor(key)];
        var valid = Validate(key, scratch);
        var request = new LeaseRequest(valid.Bytes.ToArray(), factory, options);
        // Latin-1 maps every byte to one char: a lossless name for the flight, whatever the key's bytes.
        return _flights.RunAsync(Encoding.Latin1.GetString(request.Key), request,
            (request, token) => ResolveAsync(request, token).AsTask(), cancellationToken);
    }

    /// <summary>
    /// Marks an item stale instead of deleting it (meta <c>md … I T</c>): for <paramref name="staleFor"/>,
    /// <see cref="GetOrCreateAsync"/> callers keep getting the old value while one of them recomputes it. Returns
    /// false when the key holds no item. A plain <see cref="GetAsync(MemcacheKey, CancellationToken)"/> still returns
    /// the stale value.
    /// </summary>
    /// <param name="key">The key, as a string or as UTF-8 bytes.</param>
    /// <param name="staleFor">How long the stale value may still be served; at least one second.</param>
    /// <param name="cancellationToken">Cancels the wait; a request already sent may still be applied.</param>
    public ValueTask<bool> InvalidateAsync(MemcacheKey key, TimeSpan staleFor, CancellationToken cancellationToken = default)
    {
        if (staleFor < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(staleFor), staleFor, "A stale value must be kept for at least one second; use DeleteAsync to remove it now.");
        }
        var command = new InvalidateCommand(Expiration.ToTtl(staleFor));
        Span<byte> scratch = stackalloc byte[ScratchFor(key)];
        return ExecuteAsync<InvalidateCommand, bool>(command, Validate(key, scratch), default, cancellationToken);
    }

    /// <summary>The computation shared by this process's callers: lease, wait or compute, store.</summary>
    private async ValueTask<CacheValue> ResolveAsync(LeaseRequest request, CancellationToken cancellationToken)
    {
        var options = request.Options;
        var leaseSeconds = Expiration.ToTtl(options.LeaseTime);
        var recacheSeconds = options.RecacheWindow is { } window ? Expiration.ToTtl(window) : (uint?)null;
        var started = Stopwatch.GetTimestamp();
        var pause = options.PollInterval;
        while (true)
        {
            var read = await ExecuteAsync<LeaseGetCommand, LeaseRead>(new LeaseGetCommand(leaseSeconds, recacheSeconds), ValidatedKey(request.Key), default, cancellationToken).ConfigureAwait(false);
            if (read.Won)
            {
                return await ComputeAndStoreAsync(request, read.Value, cancellationToken).ConfigureAwait(false);
            }
            if (!read.Value.Found)
            {
                // No lease on a miss (memcached could not make the placeholder): compute and add, never overwrite.
                var made = await request.Factory(cancellationToken).ConfigureAwait(false);
                var added = await StoreAsync(StoreMode.Add, request.Key, made, options.Expiry, options.Flags, cancellationToken).ConfigureAwait(false);
                return new CacheValue(made, options.Flags, added.Cas);
            }
            if (!read.OtherWon || (read.Stale ? options.AllowStale : read.Value.Value!.Length > 0))
            {
                return read.Value; // a plain hit, a value being refreshed by another caller, or a stale value we may serve
            }
            // Another caller holds the lease on a placeholder (or on a stale value we must not serve): wait for its value.
            var waited = Stopwatch.GetElapsedTime(started);
            if (waited >= options.WaitTimeout)
            {
                if (options.WhenWaitExpires == LeaseWaitExpiry.Fail)
                {
                    throw new MemcacheTimeoutException(
                        $"get-or-create of key {Protocol.KeyCodec.Describe(Protocol.KeyCodec.Describable(request.Key))}: another caller holds the lease and its value did not arrive within "
                        + $"{options.WaitTimeout.TotalMilliseconds:0} ms (GetOrCreateOptions.WaitTimeout). The lease ends after {options.LeaseTime.TotalSeconds:0} s at the latest.")
                    { Operation = "get-or-create", OldestWait = waited };
                }
                return new CacheValue(await request.Factory(cancellationToken).ConfigureAwait(false), options.Flags, CasToken.None);
            }
            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, MaxPollMilliseconds));
        }
    }

    /// <summary>
    /// This caller holds the lease on <paramref name="current"/> (a placeholder, a value about to expire, or a stale
    /// one): compute the value and store it only if the item is still the one the lease was given on.
    /// </summary>
    private async ValueTask<CacheValue> ComputeAndStoreAsync(LeaseRequest request, CacheValue current, CancellationToken cancellationToken)
    {
        var options = request.Options;
        byte[] made;
        try
        {
            made = await request.Factory(cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The GetOrCreateAsync factory returned null; return an empty array for an empty value.");
        }
        catch
        {
            if (current.Value!.Length == 0)
            {
                await ReleaseLeaseAsync(request.Key, current.Cas).ConfigureAwait(false);
            }
            throw;
        }
        // CAS on the leased item: a writer that changed it meanwhile (a newer value, an invalidation) wins.
        var stored = await CompareAndSetAsync(request.Key, made, current.Cas, options.Expiry, options.Flags, cancellationToken).ConfigureAwait(false);
        return new CacheValue(made, options.Flags, stored.Stored ? stored.Cas : CasToken.None);
    }

    /// <summary>Deletes the placeholder of a failed computation so that the next caller wins the lease at once.</summary>
    private async ValueTask ReleaseLeaseAsync(byte[] key, CasToken placeholder)
    {
        try
        {
            await DeleteAsync(key, placeholder, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Best effort: the placeholder also ends with its lease time.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            CachingLog.LeaseNotReleased(_logger, Protocol.KeyCodec.Describable(key), ex);
        }
    }

    /// <summary>A key already validated when the call began (the flight keeps its bytes).</summary>
    private static ValidKey ValidatedKey(byte[] key) => new(key, null);

    private sealed record LeaseRequest(byte[] Key, Func<CancellationToken, ValueTask<byte[]>> Factory, GetOrCreateOptions Options);
}
