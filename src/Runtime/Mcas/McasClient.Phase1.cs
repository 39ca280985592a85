using System.Runtime.CompilerServices;
using Memstore.Protocol.Commands;

namespace Memstore.Mcas;

public sealed partial class McasClient
{
    /// <summary>
    /// Phase 1 (docs/mcas.md 4.3): every item not yet acquired is attempted at once, as one wave, and every reply is
    /// settled before the caller decides. So the decide records every marker that can ever stand on a key expected to
    /// hold a value: an install there is CAS'd on the token the operation read, at most one can succeed, and an item
    /// whose install was refused has spent that token for good. Only keys expected absent can be taken again; they are
    /// attempted again in the next round after the operation holding them was helped.
    /// Returns the outcome and, for FAILED, the first item that could not be acquired.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(McasStatus Outcome, int FailedAt)> AcquireAllAsync(Descriptor d, CasToken[] mine, HelpChain chain, CancellationToken cancellationToken)
    {
        if (d.AcquireInOrder)
        {
            return await AcquireInOrderAsync(d, mine, chain, cancellationToken).ConfigureAwait(false);
        }
        MissingDescriptorCheck[]? missing = null;
        List<int>? pending = null;
        for (var round = 0; round < MaxReadAttempts; round++)
        {
            pending?.Clear();
            for (var i = 0; i < d.Items.Length; i++)
            {
                if (!mine[i].HasValue)
                {
                    (pending ??= new List<int>(d.Items.Length - i)).Add(i);
                }
            }
            if (pending is not { Count: > 0 })
            {
                return (McasStatus.Succeeded, -1);
            }
            var refused = await InstallWaveAsync(d, pending, mine, cancellationToken).ConfigureAwait(false);
            if (refused is null)
            {
                return (McasStatus.Succeeded, -1);
            }
            var reads = await ReadWaveAsync(d, refused, cancellationToken).ConfigureAwait(false);
            var failedAt = -1;
            List<(int Index, Marker Marker, CasToken Token)>? held = null;
            for (var j = 0; j < refused.Count; j++)
            {
                var i = refused[j];
                var item = d.Items[i];
                var value = reads[j].Value;
                if (StoredRecordCodec.TryDecodeMarker(value) is not { } found)
                {
                    if (!(item.ExpectAbsent && !value.Found))
                    {
                        failedAt = failedAt < 0 ? i : Math.Min(failedAt, i); // a value, or gone when a value was expected
                    }
                    // else: absent again since the install was refused; the next round installs it again
                }
                else if (found.DescriptorKey == d.Key)
                {
                    mine[i] = value.Cas; // another participant of this operation was first
                }
                else if (!item.ExpectAbsent)
                {
                    failedAt = failedAt < 0 ? i : Math.Min(failedAt, i); // the token it expected is spent: no waiting brings it back
                }
                else
                {
                    (held ??= []).Add((i, found, value.Cas));
                }
            }
            if (failedAt >= 0)
            {
                return (McasStatus.Failed, failedAt);
            }
            foreach (var (i, marker, token) in held ?? [])
            {
                missing ??= new MissingDescriptorCheck[d.Items.Length];
                var check = missing[i] ??= new MissingDescriptorCheck();
                if (!await ResolveForeignMarkerAsync(d.Items[i].Key, marker, token, check, chain, $"MCAS {d.Key} cannot acquire it", cancellationToken).ConfigureAwait(false))
                {
                    return (McasStatus.Failed, i); // that operation is one this participant is helping already: a cycle
                }
            }
        }
        throw Contended(d.Items[pending![0]].Key, MaxReadAttempts);
    }

