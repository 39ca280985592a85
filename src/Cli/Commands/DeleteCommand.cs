namespace Memstore.Cli.Commands;

/// <summary><c>memstore delete</c>: deletes items; a key with no item makes the exit code 3.</summary>
internal sealed class DeleteCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "delete";

    /// <inheritdoc />
    public string Summary => "delete items";

    /// <inheritdoc />
    public string Usage =>
        "Usage: memstore delete --servers LIST KEY...\n\n"
        + "Deletes each KEY from the server it maps to and prints 'deleted KEY on HOST:PORT'.\n"
        + "A key with no item: 'memstore delete: no item for key K on HOST:PORT' on standard error;\n"
        + "the other keys are still deleted and the exit code is 3.\n\n"
        + "Options:\n"
        + ClusterOptions.UsageLines + "\n";

    /// <inheritdoc />
    public async Task<int> RunAsync(IReadOnlyList<string> arguments, CommandContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ParsedArguments parsed = ClusterOptions.Parse(arguments);
        if (parsed.Positionals.Count == 0)
        {
            throw new UsageException("Missing KEY: memstore delete --servers LIST KEY...");
        }

        var client = new MemcacheClient(ClusterOptions.ClientOptions(parsed, context.Error));
        await using (client.ConfigureAwait(false))
        {
            // Every key is checked before anything is sent: an invalid one is a usage error (exit code 2).
            foreach (string key in parsed.Positionals)
            {
                _ = client.Locate(key);
            }

            int exitCode = ExitCodes.Success;
            foreach (string key in parsed.Positionals)
            {
                DeleteStatus status = await client.DeleteAsync(key, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (status == DeleteStatus.Deleted)
                {
                    await context.Output.WriteLineAsync($"deleted {key} on {client.Locate(key)}").ConfigureAwait(false);
                }
                else
                {
                    await context.Error.WriteLineAsync($"memstore delete: no item for key {key} on {client.Locate(key)}").ConfigureAwait(false);
                    exitCode = ExitCodes.NotFound;
                }
            }

            return exitCode;
        }
    }
}
