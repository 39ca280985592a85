using System.Buffers;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Memstore.Protocol;
using Memstore.Protocol.Commands;
using Memstore.Transport;

namespace Memstore.Benchmarks;

/// <summary>
/// The client's own work per request without the network: rent the pooled operation, write the request,
/// parse and check the reply, complete and recycle, as the connection does. With correlation each request
/// carries an opaque token and each reply is checked against it and its kind; a multi-get of 50 text keys
/// ends with a tagged <c>mg</c> of its last key. To measure the code before correlation, copy this file
/// into a checkout of 651860c and build with <c>-p:DefineConstants=BEFORE_CORRELATION</c> (see
/// docs/performance.md, "Reply correlation and response limit cost").
/// </summary>
[MemoryDiagnoser]
public class CorrelationBenchmarks
{
    private const int MultiGetKeys = 50;
    private readonly ArrayBufferWriter<byte> _destination = new(256);
    private const string KeyText = "k:00000000001234";
    private readonly byte[] _key = new byte[KeyCodec.ScratchSize];
    private readonly byte[][] _keys = new byte[MultiGetKeys][];
    private byte[] _getReply = [];
    private byte[] _storeReply = [];
    private byte[] _multiGetReply = [];
    private readonly byte[] _value = new byte[100];
#if !BEFORE_CORRELATION
    private readonly OpaqueCounter _opaques = new();
#endif

    [GlobalSetup]
    public void Setup()
    {
        var value = new string('x', 100);
        var reply = new StringBuilder();
#if BEFORE_CORRELATION
        _getReply = Encoding.ASCII.GetBytes($"VA 100 f0 c123456789\r\n{value}\r\n");
        _storeReply = Encoding.ASCII.GetBytes("HD c123456790\r\n");
        for (var i = 0; i < MultiGetKeys; i++)
        {
            _keys[i] = Encoding.ASCII.GetBytes($"k:{i:D14}");
            reply.Append(CultureInfo.InvariantCulture, $"VALUE k:{i:D14} 0 100 {123456789 + i}\r\n{value}\r\n");
        }
        reply.Append("END\r\n");
#else
        // The token a reply must echo is fixed here (Tag), so that one canned reply answers every iteration;
        // the counter is still stepped per request, as on a connection.
        _getReply = Encoding.ASCII.GetBytes($"VA 100 f0 c123456789 O{Token}\r\n{value}\r\n");
        _storeReply = Encoding.ASCII.GetBytes($"HD c123456790 O{Token}\r\n");
        for (var i = 0; i < MultiGetKeys; i++)
        {
            _keys[i] = Encoding.ASCII.GetBytes($"k:{i:D14}");
            if (i < MultiGetKeys - 1)
            {
                reply.Append(CultureInfo.InvariantCulture, $"VALUE k:{i:D14} 0 100 {123456789 + i}\r\n{value}\r\n");
            }
        }
        reply.Append(CultureInfo.InvariantCulture, $"END\r\nVA 100 f0 c{123456789 + MultiGetKeys - 1} O0\r\n{value}\r\n");
#endif
        _multiGetReply = Encoding.ASCII.GetBytes(reply.ToString());
    }

#if !BEFORE_CORRELATION
    private const uint Token = 1234567;
#endif

    /// <summary>A 16-character string key validated and encoded to UTF-8, as every call with a string key does first.</summary>
    [Benchmark]
    public int EncodeKey() => KeyCodec.Encode(KeyText, KeyMode.Text, _key);

    /// <summary>
    /// The string key encoded, <c>mg key v f c</c> written, and its VA reply with a 100-byte value parsed
    /// into a reused buffer writer.
    /// </summary>
    [Benchmark]
    public int Get()
    {
        _destination.ResetWrittenCount();
        var key = _key.AsSpan(0, KeyCodec.Encode(KeyText, KeyMode.Text, _key));
#if BEFORE_CORRELATION
        var operation = MetaOperation.Rent("get", null, ValueTarget.Writer, _destination);
        operation.SetKey(key);
        new MetaGet().Write(operation.Request, key, KeyMode.Text, -1);
#else
        var operation = MetaOperation.Rent("get", null, ValueTarget.Writer, _destination, accepted: ReplyKinds.Get);
        operation.SetKey(key);
        _opaques.Next();
        operation.Tag(Token);
        new MetaGet().Write(operation.Request, key, KeyMode.Text, operation.Opaque);
#endif
        return Complete(operation, _getReply);
    }

