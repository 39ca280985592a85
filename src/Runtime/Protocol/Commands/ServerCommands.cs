using System.Text;

namespace Memstore.Protocol.Commands;

/// <summary>
/// A command addressed to a server rather than to a key: the no-op and the classic commands that have no meta
/// form (memcached doc/protocol.txt). Like a keyed <see cref="IMetaCommand{TResult}"/> it writes its own request
/// and reads its own reply, here line by line; error lines (<c>ERROR</c>, <c>CLIENT_ERROR</c>,
/// <c>SERVER_ERROR</c>) are recognised once, by the operation that runs it (Transport/ServerCommandOperation.cs).
/// </summary>
/// <typeparam name="TResult">What the caller gets back.</typeparam>
internal interface IServerCommand<out TResult>
{
    /// <summary>The command's name in errors and telemetry.</summary>
    string Name { get; }

    /// <summary>The reply, once <see cref="ReadLine"/> has returned true.</summary>
    TResult Result { get; }

    /// <summary>Writes the request line.</summary>
    void Write(RequestBuffer request);

    /// <summary>
    /// Reads one reply line (without its line end) that is not an error line. Returns true when the line ends the
    /// reply; throws <see cref="MemcacheProtocolException"/> for a line this command cannot receive.
    /// </summary>
    bool ReadLine(ReadOnlySpan<byte> line, string server);
}

/// <summary><c>mn</c>: answered <c>MN</c>. A ping that measures a round trip through the connection's queue.</summary>
internal sealed class NoOpCommand : IServerCommand<bool>
{
    public string Name => "ping";

    public bool Result { get; private set; }

    public void Write(RequestBuffer request) => MetaRequestWriter.NoOp(request);

    public bool ReadLine(ReadOnlySpan<byte> line, string server) =>
        Result = line.SequenceEqual("MN"u8) ? true : throw MetaResponseParser.Malformed($"expected MN from {server}", line);
}

/// <summary>Classic <c>version</c>: one <c>VERSION x</c> line.</summary>
internal sealed class VersionCommand : IServerCommand<string>
{
    public string Name => "version";

    public string Result { get; private set; } = "";

    public void Write(RequestBuffer request) => request.Write("version\r\n"u8);

    public bool ReadLine(ReadOnlySpan<byte> line, string server)
    {
        if (!line.StartsWith("VERSION "u8))
        {
            throw MetaResponseParser.Malformed($"expected VERSION from {server}", line);
        }
        Result = Encoding.ASCII.GetString(line["VERSION "u8.Length..]);
        return true;
    }
}

/// <summary>Classic <c>stats [group]</c>: <c>STAT name value</c> lines closed by <c>END</c>.</summary>
/// <param name="group">A plain word such as <c>slabs</c> or <c>settings</c> (checked by the caller), or null.</param>
internal sealed class StatsCommand(string? group = null) : IServerCommand<IReadOnlyDictionary<string, string>>
{
    private readonly Dictionary<string, string> _stats = new(StringComparer.Ordinal);

    public string Name => "stats";

    public IReadOnlyDictionary<string, string> Result => _stats;

    public void Write(RequestBuffer request)
    {
        request.Write("stats"u8);
        if (!string.IsNullOrEmpty(group))
        {
            request.WriteByte((byte)' ');
            var span = request.GetSpan(group.Length * 3);
            request.Advance(Encoding.ASCII.GetBytes(group, span));
        }
        request.WriteCrLf();
    }

    public bool ReadLine(ReadOnlySpan<byte> line, string server)
    {
        if (line.SequenceEqual("END"u8))
        {
            return true;
        }
        if (!line.StartsWith("STAT "u8))
        {
            throw MetaResponseParser.Malformed($"expected STAT or END from {server}", line);
        }
        var body = line[5..];
        var space = body.IndexOf((byte)' ');
        _stats[Encoding.ASCII.GetString(space < 0 ? body : body[..space])] = space < 0 ? "" : Encoding.ASCII.GetString(body[(space + 1)..]);
        return false;
    }
}

/// <summary>Classic <c>flush_all [delay]</c>: one <c>OK</c> line.</summary>
/// <param name="delaySeconds">Seconds until the flush takes effect; 0 for now.</param>
internal sealed class FlushAllCommand(uint delaySeconds = 0) : IServerCommand<bool>
{
    public string Name => "flush_all";

    public bool Result { get; private set; }

    public void Write(RequestBuffer request)
    {
        request.Write("flush_all"u8);
        if (delaySeconds > 0)
        {
            request.WriteByte((byte)' ');
            request.WriteDecimal(delaySeconds);
        }
        request.WriteCrLf();
    }

    public bool ReadLine(ReadOnlySpan<byte> line, string server) =>
        Result = line.SequenceEqual("OK"u8) ? true : throw MetaResponseParser.Malformed($"expected OK from {server}", line);
}
