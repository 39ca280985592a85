using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Memstore.Tests.Faults;

/// <summary>What the proxy does to the server's replies (requests always pass through unchanged).</summary>
public enum FaultMode
{
    /// <summary>Replies pass unchanged.</summary>
    PassThrough,
    /// <summary>Each connection is closed after a number of reply bytes, mid-reply as often as not.</summary>
    CloseAfterBytes,
    /// <summary>Replies are held back (the server looks frozen) until the mode changes.</summary>
    Stall,
    /// <summary>Replies trickle one byte at a time, a millisecond apart.</summary>
    Drip,
    /// <summary>Every so many replies, one byte of the reply line that the client can check (status code or length) is flipped.</summary>
    FlipBytes,
    /// <summary>A reply is replaced by a header announcing a 1 GiB value; then the connection is closed.</summary>
    HugeLengthThenClose,
    /// <summary>A reply is replaced by a header announcing a 1 GiB value; then nothing more is sent.</summary>
    HugeLengthThenStall,
    /// <summary>Every so many replies, one is replaced by random bytes.</summary>
    Garbage,
    /// <summary>The proxy stops sending to the client (FIN) while still forwarding its requests.</summary>
    HalfClose,
    /// <summary>Every so many replies, one extra reply is sent: a stale copy of an earlier one, or a stray EN, MN, END or HD.</summary>
    ExtraReply,
    /// <summary>Every so many replies, one whole meta reply (the answer to one request) is dropped.</summary>
    LostReply,
}

