using System.Diagnostics;

namespace Memstore.Mcas;

public sealed partial class McasClient
{
    /// <summary>
    /// Runs <paramref name="body"/> and commits its reads and writes as one MCAS; on a conflict it backs off
    /// (exponential, full jitter) and runs the body again with fresh reads, within
    /// <see cref="McasOptions.RetryBudget"/> and <see cref="McasOptions.MaxAttempts"/>. The body may run
    /// several times, so it must not have side effects outside the transaction.
    /// A body that writes nothing commits by re-reading its keys and checking that none changed (or, when one of
    /// several keys read as absent, by an MCAS that keeps every key).
    /// </summary>
    /// <exception cref="McasConflictException">The budget ran out; the exception names the contended keys.</exception>
    /// <exception cref="McasOutcomeUnknownException">As for <see cref="CompareAndSwapAsync"/>: the commit's outcome could not be learned. The body is not run again (it may have been applied); read the keys to see.</exception>
    public async ValueTask<T> TransactAsync<T>(Func<McasTransaction, CancellationToken, ValueTask<T>> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var clock = Stopwatch.StartNew();
        var contended = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var attempt = 1; ; attempt++)
        {
            var transaction = new McasTransaction(this, attempt);
            var result = await body(transaction, cancellationToken).ConfigureAwait(false);
            var failedKey = transaction.HasWrites || NeedsCommitToValidate(transaction)
                // A retry met contention: it takes its keys in order, helping whoever holds one (docs/mcas.md 4.3).
                ? (await ExecuteAsync(transaction.BuildUpdates(), cancellationToken, acquireInOrder: attempt > 1).ConfigureAwait(false)).FailedKey
                : await ValidateReadsAsync(transaction, cancellationToken).ConfigureAwait(false);
            if (failedKey is null)
            {
                return result;
            }
            contended[failedKey] = contended.GetValueOrDefault(failedKey) + 1;
            if (attempt >= _options.MaxAttempts || clock.Elapsed >= _options.RetryBudget)
            {
                var keys = contended.OrderByDescending(pair => pair.Value).Select(pair => pair.Key).ToArray();
                throw new McasConflictException(
                    $"MCAS transaction gave up after {attempt} attempts in {clock.Elapsed.TotalMilliseconds:F0} ms of conflicts; contended keys: {string.Join(", ", keys)}.",
                    keys, attempt);
            }
            McasMetrics.Retries.Add(1);
            await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>As <see cref="TransactAsync{T}"/>, for a body with no result.</summary>
    public async ValueTask TransactAsync(Func<McasTransaction, CancellationToken, ValueTask> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        await TransactAsync<bool>(async (transaction, token) =>
        {
            await body(transaction, token).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A second read cannot prove that a key read as absent stayed absent in between (it may have been created
    /// and deleted again), so a read-only attempt with an absent key among several commits its reads as an MCAS
    /// that keeps every key, which checks all of them at one instant.
    /// </summary>
    private static bool NeedsCommitToValidate(McasTransaction transaction) =>
        transaction.Reads.Count > 1 && transaction.Reads.Any(entry => !entry.Exists);

    /// <summary>A read-only attempt over present keys is consistent if a second read finds every CAS token unchanged (double collect; tokens never repeat).</summary>
    private async ValueTask<string?> ValidateReadsAsync(McasTransaction transaction, CancellationToken cancellationToken)
    {
        var reads = transaction.Reads.ToArray();
        if (reads.Length <= 1)
        {
            return null;
        }
        var again = await GetManyAsync([.. reads.Select(entry => entry.Key)], cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < reads.Length; i++)
        {
            if (again[i].Cas != reads[i].Cas || again[i].Exists != reads[i].Exists)
            {
                McasMetrics.Conflicts.Add(1);
                return reads[i].Key;
            }
        }
        return null;
    }

    private TimeSpan Backoff(int attempt)
    {
        var cap = Math.Min(_options.MaxBackoff.TotalMilliseconds, _options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20)));
#pragma warning disable CA5394 // Jitter, not security.
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * cap);
#pragma warning restore CA5394
    }
}
