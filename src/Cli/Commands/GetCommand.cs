using System.CommandLine;
using System.Globalization;
using System.Text;
using Memstore.Cli.Options;

namespace Memstore.Cli.Commands;

/// <summary>
/// <c>memstore get</c>: reads items from the servers the keys map to. One key: the value's bytes as-is
/// on standard output (no newline added). Several keys, or <c>--show-meta</c>: one line per hit.
/// A miss is reported on standard error and makes the exit code 3.
/// </summary>
internal sealed class GetCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "get";

    /// <inheritdoc />
    public string Summary => "read values (one key: raw bytes to standard output)";

    /// <inheritdoc />
    public string Notes =>
        "One KEY: writes the value's bytes exactly as stored to standard output, no newline added.\n"
            + "Several KEYs (one round trip per server): one line per hit, KEY<TAB>VALUE. With --show-meta:\n"
            + "KEY<TAB>flags=N<TAB>cas=N<TAB>bytes=N<TAB>VALUE, for one key too. In these lines VALUE is\n"
            + "escaped to stay on one line: \\\\ \\t \\r \\n, \\xNN for other control characters and for\n"
            + "every non-ASCII byte of a value that is not valid UTF-8.\n"
            + "A key with no item: 'memstore get: no item for key K on HOST:PORT' on standard error;\n"
            + "the other keys are still printed and the exit code is 3.";

    /// <inheritdoc />
    public Command Create(CommandContext context)
    {
        var cluster = new ClusterOptions();
        var showMeta = OptionFactory.Flag("--show-meta", "-m", "print each item's client flags, CAS token and size");
        var command = new Command(Name, Summary)
        {
            showMeta,
        };
        cluster.AddTo(command);
        var keys = KeyArguments.AddTo(command, "the keys to read", "memstore get --servers LIST KEY...");
        command.SetAction((parsed, token) => RunAsync(
            cluster.ClientOptions(parsed, context.Error), parsed.GetValue(keys)!, parsed.GetValue(showMeta), context, token));
        return command;
    }

    private static async Task<int> RunAsync(
        MemcacheClientOptions options, string[] keys, bool showMeta, CommandContext context, CancellationToken cancellationToken)
    {
        var client = new MemcacheClient(options);
        await using (client.ConfigureAwait(false))
        {
            // Every key is checked before anything is sent: an invalid one is a usage error (exit code 2).
            foreach (string key in keys)
            {
                _ = client.Locate(key);
            }

            CacheValue[] values = keys.Length == 1
                ? [await client.GetAsync(keys[0], cancellationToken).ConfigureAwait(false)]
                : await client.GetManyAsync(keys, cancellationToken).ConfigureAwait(false);

            int exitCode = ExitCodes.Success;
            for (int i = 0; i < keys.Length; i++)
            {
                CacheValue value = values[i];
                if (!value.Found)
                {
                    await context.Error.WriteLineAsync($"memstore get: no item for key {keys[i]} on {client.Locate(keys[i])}").ConfigureAwait(false);
                    exitCode = ExitCodes.NotFound;
                }
                else if (keys.Length == 1 && !showMeta)
                {
                    await WriteRawAsync(value.Value!, context, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await context.Output.WriteLineAsync(Line(keys[i], value, showMeta)).ConfigureAwait(false);
                }
            }

            return exitCode;
        }
    }

    private static string Line(string key, CacheValue value, bool showMeta) =>
        showMeta
            ? string.Create(CultureInfo.InvariantCulture, $"{key}\tflags={value.Flags}\tcas={value.Cas.Value}\tbytes={value.Value!.Length}\t{ValueText.Escape(value.Value)}")
            : $"{key}\t{ValueText.Escape(value.Value)}";

    private static async Task WriteRawAsync(byte[] value, CommandContext context, CancellationToken cancellationToken)
    {
        if (context.OutputStream is null)
        {
            await context.Output.WriteAsync(Encoding.UTF8.GetString(value)).ConfigureAwait(false);
            return;
        }

        // Text written earlier must come out first; then the bytes bypass the text encoder.
        await context.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
        await context.OutputStream.WriteAsync(value, cancellationToken).ConfigureAwait(false);
        await context.OutputStream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
