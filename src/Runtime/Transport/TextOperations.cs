using System.Globalization;
using System.Text;
using Memstore.Protocol;

namespace Memstore.Transport;

/// <summary>Classic <c>version</c>: one <c>VERSION x</c> line.</summary>
internal sealed class VersionOperation : Operation
{
    public VersionOperation() => Name = "version";

    public string Version { get; private set; } = "";

    public override bool TryConsume(ReadOnlySpan<byte> data, CompletionBatch? completions, out int consumed, out int needed, out bool resetConnection)
    {
        resetConnection = false;
        needed = data.Length + 1;
        if (!MetaResponseParser.TryReadLine(data, out var line, out consumed))
        {
            return false;
        }
        if (ErrorLines.TryClassify(line, out var code, out var messageStart))
        {
            TryFail(ErrorLines.ToException(code, ErrorLines.Message(code, line, messageStart), ErrorText.Operation(Name, null), Server));
            return true;
        }
        if (!line.StartsWith("VERSION "u8))
        {
            throw MetaResponseParser.Malformed($"expected VERSION from {Server}", line);
        }
        if (TryBeginCompletion())
        {
            Version = Encoding.ASCII.GetString(line["VERSION "u8.Length..]);
            EndCompletion(null, completions);
        }
        return true;
    }
}

/// <summary>Classic <c>stats [group]</c>: <c>STAT name value</c> lines closed by <c>END</c>.</summary>
internal sealed class StatsOperation : Operation
{
    private readonly Dictionary<string, string> _stats = new(StringComparer.Ordinal);

    public StatsOperation() => Name = "stats";

    public IReadOnlyDictionary<string, string> Stats => _stats;

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
            if (line.SequenceEqual("END"u8))
            {
                needed = 0;
                if (TryBeginCompletion())
                {
                    EndCompletion(null, completions);
                }
                return true;
            }
            if (ErrorLines.TryClassify(line, out var code, out var messageStart))
            {
                needed = 0;
                TryFail(ErrorLines.ToException(code, ErrorLines.Message(code, line, messageStart), ErrorText.Operation(Name, null), Server));
                return true;
            }
            if (!line.StartsWith("STAT "u8))
            {
                throw MetaResponseParser.Malformed($"expected STAT or END from {Server}", line);
            }
            var body = line[5..];
            var space = body.IndexOf((byte)' ');
            var name = Encoding.ASCII.GetString(space < 0 ? body : body[..space]);
            _stats[name] = space < 0 ? "" : Encoding.ASCII.GetString(body[(space + 1)..]);
        }
    }
}

/// <summary>Classic <c>flush_all</c>: one <c>OK</c> line.</summary>
internal sealed class FlushOperation : Operation
{
    public FlushOperation() => Name = "flush_all";

    public override bool TryConsume(ReadOnlySpan<byte> data, CompletionBatch? completions, out int consumed, out int needed, out bool resetConnection)
    {
        resetConnection = false;
        needed = data.Length + 1;
        if (!MetaResponseParser.TryReadLine(data, out var line, out consumed))
        {
            return false;
        }
        if (line.SequenceEqual("OK"u8))
        {
            if (TryBeginCompletion())
            {
                EndCompletion(null, completions);
            }
            return true;
        }
        if (ErrorLines.TryClassify(line, out var code, out var messageStart))
        {
            TryFail(ErrorLines.ToException(code, ErrorLines.Message(code, line, messageStart), ErrorText.Operation(Name, null), Server));
            return true;
        }
        throw MetaResponseParser.Malformed(string.Create(CultureInfo.InvariantCulture, $"expected OK from {Server}"), line);
    }
}

/// <summary><c>mn</c> alone: a ping that measures a round trip through the connection's queue.</summary>
internal sealed class NoOpOperation : Operation
{
    public NoOpOperation()
    {
        Name = "ping";
        MetaRequestWriter.NoOp(Request);
    }

    /// <summary>Stopwatch timestamp of the reply, so a ping measures the server rather than the caller's wake-up.</summary>
    public long CompletedAt { get; private set; }

    public override bool TryConsume(ReadOnlySpan<byte> data, CompletionBatch? completions, out int consumed, out int needed, out bool resetConnection)
    {
        resetConnection = false;
        if (!MetaResponseParser.TryParse(data, out var response, out needed, MaxValueLength))
        {
            consumed = 0;
            return false;
        }
        consumed = response.TotalLength;
        if (response.Code != ResponseCode.NoOp)
        {
            throw MetaResponseParser.Malformed($"expected MN from {Server}", data[..Math.Min(data.Length, response.TotalLength)]);
        }
        CompletedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        if (TryBeginCompletion())
        {
            EndCompletion(null, completions);
        }
        return true;
    }
}
