using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Memstore.Tests.Infrastructure;

/// <summary>
/// A loopback TCP proxy in front of one real memcached that forwards requests whole and can hold one chosen
/// request: the first request whose command line matches a rule waits (and, TCP being ordered, everything
/// behind it on that connection) until the test releases it. That makes a participant's step arrive late on
/// purpose — the deterministic form of a slow network or a paused process. Replies pass through untouched.
/// Requests are framed as memcached frames them: a line, plus a data block for <c>ms</c> and the classic storage
/// commands.
/// </summary>
public sealed class HoldingProxy : IAsyncDisposable
{
    private static readonly TimeSpan LongestHold = TimeSpan.FromSeconds(20);

    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly List<HeldRequest> _rules = [];
    private readonly Task _acceptLoop;

    private HoldingProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public static HoldingProxy Start(MemcachedServer target) => new(target.Port);

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Every byte that passed, in order per direction: what a participant really sends and receives.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(bool Request, byte[] Bytes)> Transcript { get; } = new();

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>
    /// Holds the next request whose command line (without CRLF) satisfies <paramref name="match"/> until
    /// <see cref="HeldRequest.Release"/>. With <paramref name="cutAfterForwarding"/>, the request is then forwarded
    /// and the client's connection dropped before any reply reaches it: the request takes effect and its sender
    /// never learns so — a process that dies right after sending.
    /// </summary>
    public HeldRequest HoldNext(Func<string, bool> match, bool cutAfterForwarding = false)
    {
        var rule = new HeldRequest(match, cutAfterForwarding);
        AddRule(rule);
        return rule;
    }

    /// <summary>Forwards the next request matching <paramref name="match"/> at once, then drops the client's connection without its reply.</summary>
    public HeldRequest DieAfterSending(Func<string, bool> match)
    {
        var rule = new HeldRequest(match, cutAfterForwarding: true);
        rule.Release();
        AddRule(rule);
        return rule;
    }

    /// <summary>
    /// Holds the next request matching <paramref name="match"/> until released, then drops it unsent and closes the
    /// client's connection: the request never takes effect and its sender sees the connection fail.
    /// </summary>
    public HeldRequest CloseInstead(Func<string, bool> match)
    {
        var rule = new HeldRequest(match, cutAfterForwarding: true) { Forward = false };
        AddRule(rule);
        return rule;
    }

    private void AddRule(HeldRequest rule)
    {
        lock (_rules)
        {
            _rules.Add(rule);
        }
    }

    private HeldRequest? TakeRule(string line)
    {
        lock (_rules)
        {
            var rule = _rules.FirstOrDefault(r => r.Matches(line));
            if (rule is not null)
            {
                _rules.Remove(rule);
            }
            return rule;
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            var upstream = new TcpClient();
            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort);
            lock (_connections)
            {
                _connections.Add(client);
                _connections.Add(upstream);
            }
            var link = new Link(client, upstream);
            _ = PumpRequestsAsync(link);
            _ = PumpRepliesAsync(link);
        }
    }

    /// <summary>One client connection and its upstream; once cut, replies are dropped and both sockets closed.</summary>
    private sealed class Link(TcpClient client, TcpClient upstream)
    {
        public TcpClient Client { get; } = client;
        public TcpClient Upstream { get; } = upstream;
        public volatile bool Cut;
    }

    private async Task PumpRequestsAsync(Link link)
    {
        var (client, upstream) = (link.Client, link.Upstream);
        var from = client.GetStream();
        var to = upstream.GetStream();
        var buffer = new List<byte>(4096);
        var chunk = new byte[64 * 1024];
        try
        {
            while (true)
            {
                while (TryFrame(buffer, out var length, out var line))
                {
                    var request = buffer.GetRange(0, length).ToArray();
                    buffer.RemoveRange(0, length);
                    var rule = TakeRule(line);
                    if (rule is not null)
                    {
                        await rule.HoldAsync(line, LongestHold);
                    }
                    if (rule is not { Forward: false })
                    {
                        Transcript.Enqueue((true, request));
                    }
                    if (rule is { CutAfterForwarding: true })
                    {
                        link.Cut = true; // its reply must never reach the client
                        if (rule.Forward)
                        {
                            await to.WriteAsync(request);
                            await Task.Delay(100); // let memcached apply it before both sides go away
                        }
                        client.Client.Close(0);
                        upstream.Client.Close(0);
                        return;
                    }
                    await to.WriteAsync(request);
                }
                var read = await from.ReadAsync(chunk, _stop.Token);
                if (read == 0)
                {
                    upstream.Client.Shutdown(SocketShutdown.Send);
                    return;
                }
                buffer.AddRange(chunk.AsSpan(0, read).ToArray());
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpRepliesAsync(Link link)
    {
        var from = link.Upstream.GetStream();
        var to = link.Client.GetStream();
        var chunk = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(chunk, _stop.Token);
                if (link.Cut)
                {
                    return;
                }
                if (read == 0)
                {
                    link.Client.Client.Shutdown(SocketShutdown.Send);
                    return;
                }
                Transcript.Enqueue((false, chunk.AsSpan(0, read).ToArray()));
                await to.WriteAsync(chunk.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>One whole request at the start of <paramref name="buffer"/>: its length and command line.</summary>
    private static bool TryFrame(List<byte> buffer, out int length, out string line)
    {
        (length, line) = (0, "");
        var end = -1;
        for (var i = 0; i + 1 < buffer.Count; i++)
        {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n')
            {
                end = i;
                break;
            }
        }
        if (end < 0)
        {
            return false;
        }
        line = Encoding.ASCII.GetString(buffer.GetRange(0, end).ToArray());
        var tokens = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var data = tokens switch
        {
            ["ms", _, var size, ..] => int.Parse(size) + 2,
            ["set" or "add" or "replace" or "append" or "prepend" or "cas", _, _, _, var size, ..] => int.Parse(size) + 2,
            _ => 0,
        };
        length = end + 2 + data;
        return buffer.Count >= length;
    }

    public async ValueTask DisposeAsync()
    {
        lock (_rules)
        {
            foreach (var rule in _rules)
            {
                rule.Release();
            }
        }
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }
        }
        await _acceptLoop;
    }
}

/// <summary>A request the proxy holds: <see cref="Reached"/> completes when it arrives, <see cref="Release"/> lets it go on.</summary>
public sealed class HeldRequest
{
    private readonly Func<string, bool> _match;
    private readonly TaskCompletionSource<string> _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal HeldRequest(Func<string, bool> match, bool cutAfterForwarding)
    {
        _match = match;
        CutAfterForwarding = cutAfterForwarding;
    }

    internal bool CutAfterForwarding { get; }

    /// <summary>False for <see cref="HoldingProxy.CloseInstead"/>: the request is dropped, not forwarded.</summary>
    internal bool Forward { get; init; } = true;

    /// <summary>The held request's command line, once it has arrived.</summary>
    public Task<string> Reached => _reached.Task;

    public void Release() => _released.TrySetResult();

    internal bool Matches(string line) => _match(line);

    /// <summary>Waits for the release, at most <paramref name="longest"/> (a test that forgets to release still ends).</summary>
    internal async Task HoldAsync(string line, TimeSpan longest)
    {
        _reached.TrySetResult(line);
        await _released.Task.WaitAsync(longest).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
