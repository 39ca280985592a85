using Memstore.Protocol;
using Memstore.Protocol.Commands;

namespace Memstore.Transport;

/// <summary>
/// Runs one <see cref="IServerCommand{TResult}"/> on a connection: the command writes the request when the
/// operation is made and reads its reply line by line; an error line fails the caller with the exception type
/// that line maps to everywhere (<see cref="ErrorLines"/>).
/// </summary>
internal sealed class ServerCommandOperation<TResult> : Operation
{
    public ServerCommandOperation(IServerCommand<TResult> command)
    {
        Command = command;
        Name = command.Name;
        command.Write(Request);
    }

    public IServerCommand<TResult> Command { get; }

    /// <summary>The reply, once the operation completed without error.</summary>
    public TResult Result => Command.Result;

    /// <summary>Stopwatch timestamp of the reply's last line, so a ping measures the server rather than the caller's wake-up.</summary>
    public long CompletedAt { get; private set; }

    public override bool TryConsume(ReadOnlySpan<byte> data, CompletionBatch? completions, out int consumed, out int needed, out bool resetConnection)
    {
        resetConnection = false;
        consumed = 0;
        while (true)
        {
            if (!MetaResponseParser.TryReadLine(data[consumed..], out var line, out var lineLength))
            {
                needed = data.Length - consumed + 1;
                return false;
            }
            consumed += lineLength;
            needed = 0;
            if (ErrorLines.TryClassify(line, out var code, out var messageStart))
            {
                TryFail(ErrorLines.ToException(code, ErrorLines.Message(code, line, messageStart), ErrorText.Operation(Name, null), Server));
                return true;
            }
            if (Command.ReadLine(line, Server))
            {
                CompletedAt = System.Diagnostics.Stopwatch.GetTimestamp();
                if (TryBeginCompletion())
                {
                    EndCompletion(null, completions);
                }
                return true;
            }
        }
    }
}

/// <summary>Makes a <see cref="ServerCommandOperation{TResult}"/> with the result type inferred.</summary>
internal static class ServerCommandOperation
{
    public static ServerCommandOperation<TResult> For<TResult>(IServerCommand<TResult> command) => new(command);
}