/// <summary>
/// A loopback TCP proxy between a client and a real memcached that injects faults into the reply stream,
/// switchable at run time. The first reply on each connection (the client's connect probe) always passes,
/// so faults hit real traffic. Frames come from <see cref="ReplyFramer"/>.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    /// <summary>A length no server accepts as an item (memcached's -I maximum is 1 GiB).</summary>
    public const long HugeLength = 1024L * 1024 * 1024;

    private static readonly byte[][] StrayReplies = ["EN\r\n"u8.ToArray(), "MN\r\n"u8.ToArray(), "END\r\n"u8.ToArray(), "HD\r\n"u8.ToArray()];

    private readonly TcpListener _listener;
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _accepting;
    private readonly Random _random = new(20261201);
    private volatile FaultMode _mode;
    private int _every = 25;
    private int _closeAfterBytes = 200;
    private long _frames;
    private int _injected;

    private FaultProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The loopback port clients connect to.</summary>
    public int Port { get; }

    public ServerAddress Address => new("127.0.0.1", Port);

    public FaultMode Mode => _mode;

    /// <summary>Faults injected so far (extra, lost, flipped, garbage, huge replies, closes).</summary>
    public int Injected => Volatile.Read(ref _injected);

    /// <summary>Connections the proxy has accepted so far.</summary>
    public int Accepted { get; private set; }

    public static FaultProxy Start(int upstreamPort) => new(upstreamPort);

    /// <summary>Switches the mode for all connections, now and new. <paramref name="every"/>: one fault per that many replies.</summary>
    public void Set(FaultMode mode, int every = 25, int closeAfterBytes = 200)
    {
        _every = every;
        _closeAfterBytes = closeAfterBytes;
        _mode = mode;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            try
            {
                await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _upstreamPort), _stop.Token);
            }
            catch (Exception)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }
            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(server);
                Accepted++;
            }
            _ = RunConnectionAsync(client, server);
        }
    }

    private async Task RunConnectionAsync(Socket client, Socket server)
    {
        var requests = PumpRequestsAsync(client, server);
        var replies = PumpRepliesAsync(server, client);
        await Task.WhenAny(requests, replies);
        if (replies.IsCompletedSuccessfully && replies.Result)
        {
            await requests; // half-closed: the client still sends until it gives up on the connection
        }
        client.Dispose();
        server.Dispose();
        lock (_sockets)
        {
            _sockets.Remove(client);
            _sockets.Remove(server);
        }
        _ = requests.Exception;
        _ = replies.Exception;
    }

    private async Task PumpRequestsAsync(Socket client, Socket server)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (read == 0)
            {
                return;
            }
            await server.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
        }
    }

    /// <summary>Forwards replies frame by frame, applying the current mode. Returns true when it half-closed the client.</summary>
    private async Task<bool> PumpRepliesAsync(Socket server, Socket client)
    {
        var buffer = new byte[16 * 1024];
        var framer = new ReplyFramer();
        var recent = new Queue<byte[]>();
        var first = true;
        var sentInMode = 0L;
        var modeSeen = _mode;
        var pending = false; // a periodic fault is due and waits for a frame it can apply to
        while (true)
        {
            var read = await server.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (read == 0)
            {
                return false;
            }
            framer.Append(buffer.AsSpan(0, read));
            while (framer.TryTake(out var frame))
            {
                if (first)
                {
                    first = false;
                    await SendAsync(client, frame.Bytes);
                    continue;
                }
                while (_mode == FaultMode.Stall)
                {
                    await Task.Delay(10, _stop.Token);
                }
                var mode = _mode;
                if (mode != modeSeen)
                {
                    modeSeen = mode;
                    sentInMode = 0;
                    pending = false;
                }
                if (mode != FaultMode.PassThrough && Interlocked.Increment(ref _frames) % _every == 0)
                {
                    pending = true;
                }
                switch (mode)
                {
                    case FaultMode.CloseAfterBytes:
                        var allowed = (int)Math.Min(frame.Bytes.Length, _closeAfterBytes - sentInMode);
                        await SendAsync(client, frame.Bytes.AsMemory(0, allowed));
                        sentInMode += allowed;
                        if (sentInMode >= _closeAfterBytes)
                        {
                            Count();
                            return false;
                        }
                        continue;
                    case FaultMode.Drip:
                        for (var i = 0; i < frame.Bytes.Length; i++)
                        {
                            await SendAsync(client, frame.Bytes.AsMemory(i, 1));
                            await Task.Delay(1, _stop.Token);
                        }
                        continue;
                    case FaultMode.HalfClose:
                        Count();
                        client.Shutdown(SocketShutdown.Send);
                        return true;
                    case FaultMode.HugeLengthThenClose or FaultMode.HugeLengthThenStall:
                        Count();
                        await SendAsync(client, HugeHeader(frame));
                        if (mode == FaultMode.HugeLengthThenClose)
                        {
                            return false;
                        }
                        while (_mode == FaultMode.HugeLengthThenStall)
                        {
                            await Task.Delay(10, _stop.Token);
                        }
                        return false; // the client has given up on this connection; nothing after the header can make sense
                    case FaultMode.FlipBytes when pending:
                        pending = false;
                        Count();
                        await SendAsync(client, Flip(frame));
                        continue;
                    case FaultMode.Garbage when pending:
                        pending = false;
                        Count();
                        await SendAsync(client, RandomBytes());
                        continue;
                    case FaultMode.ExtraReply when pending:
                        pending = false;
                        Count();
                        await SendAsync(client, frame.Bytes);
                        await SendAsync(client, ExtraReply(frame, recent));
                        continue;
                    case FaultMode.LostReply when pending && frame.Kind == FrameKind.Meta:
                        pending = false;
                        Count();
                        continue; // dropped
                }
                await SendAsync(client, frame.Bytes);
                recent.Enqueue(frame.Bytes);
                if (recent.Count > 8)
                {
                    recent.Dequeue();
                }
            }
        }
    }

    private void Count() => Interlocked.Increment(ref _injected);

    private Task<int> SendAsync(Socket client, ReadOnlyMemory<byte> bytes) => client.SendAsync(bytes, SocketFlags.None, _stop.Token).AsTask();

    /// <summary>The frame's line with its length made huge (keeping key and opaque, so only the length is wrong).</summary>
    private static byte[] HugeHeader(Frame frame)
    {
        var line = Encoding.ASCII.GetString(frame.Bytes, 0, frame.LineLength).TrimEnd('\r', '\n').Split(' ');
        string header;
        if (frame.Kind == FrameKind.Value)
        {
            line[3] = HugeLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
            header = string.Join(' ', line);
        }
        else
        {
            var flags = line[0] == "VA" ? line.Skip(2) : line.Skip(1);
            header = string.Join(' ', new[] { "VA", HugeLength.ToString(System.Globalization.CultureInfo.InvariantCulture) }.Concat(flags));
        }
        return Encoding.ASCII.GetBytes(header + "\r\n");
    }

    /// <summary>Flips one bit in the status code or the announced length: bytes the client can check.</summary>
    private byte[] Flip(Frame frame)
    {
        var bytes = (byte[])frame.Bytes.Clone();
        var positions = new List<int> { 0, 1 };
        var line = Encoding.ASCII.GetString(bytes, 0, frame.LineLength);
        var tokens = line.Split(' ');
        var lengthToken = frame.Kind == FrameKind.Value ? 3 : tokens[0] == "VA" ? 1 : -1;
        if (lengthToken > 0)
        {
            var start = tokens.Take(lengthToken).Sum(t => t.Length + 1);
            positions.AddRange(Enumerable.Range(start, tokens[lengthToken].TrimEnd('\r', '\n').Length));
        }
        int position;
        lock (_random)
        {
            position = positions[_random.Next(positions.Count)];
        }
        bytes[position] ^= 0x01;
        return bytes;
    }

    private byte[] RandomBytes()
    {
        var bytes = new byte[64];
        lock (_random)
        {
            _random.NextBytes(bytes);
        }
        return bytes;
    }

    private byte[] ExtraReply(Frame frame, Queue<byte[]> recent)
    {
        int pick;
        lock (_random)
        {
            pick = _random.Next(StrayReplies.Length + 2);
        }
        return pick switch
        {
            0 => frame.Bytes,                                       // the same reply twice
            1 => recent.Count > 0 ? recent.Peek() : frame.Bytes,    // a stale earlier reply
            _ => StrayReplies[pick - 2],
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
            _sockets.Clear();
        }
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
