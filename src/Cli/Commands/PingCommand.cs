using System.CommandLine;
using System.Globalization;
using Memstore.Cli.Options;

namespace Memstore.Cli.Commands;

/// <summary>
/// <c>memstore ping</c>: asks every server for its version, then times a no-op round trip on the
/// open connection. One line per answering server; one error line per failed server.
/// </summary>
internal sealed class PingCommand : ICommand
{
    private const int RoundTrips = 3;

    /// <inheritdoc />
    public string Name => "ping";

    /// <inheritdoc />
    public string Summary => "check every server: version and round-trip time";

    /// <inheritdoc />
    public string Notes =>
        "Prints one line per server that answers: HOST:PORT  version=VERSION  time=MS ms, the\n"
            + "best of three no-op round trips on an open connection. A server that fails gets one line\n"
            + "on standard error and the exit code is 1.";

    /// <inheritdoc />
    public Command Create(CommandContext context)
    {
        var cluster = new ClusterOptions();
        var command = new Command(Name, Summary);
        cluster.AddTo(command);
        command.SetAction((parsed, token) => RunAsync(cluster.ClientOptions(parsed, context.Error), context, token));
        return command;
    }

    private async Task<int> RunAsync(MemcacheClientOptions options, CommandContext context, CancellationToken cancellationToken)
    {
        IReadOnlyList<ServerOutcome<(string Version, TimeSpan RoundTrip)>> outcomes =
            await ServerFanOut.RunAsync(options, PingAsync, cancellationToken).ConfigureAwait(false);

        int width = options.Servers.Max(s => s.ToString().Length);
        foreach (var outcome in outcomes.Where(o => o.Error is null))
        {
            await context.Output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"{outcome.Server.ToString().PadRight(width)}  version={outcome.Value.Version}  time={outcome.Value.RoundTrip.TotalMilliseconds:0.000} ms"))
                .ConfigureAwait(false);
        }

        return await ServerFanOut.ReportFailuresAsync(Name, outcomes, context.Error).ConfigureAwait(false);
    }

    private static async Task<(string Version, TimeSpan RoundTrip)> PingAsync(MemcacheClient client, CancellationToken cancellationToken)
    {
        // The version request opens the connection, so the timed no-ops measure only round trips;
        // the best of a few leaves out one-time costs on this side (first-call code paths).
        string version = (await client.GetVersionsAsync(cancellationToken).ConfigureAwait(false)).Values.Single();
        TimeSpan best = TimeSpan.MaxValue;
        for (int i = 0; i < RoundTrips; i++)
        {
            TimeSpan roundTrip = (await client.PingAsync(cancellationToken).ConfigureAwait(false)).Values.Single();
            best = roundTrip < best ? roundTrip : best;
        }

        return (version, best);
    }
}
