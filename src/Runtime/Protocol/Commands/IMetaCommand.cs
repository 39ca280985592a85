using System.Buffers;

namespace Memstore.Protocol.Commands;

/// <summary>
/// One meta command: it writes its own request line, with every flag it needs, and reads its own reply into its
/// result. The client sends every single-key command through one path (MemcacheClient.Execute.cs); the command
/// is the only place that knows its flags and what its reply means, so a new flag touches one type.
/// </summary>
/// <remarks>Implemented by structs so the one execute path is specialised per command, with no allocation.</remarks>
/// <typeparam name="TResult">What the caller gets back.</typeparam>
internal interface IMetaCommand<out TResult>
{
    /// <summary>The operation's name in errors and telemetry (<c>get</c>, <c>cas</c>, ...).</summary>
    string Name { get; }

    /// <summary>The replies that can answer this command; any other reply means the stream is out of step.</summary>
    ReplyKinds Accepts { get; }

    /// <summary>Where a <c>VA</c> reply's value goes.</summary>
    ValueTarget Target { get; }

    /// <summary>The caller's buffer for <see cref="ValueTarget.Writer"/>, else null.</summary>
    IBufferWriter<byte>? Destination { get; }

    /// <summary>Whether a data block follows the request line (the value of a store).</summary>
    bool HasDataBlock { get; }

    /// <summary>
    /// Writes the request: the line with its flags and the opaque token, then the data block if any. Every TTL the
    /// command sets goes through <see cref="Expiration.Cap"/> with <paramref name="maxTtl"/>: 0, except for a key
    /// routed to the gutter pool (<see cref="FailoverPolicy.Gutter"/>).
    /// </summary>
    void Write(RequestBuffer request, ReadOnlySpan<byte> key, KeyMode mode, ReadOnlySpan<byte> dataBlock, uint opaque, uint maxTtl);

    /// <summary>Turns the reply into the result. <paramref name="value"/> is the value array the reply delivered
    /// (<see cref="ValueTarget.Array"/> or <see cref="ValueTarget.Pooled"/>), now owned by the command.</summary>
    TResult Read(in MetaReply reply, byte[]? value);
}

/// <summary>
/// A command that changes an item (store, delete, touch, invalidate, counter). Its failures because of the connection
/// or the server are reported through <see cref="MemcacheClient.WriteFailed"/> (MemcacheClient.WriteFailures.cs).
/// </summary>
internal interface IWriteCommand
{
    /// <summary>False for a command that only sometimes writes (a get that touches only with a TTL) when it does not.</summary>
    bool IsWrite { get; }
}
