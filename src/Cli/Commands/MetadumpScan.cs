using System.Runtime.CompilerServices;
using Memstore.Transport;

namespace Memstore.Cli.Commands;

/// <summary>
/// One server's <c>lru_crawler metadump all</c>, entry by entry, on a connection of its own
/// (<see cref="DedicatedServerConnection"/>) so the dump holds up no other caller: shared by <c>memstore keys</c> and
/// <c>memstore mcas --pending</c>.
/// </summary>
internal static class MetadumpScan
{
    public const string Dump = "lru_crawler metadump all";

    /// <summary>The entries whose key starts with <paramref name="prefix"/>, as the dump goes.</summary>
    /// <exception cref="MemcacheProtocolException">The server answered something that is not a dump line (BUSY, an error).</exception>
    public static async IAsyncEnumerable<MetadumpLine> EntriesAsync(
        MemcacheClientOptions options, ServerAddress server, byte[] prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var connection = await DedicatedServerConnection.OpenAsync(options, server, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await foreach (string line in connection.RunAsync(Dump, "END", cancellationToken).ConfigureAwait(false))
            {
                if (MetadumpLine.TryParse(line) is not { } entry)
                {
                    throw new MemcacheProtocolException(
                        $"{server} answered '{Dump}' with \"{Failures.OneLine(line)}\"{(line.StartsWith("BUSY", StringComparison.Ordinal) ? " (another crawl is running: try again)" : "")}.")
                    { Server = server.ToString() };
                }

                if (entry.Key.AsSpan().StartsWith(prefix))
                {
                    yield return entry;
                }
            }
        }
    }
}
