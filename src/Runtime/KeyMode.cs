namespace Memstore;

/// <summary>How keys travel on the wire: as their UTF-8 text, or base64-encoded.</summary>
public enum KeyMode
{
    /// <summary>
    /// Keys are sent as their UTF-8 bytes. A key must be 1 to 250 bytes and contain no space and no control
    /// character; any other key is refused before anything is sent. Readable by every memcached client.
    /// </summary>
    Text = 0,

    /// <summary>
    /// Keys are sent base64-encoded with the meta protocol's <c>b</c> flag, so any characters are allowed.
    /// The encoded form must fit memcached's 250-byte limit, so a key may be at most 186 UTF-8 bytes.
    /// Other clients see the same item only if they also use base64 keys.
    /// </summary>
    Base64 = 1,
}
