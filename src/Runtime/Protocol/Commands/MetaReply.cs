namespace Memstore.Protocol.Commands;

/// <summary>A meta command's reply as the command reads it: the code and the flags memcached returned.</summary>
/// <param name="Code">The reply code (never an error: those fail the request before a command reads it).</param>
/// <param name="ClientFlags">The item's client flags (<c>f</c>).</param>
/// <param name="Cas">The item's CAS token (<c>c</c>).</param>
/// <param name="Ttl">Remaining TTL in seconds (<c>t</c>), or -1 (never expires, or not asked for).</param>
/// <param name="ValueLength">The value's length, for a <c>VA</c> reply.</param>
/// <param name="Number">The counter value of an arithmetic reply.</param>
/// <param name="Lease">The lease flags (<c>W</c>, <c>Z</c>, <c>X</c>).</param>
internal readonly record struct MetaReply(ResponseCode Code, uint ClientFlags, CasToken Cas, long Ttl, int ValueLength, ulong Number, LeaseFlags Lease = LeaseFlags.None)
{
    /// <summary>The reply carried a value (<c>VA</c>): a hit, or an arithmetic result.</summary>
    public bool HasValue => Code == ResponseCode.Value;

    /// <summary>The command was applied (<c>HD</c>).</summary>
    public bool Succeeded => Code == ResponseCode.Success;
}
