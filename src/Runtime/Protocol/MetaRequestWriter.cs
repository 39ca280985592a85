namespace Memstore.Protocol;

/// <summary>
/// Formats meta-protocol requests (memcached doc/protocol.txt, "Meta Commands") and the few classic
/// commands that have no meta form. Pure formatting: keys arrive already validated by <see cref="KeyCodec"/>.
/// </summary>
internal static class MetaRequestWriter
{
    // Every request that MemcacheClient sends carries an opaque token (O flag), which memcached echoes in
    // its reply (not in error lines), so the reader can check that each reply answers its request.

    /// <summary><c>mg</c>: fetch value, client flags and CAS token; optionally touch; optionally quiet with an opaque.</summary>
    public static void Get(RequestBuffer buffer, ReadOnlySpan<byte> key, KeyMode mode, bool withValue, uint? touchTtl, bool quiet = false, long opaque = -1, bool withTtl = false)
    {
        BeginKeyed(buffer, "mg "u8, key, mode);
        if (withValue)
        {
            buffer.Write(" v f c"u8);
        }
        if (withTtl)
        {
            buffer.WriteFlag((byte)'t');
        }
        if (touchTtl is { } ttl)
        {
            buffer.WriteFlag((byte)'T', ttl);
        }
        EndWithQuietAndOpaque(buffer, quiet, opaque);
    }

    /// <summary><c>ms</c>: store a value in the given mode, asking for the new CAS token back.</summary>
    public static void Store(RequestBuffer buffer, ReadOnlySpan<byte> key, KeyMode mode, StoreMode storeMode,
        ReadOnlySpan<byte> value, uint clientFlags, uint ttl, CasToken compare, long opaque = -1)
    {
        buffer.Write("ms "u8);
        KeyCodec.WriteWireKey(buffer, key, mode);
        buffer.WriteByte((byte)' ');
        buffer.WriteDecimal((ulong)value.Length);
        if (mode == KeyMode.Base64)
        {
            buffer.WriteFlag((byte)'b');
        }
        buffer.WriteFlag((byte)'c');
        // append/prepend keep the item's own flags and TTL, so sending them would only mislead a reader of the wire.
        if (storeMode is not (StoreMode.Append or StoreMode.Prepend))
        {
            buffer.WriteFlag((byte)'F', clientFlags);
            buffer.WriteFlag((byte)'T', ttl);
        }
        if (compare.HasValue)
        {
            buffer.WriteFlag((byte)'C', compare.Value);
        }
        var modeFlag = storeMode switch
        {
            StoreMode.Add => (byte)'E',
            StoreMode.Replace => (byte)'R',
            StoreMode.Append => (byte)'A',
            StoreMode.Prepend => (byte)'P',
            _ => (byte)0,
        };
        if (modeFlag != 0)
        {
            buffer.Write(" M"u8);
            buffer.WriteByte(modeFlag);
        }
        EndWithQuietAndOpaque(buffer, quiet: false, opaque);
        buffer.Write(value);
        buffer.WriteCrLf();
    }

    /// <summary><c>md</c>: delete, optionally only if the CAS token still matches.</summary>
    public static void Delete(RequestBuffer buffer, ReadOnlySpan<byte> key, KeyMode mode, CasToken compare, long opaque = -1)
    {
        BeginKeyed(buffer, "md "u8, key, mode);
        if (compare.HasValue)
        {
            buffer.WriteFlag((byte)'C', compare.Value);
        }
        EndWithQuietAndOpaque(buffer, quiet: false, opaque);
    }

    /// <summary>
    /// <c>ma</c>: increment or decrement, returning the new value and CAS token. With an initial value the
    /// item is created on a miss (<c>N</c> and <c>J</c> flags) with the given TTL.
    /// </summary>
    public static void Arithmetic(RequestBuffer buffer, ReadOnlySpan<byte> key, KeyMode mode, bool decrement,
        ulong delta, ulong? initialValue, uint ttl, long opaque = -1)
    {
        BeginKeyed(buffer, "ma "u8, key, mode);
        if (initialValue is { } initial)
        {
            buffer.WriteFlag((byte)'N', ttl);
            buffer.WriteFlag((byte)'J', initial);
        }
        buffer.WriteFlag((byte)'D', delta);
        if (decrement)
        {
            buffer.Write(" MD"u8);
        }
        buffer.Write(" v c"u8);
        EndWithQuietAndOpaque(buffer, quiet: false, opaque);
    }

    /// <summary><c>mn</c>: a no-op whose <c>MN</c> reply closes a batch of quiet requests.</summary>
    public static void NoOp(RequestBuffer buffer) => buffer.Write("mn\r\n"u8);

    /// <summary>Classic <c>version</c>.</summary>
    public static void Version(RequestBuffer buffer) => buffer.Write("version\r\n"u8);

    /// <summary>Classic <c>stats [group]</c>. The group must be a plain word (checked by the caller).</summary>
    public static void Stats(RequestBuffer buffer, string? group)
    {
        buffer.Write("stats"u8);
        if (!string.IsNullOrEmpty(group))
        {
            buffer.WriteByte((byte)' ');
            var span = buffer.GetSpan(group.Length * 3);
            buffer.Advance(System.Text.Encoding.ASCII.GetBytes(group, span));
        }
        buffer.WriteCrLf();
    }

    /// <summary>Classic <c>flush_all [delay]</c>.</summary>
    public static void FlushAll(RequestBuffer buffer, uint delaySeconds)
    {
        buffer.Write("flush_all"u8);
        if (delaySeconds > 0)
        {
            buffer.WriteByte((byte)' ');
            buffer.WriteDecimal(delaySeconds);
        }
        buffer.WriteCrLf();
    }

    private static void BeginKeyed(RequestBuffer buffer, ReadOnlySpan<byte> command, ReadOnlySpan<byte> key, KeyMode mode)
    {
        buffer.Write(command);
        KeyCodec.WriteWireKey(buffer, key, mode);
        if (mode == KeyMode.Base64)
        {
            buffer.WriteFlag((byte)'b');
        }
    }

    private static void EndWithQuietAndOpaque(RequestBuffer buffer, bool quiet, long opaque)
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
