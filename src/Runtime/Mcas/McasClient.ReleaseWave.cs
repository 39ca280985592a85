using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Memstore.Protocol.Commands;
using Microsoft.Extensions.Logging;

namespace Memstore.Mcas;

public sealed partial class McasClient
{
    /// <summary>
    /// Phase 2's requests as one wave (<see cref="MemcacheClient.RequestWave"/>): releases and undos, CAS'd on a marker's
    /// token, then deletes of finished descriptors. A CAS mismatch (<c>EX</c>, <c>NF</c>) means someone else already did
    /// it and is not an error.
    /// </summary>
    private sealed class ReleaseWave(MemcacheClient.RequestWave wave)
    {
        // What each request of the wave is, in order: ResultAsync reads its reply with it and names it ("cas", "delete")
        // when its failure is reported through WriteFailed.
        private readonly List<(bool IsDelete, StoreCommand Store, DeleteCommand Delete)> _sent = new(4);

        public int Count => wave.Count;

        /// <summary>Puts the outcome (or, for a failed or late marker, what it replaced) over the marker with token <paramref name="marker"/>.</summary>
        public void AddRelease(DescriptorItem item, CasToken marker, bool succeeded)
        {
            var (value, flags, expires) = succeeded
                ? (item.NewValue, item.NewFlags, item.NewExpires)
                : (item.ExpectAbsent ? null : item.OldValue, item.OldFlags, item.OldExpires);
            if (value is null)
            {
                AddDelete(item.Key, marker);
            }
            else
            {
                var store = new StoreCommand(StoreMode.Set, ToExpiry(expires), flags, marker);
                wave.Add<StoreCommand, StoreResult>(store, item.Key, value);
                _sent.Add((false, store, default));
            }
        }

        public void AddDelete(string key, CasToken compare)
        {
            var delete = new DeleteCommand(compare);
            wave.Add<DeleteCommand, DeleteStatus>(delete, key, default);
            _sent.Add((true, default, delete));
        }

        /// <summary>
        /// Sends the wave and awaits every reply. The first failure among the first <paramref name="releases"/> requests is
        /// thrown once all are answered; a failed clean-up delete after them is only logged (the descriptor expires with its TTL).
        /// </summary>
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
        public async ValueTask SendAndAwaitAsync(int releases, ILogger logger, CancellationToken cancellationToken)
        {
            wave.Send(cancellationToken);
            ExceptionDispatchInfo? failure = null;
            Exception? cleanUpFailure = null;
            var cleanUps = 0;
            for (var i = 0; i < _sent.Count; i++)
            {
                try
                {
                    var (isDelete, store, delete) = _sent[i];
                    if (isDelete)
                    {
                        await wave.ResultAsync<DeleteCommand, DeleteStatus>(i, delete).ConfigureAwait(false);
                    }
                    else
                    {
                        await wave.ResultAsync<StoreCommand, StoreResult>(i, store).ConfigureAwait(false);
                    }
                }
#pragma warning disable CA1031 // A release's failure is rethrown below, once every reply is in; a clean-up's is logged.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    if (i < releases)
                    {
                        failure ??= ExceptionDispatchInfo.Capture(ex);
                    }
                    else
                    {
                        cleanUpFailure ??= ex;
                        cleanUps++;
                    }
                }
            }
            if (cleanUpFailure is not null)
            {
                McasMetrics.BackgroundFailures.Add(1);
                McasLog.CleanUpFailed(logger, cleanUps, cleanUpFailure);
            }
            failure?.Throw();
        }
    }
}
