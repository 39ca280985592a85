using System.Globalization;

namespace Memstore.Cli.Commands;

/// <summary><c>memstore flush</c>: invalidates every item on every listed server; refuses without <c>--yes</c>.</summary>
internal sealed class FlushCommand : ICommand
{
    private static readonly OptionSpec DelayOption = new("--delay", null, "SECONDS");
    private static readonly OptionSpec YesOption = new("--yes", "-y", null);

    /// <inheritdoc />
    public string Name => "flush";

    /// <inheritdoc />
    public string Summary => "invalidate every item on every server (needs --yes)";

    /// <inheritdoc />
    public string Usage =>
        "Usage: memstore flush --servers LIST [--delay SECONDS] --yes\n\n"
        + "Sends flush_all to every server. Without --yes it refuses (exit code 2) and touches nothing.\n"
        + "Prints one line per server flushed; a server that fails gets one line on standard error and\n"
        + "the exit code is 1.\n\n"
        + "Options:\n"
        + "      --delay SECONDS        invalidate the items after this many seconds instead of now\n"
        + "  -y, --yes                  confirm: really flush\n"
        + ClusterOptions.UsageLines + "\n";

    /// <inheritdoc />
    public async Task<int> RunAsync(IReadOnlyList<string> arguments, CommandContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ParsedArguments parsed = ClusterOptions.Parse(arguments, DelayOption, YesOption);
        if (parsed.Positionals.Count > 0)
        {
            throw new UsageException($"flush takes no arguments; got '{parsed.Positionals[0]}'.");
        }

        MemcacheClientOptions options = ClusterOptions.ClientOptions(parsed, context.Error);
        long delaySeconds = ClusterOptions.ParseNumber(parsed, DelayOption, 0, 0, uint.MaxValue);
        if (!parsed.Has(YesOption.Name))
        {
            throw new UsageException(string.Create(
                CultureInfo.InvariantCulture,
                $"Refusing to flush without --yes: it would invalidate every item on {options.Servers.Count} server(s) ({string.Join(", ", options.Servers)})."));
        }

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
