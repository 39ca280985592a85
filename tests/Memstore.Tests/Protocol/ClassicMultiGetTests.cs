using System.Text;
using Memstore.Transport;

namespace Memstore.Tests.Protocol;

/// <summary>The classic <c>gets</c> multi-get used for text keys: request bytes, matching, splits, garbage.</summary>
[Trait("Category", "Unit")]
public sealed class ClassicMultiGetTests
{
    // Replies as memcached 1.6.18 sends them to "gets a b c" + "mg d v f c O0": request order, misses left
    // out, END per command, then the tagged reply of the last key's mg (here a miss).
    private static readonly byte[] Reply = Encoding.ASCII.GetBytes(
        "VALUE a 5 3 11\r\nfoo\r\nVALUE c 0 4 12\r\nx\r\ny\r\nEND\r\nEN O0\r\n");

    private static (ClassicMultiGetOperation Operation, CacheValue[] Results) Batch(params string[] keys)
    {
        var results = new CacheValue[keys.Length];
        var operation = new ClassicMultiGetOperation(results, new OpaqueCounter());
        for (var i = 0; i < keys.Length; i++)
        {
            operation.AddKey(i, Encoding.UTF8.GetBytes(keys[i]), KeyMode.Text);
        }
        operation.Close();
        operation.Prepare(CancellationToken.None);
        operation.Server = "test:1";
        return (operation, results);
    }

    [Fact]
    public void Request_is_one_gets_line_per_hundred_keys_then_a_tagged_mg_of_the_last()
    {
        var (small, _) = Batch("a", "b", "c");
        Assert.Equal("gets a b\r\nmg c v f c O0\r\n", Encoding.ASCII.GetString(small.Request.WrittenSpan));

        var (single, _) = Batch("a");
        Assert.Equal("mg a v f c O0\r\n", Encoding.ASCII.GetString(single.Request.WrittenSpan));

        var keys = Enumerable.Range(0, 151).Select(i => $"k{i}").ToArray();
        var (large, _) = Batch(keys);
        var lines = Encoding.ASCII.GetString(large.Request.WrittenSpan).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal(101, lines[0].Split(' ').Length);
        Assert.Equal(51, lines[1].Split(' ').Length);
        Assert.Equal("mg k150 v f c O0", lines[2]);
    }

    [Fact]
    public void Hits_land_in_request_order_and_misses_stay_empty()
    {
        var (operation, results) = Batch("a", "b", "c", "d");
        Assert.True(operation.TryConsume(Reply, null, out var consumed, out _, out var reset));
        Assert.Equal(Reply.Length, consumed);
        Assert.False(reset);
        Assert.Equal("foo", results[0].AsString());
        Assert.Equal(5u, results[0].Flags);
        Assert.Equal(11ul, results[0].Cas.Value);
        Assert.False(results[1].Found);
        Assert.Equal("x\r\ny", results[2].AsString()); // CR LF inside a value is data
        Assert.False(results[3].Found);
#pragma warning disable CA2012 // only the status is inspected; the ValueTask is never awaited
        Assert.True(operation.AsValueTask().IsCompletedSuccessfully);
#pragma warning restore CA2012
    }

    [Fact]
    public void Split_at_every_offset_gives_the_same_result()
    {
        for (var split = 1; split < Reply.Length; split++)
        {
            var (operation, results) = Batch("a", "b", "c", "d");
            var outcome = ResponseDriver.Run([operation], Reply, ResponseDriver.SplitAt(split), [Reply.Length]);
            Assert.Single(outcome.CompletedAt);
            Assert.Equal("foo", results[0].AsString());
            Assert.Equal("x\r\ny", results[2].AsString());
        }
    }

    [Fact]
    public void Two_commands_need_two_ends()
    {
        var keys = Enumerable.Range(0, 121).Select(i => $"k{i}").ToArray();
        var (operation, results) = Batch(keys);
        var reply = Encoding.ASCII.GetBytes("VALUE k5 0 1 1\r\n5\r\nEND\r\nVALUE k119 0 3 2\r\n119\r\nEND\r\nVA 3 f0 c3 O0\r\n120\r\n");
        var firstEnd = Encoding.ASCII.GetByteCount("VALUE k5 0 1 1\r\n5\r\nEND\r\n");
        Assert.False(operation.TryConsume(reply.AsSpan(0, firstEnd), null, out var consumed, out _, out _));
        Assert.Equal(firstEnd, consumed);
        Assert.True(operation.TryConsume(reply.AsSpan(firstEnd), null, out _, out _, out _));
        Assert.Equal("5", results[5].AsString());
        Assert.Equal("119", results[119].AsString());
        Assert.Equal("120", results[120].AsString());
        Assert.Equal(118, results.Count(r => !r.Found));
    }

