namespace Memstore;

/// <summary>
/// A memcached CAS ("compare and swap") token: the version stamp the server gives an item on every write.
/// Tokens are explicit values: read one from a result and pass it back to a conditional write.
/// The client never remembers tokens for you.
/// </summary>
/// <param name="Value">The raw 64-bit token as memcached reports it. Zero means "no token".</param>
public readonly record struct CasToken(ulong Value)
{
    /// <summary>No token: the item was not found, or the server was not asked for one.</summary>
    public static CasToken None => default;

    /// <summary>True when this token carries a server-issued value.</summary>
    public bool HasValue => Value != 0;

    /// <inheritdoc />
    public override string ToString() => HasValue ? Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none";
}
