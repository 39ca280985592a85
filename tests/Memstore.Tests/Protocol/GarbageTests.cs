using System.Buffers;
using System.Text;
using CsCheck;
using Memstore.Protocol;
using Memstore.Protocol.Commands;
using Memstore.Transport;

namespace Memstore.Tests.Protocol;

/// <summary>
/// Bytes that are not (or not yet) valid responses: every consumer must either ask for more data or throw
/// <see cref="MemcacheProtocolException"/>. Never an index, format or overflow exception, never a spin.
/// </summary>
[Trait("Category", "Unit")]
public sealed class GarbageTests
{
    private const int OperationKinds = 10;

    /// <summary>No legitimate request for more can exceed the largest value plus its line.</summary>
    private const long MaxSensibleNeed = MetaResponseParser.MaxValueLength + MetaResponseParser.MaxLineLength + 4;

    private static Operation CreateOperation(int kind) => kind switch
    {
        0 => TestOperations.Rent("get", "k", ValueTarget.Array),
        1 => TestOperations.Rent("incr", "k", ValueTarget.Number),
        2 => TestOperations.Rent("set", "k", ValueTarget.None, hasDataBlock: true),
        3 => TestOperations.Rent("get", "k", ValueTarget.Writer, new ArrayBufferWriter<byte>()),
        4 => new MetaMultiGetOperation(new CacheValue[4], [0, 1, 2, 3]),
        5 => ServerCommandOperation.For(new VersionCommand()),
        6 => ServerCommandOperation.For(new StatsCommand()),
        7 => ServerCommandOperation.For(new FlushAllCommand()),
        8 => ServerCommandOperation.For(new NoOpCommand()),
        _ => TestOperations.Rent("get", "k", ValueTarget.Pooled),
    };

