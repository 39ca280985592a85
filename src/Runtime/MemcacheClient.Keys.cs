using Memstore.Protocol;
using Memstore.Transport;

namespace Memstore;

public sealed partial class MemcacheClient
{
    /// <summary>
    /// A key that passed validation: the UTF-8 bytes that are hashed and sent, and the caller's string when the
    /// key came as one. A key given as bytes stays bytes; it becomes text only if an error message needs it.
    /// </summary>
    private readonly ref struct ValidKey(ReadOnlySpan<byte> bytes, string? text)
    {
        public ReadOnlySpan<byte> Bytes { get; } = bytes;

        public string? Text { get; } = text;

        /// <summary>The key for an error message.</summary>
        public string Describable => Text ?? KeyCodec.Describable(Bytes);
    }

    /// <summary>
    /// Validates a key. A string key is encoded into <paramref name="scratch"/> (<see cref="KeyCodec.ScratchSize"/>
    /// bytes; see <see cref="ScratchFor"/>); a key given as bytes is checked where it is.
    /// </summary>
    private ValidKey Validate(MemcacheKey key, Span<byte> scratch)
    {
        if (key.IsText)
        {
            return new ValidKey(scratch[..KeyCodec.Encode(key.Text!, _keyMode, scratch)], key.Text);
        }
        KeyCodec.Validate(key.Utf8, _keyMode);
        return new ValidKey(key.Utf8, null);
    }

    /// <summary>How much scratch space <see cref="Validate"/> needs for this key: none for bytes.</summary>
    private static int ScratchFor(MemcacheKey key) => key.IsText ? KeyCodec.ScratchSize : 0;

    /// <summary>Like <see cref="Route(in ValidKey, string, out Exception?, out uint)"/>, throwing the failure (for callers already inside a task).</summary>
    private Connection Route(in ValidKey key, string operation)
    {
        var connection = Route(key, operation, out var failure, out _);
        return failure is null ? connection : throw failure;
    }

    /// <summary>
    /// Picks the connection of the server that owns the key, applying the failover policy when that server
    /// is marked dead, or has answered nothing for an operation timeout: fail at once, move to the next
    /// live server on the continuum, or go to the gutter pool. A failure is returned, not thrown, so that the
    /// caller can deliver it through the task it returns (only argument mistakes throw synchronously).
    /// <paramref name="maxTtl"/> is the TTL cap the command must apply: 0, or the gutter cap when the key went there.
    /// </summary>
    private Connection Route(in ValidKey key, string operation, out Exception? failure, out uint maxTtl)
    {
        failure = null;
        maxTtl = 0;
        // One read of the server list per call: a membership change swaps it whole, so the ring, the nodes and
        // the live flags used below all belong to the same list. A node removed after this read still takes the
        // request while it drains (see MemcacheClient.Membership.cs).
        var topology = Volatile.Read(ref _topology);
        var locator = topology.Locator;
        var index = locator.Locate(key.Bytes);
        var node = topology.Nodes[index];
        if (Volatile.Read(ref _disposed) != 0)
        {
            failure = new ObjectDisposedException(nameof(MemcacheClient), $"The client is disposed; {ErrorText.Operation(operation, key.Describable)} was not sent.");
            return node.NextConnection();
        }
        var excluded = -1;
        if (!node.Health.IsDead)
        {
            var connection = node.NextConnection();
            if (!connection.IsUnresponsive)
            {
                return connection;
            }
            // Queueing behind a server that answers nothing only adds one more timeout: refuse or move now,
            // and count it, so that the server is marked dead after a few such calls even with one caller.
            var refused = connection.Unresponsive(operation, key.Describable);
            var nowDead = node.Health.ReportTimeouts(1, refused);
            if (_options.Failover == FailoverPolicy.FailFast)
            {
                failure = nowDead ? node.Health.Unavailable(operation, key.Describable) : refused;
                return connection;
            }
            if (_gutter is not null)
            {
                return RouteToGutter(key, operation, node, out failure, out maxTtl);
            }
            excluded = nowDead ? -1 : index;
        }
        else if (_options.Failover == FailoverPolicy.FailFast)
        {
            failure = node.Health.Unavailable(operation, key.Describable);
            return node.NextConnection();
        }
        else if (_gutter is not null)
        {
            return RouteToGutter(key, operation, node, out failure, out maxTtl);
        }
        var live = excluded < 0 ? locator.LocateLive(key.Bytes) : locator.LocateLive(key.Bytes, excluded);
        if (live < 0)
        {
            failure = node.Health.Unavailable(operation, key.Describable);
            return node.NextConnection();
        }
        return topology.Nodes[live].NextConnection();
    }

    /// <summary>
    /// The gutter pool's connection for a key whose primary is dead or silent: the key's own server on the gutter
    /// ring, with the TTL cap. No second move: when that gutter server is dead too, the call fails naming both.
    /// </summary>
    private Connection RouteToGutter(in ValidKey key, string operation, Cluster.ServerNode primary, out Exception? failure, out uint maxTtl)
    {
        failure = null;
        maxTtl = _gutterMaxTtl;
        var gutter = _gutter!;
        var node = gutter.Nodes[gutter.Locator.Locate(key.Bytes)];
        var connection = node.NextConnection();
        if (node.Health.IsDead)
        {
            failure = primary.Health.Unavailable(operation, key.Describable, node.Health);
            return connection;
        }
        if (connection.IsUnresponsive)
        {
            var refused = connection.Unresponsive(operation, key.Describable);
            failure = node.Health.ReportTimeouts(1, refused) ? primary.Health.Unavailable(operation, key.Describable, node.Health) : refused;
            return connection;
        }
        if (Telemetry.MemstoreInstruments.GutterRouted.Enabled)
        {
            Telemetry.MemstoreInstruments.RecordGutterRouted(TelemetryName, node.Tags);
        }
        return connection;
    }

    private void CheckValueSize(in ValidKey key, int length)
    {
        if ((uint)length > _maxValueSize)
        {
            throw new ValueTooLargeException(
                $"The value for key {KeyCodec.Describe(key.Describable)} is {length} bytes, over MemcacheClientOptions.MaxValueSize ({_maxValueSize} bytes); nothing was sent. "
                + "Raise the limit only together with the servers' item size (memcached -I).", length, (int)_maxValueSize);
        }
    }

    /// <summary>
    /// Refuses a value the server itself could not store (it would answer SERVER_ERROR object too large after
    /// the value crossed the wire): its item_size_max, learnt when the connection was opened, less the
    /// per-item overhead and the key. Unknown until the first connection to the server has been probed.
    /// </summary>
    private static void CheckServerValueSize(in ValidKey key, int length, Connection connection)
    {
        if (connection.Settings is not { } settings)
        {
            return;
        }
        var limit = settings.MaxValueLength(key.Bytes.Length);
        if (limit >= 0 && length > limit)
        {
            throw new ValueTooLargeException(
                $"The value for key {KeyCodec.Describe(key.Describable)} is {length} bytes; {connection.Name} can store at most {limit} bytes under this key "
                + $"(its item_size_max of {settings.ItemSizeMax} bytes, memcached -I, less {settings.ItemOverhead} bytes of per-item overhead and the {key.Bytes.Length}-byte key); nothing was sent.",
                length, (int)Math.Max(0, limit));
        }
    }
}
