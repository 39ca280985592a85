using System.Text;
using BenchmarkDotNet.Attributes;
using Memstore.Protocol;

namespace Memstore.Benchmarks;

/// <summary>MetaResponseParser.TryParse alone, on a VA response with a 100-byte value and on an HD line.</summary>
[MemoryDiagnoser]
public class ParserBenchmarks
{
    private byte[] _valueResponse = [];
    private byte[] _headerResponse = [];

    [GlobalSetup]
    public void Setup()
    {
        var value = new string('x', 100);
        _valueResponse = Encoding.ASCII.GetBytes($"VA 100 f0 c123456789\r\n{value}\r\n");
        _headerResponse = Encoding.ASCII.GetBytes("HD c123456790\r\n");
    }

    [Benchmark]
    public int ParseValue()
    {
        return MetaResponseParser.TryParse(_valueResponse, out var response, out _) ? response.TotalLength : -1;
    }

    [Benchmark]
    public int ParseHeader()
    {
        return MetaResponseParser.TryParse(_headerResponse, out var response, out _) ? response.TotalLength : -1;
    }
}
