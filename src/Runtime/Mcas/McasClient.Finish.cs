using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Memstore.Mcas;

public sealed partial class McasClient
{
    private static readonly TimeSpan FirstFinishDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestFinishDelay = TimeSpan.FromSeconds(5);

    // Operations of this client left unfinished, by descriptor key: their background phase 2 got no reply, their commit
    // could not be settled after a failed request, or their caller canceled halfway. Finished as a helper would.
    private readonly ConcurrentDictionary<string, Task> _unfinished = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _disposing = new();

    /// <summary>
    /// Finishes an operation of this client left unfinished (its background phase 2 failed, docs/mcas.md 4.3 "Return
    /// after the decide"; or its commit failed or was canceled halfway, 4.2): loads its descriptor and helps it to its end, retried with backoff (0.1 s doubling to 5 s) until an attempt completes, the
    /// descriptor is gone (someone finished and deleted it), half of <see cref="McasOptions.DescriptorTtl"/> has passed,
    /// or this client is disposed. Any reader that meets one of its markers finishes it too; this only keeps the
    /// operation from depending on a reader coming along before the descriptor expires.
    /// </summary>
    private void FinishInBackground(string descriptorKey)
    {
        if (_disposing.IsCancellationRequested)
        {
            return; // disposed: readers finish it
        }
        var job = FinishAsync(descriptorKey, _disposing.Token);
        if (!job.IsCompleted)
        {
            _unfinished[descriptorKey] = job;
            if (job.IsCompleted)
            {
                _unfinished.TryRemove(descriptorKey, out _);
            }
        }
    }

    /// <summary>Never throws: nobody awaits it but <see cref="FlushAsync"/> and <see cref="DisposeAsync"/>.</summary>
    private async Task FinishAsync(string descriptorKey, CancellationToken disposing)
    {
        var started = Stopwatch.GetTimestamp();
        var window = _options.DescriptorTtl / 2;
        var delay = FirstFinishDelay;
        var attempt = 0;
        try
        {
            while (true)
            {
                await Task.Delay(delay, disposing).ConfigureAwait(false);
                attempt++;
                try
                {
                    if (await LoadDescriptorAsync(descriptorKey, disposing).ConfigureAwait(false) is not { } d)
                    {
                        McasLog.FinishFoundNothing(_client.Logger, descriptorKey, attempt); // finished and deleted, by whoever
                        return;
                    }
                    await HelpAsync(d, owner: false, outer: null, (-1, CasToken.None), disposing).ConfigureAwait(false);
                    McasMetrics.BackgroundFinishes.Add(1);
                    McasLog.FinishedAfterFailure(_client.Logger, descriptorKey, attempt);
                    return;
                }
                catch (OperationCanceledException) when (disposing.IsCancellationRequested)
                {
                    throw;
                }
                catch (ObjectDisposedException)
                {
                    McasLog.FinishAbandoned(_client.Logger, descriptorKey, attempt, "the MemcacheClient was disposed");
                    return;
                }
                catch (McasCorruptionException ex)
                {
                    McasLog.FinishGaveUp(_client.Logger, descriptorKey, attempt, Stopwatch.GetElapsedTime(started), ex); // retrying cannot help
                    return;
                }
#pragma warning disable CA1031 // Retried; the last failure is logged, and readers finish the operation.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    if (Stopwatch.GetElapsedTime(started) + delay >= window)
                    {
                        McasLog.FinishGaveUp(_client.Logger, descriptorKey, attempt, Stopwatch.GetElapsedTime(started), ex);
                        return;
                    }
                    McasLog.FinishRetry(_client.Logger, descriptorKey, attempt, ex);
                    delay = delay * 2 < LongestFinishDelay ? delay * 2 : LongestFinishDelay;
                }
            }
        }
        catch (OperationCanceledException) when (disposing.IsCancellationRequested)
        {
            McasLog.FinishAbandoned(_client.Logger, descriptorKey, attempt, "the McasClient was disposed");
        }
        finally
        {
            _unfinished.TryRemove(descriptorKey, out _);
        }
    }

    /// <summary>
    /// A request of the owner's own operation failed (timeout, lost connection, dead server) before it returned: the
    /// descriptor may be stored with markers in place, so the outcome is unknown until someone decides it. Three tries
    /// (after 0.1, 0.2 and 0.4 s) to settle it as any participant would: load the descriptor and help it to its end,
    /// which gives the caller the real outcome. When the descriptor cannot be read (still unreachable, never stored,
    /// or its add may yet arrive), <see cref="FinishInBackground"/> takes over and the caller gets
    /// <see cref="McasOutcomeUnknownException"/> with the failure inside.
    /// </summary>
    private async ValueTask<(bool Succeeded, string? FailedKey)> SettleAfterFailureAsync(Descriptor started, Exception failure, CancellationToken cancellationToken)
    {
        var delay = FirstFinishDelay;
        try
        {
            for (var attempt = 1; attempt <= 3; attempt++, delay *= 2)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                try
                {
                    if (await LoadDescriptorAsync(started.Key, cancellationToken).ConfigureAwait(false) is not { } d || d.Id != started.Id)
                    {
                        break;
                    }
                    d.AcquireInOrder = started.AcquireInOrder;
                    var outcome = await HelpAsync(d, owner: true, outer: null, (-1, CasToken.None), cancellationToken).ConfigureAwait(false);
                    McasLog.SettledAfterFailure(_client.Logger, started.Key, attempt, outcome.Succeeded, failure);
                    return outcome;
                }
                catch (Exception ex) when (IsTransportFailure(ex))
                {
                    McasLog.FinishRetry(_client.Logger, started.Key, attempt, ex);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            FinishInBackground(started.Key);
            throw;
        }
        FinishInBackground(started.Key);
        var keys = started.Items.Select(item => item.Key).ToArray();
        throw new McasOutcomeUnknownException(
            $"MCAS {started.Key}: the outcome is unknown. A request failed ({failure.Message}) and three tries to settle the operation over 0.7 s could not read its descriptor. "
            + $"It happened entirely or not at all, or is still undecided: this client keeps finishing it in the background (McasClient.FlushAsync waits for that) and the first reader of one of its keys ({string.Join(", ", keys)}) finishes it. "
            + "Read the keys to see which; do not simply run a non-idempotent change again.",
            started.Key, keys, failure);
    }

    /// <summary>
    /// Helps the operation of <paramref name="descriptorKey"/> to its end as any reader would (docs/mcas.md 4.3), for
    /// operators sweeping operations whose owner died (<c>memstore mcas --pending --repair</c>). Returns its decided
    /// status, or null when the descriptor is gone (finished and cleaned up, or expired).
    /// </summary>
    internal async ValueTask<McasStatus?> FinishOperationAsync(string descriptorKey, CancellationToken cancellationToken)
    {
        if (await LoadDescriptorAsync(descriptorKey, cancellationToken).ConfigureAwait(false) is not { } d)
        {
            return null;
        }
        await HelpAsync(d, owner: false, outer: null, (-1, CasToken.None), cancellationToken).ConfigureAwait(false);
        return d.Status;
    }

    /// <summary>Failures after which a request may or may not have been executed, and the servers may answer again.</summary>
    private static bool IsTransportFailure(Exception exception) =>
        exception is MemcacheTimeoutException or MemcacheConnectionException or ServerUnavailableException;

    /// <summary>Waits for the finishing started before the call (bounded by each job's window, or the caller's token).</summary>
    private async ValueTask WaitForUnfinishedAsync(CancellationToken cancellationToken)
    {
        if (_unfinished.IsEmpty)
        {
            return;
        }
        await Task.WhenAll(_unfinished.Values.ToArray()).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the finishing jobs and waits for them to end; the operations they leave are finished by readers.</summary>
    private async ValueTask StopUnfinishedAsync()
    {
        await _disposing.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_unfinished.Values.ToArray()).ConfigureAwait(false);
    }
}

