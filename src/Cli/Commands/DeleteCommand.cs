using System.CommandLine;
using Memstore.Cli.Options;

namespace Memstore.Cli.Commands;

/// <summary><c>memstore delete</c>: deletes items; a key with no item makes the exit code 3.</summary>
internal sealed class DeleteCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "delete";

    /// <inheritdoc />
    public string Summary => "delete items";

    /// <inheritdoc />
    public string Notes =>
        "Deletes each KEY from the server it maps to and prints 'deleted KEY on HOST:PORT'.\n"
            + "A key with no item: 'memstore delete: no item for key K on HOST:PORT' on standard error;\n"
            + "the other keys are still deleted and the exit code is 3.";

    /// <inheritdoc />
    public Command Create(CommandContext context)
    {
        var cluster = new ClusterOptions();
        var command = new Command(Name, Summary);
        cluster.AddTo(command);
        var keys = KeyArguments.AddTo(command, "the keys to delete", "memstore delete --servers LIST KEY...");
        command.SetAction((parsed, token) => RunAsync(cluster.ClientOptions(parsed, context.Error), parsed.GetValue(keys)!, context, token));
        return command;
    }

    private static async Task<int> RunAsync(MemcacheClientOptions options, string[] keys, CommandContext context, CancellationToken cancellationToken)
    {
        var client = new MemcacheClient(options);
        await using (client.ConfigureAwait(false))
        {
            // Every key is checked before anything is sent: an invalid one is a usage error (exit code 2).
            foreach (string key in keys)
            {
                _ = client.Locate(key);
            }

            int exitCode = ExitCodes.Success;
            foreach (string key in keys)
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
