using System.Diagnostics;
using Memstore.Cluster;
using Memstore.Protocol.Commands;
using Memstore.Transport;

namespace Memstore;

public sealed partial class MemcacheClient
{
    /// <summary>Asks every server for its version. Throws the first failure after all servers have answered or failed.</summary>
    public async ValueTask<IReadOnlyDictionary<ServerAddress, string>> GetVersionsAsync(CancellationToken cancellationToken = default)
    {
        var operations = await RunOnEveryServerAsync(static () => new VersionCommand(), cancellationToken).ConfigureAwait(false);
        return operations.ToDictionary(static pair => pair.Key, static pair => pair.Value.Result);
    }

    /// <summary>Reads <c>stats</c> (or <c>stats GROUP</c>, e.g. "slabs", "items", "settings") from every server.</summary>
    public async ValueTask<IReadOnlyDictionary<ServerAddress, IReadOnlyDictionary<string, string>>> GetStatsAsync(string? group = null, CancellationToken cancellationToken = default)
    {
        if (group is not null && (group.Length == 0 || !group.All(char.IsAsciiLetterOrDigit)))
        {
            throw new ArgumentException($"A stats group is a single word such as \"slabs\" or \"settings\"; \"{group}\" is not.", nameof(group));
        }
        var operations = await RunOnEveryServerAsync(() => new StatsCommand(group), cancellationToken).ConfigureAwait(false);
        return operations.ToDictionary(static pair => pair.Key, static pair => pair.Value.Result);
    }

    /// <summary>Invalidates every item on every server, now or after <paramref name="delay"/>.</summary>
    public async ValueTask FlushAllAsync(TimeSpan delay = default, CancellationToken cancellationToken = default)
    {
        if (delay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "The flush delay cannot be negative.");
        }
        var seconds = (uint)Math.Ceiling(delay.TotalSeconds);
        await RunOnEveryServerAsync(() => new FlushAllCommand(seconds), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a no-op to every server and measures the round trip through each connection's queue.</summary>
    public async ValueTask<IReadOnlyDictionary<ServerAddress, TimeSpan>> PingAsync(CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var elapsed = new Dictionary<ServerAddress, TimeSpan>();
        var operations = await RunOnEveryServerAsync(static () => new NoOpCommand(), cancellationToken).ConfigureAwait(false);
        foreach (var (server, operation) in operations)
        {
            elapsed[server] = Stopwatch.GetElapsedTime(started, operation.CompletedAt);
        }
        return elapsed;
    }

    /// <summary>
    /// Runs one command per server concurrently, the gutter pool's included (a flush must reach the copies there
    /// too); rethrows the first failure once all are done.
    /// </summary>
    private async ValueTask<Dictionary<ServerAddress, ServerCommandOperation<TResult>>> RunOnEveryServerAsync<TResult>(
        Func<IServerCommand<TResult>> create, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var nodes = AllNodes;
        var pending = new List<(Operation Operation, ValueTask Completion)>(nodes.Length);
        var results = new Dictionary<ServerAddress, ServerCommandOperation<TResult>>(nodes.Length);
        Exception? firstError = null;
        foreach (var node in nodes)
        {
            var operation = ServerCommandOperation.For(create());
            results[node.Address] = operation;
            StartOrRecord(pending, operation, node.NextConnection(), cancellationToken, ref firstError);
        }
        await AwaitAllAsync(pending, firstError).ConfigureAwait(false);
        return results;
    }
}