    /// <summary>Only these may reach the caller of a completed operation.</summary>
    private static void AssertCallerOutcome(Operation operation)
    {
        var task = operation.AsValueTask();
        if (!task.IsCompleted)
        {
            return;
        }
        try
        {
            task.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is MemcacheProtocolException or MemcacheClientErrorException or MemcacheServerErrorException)
        {
        }
        if (operation is MetaOperation { Target: ValueTarget.Pooled } pooled && pooled.TakeValueArray() is { } array)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    /// <summary>Drives a few operations of one kind over the input; returns true if it ended in a protocol error.</summary>
    private static bool Feed(ReadOnlySpan<byte> input, int kind, IEnumerable<int> chunks)
    {
        var operations = Enumerable.Range(0, 4).Select(_ => CreateOperation(kind)).ToArray();
        var threw = false;
        try
        {
            ResponseDriver.Run(operations, input, chunks);
        }
        catch (MemcacheProtocolException)
        {
            threw = true;
        }
        foreach (var operation in operations)
        {
            AssertCallerOutcome(operation);
        }
        return threw;
    }

    /// <summary>Parses responses off the front of the input with the bare parser, checking every offset it reports.</summary>
    private static bool ParseAll(ReadOnlySpan<byte> input)
    {
        try
        {
            var rest = input;
            for (var guard = 0; guard <= input.Length; guard++)
            {
                if (!MetaResponseParser.TryParse(rest, out var r, out var needed))
                {
                    Assert.InRange(needed, rest.Length + 1, MaxSensibleNeed);
                    return false;
                }
                Assert.InRange(r.TotalLength, 2, rest.Length);
                if (r.Code == ResponseCode.Value)
                {
                    Assert.InRange(r.ValueOffset, 2, r.TotalLength);
                    Assert.Equal(r.TotalLength, r.ValueOffset + r.ValueLength + 2);
                }
                if (r.IsError)
                {
                    _ = MetaResponseParser.ErrorMessage(rest, r);
                }
                rest = rest[r.TotalLength..];
            }
            Assert.Fail("the parser did not advance");
            return false;
        }
        catch (MemcacheProtocolException)
        {
            return true;
        }
    }

    private static void Check(byte[] input, int[]? chunks = null)
    {
        ParseAll(input);
        _ = TryReadLines(input);
        for (var kind = 0; kind < OperationKinds; kind++)
        {
            Feed(input, kind, ResponseDriver.Whole());
            if (chunks is not null)
            {
                Feed(input, kind, chunks);
            }
        }
    }

    private static bool TryReadLines(ReadOnlySpan<byte> input)
    {
        try
        {
            while (MetaResponseParser.TryReadLine(input, out var line, out var consumed))
            {
                Assert.Equal(line.Length + 2, consumed);
                input = input[consumed..];
            }
            return false;
        }
        catch (MemcacheProtocolException)
        {
            return true;
        }
    }

    /// <summary>Runs a property with a generous wall-clock limit, so a parser that spins fails instead of hanging the run.</summary>
    private static void WithinTime(Action property)
    {
        var run = Task.Run(property);
        Assert.True(run.Wait(TimeSpan.FromSeconds(60)), "the property did not finish: something spins");
        run.GetAwaiter().GetResult();
    }

    // ---------------------------------------------------------------- specific garbage

    public static TheoryData<string> Malformed =>
    [
        "VA 99999999999\r\n",
        "VA 1073741825\r\n",
        "VA -1\r\nx\r\n",
        "VA x\r\n",
        "VA\r\n",
        "VA \r\n",
        "VA 3 c12x\r\nbar\r\n",
        "HD c12x\r\n",
        "HD f-1\r\n",
        "HD f4294967296\r\n",
        "HD c18446744073709551616\r\n",
        "HD t9223372036854775808\r\n",
        "HD c\r\n",
        "HD  c1\r\n",
        "HD 1\r\n",
        "HD \u00ff\r\n",
        "ZZ\r\n",
        "XX 1\r\n",
        "H\r\n",
        "\r\n",
        "HDX\r\n",
        "hd\r\n",
        "HD\n",
        "\n",
        "VA 3\r\nbarXY",
        "VA 3\r\nbar\n\r",
        "VA 0\r\nxx",
        "VA 3 f5\r\nbarbar\r\n",
    ];

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_responses_throw_a_protocol_exception(string wire)
    {
        var bytes = Encoding.Latin1.GetBytes(wire);
        Assert.Throws<MemcacheProtocolException>(() => MetaResponseParser.TryParse(bytes, out _, out _));
        Assert.True(Feed(bytes, 0, ResponseDriver.Whole()));
        Assert.True(Feed(bytes, 4, ResponseDriver.Whole()));
        Check(bytes, [1]);
    }

    [Theory]
    [InlineData("VA 1073741824\r\n", 1073741824 + 15 + 2)]
    [InlineData("VA 3\r\nbar", 11)]
    [InlineData("VA 3\r\nbar\r", 11)]
    [InlineData("VA 3 f5 c1\r\n", 17)]
    [InlineData("VA 3 f5 c1\r", 12)]
    [InlineData("HD c1", 6)]
    [InlineData("CLIENT_ERR", 11)]
    public void Incomplete_responses_ask_for_exactly_what_they_lack(string wire, int needed)
    {
        var bytes = Encoding.Latin1.GetBytes(wire);
        Assert.False(MetaResponseParser.TryParse(bytes, out _, out var actual));
        Assert.Equal(needed, actual);
        var operation = TestOperations.Rent("get", "k", ValueTarget.Array);
        Assert.False(operation.TryConsume(bytes, null, out var consumed, out actual, out _));
        Assert.Equal(0, consumed);
        Assert.Equal(needed, actual);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void A_line_over_8_KiB_without_a_newline_is_refused_not_buffered_forever(int kind)
    {
        var prefix = kind == 6 ? "STAT pid 1\r\n" : kind == 4 ? "VA 1 O0\r\nx\r\n" : "";
        var bytes = Encoding.Latin1.GetBytes(prefix + new string('A', MetaResponseParser.MaxLineLength + 2));
        // Fed in one piece or in small chunks, it asks for more until it has seen too much, then throws.
        Assert.True(Feed(bytes, kind, ResponseDriver.Whole()));
        Assert.True(Feed(bytes, kind, Enumerable.Repeat(100, bytes.Length / 100 + 1)));
        // Up to the limit it still waits for the line end.
        Assert.False(Feed(bytes.AsSpan(0, prefix.Length + MetaResponseParser.MaxLineLength + 1), kind, ResponseDriver.Whole()));
    }

    [Fact]
    public void A_value_block_not_followed_by_CR_LF_is_refused_at_every_split()
    {
        var bytes = Encoding.Latin1.GetBytes("VA 3 f1\r\nbarX\r\n");
        for (var offset = 1; offset < bytes.Length; offset++)
        {
            Assert.True(Feed(bytes, 0, ResponseDriver.SplitAt(offset)), $"split at {offset}");
        }
    }

    // ---------------------------------------------------------------- exhaustive mutations of the fixtures

    private static readonly byte[] Replacements = [0x00, (byte)'\r', (byte)'\n', (byte)' ', (byte)'0', (byte)'9', (byte)'-', (byte)'x', (byte)'V', 0x7F, 0xFF];

    private static IEnumerable<byte[]> Mutations(byte[] bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            foreach (var b in Replacements)
            {
                if (bytes[i] != b)
                {
                    var flipped = (byte[])bytes.Clone();
                    flipped[i] = b;
                    yield return flipped;
                }
            }
            var dropped = new byte[bytes.Length - 1];
            bytes.AsSpan(0, i).CopyTo(dropped);
            bytes.AsSpan(i + 1).CopyTo(dropped.AsSpan(i));
            yield return dropped;
            yield return bytes[..i]; // truncated
            var bitFlip = (byte[])bytes.Clone();
            bitFlip[i] ^= 0x01;
            yield return bitFlip;
        }
    }

    [Fact]
    public void Every_single_byte_mutation_of_every_fixture_asks_for_more_or_throws_a_protocol_exception()
    {
        var count = 0;
        WithinTime(() =>
        {
            foreach (var segment in Fixtures.Singles)
            {
                foreach (var mutated in Mutations(segment.Bytes))
                {
                    Check(mutated);
                    count++;
                }
            }
        });
        Assert.True(count > 5_000, $"only {count} mutations");
    }

    // ---------------------------------------------------------------- properties

    /// <summary>Pieces responses are made of, so random sequences reach deep into the parser.</summary>
    private static readonly string[] Tokens =
    [
        "VA ", "HD", "EN", "NF", "NS", "EX", "MN", "VA", " ", "  ", "\r\n", "\r", "\n", "0", "1", "3", "-1", "99999999999",
        "18446744073709551616", "1073741824", " c1", " f5", " t-1", " O0", " O3", " O-1", " O", " c", " kfoo", " b", " s3", " c12x",
        "bar", "\u00ff", "\0", "CLIENT_ERROR ", "SERVER_ERROR", "ERROR", "STAT pid 1", "STAT ", "END", "VERSION ", "OK",
        "VA 3\r\nbar\r\n", "MN\r\n", "HD c1\r\n", "VA 1 O1\r\nx\r\n",
    ];

    private static readonly Gen<byte[]> TokenSoup =
        Gen.OneOfConst(Tokens).Array[1, 40].Select(parts => Encoding.Latin1.GetBytes(string.Concat(parts)));

    private static readonly Gen<byte[]> MutatedStream =
        from scenario in Gen.OneOfConst([.. Fixtures.Scenarios.Keys.Where(k => !k.StartsWith("large", StringComparison.Ordinal)).Order(StringComparer.Ordinal)])
        from edits in Gen.Select(Gen.Int[0, 1_000_000], Gen.Byte, Gen.Int[0, 3]).Array[1, 4]
        select Mutate(Fixtures.Scenarios[scenario].Bytes, edits);

    private static byte[] Mutate(byte[] original, (int Position, byte Value, int Kind)[] edits)
    {
        var bytes = new List<byte>(original);
        foreach (var (position, value, kind) in edits)
        {
            if (bytes.Count == 0)
            {
                break;
            }
            var at = position % bytes.Count;
            switch (kind)
            {
                case 0: bytes[at] = value; break;
                case 1: bytes.RemoveAt(at); break;
                case 2: bytes.Insert(at, value); break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }
        return [.. bytes];
    }

    private static readonly Gen<byte[]> AnyInput = Gen.Frequency(
        (2, Gen.Byte.Array[0, 300]),
        (3, TokenSoup),
        (3, MutatedStream));

    private static readonly Gen<(byte[] Input, int[] Chunks)> InputAndChunks =
        Gen.Select(AnyInput, Gen.Int[1, 16].Array[0, 50]);

    [Fact]
    public void Random_garbage_asks_for_more_or_throws_a_protocol_exception()
    {
        WithinTime(() => InputAndChunks.Sample(
            t =>
            {
                Check(t.Input, t.Chunks);
            },
            iter: 3_000,
            print: t => $"{Convert.ToHexString(t.Item1)} \"{Encoding.Latin1.GetString(t.Item1).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\" chunks [{string.Join(",", t.Item2)}]"));
    }

    [Fact]
    public void Garbage_after_a_valid_response_does_not_disturb_the_valid_one()
    {
        var valid = Encoding.Latin1.GetBytes(Fixtures.GetHit);
        WithinTime(() => Gen.Byte.Array[0, 64].Sample(
            garbage =>
            {
                var input = valid.Concat(garbage).ToArray();
                var operation = TestOperations.Rent("get", "k", ValueTarget.Array);
                Assert.True(operation.TryConsume(input, null, out var consumed, out _, out _));
                Assert.Equal(valid.Length, consumed);
                Assert.Equal("bar"u8.ToArray(), operation.ValueArray);
            },
            iter: 1_000));
    }
}
