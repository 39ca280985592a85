using Memstore.Collections;
using Memstore.Serialization;

namespace Memstore;

/// <summary>
/// A typed view of a <see cref="MemcacheDeque"/>: values are encoded with a codec (the same codecs as
/// keyspaces) and pushed and popped as <typeparamref name="T"/>. The source generator implements a partial
/// property of this type marked <see cref="DequeAttribute">[Deque("name")]</see> on a
/// <see cref="MemcacheStoreAttribute">[MemcacheStore]</see> class. The deque must exist: create it once with
/// <see cref="CreateAsync"/> (or <see cref="CreateOrBindAsync"/>); other operations bind to it on first use.
/// Thread-safe.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class TypedDeque<T>
{
    private readonly MemcacheClient _client;
    private readonly IValueCodec<T> _codec;
    private Task<MemcacheDeque>? _deque;

    /// <summary>Creates the view; nothing is sent until the first operation.</summary>
    /// <param name="client">The client that carries the requests.</param>
    /// <param name="name">The deque's full name (the key of its anchor), store prefix included.</param>
    /// <param name="codec">How items are encoded.</param>
    public TypedDeque(MemcacheClient client, string name, IValueCodec<T> codec)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.RefuseMovingFailover("A deque (MemcacheDeque)");
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(codec);
        _client = client;
        Name = name;
        _codec = codec;
    }

    /// <summary>The deque's full name: the key of its anchor.</summary>
    public string Name { get; }

    /// <summary>Creates the deque, empty; fails with <see cref="DequeNameException"/> if it exists.</summary>
    public async ValueTask CreateAsync(CancellationToken cancellationToken = default)
    {
        var deque = await MemcacheDeque.CreateAsync(_client, Name, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _deque, Task.FromResult(deque));
    }

    /// <summary>Creates the deque unless it exists, then binds to it. True when this call created it.</summary>
    public async ValueTask<bool> CreateOrBindAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await CreateAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DequeNameException)
        {
            await BindAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>Binds to the existing deque, checking its anchor; <see cref="DequeNameException"/> if there is none.</summary>
    public async ValueTask BindAsync(CancellationToken cancellationToken = default)
    {
        var deque = await MemcacheDeque.BindAsync(_client, Name, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _deque, Task.FromResult(deque));
    }

    /// <summary>Appends an item at the right end.</summary>
    public async ValueTask PushRightAsync(T value, CancellationToken cancellationToken = default) =>
        await (await DequeAsync(cancellationToken).ConfigureAwait(false)).PushRightAsync(Encode(value), cancellationToken).ConfigureAwait(false);

    /// <summary>Prepends an item at the left end.</summary>
    public async ValueTask PushLeftAsync(T value, CancellationToken cancellationToken = default) =>
        await (await DequeAsync(cancellationToken).ConfigureAwait(false)).PushLeftAsync(Encode(value), cancellationToken).ConfigureAwait(false);

    /// <summary>Removes and returns the leftmost item; not successful when the deque is empty.</summary>
    public async ValueTask<DequeItem<T>> TryPopLeftAsync(CancellationToken cancellationToken = default) =>
        Decode(await (await DequeAsync(cancellationToken).ConfigureAwait(false)).TryPopLeftAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>Removes and returns the rightmost item; not successful when the deque is empty.</summary>
    public async ValueTask<DequeItem<T>> TryPopRightAsync(CancellationToken cancellationToken = default) =>
        Decode(await (await DequeAsync(cancellationToken).ConfigureAwait(false)).TryPopRightAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>True when the deque holds no items at the moment of the read.</summary>
    public async ValueTask<bool> IsEmptyAsync(CancellationToken cancellationToken = default) =>
        await (await DequeAsync(cancellationToken).ConfigureAwait(false)).IsEmptyAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>The untyped deque, bound on first use.</summary>
    public async ValueTask<MemcacheDeque> GetDequeAsync(CancellationToken cancellationToken = default) =>
        await DequeAsync(cancellationToken).ConfigureAwait(false);

    private Task<MemcacheDeque> DequeAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _deque);
        if (current is not null && !current.IsFaulted && !current.IsCanceled)
        {
            return current;
        }
        var binding = MemcacheDeque.BindAsync(_client, Name, cancellationToken).AsTask();
        // A failed bind is not cached: the next operation tries again (for example once the deque is created).
        return Interlocked.CompareExchange(ref _deque, binding, current) == current ? binding : Volatile.Read(ref _deque)!;
    }

    private byte[] Encode(T value) => _codec.EncodeToArray(value);

    private DequeItem<T> Decode(DequePopResult result)
    {
        if (result is not { Success: true, Value: { } bytes })
        {
            return default;
        }
        try
        {
            return new DequeItem<T>(true, _codec.Decode(bytes, _codec.Flags));
        }
        catch (MemcacheFormatException ex)
        {
            // The node is already unlinked: the value is gone from the deque, so say which one it came from.
            throw new MemcacheFormatException(
                $"A value popped from deque '{Name}' could not be read as {typeof(T).Name} (its {bytes.Length} bytes are in Value): {ex.Message}", ex.InnerException)
            {
                Value = bytes,
            };
        }
    }
}

/// <summary>The result of popping a <see cref="TypedDeque{T}"/>.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Success">False when the deque was empty.</param>
/// <param name="Value">The item; the type's default when <paramref name="Success"/> is false.</param>
public readonly record struct DequeItem<T>(bool Success, T? Value);
