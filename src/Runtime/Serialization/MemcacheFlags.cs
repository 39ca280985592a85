namespace Memstore;

/// <summary>
/// The client flags Memstore stores with each value to say how its bytes are encoded. The plain formats use the
/// same numbers as pymemcache and compatible clients, so other clients can read strings, integers and bytes.
/// </summary>
public static class MemcacheFlags
{
    /// <summary>Raw bytes, written and read as they are.</summary>
    public const uint Raw = 0;

    /// <summary>An integer written as ASCII decimal digits (memcached's own incr/decr format).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "Names the stored format, as other clients do.")]
    public const uint Integer = 2;

    /// <summary>
    /// An integer as ASCII decimal digits, as pylibmc writes every Python integer (its "long" flag) and pymemcache
    /// reads it. Memstore reads it as an integer and writes <see cref="Integer"/>.
    /// </summary>
    public const uint PythonLong = 4;

    /// <summary>A UTF-8 string.</summary>
    public const uint Utf8String = 16;

    /// <summary>A MessagePack document written by a generated formatter.</summary>
    public const uint MessagePack = 32;

    /// <summary>
    /// Added to the flags of a value stored compressed (<see cref="ValueCompression"/>): the stored bytes are one
    /// zstd frame that records its original size, and the other bits name the format of the decompressed bytes.
    /// Bit 16, clear of the format numbers above, of pylibmc's and pymemcache's (1–16, 8 being their zlib bit),
    /// of EnyimMemcached's type codes (256 plus a code) and of spymemcached's (bits 0–15). docs/compression.md.
    /// </summary>
    public const uint ZstdCompressed = 0x1_0000;

    /// <summary>A readable name for a flags value, for error messages.</summary>
    public static string Describe(uint flags)
    {
        if ((flags & ZstdCompressed) != 0)
        {
            return "zstd-compressed " + Describe(flags & ~ZstdCompressed);
        }
        return flags switch
        {
            Raw => "raw bytes",
            Integer => "integer",
            PythonLong => "integer (pylibmc long)",
            Utf8String => "UTF-8 string",
            MessagePack => "MessagePack",
            _ => $"unknown format (flags {flags})",
        };
    }
}
