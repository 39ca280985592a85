using System.Runtime.CompilerServices;
using Memstore.Protocol.Commands;
using Memstore.Transport;

namespace Memstore;

// The one path every single-key command takes: route the key, write the command into a pooled operation,
// send it, and let the command read its reply. The public operations (MemcacheClient.Reads.cs, .Writes.cs) only build
// the command; what each meta command sends and what its reply means lives in Protocol/Commands.
public sealed partial class MemcacheClient
{
    /// <summary>
    /// Routes, writes and sends <paramref name="command"/> for <paramref name="key"/>. Argument mistakes (a value
    /// too large) throw here, even when the server is down; every other failure arrives through the task.
    /// </summary>
    private ValueTask<TResult> ExecuteAsync<TCommand, TResult>(in TCommand command, in ValidKey key, ReadOnlySpan<byte> dataBlock, CancellationToken cancellationToken)
        where TCommand : struct, IMetaCommand<TResult>
    {
        var connection = Route(key, command.Name, out var failure, out var maxTtl);
        if (command.HasDataBlock)
        {
            CheckValueSize(key, dataBlock.Length);
            CheckServerValueSize(key, dataBlock.Length, connection);
        }
        if (failure is not null)
        {
            ReportIfWrite<TCommand, TResult>(command, connection, key.Describable, failure);
            return FailedCall<TResult>.Create(failure); // nothing rented or written
        }
        return CompleteAsync<TCommand, TResult>(Write<TCommand, TResult>(connection, command, key, dataBlock, maxTtl), connection, command, cancellationToken);
    }

    /// <summary>
    /// Rents the pooled operation, records the key for its error messages, tags it with the connection's next opaque
    /// token and writes the command, its TTLs capped to <paramref name="maxTtl"/> (0: none; the gutter pool's cap).
    /// </summary>
    private MetaOperation Write<TCommand, TResult>(Connection connection, in TCommand command, in ValidKey key, ReadOnlySpan<byte> dataBlock, uint maxTtl = 0)
        where TCommand : struct, IMetaCommand<TResult>
    {
        var operation = MetaOperation.Rent(command.Name, key.Text, command.Target, command.Destination, command.HasDataBlock, command.Accepts);
        if (key.Text is null)
        {
            operation.SetKey(key.Bytes);
        }
        var opaque = operation.Tag(connection.Opaques.Next());
        command.Write(operation.Request, key.Bytes, _keyMode, dataBlock, opaque, maxTtl);
        return operation;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TResult> CompleteAsync<TCommand, TResult>(MetaOperation operation, Connection connection, TCommand command, CancellationToken cancellationToken)
        where TCommand : struct, IMetaCommand<TResult>
    {
        try
        {
            await SendAsync(operation, connection, cancellationToken).ConfigureAwait(false);
            return command.Read(operation.Reply, operation.TakeValueArray());
        }
        catch (MemcacheFormatException ex) when (ex.Key is null)
        {
            // A typed read's codec refused the bytes: say which key and server they came from.
            throw ex.About(command.Name, operation.Key, connection.Name);
        }
        catch (Exception ex) when (ReportIfWrite<TCommand, TResult>(command, connection, operation.Key, ex))
        {
            throw; // never reached: the filter reports and declines
        }
        finally
        {
            operation.ReleaseByCaller();
        }
    }
}
