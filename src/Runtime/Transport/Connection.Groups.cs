using System.Diagnostics;

namespace Memstore.Transport;

internal sealed partial class Connection
{
    /// <summary>The server this connection talks to.</summary>
    public ServerAddress Address => _server;

    /// <summary>
    /// Queues prepared operations as one unit, in this order and with nobody else's request between them; an idle
    /// connection writes them with one write on the caller's thread. memcached executes one connection's requests
    /// in the order they arrive, so the first is executed before the second, and so on.
    /// With <paramref name="linked"/>, every operation after the first may go out only right behind the one before
    /// it: when that one is dropped unsent (canceled, or timed out in the queue), or went out on a session that ended
    /// before this one was written, this one fails unsent as well. Returns false, with nothing queued, when the
    /// connection has no room for all of them or does not accept requests now; the caller then sends them its usual
    /// way (and learns why there).
    /// </summary>
    public bool TrySubmitGroup(Operation[] group, int count, bool linked)
    {
        if (!_requests.TryReserve(count))
        {
            return false;
        }
        var now = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var operation = group[i];
            operation.EnqueuedAt = now;
            operation.Server = _name;
            operation.MaxValueLength = _options.EffectiveMaxResponseValueSize;
            operation.SendOnlyAfterPrevious = linked && i > 0;
        }
        Session? inline = null;
        var claimed = 0;
        lock (_sync)
        {
            if (_status is ConnectionStatus.Down or ConnectionStatus.Disposed)
            {
                _requests.Unreserve(count);
                return false;
            }
            if (WritableSession is { } session)
            {
                claimed = session.TryClaimInlineWrite(group, count);
                inline = claimed > 0 ? session : null;
            }
            for (var i = claimed; i < count; i++)
            {
                _requests.Enqueue(group[i]);
            }
        }
        if (inline is null)
        {
            _writeSignal.Set();
        }
        else
        {
            inline.WriteInline(group, claimed);
        }
        return true;
    }

}