    [Theory]
    [InlineData("VALUE z 0 1 1\r\nz\r\nEND\r\n")]          // a key that was not requested
    [InlineData("VALUE a 0 1 1\r\nfoo\r\nEND\r\n")]        // value longer than its length
    [InlineData("VALUE a 0 x 1\r\nf\r\nEND\r\n")]          // non-numeric length
    [InlineData("VALUE a 0 1\r\nf\r\nEND\r\n")]            // missing CAS
    [InlineData("STORED\r\n")]                             // not a get reply
    [InlineData("VALUE b 0 1 1\r\nb\r\nVALUE a 0 1 1\r\na\r\nEND\r\n")] // out of request order
    [InlineData("VALUE c 0 1 1\r\nc\r\nEND\r\n")]          // the last key goes as mg, not in the gets line
    [InlineData("VALUE a 0 1 1\r\na\r\nVALUE a 0 1 1\r\na\r\nEND\r\n")] // one key answered twice
    [InlineData("END\r\nEN O1\r\n")]                        // terminator with another request's token
    [InlineData("END\r\nEN\r\n")]                           // terminator without a token
    [InlineData("END\r\nHD O0\r\n")]                        // a kind that cannot answer mg v
    [InlineData("END\r\nMN\r\n")]                           // a stray no-op reply
    [InlineData("END\r\nVALUE a 0 1 1\r\na\r\nEND\r\n")]  // a stray END shifts the real reply behind it
    public void Malformed_or_out_of_step_replies_throw_a_protocol_exception(string wire)
    {
        var (operation, _) = Batch("a", "b", "c");
        Assert.Throws<MemcacheProtocolException>(() => operation.TryConsume(Encoding.ASCII.GetBytes(wire), null, out _, out _, out _));
    }

    [Fact]
    public void A_server_error_ends_its_command_and_fails_the_batch()
    {
        var (operation, _) = Batch("a", "b");
        Assert.False(operation.TryConsume("SERVER_ERROR out of memory\r\n"u8, null, out var consumed, out _, out _));
        Assert.True(operation.TryConsume("EN O0\r\n"u8, null, out _, out _, out _));
        Assert.Equal(28, consumed);
        var task = operation.AsValueTask().AsTask();
        var error = Assert.Throws<AggregateException>(() => task.Wait()).InnerException;
        Assert.IsType<MemcacheServerErrorException>(error);
    }

    [Theory]
    [InlineData("SERVER_ERROR out of memory", typeof(MemcacheServerErrorException), "out of memory")]
    [InlineData("CLIENT_ERROR bad data chunk", typeof(MemcacheClientErrorException), "bad data chunk")]
    [InlineData("ERROR", typeof(MemcacheClientErrorException), "ERROR (unknown command)")]
    public void Each_error_line_fails_the_batch_with_its_own_exception_type(string line, Type expected, string serverMessage)
    {
        var (operation, _) = Batch("a", "b");
        Assert.False(operation.TryConsume(Encoding.ASCII.GetBytes(line + "\r\n"), null, out _, out _, out _));
        Assert.True(operation.TryConsume("EN O0\r\n"u8, null, out _, out _, out _));
        var error = Assert.Throws<AggregateException>(() => operation.AsValueTask().AsTask().Wait()).InnerException!;
        Assert.IsType(expected, error);
        Assert.Equal(serverMessage, ((dynamic)error).ServerMessage);
        Assert.Contains("'get-many' on test:1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("VALUE a 0 1073741824 1\r\n")]
    [InlineData("VALUE a 0 4294967295 1\r\n")]
    [InlineData("END\r\nVA 1073741824 O0\r\n")]
    public void An_announced_length_over_the_response_limit_is_refused_before_its_bytes_arrive(string wire)
    {
        var (operation, _) = Batch("a", "b");
        operation.MaxValueLength = 1024 * 1024;
        var ex = Assert.Throws<MemcacheProtocolException>(() => operation.TryConsume(Encoding.ASCII.GetBytes(wire), null, out _, out _, out _));
        Assert.Contains("over the response limit of 1048576 bytes", ex.Message, StringComparison.Ordinal);
    }
}
