using System.Buffers;
using System.Text;
using Memstore.Protocol.Commands;

namespace Memstore;

// Keys come as strings or UTF-8 bytes (MemcacheKey); values as bytes, copied into the request before the call
// returns, so the caller may reuse its buffers at once.
public sealed partial class MemcacheClient
{
    /// <summary>
    /// Stores a value in the given mode. A condition that does not hold (add of an existing key, replace of a
    /// missing one) is a <see cref="StoreStatus.NotStored"/> result, not an exception.
    /// </summary>
    /// <param name="mode">Set, add, replace, append or prepend.</param>
    /// <param name="key">The key, as a string or as UTF-8 bytes (see <see cref="KeyMode"/> for the rules).</param>
    /// <param name="value">The bytes; at most <see cref="MemcacheClientOptions.MaxValueSize"/>. Copied before this method returns.</param>
    /// <param name="expiry">Time to live; null or zero for "never expires". Ignored by append and prepend.</param>
    /// <param name="flags">32-bit client flags stored with the item. Ignored by append and prepend.</param>
    /// <param name="cancellationToken">Cancels the wait; a request already sent may still be applied.</param>
    public ValueTask<StoreResult> StoreAsync(StoreMode mode, MemcacheKey key, ReadOnlySpan<byte> value, TimeSpan? expiry = null, uint flags = 0, CancellationToken cancellationToken = default)
    {
        var command = new StoreCommand(mode, expiry, flags, CasToken.None);
        Span<byte> scratch = stackalloc byte[ScratchFor(key)];
        return ExecuteAsync<StoreCommand, StoreResult>(command, Validate(key, scratch), value, cancellationToken);
    }

    /// <summary>Stores a value unconditionally.</summary>
    /// <inheritdoc cref="StoreAsync" path="/param"/>
#pragma warning disable RS0026 // The two SetAsync overloads differ in the required value's type (bytes or text), so no call is ambiguous.
    public ValueTask<StoreResult> SetAsync(MemcacheKey key, ReadOnlySpan<byte> value, TimeSpan? expiry = null, uint flags = 0, CancellationToken cancellationToken = default) =>
        StoreAsync(StoreMode.Set, key, value, expiry, flags, cancellationToken);
#pragma warning restore RS0026

