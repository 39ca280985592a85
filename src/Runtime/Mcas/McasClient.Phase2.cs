using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Memstore.Mcas;

public sealed partial class McasClient
{
    // The owner's phase 2 of operations that already returned to their callers, by descriptor key.
    private readonly ConcurrentDictionary<string, Task> _phase2 = new(StringComparer.Ordinal);

    /// <summary>
    /// The owner's phase 2 after a decide, without making the caller wait for it (docs/mcas.md, "Return after the
    /// decide"). Every release is queued on its connection before this returns, so a later request of this client
    /// to the same key goes out behind it and memcached executes it after the release. The descriptor is queued
    /// for deletion only once every release has been answered; a release that fails is counted and logged, and the
    /// operation is finished by <see cref="FinishInBackground"/> (or by any reader that meets one of its markers).
    /// </summary>
    private void ReleaseInBackground(Descriptor d, CasToken[] mine)
    {
        var deletes = DrainFinished(16);
        var job = RunPhase2Async(d, mine, deletes);
        if (!job.IsCompleted)
        {
            _phase2[d.Key] = job;
            if (job.IsCompleted)
            {
                _phase2.TryRemove(d.Key, out _);
            }
        }
    }

    /// <summary>Never throws: nobody awaits it but <see cref="FlushAsync"/>, which must not fail for it.</summary>
    private async Task RunPhase2Async(Descriptor d, CasToken[] mine, List<string> deletes)
    {
        try
        {
            // One wave: the releases first (they are what a next read of the same keys must find answered before it),
            // then the deletes of earlier operations' descriptors, whose failure is only logged.
            try
            {
                await ReleaseAllAsync(d, mine, CancellationToken.None, awaitedByCaller: false, finishedDescriptors: deletes.Count == 0 ? null : deletes).ConfigureAwait(false);
                _finished.Enqueue(d.Key);
            }
#pragma warning disable CA1031 // Reported through the metric and the log; a reader finishes the operation.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                McasMetrics.BackgroundFailures.Add(1);
                McasLog.ReleaseFailed(_client.Logger, d.Key, ex);
                FinishInBackground(d.Key); // before this job leaves _phase2, so FlushAsync sees one or the other
            }
        }
        finally
        {
            _phase2.TryRemove(d.Key, out _);
        }
    }

    /// <summary>Waits for the phase 2 work started before the call (not for work other callers start meanwhile).</summary>
    private async ValueTask WaitForPhase2Async(CancellationToken cancellationToken)
    {
        if (_phase2.IsEmpty)
        {
            return;
        }
        await Task.WhenAll(_phase2.Values.ToArray()).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}

internal static partial class McasLog
{
    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "MCAS {DescriptorKey}: the background release of its keys failed after the operation returned; this client retries finishing it, and any reader that meets one of its markers finishes it too")]
    public static partial void ReleaseFailed(ILogger logger, string descriptorKey, Exception error);

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug, Message = "MCAS: {Count} finished descriptor(s) could not be deleted now; they expire with their TTL")]
    public static partial void CleanUpFailed(ILogger logger, int count, Exception error);

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "MCAS {DescriptorKey}: the descriptor was not stored but the first marker, sent right behind it, was; the marker was put back")]
    public static partial void FirstMarkerUndone(ILogger logger, string descriptorKey);
}
