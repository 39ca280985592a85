using System.Text;

namespace Memstore.Protocol;

/// <summary>
/// The three error replies memcached can send in place of any reply (meta or classic), recognised in one place
/// and turned into exceptions by one rule: <c>SERVER_ERROR</c> (the server could not do it: out of memory, too
/// large, busy) is a <see cref="MemcacheServerErrorException"/>; <c>CLIENT_ERROR</c> (the request was wrong) and
/// <c>ERROR</c> (a command it does not know) are a <see cref="MemcacheClientErrorException"/>.
/// </summary>
internal static class ErrorLines
{
    /// <summary>
    /// Whether <paramref name="line"/> (without CR LF) is an error reply: <c>ERROR</c> (alone or followed by a
    /// space and text), <c>CLIENT_ERROR</c> or <c>SERVER_ERROR</c>. On success, <paramref name="code"/> is the kind
    /// and <paramref name="messageStart"/> the index of the server's text in the line (the line's length when it
    /// has none).
    /// </summary>
    public static bool TryClassify(ReadOnlySpan<byte> line, out ResponseCode code, out int messageStart)
    {
        if (Matches(line, "SERVER_ERROR"u8, out messageStart))
        {
            code = ResponseCode.ServerError;
            return true;
        }
        if (Matches(line, "CLIENT_ERROR"u8, out messageStart))
        {
            code = ResponseCode.ClientError;
            return true;
        }
        if (Matches(line, "ERROR"u8, out messageStart))
        {
            code = ResponseCode.Error;
            return true;
        }
        code = default;
        return false;
    }

    /// <summary>
    /// The server's words, decoded: the text after <c>CLIENT_ERROR</c> / <c>SERVER_ERROR</c>; for <c>ERROR</c>,
    /// which names no cause, the whole line, with "(unknown command)" when it is bare.
    /// </summary>
    public static string Message(ResponseCode code, ReadOnlySpan<byte> line, int messageStart) => code == ResponseCode.Error
        ? (messageStart >= line.Length ? "ERROR (unknown command)" : Encoding.ASCII.GetString(line))
        : Encoding.ASCII.GetString(line[messageStart..]);

    /// <summary>
    /// The exception for an error reply to <paramref name="what"/> (an operation as <see cref="ErrorText.Operation"/>
    /// describes it) on <paramref name="server"/>, with the server's words quoted.
    /// </summary>
    public static MemcacheException ToException(ResponseCode code, string serverMessage, string what, string server)
    {
        var said = code switch
        {
            ResponseCode.ServerError => "SERVER_ERROR " + serverMessage,
            ResponseCode.ClientError => "CLIENT_ERROR " + serverMessage,
            _ => serverMessage,
        };
        return code == ResponseCode.ServerError
            ? new MemcacheServerErrorException($"memcached refused {what} on {server}: {said}", serverMessage) { Server = server }
            : new MemcacheClientErrorException($"memcached rejected {what} on {server}: {said}", serverMessage) { Server = server };
    }

    private static bool Matches(ReadOnlySpan<byte> line, ReadOnlySpan<byte> word, out int messageStart)
    {
        messageStart = 0;
        if (!line.StartsWith(word))
        {
            return false;
        }
        if (line.Length == word.Length)
        {
            messageStart = line.Length;
            return true;
        }
        // "ERRORS" is not ERROR: the word must end the line or be followed by a space.
        if (line[word.Length] != (byte)' ')
        {
            return false;
        }
        messageStart = word.Length + 1;
        return true;
    }
}
