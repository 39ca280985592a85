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

    /// <summary>Validates a string key and encodes it into <paramref name="scratch"/> (<see cref="KeyCodec.ScratchSize"/> bytes).</summary>
    private ValidKey Validate(string key, Span<byte> scratch) =>
        new(scratch[..KeyCodec.Encode(key, _keyMode, scratch)], key);

    /// <summary>Validates a key given as UTF-8 bytes.</summary>
    private ValidKey Validate(ReadOnlySpan<byte> utf8Key)
    {
        KeyCodec.Validate(utf8Key, _keyMode);
        return new ValidKey(utf8Key, null);
    }

    /// <summary>
    /// Rents the pooled operation for a single-key request, records the key for its error messages, and tags it
    /// with the connection's next opaque token, which the request must carry and its reply must echo.
    /// </summary>
    private static MetaOperation Rent(string name, in ValidKey key, ValueTarget target, Connection connection, ReplyKinds accepted,
        System.Buffers.IBufferWriter<byte>? destination = null, bool hasDataBlock = false)
    {
        var operation = MetaOperation.Rent(name, key.Text, target, destination, hasDataBlock, accepted);
        if (key.Text is null)
        {
            operation.SetKey(key.Bytes);
        }
        operation.Tag(connection.Opaques.Next());
        return operation;
    }

    /// <summary>
    /// Picks the connection of the server that owns the key, applying the failover policy when that server
    /// is marked dead: fail at once, or move to the next live server on the continuum.
    /// </summary>
    private Connection Route(in ValidKey key, string operation)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var node = _nodes[_locator.Locate(key.Bytes)];
        if (!node.Health.IsDead)
        {
            return node.NextConnection();
        }
        if (_options.Failover == FailoverPolicy.FailFast)
        {
            throw node.Health.Unavailable(operation, key.Describable);
        }
        var live = _locator.LocateLive(key.Bytes);
        return live >= 0 ? _nodes[live].NextConnection() : throw node.Health.Unavailable(operation, key.Describable);
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
}
