using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Memstore.Cluster;

/// <summary>
/// The hash functions libmemcached uses to place keys and servers on the ring.
/// All are allocation-free.
/// </summary>
public static class KetamaHashes
{
    /// <summary>Length in bytes of an MD5 digest.</summary>
    public const int Md5Length = 16;

    /// <summary>
    /// Bob Jenkins' one-at-a-time hash, libmemcached's default (<c>MEMCACHED_HASH_DEFAULT</c>).
    /// </summary>
    /// <remarks>
    /// libmemcached reads the key through a plain <c>char</c>, which is signed on x86 and
    /// x86-64, so bytes of 0x80 and above are sign-extended before they are added. This
    /// matches libmemcached on those platforms (the vectors prove it); OMcache, which
    /// reads unsigned bytes, places keys with such bytes differently.
    /// </remarks>
    /// <param name="data">The bytes to hash.</param>
    /// <returns>The 32-bit hash.</returns>
    public static uint OneAtATime(ReadOnlySpan<byte> data)
    {
        uint hash = 0;
        foreach (byte b in data)
        {
            hash += unchecked((uint)(sbyte)b);
            hash += hash << 10;
            hash ^= hash >> 6;
        }

        hash += hash << 3;
        hash ^= hash >> 11;
        hash += hash << 15;
        return hash;
    }

    /// <summary>
    /// The first four bytes of the MD5 digest read little-endian (libmemcached's <c>MEMCACHED_HASH_MD5</c>).
    /// </summary>
    /// <param name="data">The bytes to hash.</param>
    /// <returns>The 32-bit hash.</returns>
    [SuppressMessage("Security", "CA5351", Justification = "MD5 places servers on the ring for libmemcached compatibility; it protects nothing.")]
    public static uint Md5First32(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[Md5Length];
        MD5.HashData(data, digest);
        return BinaryPrimitives.ReadUInt32LittleEndian(digest);
    }

    /// <summary>
    /// The four little-endian 32-bit words of one MD5 digest: the four ring points
    /// weighted ketama derives from one point name.
    /// </summary>
    /// <param name="data">The bytes to hash.</param>
    /// <param name="words">Receives the four words; must hold at least four.</param>
    /// <exception cref="ArgumentException"><paramref name="words"/> is shorter than four.</exception>
    [SuppressMessage("Security", "CA5351", Justification = "MD5 places servers on the ring for libmemcached compatibility; it protects nothing.")]
    public static void Md5Words(ReadOnlySpan<byte> data, Span<uint> words)
    {
        if (words.Length < 4)
        {
            throw new ArgumentException("The destination must hold four words.", nameof(words));
        }

        Span<byte> digest = stackalloc byte[Md5Length];
        MD5.HashData(data, digest);
        for (int i = 0; i < 4; i++)
        {
            words[i] = BinaryPrimitives.ReadUInt32LittleEndian(digest[(4 * i)..]);
        }
    }
}
