using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Memstore.Tests.Infrastructure;

/// <summary>
/// A real memcached process on a free loopback port, started for a test and stopped afterwards.
/// Tests kill and restart it to exercise failure handling.
/// </summary>
public sealed class MemcachedServer : IAsyncDisposable
{
    private readonly string[] _extraArguments;
    private Process? _process;

    private MemcachedServer(int port, string[] extraArguments)
    {
        Port = port;
        _extraArguments = extraArguments;
    }

    public int Port { get; }

    public ServerAddress Address => new("127.0.0.1", Port);

    public string ConnectionString => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    public static Task<MemcachedServer> StartAsync(params string[] extraArguments) =>
        StartOnFreePortAsync(port => new MemcachedServer(port, extraArguments));

    /// <summary>
    /// <paramref name="count"/> servers started at once; if one fails to start, those that did are stopped before the
    /// error is thrown, so a failed fixture leaves no memcached behind it.
    /// </summary>
    public static async Task<MemcachedServer[]> StartManyAsync(int count)
    {
        var starts = Enumerable.Range(0, count).Select(_ => StartAsync()).ToArray();
        try
        {
            return await Task.WhenAll(starts);
        }
        catch
        {
            foreach (var started in starts.Where(start => start.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }
            throw;
        }
    }

    /// <summary>
    /// Starts a memcached that does not answer plaintext <c>version</c> (a TLS port with -Z, an
    /// authenticating one with -Y): ready once it accepts TCP connections.
    /// </summary>
    public static Task<MemcachedServer> StartUnansweringAsync(params string[] extraArguments) =>
        StartOnFreePortAsync(port => new MemcachedServer(port, extraArguments) { _acceptIsEnough = true });

    /// <summary>
    /// A port <see cref="FreePort"/> found free can be taken by another test's listener before memcached binds it (tests
    /// run in parallel): then memcached exits with "Address already in use", and the start is tried on a new port.
    /// </summary>
    private static async Task<MemcachedServer> StartOnFreePortAsync(Func<int, MemcachedServer> create)
    {
        for (var attempt = 1; ; attempt++)
        {
            var server = create(FreePort());
            try
            {
                await server.RestartAsync();
                return server;
            }
            catch (InvalidOperationException error) when (attempt < 5 && error.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
                await server.DisposeAsync();
            }
        }
    }

    private bool _acceptIsEnough;

    /// <summary>Starts memcached (again) on the same port and waits until it answers <c>version</c>.</summary>
    public async Task RestartAsync()
    {
        if (IsRunning)
        {
            return;
        }
        var arguments = new List<string> { "-p", Port.ToString(), "-l", "127.0.0.1", "-U", "0", "-t", "2", "-m", "64" };
        if (Environment.UserName == "root")
        {
            arguments.AddRange(["-u", "root"]);
        }
        arguments.AddRange(_extraArguments);
        var start = new ProcessStartInfo(MemcachedPath)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("memcached did not start");
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"memcached exited at start with code {_process.ExitCode}: {await _process.StandardError.ReadToEndAsync()}");
            }
            if (await AnswersAsync())
            {
                return;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"memcached on port {Port} did not answer within 10 s");
    }

    /// <summary>SIGKILL: the server vanishes without closing anything gracefully (the kernel resets its sockets).</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    /// <summary>
    /// SIGSTOP / SIGCONT: the server stays connected but stops answering. Returns once the kernel reports
    /// the process stopped, so a request sent afterwards cannot slip in before the signal lands.
    /// </summary>
    public void Pause()
    {
        Signal(SigStop);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(5) && !IsStopped())
        {
            Thread.Sleep(1);
        }
    }

    private bool IsStopped()
    {
        // /proc/PID/stat: "pid (comm) STATE ..."; T means stopped.
        var stat = File.ReadAllText($"/proc/{_process!.Id}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('T');
    }

    public void Resume() => Signal(SigCont);

    /// <summary>The running memcached's process id, for a worker process that must kill it at a moment of its own.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("memcached is not running");

    private const int SigStop = 19, SigCont = 18; // Linux values (x86-64 and arm64)

    private void Signal(int signal)
    {
        if (SendSignal(_process!.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>Sends raw protocol text to the server on a fresh connection and returns what it answered.</summary>
    public async Task<string> RawAsync(string request, TimeSpan? wait = null)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        await Task.Delay(wait ?? TimeSpan.FromMilliseconds(100));
        var buffer = new byte[64 * 1024];
        var received = socket.Available > 0 ? await socket.ReceiveAsync(buffer) : 0;
        return Encoding.ASCII.GetString(buffer, 0, received);
    }

    private async Task<bool> AnswersAsync()
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await socket.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            if (_acceptIsEnough)
            {
                return true;
            }
            await socket.SendAsync("version\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[128];
            var read = await socket.ReceiveAsync(buffer, timeout.Token);
            return read > 0 && Encoding.ASCII.GetString(buffer, 0, read).StartsWith("VERSION", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    // Sockets bound for the whole test run and never listening: their ports refuse connections, and no other test
    // (a memcached, a proxy on port 0) can take them, as it can a port that was merely free a moment ago.
    private static readonly List<Socket> RefusingSockets = [];

    /// <summary>A loopback port that refuses every connection for the rest of the test run: a dead server's address.</summary>
    public static int RefusingPort()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        lock (RefusingSockets)
        {
            RefusingSockets.Add(socket);
        }
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string MemcachedPath =>
        new[] { "/usr/bin/memcached", "/usr/local/bin/memcached" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("memcached is not installed: run ./run test, which installs it (apt-get install memcached).");

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                Resume();
                process.Kill();
                await process.WaitForExitAsync();
            }
            process.Dispose();
        }
    }
}

/// <summary>One memcached per test class, shared by its tests (which use distinct keys).</summary>
public sealed class MemcachedFixture : IAsyncLifetime
{
    public MemcachedServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await MemcachedServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