    /// <summary>
    /// Phase 1 one key at a time in key order (a transaction's retry): a key held by another operation is helped to
    /// its end first, whatever it was expected to hold, so two operations on the same keys cannot each take one and
    /// both fail. Once a key cannot be acquired, every later key is still attempted (one wave) before the caller
    /// decides: the rule of docs/mcas.md 4.3 that keeps every marker over a value recorded.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(McasStatus Outcome, int FailedAt)> AcquireInOrderAsync(Descriptor d, CasToken[] mine, HelpChain chain, CancellationToken cancellationToken)
    {
        for (var i = 0; i < d.Items.Length; i++)
        {
            if (mine[i].HasValue || await AcquireOneAsync(d, i, mine, chain, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }
            var rest = new List<int>();
            for (var j = i + 1; j < d.Items.Length; j++)
            {
                if (!mine[j].HasValue)
                {
                    rest.Add(j);
                }
            }
            if (rest.Count > 0 && await InstallWaveAsync(d, rest, mine, cancellationToken).ConfigureAwait(false) is { } refused)
            {
                var reads = await ReadWaveAsync(d, refused, cancellationToken).ConfigureAwait(false);
                for (var r = 0; r < refused.Count; r++)
                {
                    if (StoredRecordCodec.TryDecodeMarker(reads[r].Value) is { } found && found.DescriptorKey == d.Key)
                    {
                        mine[refused[r]] = reads[r].Value.Cas;
                    }
                }
            }
            return (McasStatus.Failed, i);
        }
        return (McasStatus.Succeeded, -1);
    }

    /// <summary>One key in order: our marker's token into <paramref name="mine"/> and true, or false when it cannot be acquired.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> AcquireOneAsync(Descriptor d, int index, CasToken[] mine, HelpChain chain, CancellationToken cancellationToken)
    {
        var item = d.Items[index];
        var one = new List<int>(1) { index };
        var missing = new MissingDescriptorCheck();
        for (var attempt = 0; attempt < MaxReadAttempts; attempt++)
        {
            if (await InstallWaveAsync(d, one, mine, cancellationToken).ConfigureAwait(false) is null)
            {
                return true;
            }
            var value = (await ReadWaveAsync(d, one, cancellationToken).ConfigureAwait(false))[0].Value;
            if (StoredRecordCodec.TryDecodeMarker(value) is not { } found)
            {
                if (item.ExpectAbsent && !value.Found)
                {
                    continue; // absent again since the install was refused
                }
                return false;
            }
            if (found.DescriptorKey == d.Key)
            {
                mine[index] = value.Cas;
                return true;
            }
            if (!await ResolveForeignMarkerAsync(item.Key, found, value.Cas, missing, chain, $"MCAS {d.Key} cannot acquire it", cancellationToken).ConfigureAwait(false))
            {
                return false; // a cycle
            }
            if (!item.ExpectAbsent)
            {
                return false; // helped; the token this operation read is spent all the same
            }
        }
        throw Contended(item.Key, MaxReadAttempts);
    }

    /// <summary>
    /// Installs the markers of <paramref name="pending"/> as one wave (one write per server); an installed marker's token
    /// goes to <paramref name="mine"/>. Returns the items whose install was refused, or null when none was. Every reply is
    /// awaited before the first failure is thrown, so no pooled request is left behind. One install goes out as a plain
    /// request: a wave of one costs more than the request itself.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<List<int>?> InstallWaveAsync(Descriptor d, List<int> pending, CasToken[] mine, CancellationToken cancellationToken)
    {
        McasMetrics.RoundTrips.Add(1);
        McasMetrics.Requests.Add(pending.Count);
        var markers = new MarkerBytes(d.Key);
        if (pending.Count == 1)
        {
            var item = d.Items[pending[0]];
            var installed = item.ExpectAbsent
                ? await _client.AddAsync(item.Key, markers.For(item), MarkerExpiry(item), MemstoreWireFormat.ReservedFlag, cancellationToken).ConfigureAwait(false)
                : await _client.CompareAndSetAsync(item.Key, markers.For(item), new CasToken(item.ExpectedCas), MarkerExpiry(item), MemstoreWireFormat.ReservedFlag, cancellationToken).ConfigureAwait(false);
            if (installed.Stored)
            {
                mine[pending[0]] = installed.Cas;
                return null;
            }
            return [pending[0]];
        }
        var wave = _client.NewWave(pending.Count);
        foreach (var i in pending)
        {
            var item = d.Items[i];
            wave.Add<StoreCommand, StoreResult>(InstallCommand(item), item.Key, markers.For(item));
        }
        wave.Send(cancellationToken);
        // A command only reads its reply and names the request; the one written had the same mode and token.
        var results = await wave.AllResultsAsync<StoreCommand, StoreResult>(j => InstallCommand(d.Items[pending[j]])).ConfigureAwait(false);
        List<int>? refused = null;
        for (var j = 0; j < results.Length; j++)
        {
            if (results[j].Stored)
            {
                mine[pending[j]] = results[j].Cas;
            }
            else
            {
                (refused ??= []).Add(pending[j]);
            }
        }
        return refused;
    }

    /// <summary>Reads the keys of <paramref name="indexes"/> as one wave; replies in the same order.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(CacheValue Value, long Ttl)[]> ReadWaveAsync(Descriptor d, List<int> indexes, CancellationToken cancellationToken)
    {
        McasMetrics.RoundTrips.Add(1);
        if (indexes.Count == 1)
        {
            return [await ReadAsync(d.Items[indexes[0]].Key, cancellationToken).ConfigureAwait(false)];
        }
        McasMetrics.Requests.Add(indexes.Count);
        var wave = _client.NewWave(indexes.Count);
        foreach (var i in indexes)
        {
            wave.Add<GetWithTtlCommand, (CacheValue, long)>(default, d.Items[i].Key, default);
        }
        wave.Send(cancellationToken);
        return await wave.AllResultsAsync<GetWithTtlCommand, (CacheValue, long)>(static _ => default).ConfigureAwait(false);
    }

    /// <summary>An operation's two markers (over a value, over an absent key), each encoded once and only when needed.</summary>
    private struct MarkerBytes(string descriptorKey)
    {
        private byte[]? _overValue;
        private byte[]? _overAbsent;

        public byte[] For(DescriptorItem item) => item.ExpectAbsent
            ? _overAbsent ??= StoredRecordCodec.EncodeMarker(descriptorKey, overAbsent: true)
            : _overValue ??= StoredRecordCodec.EncodeMarker(descriptorKey, overAbsent: false);
    }

    /// <summary>The install of an item's marker: an add when the key is expected absent, else a set CAS'd on the token read.</summary>
    private static StoreCommand InstallCommand(DescriptorItem item) => item.ExpectAbsent
        ? new StoreCommand(StoreMode.Add, MarkerExpiry(item), MemstoreWireFormat.ReservedFlag, CasToken.None)
        : new StoreCommand(StoreMode.Set, MarkerExpiry(item), MemstoreWireFormat.ReservedFlag, new CasToken(item.ExpectedCas));

    /// <summary>
    /// The operations one participant is helping, innermost first: an operation met again on this path is a cycle
    /// (markers installed out of order can make two operations wait for each other's key expected absent), which the
    /// inner one breaks by failing (docs/mcas.md 4.3).
    /// </summary>
    private sealed record HelpChain(string DescriptorKey, HelpChain? Outer)
    {
        public int Depth { get; } = (Outer?.Depth ?? 0) + 1;

        public bool Contains(string key)
        {
            for (var link = this; link is not null; link = link.Outer)
            {
                if (link.DescriptorKey == key)
                {
                    return true;
                }
            }
            return false;
        }
    }
}
