using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Memstore.Cli.Options;

namespace Memstore.Cli.Commands;

/// <summary>
/// <c>memstore keys</c>: streams every server's keys with their TTL and size, from <c>lru_crawler metadump all</c>
/// on a connection of its own per server (<see cref="MetadumpScan"/>), so the dump holds up no other
/// caller; filtered by <c>--prefix</c>, bounded by <c>--limit</c>.
/// </summary>
internal sealed class KeysCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "keys";

    /// <inheritdoc />
    public string Summary => "list keys with their TTL and size (lru_crawler metadump), server by server";

    /// <inheritdoc />
    public string Notes =>
        "Asks each server in turn for 'lru_crawler metadump all' on a connection of its own (with the TLS\n"
        + "and authentication options) and prints one line per key, as the dump goes:\n"
        + "KEY<TAB>ttl=SECONDS|never<TAB>size=BYTES<TAB>server=HOST:PORT. SECONDS is what is left by this\n"
        + "machine's clock; BYTES is what the item takes in the server's memory (header, key and value), not\n"
        + "the value's length. Keys are URL-decoded from the dump, and escaped like get's values (\\xNN for\n"
        + "bytes that are not UTF-8, \\t, \\n, ...). With --json: one JSON object per line: server, key (as\n"
        + "text; escaped, with key_hex, when not UTF-8), ttl in seconds or null, expires_at in Unix seconds or\n"
        + "null, size.\n"
        + "Keys written in the client's base64 key mode (KeyMode.Base64, the meta 'b' flag) are stored by\n"
        + "memcached decoded and dumped like the others: the dump does not say which mode wrote a key.\n"
        + "A dump is a walk of the server's memory while it changes: keys set or deleted meanwhile may or may\n"
        + "not appear. --timeout is also the longest wait for the next bytes of a dump. Ctrl-C stops the\n"
        + "listing (exit code 130). A server that fails (unreachable, lru_crawler disabled or busy) gets one\n"
        + "line on standard error, the others are still listed, and the exit code is 1.";

    /// <inheritdoc />
    public Command Create(CommandContext context)
    {
        var cluster = new ClusterOptions();
        var prefix = OptionFactory.Text("--prefix", "-p", "PREFIX", "list only keys that start with PREFIX");
        var limit = OptionFactory.Number("--limit", "-n", "N", "stop after N keys in all (default: no limit)", 0, 1, long.MaxValue);
        limit.DefaultValueFactory = null;
        var json = OptionFactory.Flag("--json", null, "one JSON object per key and line");
        var command = new Command(Name, Summary) { prefix, limit, json };
        cluster.AddTo(command);
        command.SetAction((parsed, token) =>
        {
            long? most = parsed.GetResult(limit) is { Implicit: false } ? parsed.GetValue(limit) : null;
            return RunAsync(cluster.ClientOptions(parsed, context.Error), parsed.GetValue(prefix), most, parsed.GetValue(json), context, token);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        MemcacheClientOptions options, string? prefix, long? limit, bool json, CommandContext context, CancellationToken cancellationToken)
    {
        byte[] wanted = Encoding.UTF8.GetBytes(prefix ?? "");
        long listed = 0;
        int exitCode = ExitCodes.Success;
        foreach (ServerAddress server in options.Servers)
        {
            if (listed >= limit)
            {
                break;
            }

            try
            {
                listed += await ListAsync(ClusterOptions.ForServer(options, server), server, wanted, limit - listed, json, context, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await context.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                await context.Error.WriteLineAsync($"memstore keys: stopped after {listed} keys.").ConfigureAwait(false);
                return ExitCodes.Interrupted;
            }
            catch (MemcacheException error)
            {
                await context.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                await context.Error.WriteLineAsync($"memstore keys: {Failures.Describe(error)}").ConfigureAwait(false);
                exitCode = ExitCodes.Failure;
            }
        }

        if (listed >= limit)
        {
            await context.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"memstore keys: stopped at --limit {limit}.")).ConfigureAwait(false);
        }

        return exitCode;
    }

    /// <summary>Lists one server's keys; returns how many were printed.</summary>
    private static async Task<long> ListAsync(
        MemcacheClientOptions options, ServerAddress server, byte[] prefix, long? limit, bool json, CommandContext context, CancellationToken cancellationToken)
    {
        long listed = 0;
        await foreach (MetadumpLine entry in MetadumpScan.EntriesAsync(options, server, prefix, cancellationToken).ConfigureAwait(false))
        {
            long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            await context.Output.WriteLineAsync(json ? Json(entry, server, now) : Text(entry, server, now)).ConfigureAwait(false);
            if (++listed >= limit)
            {
                break;
            }
        }

        await context.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return listed;
    }

    private static string Text(MetadumpLine entry, ServerAddress server, long now) => string.Create(
        CultureInfo.InvariantCulture,
        $"{ValueText.Escape(entry.Key)}\tttl={(entry.SecondsLeft(now) is { } left ? left.ToString(CultureInfo.InvariantCulture) : "never")}\tsize={entry.Size}\tserver={server}");

    private static string Json(MetadumpLine entry, ServerAddress server, long now)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("server", server.ToString());
            if (Utf8.IsValid(entry.Key))
            {
                json.WriteString("key", Encoding.UTF8.GetString(entry.Key));
            }
            else
            {
                // Not text: escaped as in the plain output, and the bytes themselves in hex.
                json.WriteString("key", ValueText.Escape(entry.Key));
                json.WriteString("key_hex", Convert.ToHexStringLower(entry.Key));
            }

            if (entry.SecondsLeft(now) is { } left)
            {
                json.WriteNumber("ttl", left);
                json.WriteNumber("expires_at", entry.Expires!.Value);
            }
            else
            {
                json.WriteNull("ttl");
                json.WriteNull("expires_at");
            }

            json.WriteNumber("size", entry.Size);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
