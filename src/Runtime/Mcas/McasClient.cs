using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Memstore.Protocol.Commands;

namespace Memstore.Mcas;

/// <summary>
/// Lock-free multi-key compare-and-set over a memcached cluster (docs/mcas.md; after Harris, Fraser and Pratt).
/// Every read of an MCAS-managed key must go through <see cref="GetAsync"/> and every write through
/// <see cref="CompareAndSwapAsync"/> or <see cref="TransactAsync{T}"/>: a plain read may see a marker,
/// and a plain write breaks atomicity. Thread-safe; share one per <see cref="MemcacheClient"/>.
/// </summary>
public sealed partial class McasClient : IAsyncDisposable
{
    private const int MaxHelpDepth = 64;

    /// <summary>How often one read or one install may find the key taken by another operation before it gives up.</summary>
    private const int MaxReadAttempts = 64;
    private static readonly TimeSpan MissingRecheckDelay = TimeSpan.FromMilliseconds(20);

    private readonly MemcacheClient _client;
    private readonly McasOptions _options;
    private readonly byte[] _descriptorKeyPrefix;

    // Descriptors this client finished (phase 2 answered); deleted with the phase 2 of its next operation (or by
    // FlushAsync), so the delete costs the caller no round trip of its own.
    private readonly ConcurrentQueue<string> _finished = new();

    /// <summary>Creates an MCAS client over <paramref name="client"/>, which it does not own.</summary>
    /// <exception cref="NotSupportedException">The client's failover policy is <see cref="FailoverPolicy.Gutter"/> (MCAS needs every key to have one home).</exception>
    public McasClient(MemcacheClient client, McasOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.RefuseMovingFailover("MCAS (McasClient)");
        _client = client;
        _options = (options ?? new McasOptions()).Validated();
        _descriptorKeyPrefix = System.Text.Encoding.UTF8.GetBytes(_options.KeyPrefix + "mcas:");
    }

    /// <summary>The underlying client.</summary>
    public MemcacheClient Client => _client;

    /// <summary>
    /// Testing only: runs after the owner of an operation has acquired every key (end of phase 1) and
    /// before it decides. A crash test blocks here and kills the process.
    /// </summary>
    internal Func<string, IReadOnlyList<string>, CancellationToken, ValueTask>? AfterPhase1ForTesting { get; set; }

