using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Memstore.Benchmarks;

/// <summary>
/// The floor a client is measured against: one pre-connected socket per server, kept open, and the requests
/// pre-formatted as the bytes <c>MemcacheClient.SetAsync</c> writes (<c>ms &lt;key&gt; &lt;len&gt; c F&lt;flags&gt; T0 O&lt;n&gt;</c>
/// and the data block). A run writes every server's share with one send, all servers before any read, then reads
/// each server's replies until it has seen one <c>HD</c> per request, checking the code and the echoed opaque token.
/// No routing, no formatting, no completions: what remains is memcached's work, the loopback and the kernel.
/// </summary>
internal sealed class RawPipeline : IDisposable
{
    private readonly Socket[] _sockets;
    private readonly byte[][] _requests;
    private readonly int[] _counts;
    private readonly byte[] _buffer = new byte[64 * 1024];

    /// <param name="servers">The servers' endpoints.</param>
    /// <param name="keys">The keys, each sent to <paramref name="serverOf"/>'s index.</param>
    /// <param name="serverOf">The index in <paramref name="servers"/> of the server that holds a key (the client's routing).</param>
    /// <param name="value">Every key's value.</param>
    /// <param name="flags">The client flags sent with every value.</param>
    public RawPipeline(IReadOnlyList<IPEndPoint> servers, IReadOnlyList<string> keys, Func<string, int> serverOf, byte[] value, uint flags)
    {
        _sockets = new Socket[servers.Count];
        _counts = new int[servers.Count];
        var shares = servers.Select(_ => new MemoryStream()).ToArray();
        foreach (var key in keys)
        {
            var server = serverOf(key);
            // The opaque token is the request's position on its connection, so each reply can be checked in order.
            var line = Encoding.ASCII.GetBytes($"ms {key} {value.Length} c F{flags} T0 O{_counts[server]}\r\n");
            shares[server].Write(line);
            shares[server].Write(value);
            shares[server].Write("\r\n"u8);
            _counts[server]++;
        }
        _requests = shares.Select(s => s.ToArray()).ToArray();
        for (var i = 0; i < servers.Count; i++)
        {
            _sockets[i] = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            _sockets[i].Connect(servers[i]);
        }
        Run(); // connected and answering
    }

    /// <summary>How many requests go to each server.</summary>
    public IReadOnlyList<int> Counts => _counts;

    /// <summary>Blocking sockets: one send per server, then every reply read and checked. Returns the replies seen.</summary>
    public int Run()
    {
        for (var i = 0; i < _sockets.Length; i++)
        {
            if (_counts[i] > 0)
            {
                _sockets[i].Send(_requests[i]);
            }
        }
        var seen = 0;
        for (var i = 0; i < _sockets.Length; i++)
        {
            var reader = new ReplyCounter(i);
            while (reader.Seen < _counts[i])
            {
                var read = _sockets[i].Receive(_buffer, reader.Pending, _buffer.Length - reader.Pending, SocketFlags.None);
                reader.Consume(_buffer, read);
            }
            seen += reader.Seen;
        }
        return seen;
    }

    /// <summary>The same with async sockets (the client's kind of I/O): all sends, then every reply.</summary>
    public async Task<int> RunAsync()
    {
        for (var i = 0; i < _sockets.Length; i++)
        {
            if (_counts[i] > 0)
            {
                await _sockets[i].SendAsync(_requests[i], SocketFlags.None).ConfigureAwait(false);
            }
        }
        var seen = 0;
        for (var i = 0; i < _sockets.Length; i++)
        {
            var reader = new ReplyCounter(i);
            while (reader.Seen < _counts[i])
            {
                var read = await _sockets[i].ReceiveAsync(_buffer.AsMemory(reader.Pending), SocketFlags.None).ConfigureAwait(false);
                reader.Consume(_buffer, read);
            }
            seen += reader.Seen;
        }
        return seen;
    }

    public void Dispose()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
    }

    /// <summary>Counts complete reply lines, each checked to be <c>HD</c> with the next opaque token; keeps a partial line at the buffer's start.</summary>
    private struct ReplyCounter(int server)
    {
        public int Seen;
        public int Pending;

        public void Consume(byte[] buffer, int read)
        {
            if (read == 0)
            {
                throw new InvalidOperationException($"server {server} closed the connection after {Seen} replies");
            }
            var data = buffer.AsSpan(0, Pending + read);
            int end;
            while ((end = data.IndexOf("\r\n"u8)) >= 0)
            {
                Check(data[..end]);
                data = data[(end + 2)..];
                Seen++;
            }
            data.CopyTo(buffer);
            Pending = data.Length;
        }

        private readonly void Check(ReadOnlySpan<byte> line)
        {
            var opaque = line.IndexOf(" O"u8);
            if (!line.StartsWith("HD "u8) || opaque < 0
                || !Utf8Parser.TryParse(line[(opaque + 2)..], out int token, out _) || token != Seen)
            {
                throw new InvalidOperationException($"server {server}, reply {Seen}: expected HD with O{Seen}, got '{Encoding.ASCII.GetString(line)}'");
            }
        }
    }
}