    /// <summary>Stores a string as UTF-8 unconditionally.</summary>
    /// <param name="key">The key, as a string or as UTF-8 bytes.</param>
    /// <param name="value">The text, stored as its UTF-8 bytes.</param>
    /// <param name="expiry">Time to live; null or zero for "never expires".</param>
    /// <param name="flags">32-bit client flags stored with the item.</param>
    /// <param name="cancellationToken">Cancels the wait; a request already sent may still be applied.</param>
#pragma warning disable RS0026 // See the first SetAsync.
    public ValueTask<StoreResult> SetAsync(MemcacheKey key, string value, TimeSpan? expiry = null, uint flags = 0, CancellationToken cancellationToken = default)
#pragma warning restore RS0026
    {
        ArgumentNullException.ThrowIfNull(value);
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(value.Length));
        try
        {
            return StoreAsync(StoreMode.Set, key, buffer.AsSpan(0, Encoding.UTF8.GetBytes(value, buffer)), expiry, flags, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer); // the value was copied into the request
        }
    }

    /// <summary>Stores a value only if the key holds no item.</summary>
    /// <inheritdoc cref="StoreAsync" path="/param"/>
    public ValueTask<StoreResult> AddAsync(MemcacheKey key, ReadOnlySpan<byte> value, TimeSpan? expiry = null, uint flags = 0, CancellationToken cancellationToken = default) =>
        StoreAsync(StoreMode.Add, key, value, expiry, flags, cancellationToken);

    /// <summary>Stores a value only if the key already holds an item.</summary>
    /// <inheritdoc cref="StoreAsync" path="/param"/>
    public ValueTask<StoreResult> ReplaceAsync(MemcacheKey key, ReadOnlySpan<byte> value, TimeSpan? expiry = null, uint flags = 0, CancellationToken cancellationToken = default) =>
        StoreAsync(StoreMode.Replace, key, value, expiry, flags, cancellationToken);

    /// <summary>Appends bytes to an existing item; <see cref="StoreStatus.NotStored"/> if there is none.</summary>
    /// <inheritdoc cref="StoreAsync" path="/param"/>
    public ValueTask<StoreResult> AppendAsync(MemcacheKey key, ReadOnlySpan<byte> value, CancellationToken cancellationToken = default) =>
        StoreAsync(StoreMode.Append, key, value, null, 0, cancellationToken);

    /// <summary>Prepends bytes to an existing item; <see cref="StoreStatus.NotStored"/> if there is none.</summary>
    /// <inheritdoc cref="StoreAsync" path="/param"/>
    public ValueTask<StoreResult> PrependAsync(MemcacheKey key, ReadOnlySpan<byte> value, CancellationToken cancellationToken = default) =>
        StoreAsync(StoreMode.Prepend, key, value, null, 0, cancellationToken);

    /// <summary>
    /// Stores a value only if the item still carries <paramref name="cas"/> (from an earlier read). Returns
    /// <see cref="StoreStatus.Exists"/> if someone changed it since, <see cref="StoreStatus.NotFound"/> if it is gone.
    /// </summary>
    /// <param name="key">The key, as a string or as UTF-8 bytes.</param>
    /// <param name="value">The bytes; at most <see cref="MemcacheClientOptions.MaxValueSize"/>. Copied before this method returns.</param>
    /// <param name="cas">The token of an earlier read; <see cref="CasToken.None"/> is refused.</param>
    /// <param name="expiry">Time to live; null or zero for "never expires".</param>
    /// <param name="flags">32-bit client flags stored with the item.</param>
    /// <param name="cancellationToken">Cancels the wait; a request already sent may still be applied.</param>
    public ValueTask<StoreResult> CompareAndSetAsync(MemcacheKey key, ReadOnlySpan<byte> value, CasToken cas, TimeSpan? expiry = null, uint flags = 0, CancellationToken cancellationToken = default)
    {
        if (!cas.HasValue)
        {
            throw new ArgumentException("CompareAndSetAsync needs the CAS token of an earlier read; CasToken.None would store unconditionally. Use SetAsync for that.", nameof(cas));
        }
        var command = new StoreCommand(StoreMode.Set, expiry, flags, cas);
        Span<byte> scratch = stackalloc byte[ScratchFor(key)];
        return ExecuteAsync<StoreCommand, StoreResult>(command, Validate(key, scratch), value, cancellationToken);
    }

    /// <summary>Deletes an item; with a CAS token, only if the item has not changed since it was read.</summary>
    /// <param name="key">The key, as a string or as UTF-8 bytes.</param>
    /// <param name="cas">The token of an earlier read, or <see cref="CasToken.None"/> to delete unconditionally.</param>
    /// <param name="cancellationToken">Cancels the wait; a request already sent may still be applied.</param>
    public ValueTask<DeleteStatus> DeleteAsync(MemcacheKey key, CasToken cas = default, CancellationToken cancellationToken = default)
    {
        Span<byte> scratch = stackalloc byte[ScratchFor(key)];
        return ExecuteAsync<DeleteCommand, DeleteStatus>(new DeleteCommand(cas), Validate(key, scratch), default, cancellationToken);
    }

    /// <summary>
    /// Adds <paramref name="delta"/> to a counter (a decimal number stored as text). On a miss the counter is
    /// created with <paramref name="initialValue"/> and <paramref name="expiry"/> when an initial value is
    /// given; otherwise the result says not found. Wraps at 2^64.
    /// </summary>
    /// <param name="key">The key, as a string or as UTF-8 bytes.</param>
    /// <param name="delta">How much to add.</param>
    /// <param name="initialValue">The value to create a missing counter with; null to leave a miss a miss.</param>
    /// <param name="expiry">Time to live of a counter created here; null or zero for "never expires".</param>
    /// <param name="cancellationToken">Cancels the wait; a request already sent may still be applied.</param>
    public ValueTask<CounterResult> IncrementAsync(MemcacheKey key, ulong delta = 1, ulong? initialValue = null, TimeSpan? expiry = null, CancellationToken cancellationToken = default)
    {
        var command = new ArithmeticCommand(decrement: false, delta, initialValue, expiry);
        Span<byte> scratch = stackalloc byte[ScratchFor(key)];
        return ExecuteAsync<ArithmeticCommand, CounterResult>(command, Validate(key, scratch), default, cancellationToken);
    }

    /// <summary>Subtracts <paramref name="delta"/> from a counter, stopping at zero. See <see cref="IncrementAsync"/>.</summary>
    /// <param name="key">The key, as a string or as UTF-8 bytes.</param>
    /// <param name="delta">How much to subtract.</param>
    /// <param name="initialValue">The value to create a missing counter with; null to leave a miss a miss.</param>
    /// <param name="expiry">Time to live of a counter created here; null or zero for "never expires".</param>
    /// <param name="cancellationToken">Cancels the wait; a request already sent may still be applied.</param>
    public ValueTask<CounterResult> DecrementAsync(MemcacheKey key, ulong delta = 1, ulong? initialValue = null, TimeSpan? expiry = null, CancellationToken cancellationToken = default)
    {
        var command = new ArithmeticCommand(decrement: true, delta, initialValue, expiry);
        Span<byte> scratch = stackalloc byte[ScratchFor(key)];
        return ExecuteAsync<ArithmeticCommand, CounterResult>(command, Validate(key, scratch), default, cancellationToken);
    }
}