    /// <summary>
    /// McasGet (docs/mcas.md): reads a key, first helping any operation that owns it to finish. Never returns a
    /// marker. A missing key is an entry with <see cref="McasEntry.Exists"/> false.
    /// </summary>
    /// <exception cref="McasCorruptionException">The key points to a descriptor that no longer exists and holds a value it replaced.</exception>
    /// <exception cref="McasConflictException">Other operations took the key over <c>64</c> times in a row while this read tried to get past them.</exception>
    public ValueTask<McasEntry> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        McasMetrics.RoundTrips.Add(1);
        return ReadEntryAsync(key, cancellationToken);
    }

    /// <summary>
    /// McasGet after its first read was counted as a round trip (by itself or as part of a wave); <paramref name="firstRead"/>
    /// is that read's reply when it was already made (<see cref="GetManyAsync"/>'s wave).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<McasEntry> ReadEntryAsync(string key, CancellationToken cancellationToken, (CacheValue Value, long Ttl)? firstRead = null)
    {
        var missing = new MissingDescriptorCheck();
        for (var attempt = 0; attempt < MaxReadAttempts; attempt++)
        {
            if (attempt > 0)
            {
                McasMetrics.RoundTrips.Add(1);
            }
            var (value, ttl) = attempt == 0 && firstRead is { } read ? read : await ReadAsync(key, cancellationToken).ConfigureAwait(false);
            if (StoredRecordCodec.TryDecodeMarker(value) is not { } marker)
            {
                return ToEntry(key, value, ttl);
            }
            await ResolveForeignMarkerAsync(key, marker, value.Cas, missing, chain: null, "reading it", cancellationToken).ConfigureAwait(false);
        }
        throw Contended(key, MaxReadAttempts);
    }

    /// <summary>
    /// Reads several keys through <see cref="GetAsync"/>, all at once (one wave); results in the order of <paramref name="keys"/>.
    /// Each key is read on its own: this is not a snapshot (a reader can see some keys of an operation before it
    /// and others after it). Use <see cref="TransactAsync{T}"/> for a consistent read.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<McasEntry[]> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var results = new McasEntry[keys.Count];
        if (results.Length == 0)
        {
            return results;
        }
        for (var i = 0; i < results.Length; i++)
        {
            ArgumentException.ThrowIfNullOrEmpty(keys[i], nameof(keys));
        }
        // One wave: every key's first read goes out at once, one write per server. A key that holds a marker is
        // resolved on its own afterwards (help, undo an orphan, or wait), as GetAsync does.
        McasMetrics.RoundTrips.Add(1);
        McasMetrics.Requests.Add(results.Length);
        var wave = _client.NewWave(results.Length);
        for (var i = 0; i < results.Length; i++)
        {
            wave.Add<GetWithTtlCommand, (CacheValue, long)>(default, keys[i], default);
        }
        wave.Send(cancellationToken);
        var reads = await wave.AllResultsAsync<GetWithTtlCommand, (CacheValue, long)>(static _ => default).ConfigureAwait(false);
        List<(int Index, CacheValue Value, long Ttl)>? marked = null;
        for (var i = 0; i < results.Length; i++)
        {
            var (value, ttl) = reads[i];
            if (StoredRecordCodec.TryDecodeMarker(value) is null)
            {
                results[i] = ToEntry(keys[i], value, ttl);
            }
            else
            {
                (marked ??= []).Add((i, value, ttl));
            }
        }
        if (marked is not null)
        {
            foreach (var (i, value, ttl) in marked)
            {
                results[i] = await ReadEntryAsync(keys[i], cancellationToken, (value, ttl)).ConfigureAwait(false);
            }
        }
        return results;
    }

    /// <summary>
    /// MCAS (docs/mcas.md): applies every update if and only if every key still matches its entry, atomically
    /// across keys and servers. Returns false on a conflict (nothing changed). An empty list returns true
    /// and writes nothing; a key listed twice is an <see cref="ArgumentException"/>. When a request of a multi-key
    /// operation fails (timeout, lost connection, dead server), this client settles the operation and returns its
    /// real outcome if the servers answer within about 0.7 s (docs/mcas.md 4.2, "When the owner's own request fails").
    /// </summary>
    /// <exception cref="McasOutcomeUnknownException">The outcome could not be learned: the descriptor was gone when this client came to decide (it stalled past <see cref="McasOptions.HelperLinger"/>, or the descriptor was evicted or flushed), or a request failed and the descriptor could not be read to settle it (the failure is the inner exception; the operation is finished in the background). Read the keys to see whether it happened.</exception>
    /// <exception cref="ServerUnavailableException">The server of the descriptor (or, for one key, of the key) is marked dead: nothing was sent, nothing changed.</exception>
    /// <exception cref="MemcacheException">A single-key commit's request failed: its CAS may or may not have been executed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled; a multi-key operation already started is finished in the background, with whichever outcome its first decider finds.</exception>
    [McasCommit]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> CompareAndSwapAsync(IReadOnlyList<McasUpdate> updates, CancellationToken cancellationToken = default) =>
        (await ExecuteAsync(updates, cancellationToken).ConfigureAwait(false)).Succeeded;

    /// <summary>
    /// Waits for the phase 2 of every operation this client returned from before the call (an operation returns once
    /// decided; its keys are released in the background), and for the finishing of any whose phase 2 failed (retried
    /// until its servers answer, for up to half of <see cref="McasOptions.DescriptorTtl"/>; cancel with
    /// <paramref name="cancellationToken"/>), then deletes the descriptors of finished operations that are still queued
    /// for clean-up.
    /// </summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await WaitForPhase2Async(cancellationToken).ConfigureAwait(false);
        await WaitForUnfinishedAsync(cancellationToken).ConfigureAwait(false);
        await DeleteFinishedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for pending phase 2 work, stops finishing operations whose phase 2 failed (readers finish those; see
    /// <see cref="FlushAsync"/> to wait for them instead) and flushes queued clean-up. The underlying
    /// <see cref="MemcacheClient"/> stays open.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await WaitForPhase2Async(CancellationToken.None).ConfigureAwait(false);
        await StopUnfinishedAsync().ConfigureAwait(false);
        await DeleteFinishedAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private async ValueTask DeleteFinishedAsync(CancellationToken cancellationToken)
    {
        var deletes = DrainFinished(int.MaxValue);
        if (deletes.Count > 0)
        {
            McasMetrics.RoundTrips.Add(1);
            McasMetrics.Requests.Add(deletes.Count);
            var wave = new ReleaseWave(_client.NewWave(deletes.Count));
            foreach (var key in deletes)
            {
                wave.AddDelete(key, CasToken.None);
            }
            await wave.SendAndAwaitAsync(deletes.Count, _client.Logger, cancellationToken).ConfigureAwait(false);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<(bool Succeeded, string? FailedKey)> ExecuteAsync(IReadOnlyList<McasUpdate> updates, CancellationToken cancellationToken, bool acquireInOrder = false)
    {
        ArgumentNullException.ThrowIfNull(updates);
        if (updates.Count == 0)
        {
            return (true, null);
        }
        var items = BuildItems(updates);
        McasMetrics.Operations.Add(1);
        if (items.Length == 1)
        {
            return await SingleAsync(items[0], cancellationToken).ConfigureAwait(false);
        }
        var (id, descriptorKey, colocated) = NewDescriptorKey(items[0].Key);
        var descriptor = new Descriptor { Key = descriptorKey, Id = id, Status = McasStatus.Undecided, Items = items, AcquireInOrder = acquireInOrder };
        var encoded = StoredRecordCodec.EncodeDescriptor(descriptor);
        if (encoded.Length > _client.MaxValueSizeForMcas)
        {
            throw new ArgumentException($"The MCAS descriptor for {items.Length} keys would be {encoded.Length} bytes, over the client's MaxValueSize; it holds every old and new value, so split the operation or shrink the values.", nameof(updates));
        }
        try
        {
            return await StartAsync(descriptor, encoded, colocated, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportFailure(ex) && !descriptor.NothingSent)
        {
            return await SettleAfterFailureAsync(descriptor, ex, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            FinishInBackground(descriptor.Key); // the caller stopped waiting, perhaps halfway: nobody else may read soon
            throw;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(bool Succeeded, string? FailedKey)> StartAsync(Descriptor descriptor, byte[] encoded, bool colocated, CancellationToken cancellationToken)
    {
        // Wave 1: the descriptor and, when it lives on the first key's server, the markers of every key there right behind it.
        McasMetrics.RoundTrips.Add(1);
        if (colocated && TryAddWithMarkers(descriptor, encoded, cancellationToken, out var results) is { } sentWith)
        {
            McasMetrics.Requests.Add(results.Length);
            return await StartedWithMarkersAsync(descriptor, sentWith, results, cancellationToken).ConfigureAwait(false);
        }
        McasMetrics.Requests.Add(1);
        StoreResult stored;
        try
        {
            stored = await _client.AddAsync(descriptor.Key, encoded, _options.DescriptorTtl, MemstoreWireFormat.ReservedFlag, cancellationToken).ConfigureAwait(false);
        }
        catch (MemcacheException ex) when (ex.NotSent)
        {
            descriptor.NothingSent = true;
            throw;
        }
        if (!stored.Stored)
        {
            throw DescriptorNotAdded(descriptor, stored.Status);
        }
        descriptor.Cas = stored.Cas;
        return await HelpAsync(descriptor, owner: true, outer: null, (-1, CasToken.None), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One key needs no descriptor: a single CAS (or add, or CAS'd delete) is already atomic.</summary>
    private async ValueTask<(bool, string?)> SingleAsync(DescriptorItem item, CancellationToken cancellationToken)
    {
        bool ok;
        McasMetrics.RoundTrips.Add(1);
        McasMetrics.Requests.Add(1);
        if (item.NewValue is null)
        {
            ok = item.ExpectAbsent
                ? !(await GetAsync(item.Key, cancellationToken).ConfigureAwait(false)).Exists
                : await _client.DeleteAsync(item.Key, new CasToken(item.ExpectedCas), cancellationToken).ConfigureAwait(false) == DeleteStatus.Deleted;
        }
        else
        {
            var expiry = ToExpiry(item.NewExpires);
            var result = item.ExpectAbsent
                ? await _client.AddAsync(item.Key, item.NewValue, expiry, item.NewFlags, cancellationToken).ConfigureAwait(false)
                : await _client.CompareAndSetAsync(item.Key, item.NewValue, new CasToken(item.ExpectedCas), expiry, item.NewFlags, cancellationToken).ConfigureAwait(false);
            ok = result.Stored;
        }
        if (!ok)
        {
            McasMetrics.Conflicts.Add(1);
        }
        return (ok, ok ? null : item.Key);
    }

    private static DescriptorItem[] BuildItems(IReadOnlyList<McasUpdate> updates)
    {
        var sorted = new (byte[] KeyBytes, McasUpdate Update)[updates.Count];
        for (var i = 0; i < updates.Count; i++)
        {
            var update = updates[i];
            if (update.Entry is null)
            {
                throw new ArgumentException($"Update {i} has no entry (default McasUpdate).", nameof(updates));
            }
            _ = Expiration.ToTtl(update.Expiry); // an expiry memcached cannot store is refused before anything is sent
            sorted[i] = (Protocol.KeyCodec.EncodeStrictToArray(update.Entry.Key), update); // refuses lone surrogates before anything is sent
        }
        // One order, ordinal over UTF-8 bytes, for every client: it fixes the descriptor's item indexes (docs/mcas.md 3).
        Array.Sort(sorted, static (a, b) => a.KeyBytes.AsSpan().SequenceCompareTo(b.KeyBytes));
        for (var i = 1; i < sorted.Length; i++)
        {
            // Equal UTF-8 bytes are equal keys (lone surrogates were refused), and sorting puts them side by side.
            if (sorted[i].KeyBytes.AsSpan().SequenceEqual(sorted[i - 1].KeyBytes))
            {
                throw new ArgumentException($"The key {sorted[i].Update.Entry.Key} appears twice in one MCAS; each key may be updated once.", nameof(updates));
            }
        }
        var now = DateTimeOffset.UtcNow;
        var items = new DescriptorItem[sorted.Length];
        for (var i = 0; i < sorted.Length; i++)
        {
            var (entry, update) = (sorted[i].Update.Entry, sorted[i].Update);
            var oldExpires = entry.ExpiresAt is { } at ? Math.Max(1, at.ToUnixTimeSeconds()) : 0;
            items[i] = new DescriptorItem
            {
                Key = entry.Key,
                ExpectedCas = entry.Exists ? entry.Cas.Value : 0,
                OldValue = entry.Value,
                OldFlags = entry.Flags,
                OldExpires = oldExpires,
                NewValue = update.NewValue,
                NewFlags = update.Flags,
                NewExpires = update.Expiry switch
                {
                    null => oldExpires,
                    { } e when e == TimeSpan.Zero => 0,
                    { } e => now.ToUnixTimeSeconds() + (long)Math.Ceiling(e.TotalSeconds),
                },
            };
        }
        return items;
    }

    private List<string> DrainFinished(int max)
    {
        var keys = new List<string>();
        while (keys.Count < max && _finished.TryDequeue(out var key))
        {
            keys.Add(key);
        }
        return keys;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<(CacheValue Value, long Ttl)> ReadAsync(string key, CancellationToken cancellationToken)
    {
        McasMetrics.Requests.Add(1);
        return await _client.GetWithTtlAsync(key, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<Descriptor?> LoadDescriptorAsync(string descriptorKey, CancellationToken cancellationToken)
    {
        McasMetrics.Requests.Add(1);
        var value = await _client.GetAsync(descriptorKey, cancellationToken).ConfigureAwait(false);
        return value.Found ? StoredRecordCodec.DecodeDescriptor(descriptorKey, value) : null;
    }

    private static McasEntry ToEntry(string key, in CacheValue value, long ttl) => value.Found
        ? McasEntry.Present(key, value.Value!, value.Flags, value.Cas, ttl < 0 ? null : DateTimeOffset.UtcNow.AddSeconds(ttl))
        : McasEntry.Absent(key);

    /// <summary>Unix seconds (0 = never) to the client's expiry; a deadline already passed becomes one second.</summary>
    internal static TimeSpan? ToExpiry(long unixSeconds)
    {
        if (unixSeconds == 0)
        {
            return null;
        }
        var left = unixSeconds - DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return TimeSpan.FromSeconds(Math.Max(1, left));
    }

    private static McasCorruptionException Corruption(string descriptorKey, IReadOnlyList<string> keys, string advice)
    {
        McasMetrics.Corruptions.Add(keys.Count);
        return new McasCorruptionException(
            $"MCAS corruption: key(s) {string.Join(", ", keys)} point to descriptor {descriptorKey}, which no longer exists (evicted, flushed or expired); their value cannot be known. {advice}",
            descriptorKey, keys);
    }
}
