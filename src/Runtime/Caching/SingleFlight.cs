namespace Memstore.Caching;

/// <summary>
/// One computation per key in this process: callers asking for a key whose computation is under way join it
/// instead of sending their own requests. The computation is cancelled only when every caller that joined it
/// has given up; a caller that gives up alone gets its cancellation and leaves the others waiting.
/// </summary>
/// <remarks>
/// Every caller, the first included, awaits the computation's own task, so a caller alone (the common case: a
/// hit) pays no extra thread hop for sharing: its continuation runs where the reply completed the computation.
/// </remarks>
internal sealed class SingleFlight<TResult>
{
    private readonly Dictionary<string, Flight> _flights = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>Joins the computation of <paramref name="key"/>, starting it with <paramref name="run"/> if there is none.</summary>
    public async ValueTask<TResult> RunAsync<TState>(string key, TState state, Func<TState, CancellationToken, ValueTask<TResult>> run, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Flight flight;
        var start = false;
        lock (_flights)
        {
            if (!_flights.TryGetValue(key, out flight!))
            {
                flight = new Flight();
                _flights[key] = flight;
                _count = _flights.Count;
                start = true;
            }
            flight.Callers++;
        }
        try
        {
            Task<TResult> computation;
            if (start)
            {
                computation = ComputeAsync(key, flight, state, run);
                flight.Published.SetResult(computation);
            }
            else
            {
                computation = await flight.Published.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            return await computation.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Leave(key, flight);
            throw;
        }
    }

    /// <summary>How many computations are under way: read without the lock, as a hint that skips <see cref="IsRunning"/> when nothing is.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Whether a computation of <paramref name="key"/> is under way.</summary>
    public bool IsRunning(string key)
    {
        lock (_flights)
        {
            return _flights.ContainsKey(key);
        }
    }

    private async Task<TResult> ComputeAsync<TState>(string key, Flight flight, TState state, Func<TState, CancellationToken, ValueTask<TResult>> run)
    {
        try
        {
            return await run(state, flight.Cancellation.Token).ConfigureAwait(false);
        }
        finally
        {
            // Gone before any caller sees the result: a caller arriving later reads afresh.
            Remove(key, flight);
            flight.Cancellation.Dispose();
        }
    }

    private void Remove(string key, Flight flight)
    {
        lock (_flights)
        {
            if (_flights.TryGetValue(key, out var current) && ReferenceEquals(current, flight))
            {
                _flights.Remove(key);
                _count = _flights.Count;
            }
        }
    }

    private void Leave(string key, Flight flight)
    {
        bool last;
        lock (_flights)
        {
            last = --flight.Callers == 0;
            if (last && _flights.TryGetValue(key, out var current) && ReferenceEquals(current, flight))
            {
                _flights.Remove(key); // a caller arriving now starts afresh instead of joining a cancelled computation
                _count = _flights.Count;
            }
        }
        if (last)
        {
            try
            {
                flight.Cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The computation ended meanwhile.
            }
        }
    }

    private sealed class Flight
    {
        public CancellationTokenSource Cancellation { get; } = new();

        /// <summary>The computation, published by the caller that started it (joiners may arrive before it exists).</summary>
        public TaskCompletionSource<Task<TResult>> Published { get; } = new();

        /// <summary>Callers still waiting (guarded by the dictionary's lock).</summary>
        public int Callers { get; set; }
    }
}
