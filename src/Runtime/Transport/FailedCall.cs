using System.Threading.Tasks.Sources;

namespace Memstore.Transport;

/// <summary>
/// The result of a call that failed before anything was sent (its server is dead or silent, the client is
/// disposed): an already faulted <see cref="ValueTask{TResult}"/>. Cheaper than
/// <see cref="ValueTask.FromException{TResult}(Exception)"/> on the fail-fast path, which can run tens of
/// thousands of times a second: one small object and no task, and nothing is thrown until the caller awaits,
/// where the exception is thrown once, directly, without a captured stack trace to restore.
/// </summary>
internal sealed class FailedCall<T> : IValueTaskSource<T>
{
    private readonly Exception _error;

    private FailedCall(Exception error) => _error = error;

    public static ValueTask<T> Create(Exception error) => new(new FailedCall<T>(error), 0);

    public ValueTaskSourceStatus GetStatus(short token) =>
        _error is OperationCanceledException ? ValueTaskSourceStatus.Canceled : ValueTaskSourceStatus.Faulted;

    public T GetResult(short token) => throw _error;

    // Never pending, so awaiters do not get here; kept correct for code that registers without asking first.
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        ThreadPool.QueueUserWorkItem(continuation, state, preferLocal: false);
}
