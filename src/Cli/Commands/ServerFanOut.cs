using Memstore.Cli.Options;

namespace Memstore.Cli.Commands;

/// <summary>
/// Runs an action against every server of a list at once, each through its own one-server client, so
/// one unreachable server costs only its own line: the others still report.
/// </summary>
internal static class ServerFanOut
{
    /// <summary>Runs <paramref name="action"/> on every server of <paramref name="cluster"/> concurrently.</summary>
    /// <returns>One outcome per server, in the order of the server list.</returns>
    public static async Task<IReadOnlyList<ServerOutcome<T>>> RunAsync<T>(
        MemcacheClientOptions cluster, Func<MemcacheClient, CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        Task<ServerOutcome<T>>[] runs = [.. cluster.Servers.Select(server => RunOneAsync(cluster, server, action, cancellationToken))];
        return await Task.WhenAll(runs).ConfigureAwait(false);
    }

    private static async Task<ServerOutcome<T>> RunOneAsync<T>(
        MemcacheClientOptions cluster, ServerAddress server, Func<MemcacheClient, CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        var client = new MemcacheClient(ClusterOptions.ForServer(cluster, server));
        await using (client.ConfigureAwait(false))
        {
            try
            {
                return new ServerOutcome<T>(server, await action(client, cancellationToken).ConfigureAwait(false), null);
            }
            catch (MemcacheException error)
            {
                return new ServerOutcome<T>(server, default, error);
            }
        }
    }

    /// <summary>Writes one error line per failed server to standard error.</summary>
    /// <returns><see cref="ExitCodes.Failure"/> when any server failed, else <see cref="ExitCodes.Success"/>.</returns>
    public static async Task<int> ReportFailuresAsync<T>(string command, IEnumerable<ServerOutcome<T>> outcomes, TextWriter error)
    {
        int exitCode = ExitCodes.Success;
        foreach (ServerOutcome<T> outcome in outcomes)
        {
            if (outcome.Error is { } failure)
            {
                await error.WriteLineAsync($"memstore {command}: {Failures.Describe(failure)}").ConfigureAwait(false);
                exitCode = ExitCodes.Failure;
            }
        }

        return exitCode;
    }
}

/// <summary>What one server answered, or why it did not.</summary>
/// <param name="Server">The server.</param>
/// <param name="Value">The action's result when it succeeded.</param>
/// <param name="Error">The failure, or null on success.</param>
internal sealed record ServerOutcome<T>(ServerAddress Server, T? Value, MemcacheException? Error);

/// <summary>Turns client exceptions into the single line a command prints on standard error.</summary>
internal static class Failures
{
    /// <summary>The exception's message on one line, prefixed with the server when the message does not name it.</summary>
    public static string Describe(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        string message = OneLine(error.Message);
        return error is MemcacheException { Server: { } server } && !message.Contains(server, StringComparison.Ordinal)
            ? $"{server}: {message}"
            : message;
    }

    /// <summary>
    /// What a usage problem says, on one line: for an <see cref="ArgumentException"/> without the
    /// " (Parameter 'x')" suffix, which names a C# parameter the command-line user never saw.
    /// </summary>
    public static string UsageMessage(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        string message = error.Message;
        if (error is ArgumentException { ParamName: { } parameter })
        {
            message = message.Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal);
        }

        return OneLine(message);
    }

    /// <summary>The text with line breaks replaced by spaces.</summary>
    public static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
