using System.CommandLine;
using System.Globalization;
using Memstore.Cli.Options;

namespace Memstore.Cli.Commands;

/// <summary><c>memstore flush</c>: invalidates every item on every listed server; refuses without <c>--yes</c>.</summary>
internal sealed class FlushCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "flush";

    /// <inheritdoc />
    public string Summary => "invalidate every item on every server (needs --yes)";

    /// <inheritdoc />
    public string Notes =>
        "Sends flush_all to every server. Without --yes it refuses (exit code 2) and touches nothing.\n"
            + "Prints one line per server flushed; a server that fails gets one line on standard error and\n"
            + "the exit code is 1.";

    /// <inheritdoc />
    public Command Create(CommandContext context)
    {
        var cluster = new ClusterOptions();
        var delay = OptionFactory.Number("--delay", null, "SECONDS", "invalidate the items after this many seconds instead of now", 0, 0, uint.MaxValue);
        var yes = OptionFactory.Flag("--yes", "-y", "confirm: really flush");
        var command = new Command(Name, Summary)
        {
            delay, yes,
        };
        cluster.AddTo(command);
        command.Validators.Add(result =>
        {
            if (!result.GetValue(yes) && result.GetValue(cluster.Servers) is { Count: > 0 } servers)
            {
                result.AddError(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Refusing to flush without --yes: it would invalidate every item on {servers.Count} server(s) ({string.Join(", ", servers)})."));
            }
        });
        command.SetAction((parsed, token) => RunAsync(cluster.ClientOptions(parsed, context.Error), parsed.GetValue(delay), context, token));
        return command;
    }

    private async Task<int> RunAsync(MemcacheClientOptions options, long delaySeconds, CommandContext context, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(delaySeconds);
        var outcomes = await ServerFanOut.RunAsync(
            options,
            async (client, token) =>
            {
                await client.FlushAllAsync(delay, token).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);

        string done = delaySeconds == 0 ? "flushed" : string.Create(CultureInfo.InvariantCulture, $"flush scheduled in {delaySeconds} s");
        foreach (var outcome in outcomes.Where(o => o.Error is null))
        {
            await context.Output.WriteLineAsync($"{outcome.Server}  {done}").ConfigureAwait(false);
        }

        return await ServerFanOut.ReportFailuresAsync(Name, outcomes, context.Error).ConfigureAwait(false);
    }
}
