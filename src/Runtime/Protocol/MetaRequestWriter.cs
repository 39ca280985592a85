namespace Memstore.Protocol;

/// <summary>
/// The pieces every meta request line shares, and the no-op that closes a wave of quiet requests. Each command
/// formats its own line (Protocol/Commands, the classic ones in ServerCommands.cs); keys arrive already
/// validated by <see cref="KeyCodec"/>.
/// </summary>
internal static class MetaRequestWriter
{
    // Every request that MemcacheClient sends carries an opaque token (O flag), which memcached echoes in
    // its reply (not in error lines), so the reader can check that each reply answers its request.

    /// <summary><c>mn</c>: a no-op whose <c>MN</c> reply closes a batch of quiet requests.</summary>
    public static void NoOp(RequestBuffer buffer) => buffer.Write("mn\r\n"u8);

    /// <summary>A keyed meta command's start: the command, the key as sent, and <c>b</c> for base64 keys.</summary>
    public static void BeginKeyed(RequestBuffer buffer, ReadOnlySpan<byte> command, ReadOnlySpan<byte> key, KeyMode mode)
    {
        buffer.Write(command);
        KeyCodec.WriteWireKey(buffer, key, mode);
        if (mode == KeyMode.Base64)
        {
            buffer.WriteFlag((byte)'b');
        }
    }

    /// <summary>A meta command line's end: quiet mode, the opaque token (none when below zero), CRLF.</summary>
    public static void EndWithQuietAndOpaque(RequestBuffer buffer, bool quiet, long opaque)
    {
        if (quiet)
        {
            buffer.WriteFlag((byte)'q');
        }
        if (opaque >= 0)
        {
            buffer.WriteFlag((byte)'O', (ulong)opaque);
        }
        buffer.WriteCrLf();
    }
}