    /// <summary>The string key encoded, <c>ms key 100 T0 F0 c</c> written with its value, and the HD reply parsed.</summary>
    [Benchmark]
    public int Set()
    {
        var key = _key.AsSpan(0, KeyCodec.Encode(KeyText, KeyMode.Text, _key));
#if BEFORE_CORRELATION
        var operation = MetaOperation.Rent("set", null, ValueTarget.None, hasDataBlock: true);
        operation.SetKey(key);
        new StoreCommand(StoreMode.Set, null, 0, default).Write(operation.Request, key, KeyMode.Text, _value, -1L);
#else
        var operation = MetaOperation.Rent("set", null, ValueTarget.None, hasDataBlock: true, accepted: ReplyKinds.Store);
        operation.SetKey(key);
        _opaques.Next();
        operation.Tag(Token);
        new StoreCommand(StoreMode.Set, null, 0, default).Write(operation.Request, key, KeyMode.Text, _value, operation.Opaque);
#endif
        return Complete(operation, _storeReply);
    }

    /// <summary>A 50-key multi-get of text keys (classic <c>gets</c>), all hits, and its replies.</summary>
    [Benchmark]
    public int MultiGet50()
    {
        var results = new CacheValue[MultiGetKeys];
#if BEFORE_CORRELATION
        var operation = new ClassicMultiGetOperation(results);
#else
        // The counter is wound back so that the terminator gets token 0, the one the canned reply carries.
        LastToken(_opaques) = -1;
        var operation = new ClassicMultiGetOperation(results, _opaques);
#endif
        for (var i = 0; i < MultiGetKeys; i++)
        {
            operation.AddKey(i, _keys[i], KeyMode.Text);
        }
        operation.Close();
        var consumed = Complete(operation, _multiGetReply);
        return consumed + results[MultiGetKeys - 1].Value!.Length;
    }

    private static int Complete(Operation operation, ReadOnlySpan<byte> reply)
    {
        operation.Prepare(CancellationToken.None);
        operation.TryMarkWritten();
        if (!operation.TryConsume(reply, null, out var consumed, out _, out _))
        {
            throw new InvalidOperationException("the canned reply did not complete the request");
        }
        operation.ReleaseByConnection();
        var completion = operation.AsValueTask();
        if (!completion.IsCompleted)
        {
            throw new InvalidOperationException("the canned reply did not signal the caller");
        }
        completion.GetAwaiter().GetResult();
        var written = operation.Request.Length;
        operation.ReleaseByCaller();
        return consumed + written;
    }

#if !BEFORE_CORRELATION
    [System.Runtime.CompilerServices.UnsafeAccessor(System.Runtime.CompilerServices.UnsafeAccessorKind.Field, Name = "_last")]
    private static extern ref int LastToken(OpaqueCounter counter);
#endif
}

/// <summary>
/// The same three paths timed by process CPU time instead of wall time: on a machine shared with other work,
/// time spent descheduled does not count. Rounds of each path alternate; the median per operation is printed.
/// </summary>
internal static class CorrelationCpuCheck
{
    public static int Run(int rounds, int operationsPerRound)
    {
        var benchmarks = new CorrelationBenchmarks();
        benchmarks.Setup();
        var paths = new (string Name, Func<int> Run, int Scale)[]
        {
            ("encode-key", benchmarks.EncodeKey, 1), ("get", benchmarks.Get, 1), ("set", benchmarks.Set, 1), ("multiget50", benchmarks.MultiGet50, 20),
        };
        var samples = paths.Select(_ => new List<double>()).ToArray();
        var process = System.Diagnostics.Process.GetCurrentProcess();
        for (var round = -2; round < rounds; round++)
        {
            for (var p = 0; p < paths.Length; p++)
            {
                var count = operationsPerRound / paths[p].Scale;
                GC.Collect();
                process.Refresh();
                var cpu = process.TotalProcessorTime;
                var sink = 0;
                for (var i = 0; i < count; i++)
                {
                    sink += paths[p].Run();
                }
                process.Refresh();
                if (round >= 0 && sink != 0)
                {
                    samples[p].Add((process.TotalProcessorTime - cpu).TotalNanoseconds / count);
                }
            }
        }
        for (var p = 0; p < paths.Length; p++)
        {
            var sorted = samples[p].Order().ToArray();
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{paths[p].Name} cpu_ns_per_op min={sorted[0]:0.0} p25={sorted[sorted.Length / 4]:0.0} median={sorted[sorted.Length / 2]:0.0} rounds={sorted.Length}"));
        }
        return 0;
    }
}
