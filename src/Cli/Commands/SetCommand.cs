using System.Globalization;
using System.Text;

namespace Memstore.Cli.Commands;

/// <summary><c>memstore set</c>: stores a value, given as an argument or read from standard input with <c>-</c>.</summary>
internal sealed class SetCommand : ICommand
{
    private static readonly OptionSpec TtlOption = new("--ttl", null, "SECONDS");
    private static readonly OptionSpec FlagsOption = new("--flags", null, "N");

    /// <inheritdoc />
    public string Name => "set";

    /// <inheritdoc />
    public string Summary => "store a value (VALUE '-' reads it from standard input)";

    /// <inheritdoc />
    public string Usage =>
        "Usage: memstore set --servers LIST [--ttl SECONDS] [--flags N] KEY VALUE\n\n"
        + "Stores VALUE (as UTF-8) under KEY on the server the key maps to. VALUE '-' reads the value\n"
        + "from standard input, byte for byte, to its end. Prints 'stored KEY (N bytes) on HOST:PORT'.\n\n"
        + "Options:\n"
        + "      --ttl SECONDS          time to live; 0 (default) never expires; over 30 days is allowed\n"
        + "      --flags N              32-bit client flags stored with the item (default 0)\n"
        + ClusterOptions.UsageLines + "\n";

    /// <inheritdoc />
    public async Task<int> RunAsync(IReadOnlyList<string> arguments, CommandContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ParsedArguments parsed = ClusterOptions.Parse(arguments, TtlOption, FlagsOption);
        if (parsed.Positionals.Count != 2)
        {
            throw new UsageException(string.Create(
                CultureInfo.InvariantCulture,
                $"set needs KEY and VALUE (or '-' to read the value from standard input); got {parsed.Positionals.Count} argument(s)."));
        }

        MemcacheClientOptions options = ClusterOptions.ClientOptions(parsed, context.Error);
        // Up to ~136 years: Expiration turns anything over 30 days into an absolute Unix time that must fit 32 bits.
        long ttl = ClusterOptions.ParseNumber(parsed, TtlOption, 0, 0, int.MaxValue);
        uint flags = (uint)ClusterOptions.ParseNumber(parsed, FlagsOption, 0, 0, uint.MaxValue);
        string key = parsed.Positionals[0];
        byte[] value = parsed.Positionals[1] == "-"
            ? await ReadInputAsync(context, cancellationToken).ConfigureAwait(false)
            : Encoding.UTF8.GetBytes(parsed.Positionals[1]);

        var client = new MemcacheClient(options);
        await using (client.ConfigureAwait(false))
        {
            TimeSpan? expiry = ttl == 0 ? null : TimeSpan.FromSeconds(ttl);
            StoreResult result;
            try
            {
                result = await client.SetAsync(key, value, expiry, flags, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentOutOfRangeException error) when (error.ParamName == "expiry")
            {
                throw new UsageException($"--ttl {ttl}: {Failures.OneLine(error.Message)}", error);
            }

            if (!result.Stored)
            {
                await context.Error.WriteLineAsync($"memstore set: {key} was not stored on {client.Locate(key)} ({result.Status}).").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            await context.Output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture, $"stored {key} ({value.Length} bytes) on {client.Locate(key)}")).ConfigureAwait(false);
            return ExitCodes.Success;
        }
    }

    private static async Task<byte[]> ReadInputAsync(CommandContext context, CancellationToken cancellationToken)
    {
        if (context.InputStream is null)
        {
            return Encoding.UTF8.GetBytes(await context.Input.ReadToEndAsync(cancellationToken).ConfigureAwait(false));
        }

        using var buffer = new MemoryStream();
        await context.InputStream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
