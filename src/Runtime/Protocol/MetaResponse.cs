namespace Memstore.Protocol;

/// <summary>The status code that opens a response line.</summary>
internal enum ResponseCode : byte
{
    /// <summary><c>VA</c>: a value follows.</summary>
    Value,
    /// <summary><c>HD</c> ("header only"): the command succeeded and there is no value.</summary>
    Success,
    /// <summary><c>EN</c>: miss.</summary>
    Miss,
    /// <summary><c>NF</c>: not found.</summary>
    NotFound,
    /// <summary><c>NS</c>: not stored.</summary>
    NotStored,
    /// <summary><c>EX</c>: CAS mismatch.</summary>
    Exists,
    /// <summary><c>MN</c>: end of a quiet batch.</summary>
    NoOp,
    /// <summary><c>ERROR</c>: unknown command.</summary>
    Error,
    /// <summary><c>CLIENT_ERROR msg</c>.</summary>
    ClientError,
    /// <summary><c>SERVER_ERROR msg</c>.</summary>
    ServerError,
}

/// <summary>
/// One parsed meta response. Offsets are relative to the start of the buffer the parser was given;
/// they stay valid until the caller consumes <see cref="TotalLength"/> bytes.
/// </summary>
internal struct MetaResponse
{
    public ResponseCode Code;

    /// <summary>Bytes the whole response occupies: line, value and the value's CR LF.</summary>
    public int TotalLength;

    public int ValueOffset;
    public int ValueLength;

    public uint ClientFlags;
    public ulong Cas;

    /// <summary>Remaining TTL in seconds from the <c>t</c> flag; -1 means "never expires".</summary>
    public long Ttl;

    /// <summary>The <c>O</c> token when it is a number, else -1.</summary>
    public long Opaque;

    /// <summary>The lease flags memcached returned (<c>W</c>, <c>Z</c>, <c>X</c>).</summary>
    public LeaseFlags Lease;

    /// <summary>Where the error text of CLIENT_ERROR / SERVER_ERROR lies.</summary>
    public int MessageOffset;
    public int MessageLength;

    public readonly bool IsError => Code is ResponseCode.Error or ResponseCode.ClientError or ResponseCode.ServerError;
}

/// <summary>
/// What memcached says about an item's recache lease in a meta reply (doc/protocol.txt, "Meta Get"): the
/// flags that make stampede protection, early recache and serving stale values possible.
/// </summary>
[Flags]
internal enum LeaseFlags : byte
{
    None = 0,

    /// <summary><c>W</c>: this caller won the right to recompute the item (a vivified miss, a recache window, a stale item).</summary>
    Won = 1,

    /// <summary><c>Z</c>: another caller already won; its new value is on the way.</summary>
    AlreadyWon = 2,

    /// <summary><c>X</c>: the item was invalidated (<c>md … I</c>) and is stale.</summary>
    Stale = 4,
}
