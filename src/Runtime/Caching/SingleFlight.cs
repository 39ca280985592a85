namespace Memstore.Caching;

/// <summary>
/// One computation per key in this process: callers asking for a key whose computation is under way join it
/// instead of sending their own requests. The computation is cancelled only when every caller that joined it
/// has given up; a caller that gives up alone gets its cancellation and leaves the others waiting.
/// </summary>
internal sealed class SingleFlight<TResult>
{
    private readonly Dictionary<string, Flight> _flights = new(StringComparer.Ordinal);

    /// <summary>Joins the computation of <paramref name="key"/>, starting it with <paramref name="run"/> if there is none.</summary>
    public async ValueTask<TResult> RunAsync<TState>(string key, TState state, Func<TState, CancellationToken, Task<TResult>> run, CancellationToken cancellationToken)
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
                start = true;
            }
            flight.Callers++;
        }
        if (start)
        {
            Task<TResult> computation;
            try
            {
                computation = run(state, flight.Cancellation.Token);
            }
#pragma warning disable CA1031 // Delivered to every caller that joined.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                computation = Task.FromException<TResult>(ex);
            }
            _ = CompleteAsync(key, flight, computation);
        }
        try
        {
            return await flight.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Leave(key, flight);
            throw;
        }
    }

    /// <summary>How many computations are under way (for tests).</summary>
    internal int Count
    {
        get
        {
            lock (_flights)
            {
                return _flights.Count;
            }
        }
    }

    private async Task CompleteAsync(string key, Flight flight, Task<TResult> computation)
    {
        try
        {
            var result = await computation.ConfigureAwait(false);
            Remove(key, flight);
            flight.Result.TrySetResult(result);
        }
#pragma warning disable CA1031 // Delivered to every caller that joined.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Remove(key, flight);
            flight.Result.TrySetException(ex);
        }
        finally
        {
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
        public TaskCompletionSource<TResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenSource Cancellation { get; } = new();

        /// <summary>Callers still waiting (guarded by the dictionary's lock).</summary>
        public int Callers { get; set; }
    }
}
