namespace Memstore.Transport;

/// <summary>
/// Hands out the opaque tokens (<c>O</c> flag) a connection's requests carry, so every reply can be checked
/// against the request it claims to answer. memcached echoes the token in every reply except error lines.
/// Tokens are unique on a connection until the 32-bit counter wraps, far more requests than can ever be in
/// flight at once, so a stray or stale reply never carries the token the oldest request expects.
/// </summary>
internal sealed class OpaqueCounter
{
    private int _last = -1;

    /// <summary>The next token (the first is 0).</summary>
    public uint Next() => (uint)Interlocked.Increment(ref _last);
}