internal static partial class McasLog
{
    [LoggerMessage(EventId = 24, Level = LogLevel.Information, Message = "MCAS {DescriptorKey}: finished by its owner's client in the background (attempt {Attempt})")]
    public static partial void FinishedAfterFailure(ILogger logger, string descriptorKey, int attempt);

    [LoggerMessage(EventId = 29, Level = LogLevel.Information, Message = "MCAS {DescriptorKey}: a request of the operation failed; its owner settled it on try {Attempt} (succeeded: {Succeeded})")]
    public static partial void SettledAfterFailure(ILogger logger, string descriptorKey, int attempt, bool succeeded, Exception error);

    [LoggerMessage(EventId = 28, Level = LogLevel.Debug, Message = "MCAS {DescriptorKey}: nothing to finish in the background (attempt {Attempt}): the descriptor is gone (finished and cleaned up, or never stored)")]
    public static partial void FinishFoundNothing(ILogger logger, string descriptorKey, int attempt);

    [LoggerMessage(EventId = 25, Level = LogLevel.Debug, Message = "MCAS {DescriptorKey}: settling or finishing the operation after a failed request, attempt {Attempt} failed; retrying")]
    public static partial void FinishRetry(ILogger logger, string descriptorKey, int attempt, Exception error);

    [LoggerMessage(EventId = 26, Level = LogLevel.Warning, Message = "MCAS {DescriptorKey}: gave up finishing in the background ({Attempt} attempts in {Elapsed}); the descriptor stays until its TTL and readers finish the operation")]
    public static partial void FinishGaveUp(ILogger logger, string descriptorKey, int attempt, TimeSpan elapsed, Exception error);

    [LoggerMessage(EventId = 27, Level = LogLevel.Warning, Message = "MCAS {DescriptorKey}: stopped finishing in the background ({Reason}, after {Attempt} attempts); the descriptor stays until its TTL and readers finish the operation")]
    public static partial void FinishAbandoned(ILogger logger, string descriptorKey, int attempt, string reason);
}
