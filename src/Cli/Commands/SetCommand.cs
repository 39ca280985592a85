using System.CommandLine;
using System.Globalization;
using System.Text;
using Memstore.Cli.Options;

namespace Memstore.Cli.Commands;

/// <summary><c>memstore set</c>: stores a value, given as an argument or read from standard input with <c>-</c>.</summary>
internal sealed class SetCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "set";

    /// <inheritdoc />
    public string Summary => "store a value (VALUE '-' reads it from standard input)";

    /// <inheritdoc />
    public string Notes =>
        "Stores VALUE (as UTF-8) under KEY on the server the key maps to. VALUE '-' reads the value\n"
            + "from standard input, byte for byte, to its end. Prints 'stored KEY (N bytes) on HOST:PORT'.";

    /// <inheritdoc />
    public Command Create(CommandContext context)
    {
        var cluster = new ClusterOptions();
        // Up to ~136 years: Expiration turns anything over 30 days into an absolute Unix time that must fit 32 bits.
        var ttl = OptionFactory.Number("--ttl", null, "SECONDS", "time to live; 0 never expires; over 30 days is allowed", 0, 0, int.MaxValue);
        var flags = OptionFactory.Number("--flags", null, "N", "32-bit client flags stored with the item", 0, 0, uint.MaxValue);
        var arguments = new Argument<string[]>("KEY VALUE") { Arity = ArgumentArity.ZeroOrMore, Description = "the key, and the value as UTF-8 text or '-' for standard input" };
        var command = new Command(Name, Summary)
        {
            ttl, flags, arguments,
        };
        cluster.AddTo(command);
        command.Validators.Add(result =>
        {
            int count = result.GetValue(arguments)?.Length ?? 0;
            if (count != 2)
            {
                result.AddError(string.Create(
                    CultureInfo.InvariantCulture,
                    $"set needs KEY and VALUE (or '-' to read the value from standard input); got {count} argument(s)."));
            }
        });
        command.SetAction((parsed, token) =>
        {
            string[] keyAndValue = parsed.GetValue(arguments)!;
            return RunAsync(
                cluster.ClientOptions(parsed, context.Error), keyAndValue[0], keyAndValue[1], parsed.GetValue(ttl), (uint)parsed.GetValue(flags), context, token);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        MemcacheClientOptions options, string key, string valueArgument, long ttl, uint flags, CommandContext context, CancellationToken cancellationToken)
    {
        byte[] value = valueArgument == "-"
            ? await ReadInputAsync(context, cancellationToken).ConfigureAwait(false)
            : Encoding.UTF8.GetBytes(valueArgument);

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
                throw new ArgumentException($"--ttl {ttl}: {Failures.UsageMessage(error)}", error);
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
