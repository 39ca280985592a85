using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Memstore.Cli.Bench;

namespace Memstore.Load;

/// <summary>
/// The baseline a lone Memstore caller is compared with: a blocking client, one socket per worker thread, that
/// writes the same meta lines Memstore writes (<c>mg KEY v f c</c>, <c>ms KEY LEN</c>; a multi-get is K quiet
/// <c>mg … q k</c> and <c>mn</c>) with a synchronous send and reads the reply with synchronous receives —
/// what libmemcached does per thread, with no pipelining, no queue and no thread hop. Same keys, values,
/// get ratio, warm-up and duration as <see cref="LoadRunner"/>; at concurrency 1 it is one connection.
/// </summary>
internal static class BlockingBaseline
{
    private const int Warmup = 0, Measure = 1, Stop = 2;
    private static int s_phase;

    public static LoadResult Run(LoadOptions options)
    {
        var keys = LoadRunner.Keys(options.Keys);
        var value = new byte[options.ValueSize];
        Random.Shared.NextBytes(value);
        var (host, port) = options.Endpoints[0];
        if (options.Endpoints.Count > 1)
        {
            Console.Error.WriteLine("blocking baseline: uses the first server only");
        }
        using (var populate = new BlockingConnection(host, port))
        {
            foreach (var key in keys)
            {
                populate.Set(key, value);
            }
        }

        Volatile.Write(ref s_phase, Warmup);
        var workers = new BlockingWorker[options.Concurrency];
        var threads = new Thread[workers.Length];
        for (var i = 0; i < workers.Length; i++)
        {
            var worker = workers[i] = new BlockingWorker(new BlockingConnection(host, port), options, keys, value, seed: i * 7919 + 17);
            threads[i] = new Thread(worker.Run) { IsBackground = true, Name = $"blocking-{i}" };
            threads[i].Start();
        }
        Thread.Sleep(TimeSpan.FromSeconds(options.WarmupSeconds));
        var measured = Stopwatch.StartNew();
        Volatile.Write(ref s_phase, Measure);
        Thread.Sleep(TimeSpan.FromSeconds(options.DurationSeconds));
        Volatile.Write(ref s_phase, Stop);
        var elapsed = measured.Elapsed.TotalSeconds;
        foreach (var thread in threads)
        {
            thread.Join();
        }
        var histogram = new Histogram();
        long units = 0, errors = 0;
        foreach (var worker in workers)
        {
            histogram.Add(worker.Latency);
            units += worker.Units;
            errors += worker.Errors;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"blocking concurrency={options.Concurrency} duration={elapsed:0.00}s get_ratio={options.GetRatio} multiget={options.MultiGet} requests={histogram.Count} units={units} cores={Environment.ProcessorCount}"));
        return new LoadResult(units / elapsed, histogram.Percentile(0.50), histogram.Percentile(0.99), errors);
    }

    private sealed class BlockingWorker(BlockingConnection connection, LoadOptions options, string[] keys, byte[] value, int seed)
    {
        private readonly Random _random = new(seed);
        private readonly string[] _batch = new string[Math.Max(1, options.MultiGet)];

        public Histogram Latency { get; } = new();
        public long Units { get; private set; }
        public long Errors { get; private set; }

        public void Run()
        {
            using var _ = connection;
            while (true)
            {
                var phase = Volatile.Read(ref s_phase);
                if (phase == Stop)
                {
                    return;
                }
                var isGet = options.GetRatio >= 1 || _random.NextDouble() < options.GetRatio;
                var start = Stopwatch.GetTimestamp();
                var units = 1;
                if (!isGet)
                {
                    connection.Set(keys[_random.Next(keys.Length)], value);
                }
                else if (options.MultiGet > 0)
                {
                    for (var i = 0; i < _batch.Length; i++)
                    {
                        _batch[i] = keys[_random.Next(keys.Length)];
                    }
                    connection.GetMany(_batch);
                    units = options.MultiGet;
                }
                else if (connection.Get(keys[_random.Next(keys.Length)]) < 0 && phase == Measure)
                {
                    Errors++; // every key was populated: a miss is an error here
                }
                if (phase == Measure && Volatile.Read(ref s_phase) == Measure)
                {
                    Latency.Record((long)Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                    Units += units;
                }
            }
        }
    }

    /// <summary>One blocking socket with a receive buffer; any unexpected reply throws (the run is then void).</summary>
    private sealed class BlockingConnection : IDisposable
    {
        private readonly Socket _socket;
        private readonly byte[] _send = new byte[64 * 1024 + 2 * 1024 * 1024];
        private readonly byte[] _receive = new byte[4 * 1024 * 1024];
        private int _start, _end;

        public BlockingConnection(string host, int port)
        {
            _socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            _socket.Connect(host, port);
        }

        public void Set(string key, byte[] value)
        {
            var length = Ascii($"ms {key} {value.Length}\r\n", 0);
            value.CopyTo(_send, length);
            length += value.Length;
            length = Ascii("\r\n", length);
            Send(length);
            Expect(ReadLine(), "HD");
        }

        /// <summary>The value's length, or -1 on a miss.</summary>
        public int Get(string key)
        {
            Send(Ascii($"mg {key} v f c\r\n", 0));
            return ReadValueOrMiss();
        }

        public void GetMany(string[] keys)
        {
            var length = 0;
            foreach (var key in keys)
            {
                length = Ascii($"mg {key} v q k\r\n", length);
            }
            Send(Ascii("mn\r\n", length));
            while (ReadValueOrMiss() != -2)
            {
            }
        }

        public void Dispose() => _socket.Dispose();

        /// <summary>Value length for VA, -1 for EN, -2 for MN.</summary>
        private int ReadValueOrMiss()
        {
            var (offset, count) = ReadLine();
            var line = _receive.AsSpan(offset, count);
            if (line.SequenceEqual("EN"u8))
            {
                return -1;
            }
            if (line.SequenceEqual("MN"u8))
            {
                return -2;
            }
            if (!line.StartsWith("VA "u8))
            {
                throw new InvalidOperationException("unexpected reply " + Encoding.ASCII.GetString(line));
            }
            var rest = line[3..];
            var space = rest.IndexOf((byte)' ');
            var size = int.Parse(space < 0 ? rest : rest[..space], CultureInfo.InvariantCulture);
            Fill(size + 2);
            _start += size + 2;
            return size;
        }

        private void Expect((int Offset, int Count) line, string expected)
        {
            var text = _receive.AsSpan(line.Offset, line.Count);
            if (!text.StartsWith(Encoding.ASCII.GetBytes(expected)))
            {
                throw new InvalidOperationException("unexpected reply " + Encoding.ASCII.GetString(text));
            }
        }

        private (int Offset, int Count) ReadLine()
        {
            while (true)
            {
                var newline = _receive.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    var offset = _start;
                    _start += newline + 1;
                    return (offset, newline - 1);
                }
                Receive();
            }
        }

        private void Fill(int bytes)
        {
            while (_end - _start < bytes)
            {
                Receive();
            }
        }

        private void Receive()
        {
            if (_start == _end)
            {
                _start = _end = 0;
            }
            else if (_end == _receive.Length)
            {
                Buffer.BlockCopy(_receive, _start, _receive, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            var read = _socket.Receive(_receive, _end, _receive.Length - _end, SocketFlags.None);
            if (read == 0)
            {
                throw new InvalidOperationException("the server closed the connection");
            }
            _end += read;
        }

        private void Send(int length)
        {
            var sent = 0;
            while (sent < length)
            {
                sent += _socket.Send(_send, sent, length - sent, SocketFlags.None);
            }
        }

        private int Ascii(string text, int at) => at + Encoding.ASCII.GetBytes(text, 0, text.Length, _send, at);
    }
}
