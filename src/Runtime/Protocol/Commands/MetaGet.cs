namespace Memstore.Protocol.Commands;

/// <summary>
/// The <c>mg</c> request line, the one place it is formatted: value, client flags and CAS token (<c>v f c</c>)
/// when the value is wanted, the remaining TTL (<c>t</c>), a touch (<c>T</c>), quiet mode (<c>q</c>) and the
/// opaque token (<c>O</c>). The single-key get commands and the multi-gets write it.
/// </summary>
/// <remarks>
/// Every flag's default is its zero value, so <c>default</c>, <c>new MetaGet()</c> (which on a struct skips the
/// primary constructor) and the primary constructor all mean the same: a plain read of value, flags and CAS.
/// </remarks>
/// <param name="HeaderOnly">No value, flags or CAS token: only whether the item exists (a touch).</param>
/// <param name="TouchTtl">Sets the item's TTL in the same request.</param>
/// <param name="WithTtl">Asks for the remaining TTL.</param>
/// <param name="Quiet">Quiet mode: a miss sends nothing.</param>
internal readonly record struct MetaGet(bool HeaderOnly = false, uint? TouchTtl = null, bool WithTtl = false, bool Quiet = false)
{
    /// <summary>Writes the line; <paramref name="opaque"/> below zero leaves the token out (tests only).</summary>
    public void Write(RequestBuffer buffer, ReadOnlySpan<byte> key, KeyMode mode, long opaque)
    {
        MetaRequestWriter.BeginKeyed(buffer, "mg "u8, key, mode);
        if (!HeaderOnly)
        {
            buffer.Write(" v f c"u8);
        }
        if (WithTtl)
        {
            buffer.WriteFlag((byte)'t');
        }
        if (TouchTtl is { } ttl)
        {
            buffer.WriteFlag((byte)'T', ttl);
        }
        MetaRequestWriter.EndWithQuietAndOpaque(buffer, Quiet, opaque);
    }
}
