namespace Memstore;

/// <summary>One item of <see cref="MemcacheClient.SetManyAsync"/> or <see cref="MemcacheClient.SetManyQuietAsync"/>.</summary>
/// <param name="Key">The key (the rules of <see cref="KeyMode"/>).</param>
/// <param name="Value">The bytes; at most <see cref="MemcacheClientOptions.MaxValueSize"/>. Copied before the call returns.</param>
public readonly record struct BatchSetItem(string Key, ReadOnlyMemory<byte> Value);

/// <summary>
/// The outcome of one key of a batch (<see cref="MemcacheClient.SetManyAsync"/>, <see cref="MemcacheClient.DeleteManyAsync"/>,
/// <see cref="MemcacheClient.TouchManyAsync"/>, <see cref="MemcacheClient.GetAndTouchManyAsync"/>): the result the
/// single-key call would have returned, or the exception it would have thrown. One server's failure fails only the keys
/// routed to it.
/// </summary>
/// <typeparam name="T">The single-key call's result.</typeparam>
public readonly struct BatchResult<T>
{
    private readonly T _value;

    internal BatchResult(string key, T value, Exception? error)
    {
        Key = key;
        _value = value;
        Error = error;
    }

    /// <summary>The key, as the caller gave it.</summary>
    public string Key { get; }

    /// <summary>True when the server answered (a miss, <see cref="StoreStatus.NotStored"/> or a CAS conflict is an answer).</summary>
    public bool Succeeded => Error is null;

    /// <summary>
    /// Why the key failed, as the single-key call would have thrown it (<see cref="ServerUnavailableException"/>,
    /// <see cref="MemcacheTimeoutException"/>, <see cref="MemcacheConnectionException"/>, <see cref="MemcacheServerErrorException"/>,
    /// <see cref="OperationCanceledException"/>, ...); null when it succeeded.
    /// </summary>
    public Exception? Error { get; }

    /// <summary>The server's answer; rethrows <see cref="Error"/> when the key failed.</summary>
    public T Value
    {
        get
        {
            if (Error is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(Error);
            }
            return _value;
        }
    }

    /// <summary>The server's answer, or <paramref name="fallback"/> when the key failed.</summary>
    /// <param name="fallback">What to return for a failed key.</param>
    public T GetValueOrDefault(T fallback) => Error is null ? _value : fallback;

    /// <inheritdoc />
    public override string ToString() => Error is null ? $"{Key}: {_value}" : $"{Key}: failed ({Error.GetType().Name})";
}
