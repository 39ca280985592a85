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
    /// winner's value. Callers of this process that wait for one key share one wait (one request per poll) and,
    /// once a computation is under way here, join it instead of sending their own requests.
    /// With <see cref="GetOrCreateOptions.RecacheWindow"/>, one caller refreshes a value about to expire while
    /// the others keep reading it; a value marked stale by <see cref="InvalidateAsync"/> is served while one
    /// caller recomputes it (unless <see cref="GetOrCreateOptions.AllowStale"/> is false).
    /// </summary>
    /// <param name="key">The key, as a string or as UTF-8 bytes.</param>
    /// <param name="factory">Computes the value (for example from the database). If it throws, the lease is released at
    /// once, so the other callers do not wait out the lease time, and the exception reaches every caller that shared it.</param>
    /// <param name="options">Expiry, flags, lease and wait bounds; <see cref="GetOrCreateOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels this caller's wait. The caller that won the lease runs the factory under this
    /// token: if it cancels, its lease is released and a waiting caller takes over. A shared wait stops only when
    /// every caller sharing it has cancelled.</param>
    /// <returns>The stored item, or the value this process computed (its CAS token is none when it was not stored:
    /// another writer changed the item meanwhile, or the wait expired and the value was computed locally).</returns>
    /// <remarks>An empty value under a lease held by another caller is taken for memcached's placeholder: a caller that
    /// meets one waits for the lease holder, so a cached empty value is returned only once no lease is out on it.</remarks>
    public ValueTask<CacheValue> GetOrCreateAsync(MemcacheKey key, Func<CancellationToken, ValueTask<byte[]>> factory,
        GetOrCreateOptions? options = null, CancellationToken cancellationToken = default) =>
        GetOrCreateCoreAsync(key, factory, options, null, cancellationToken);

    /// <summary>
    /// <see cref="GetOrCreateAsync(MemcacheKey, Func{CancellationToken, ValueTask{byte[]}}, GetOrCreateOptions?, CancellationToken)"/>
    /// with <paramref name="prepare"/> turning the factory's bytes into the bytes and flags stored (a compressing keyspace);
    /// null stores them as they are with <see cref="GetOrCreateOptions.Flags"/>.
    /// </summary>
    internal ValueTask<CacheValue> GetOrCreateCoreAsync(MemcacheKey key, Func<CancellationToken, ValueTask<byte[]>> factory,
        GetOrCreateOptions? options, Func<byte[], (byte[] Bytes, uint Flags)>? prepare, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(factory);
        options ??= GetOrCreateOptions.Default;
        options.Validate();
        Span<byte> scratch = stackalloc byte[ScratchFor(key)];
        var valid = Validate(key, scratch);
        var request = new LeaseRequest(this, valid.Bytes.ToArray(), factory, options, prepare);
        if (_flights.Count > 0 && _flights.IsRunning(request.FlightName))
        {
            return _flights.RunAsync(request.FlightName, request, static (request, token) => request.Client.ResolveAsync(request, token), cancellationToken);
        }
        // Nothing under way for this key here: read at once. A hit costs what a GetAsync costs; only a caller that
        // must wait joins the others of this process, so that they wait, poll and compute once.
        var first = ExecuteAsync<LeaseGetCommand, LeaseRead>(request.Command, valid, default, cancellationToken);
        return ContinueAsync(first, request, cancellationToken);
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

    /// <summary>After this caller's own first read: done, compute (it won the lease), or wait with the others.</summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<CacheValue> ContinueAsync(ValueTask<LeaseRead> first, LeaseRequest request, CancellationToken cancellationToken)
    {
        var read = await first.ConfigureAwait(false);
        return Decide(read, request.Options) switch
        {
            LeaseStep.Return => read.Value,
            LeaseStep.Compute => await ComputeAndStoreAsync(request, read.Value, cancellationToken).ConfigureAwait(false),
            LeaseStep.Add => await ComputeAndAddAsync(request, cancellationToken).ConfigureAwait(false),
            _ => await _flights.RunAsync(request.FlightName, request, static (request, token) => request.Client.ResolveAsync(request, token), cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>The computation shared by this process's waiting callers: read until the value is there, the lease is ours, or the wait is over.</summary>
    private async ValueTask<CacheValue> ResolveAsync(LeaseRequest request, CancellationToken cancellationToken)
    {
        var options = request.Options;
        var started = Stopwatch.GetTimestamp();
        var pause = options.PollInterval;
        while (true)
        {
            var read = await ExecuteAsync<LeaseGetCommand, LeaseRead>(request.Command, ValidatedKey(request.Key), default, cancellationToken).ConfigureAwait(false);
            switch (Decide(read, options))
            {
                case LeaseStep.Return:
                    return read.Value;
                case LeaseStep.Compute:
                    return await ComputeAndStoreAsync(request, read.Value, cancellationToken).ConfigureAwait(false);
                case LeaseStep.Add:
                    return await ComputeAndAddAsync(request, cancellationToken).ConfigureAwait(false);
            }
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
                var (local, localFlags) = request.Prepare(await InvokeFactoryAsync(request, cancellationToken).ConfigureAwait(false));
                return new CacheValue(local, localFlags, CasToken.None);
            }
            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, MaxPollMilliseconds));
        }
    }

    /// <summary>What a lease read means for the caller (docs/caching.md, "What happens, request by request").</summary>
    private static LeaseStep Decide(in LeaseRead read, GetOrCreateOptions options)
    {
        if (read.Won)
        {
            return LeaseStep.Compute;
        }
        if (!read.Value.Found)
        {
            return LeaseStep.Add; // no lease on a miss (memcached could not make the placeholder)
        }
        // A plain hit, a value being refreshed by another caller, or a stale value we may serve; otherwise another
        // caller holds the lease on a placeholder (or on a stale value we must not serve).
        return !read.OtherWon || (read.Stale ? options.AllowStale : read.Value.Value!.Length > 0) ? LeaseStep.Return : LeaseStep.Wait;
    }

    /// <summary>A miss without a lease: compute, and add (never overwrite what another writer stored meanwhile).</summary>
    private async ValueTask<CacheValue> ComputeAndAddAsync(LeaseRequest request, CancellationToken cancellationToken)
    {
        var options = request.Options;
        var (made, flags) = request.Prepare(await InvokeFactoryAsync(request, cancellationToken).ConfigureAwait(false));
        var added = await StoreAsync(StoreMode.Add, request.Key, made, options.Expiry, flags, cancellationToken).ConfigureAwait(false);
        return new CacheValue(made, flags, added.Cas);
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
            made = await InvokeFactoryAsync(request, cancellationToken).ConfigureAwait(false);
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
        var (bytes, flags) = request.Prepare(made);
        var stored = await CompareAndSetAsync(request.Key, bytes, current.Cas, options.Expiry, flags, cancellationToken).ConfigureAwait(false);
        return new CacheValue(bytes, flags, stored.Stored ? stored.Cas : CasToken.None);
    }

    /// <summary>Runs the caller's factory. A null result would read as a miss (CacheValue.Value null), so it is refused on every path.</summary>
    private static async ValueTask<byte[]> InvokeFactoryAsync(LeaseRequest request, CancellationToken cancellationToken) =>
        await request.Factory(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The GetOrCreateAsync factory returned null; return an empty array for an empty value.");

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

    private enum LeaseStep
    {
        Return,
        Compute,
        Add,
        Wait,
    }

    /// <summary>One GetOrCreateAsync call: the key (validated, copied: it outlives the caller's span), factory and options.</summary>
    private sealed class LeaseRequest(MemcacheClient client, byte[] key, Func<CancellationToken, ValueTask<byte[]>> factory, GetOrCreateOptions options,
        Func<byte[], (byte[] Bytes, uint Flags)>? prepare)
    {
        /// <summary>The bytes and flags to store for the factory's value.</summary>
        public (byte[] Bytes, uint Flags) Prepare(byte[] made) => prepare is null ? (made, options.Flags) : prepare(made);

        public MemcacheClient Client => client;
        public byte[] Key => key;
        public Func<CancellationToken, ValueTask<byte[]>> Factory => factory;
        public GetOrCreateOptions Options => options;

        public LeaseGetCommand Command { get; } = new(Expiration.ToTtl(options.LeaseTime),
            options.RecacheWindow is { } window ? Expiration.ToTtl(window) : null);

        /// <summary>The key as the single flight's name (Latin-1 maps every byte to one char, so any key bytes are lossless); made only when needed.</summary>
        public string FlightName => field ??= Encoding.Latin1.GetString(key);
    }
}
