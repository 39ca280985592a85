using System.Buffers;

namespace Memstore.Protocol;

/// <summary>Where the value of a <c>VA</c> response goes.</summary>
internal enum ValueTarget : byte
{
    /// <summary>No value expected; a <c>VA</c> reply is a protocol error.</summary>
    None,
    /// <summary>Copied into a new array the caller owns.</summary>
    Array,
    /// <summary>Copied into an array rented from the shared pool (a lease).</summary>
    Pooled,
    /// <summary>Written into the caller's <see cref="IBufferWriter{T}"/>.</summary>
    Writer,
    /// <summary>Parsed as the decimal result of an increment or decrement.</summary>
    Number,
}

/// <summary>The reply codes that can answer a meta command, as a bit set over <see cref="ResponseCode"/>.</summary>
[Flags]
internal enum ReplyKinds
{
    /// <summary>Not set: derived from the value target (only operations built by tests leave it so).</summary>
    Unspecified = 0,
    Value = 1 << (int)ResponseCode.Value,
    Header = 1 << (int)ResponseCode.Success,
    Miss = 1 << (int)ResponseCode.Miss,
    NotFound = 1 << (int)ResponseCode.NotFound,
    NotStored = 1 << (int)ResponseCode.NotStored,
    Exists = 1 << (int)ResponseCode.Exists,

    /// <summary><c>mg</c> with <c>v</c>: a value or a miss.</summary>
    Get = Value | Miss,
    /// <summary><c>mg</c> without <c>v</c> (touch): a header or a miss.</summary>
    Touch = Header | Miss,
    /// <summary><c>ms</c>: stored, not stored, CAS mismatch, or not found (CAS on a missing item).</summary>
    Store = Header | NotStored | Exists | NotFound,
    /// <summary><c>md</c>: deleted, not found, or CAS mismatch.</summary>
    Delete = Header | NotFound | Exists,
    /// <summary><c>ma</c> with <c>v</c>: the new value, not found, not stored, or CAS mismatch.</summary>
    Arithmetic = Value | NotFound | NotStored | Exists,
}
