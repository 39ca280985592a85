using System.Text;
using Memstore.Transport;

namespace Memstore.Tests.Protocol;

/// <summary>The classic <c>gets</c> multi-get used for text keys: request bytes, matching, splits, garbage.</summary>
public sealed class ClassicMultiGetTests
{
    // Replies as memcached 1.6.18 sends them: request order, misses left out, END per command.
    private static readonly byte[] Reply = Encoding.ASCII.GetBytes(
        "VALUE a 5 3 11\r\nfoo\r\nVALUE c 0 4 12\r\nx\r\ny\r\nEND\r\n");

    private static (ClassicBatchGetOperation Operation, CacheValue[] Results) Batch(params string[] keys)
    {
        var results = new CacheValue[keys.Length];
        var operation = new ClassicBatchGetOperation(results);
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
    public void Request_is_one_gets_line_per_hundred_keys()
    {
        var (small, _) = Batch("a", "b", "c");
        Assert.Equal("gets a b c\r\n", Encoding.ASCII.GetString(small.Request.WrittenSpan));

        var keys = Enumerable.Range(0, 150).Select(i => $"k{i}").ToArray();
        var (large, _) = Batch(keys);
        var lines = Encoding.ASCII.GetString(large.Request.WrittenSpan).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal(101, lines[0].Split(' ').Length);
        Assert.Equal(51, lines[1].Split(' ').Length);
    }

    [Fact]
    public void Hits_land_in_request_order_and_misses_stay_empty()
    {
        var (operation, results) = Batch("a", "b", "c", "d");
        Assert.True(operation.TryConsume(Reply, out var consumed, out _, out var reset));
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
        var keys = Enumerable.Range(0, 120).Select(i => $"k{i}").ToArray();
        var (operation, results) = Batch(keys);
        var reply = Encoding.ASCII.GetBytes("VALUE k5 0 1 1\r\n5\r\nEND\r\nVALUE k119 0 3 2\r\n119\r\nEND\r\n");
        var firstEnd = Encoding.ASCII.GetByteCount("VALUE k5 0 1 1\r\n5\r\nEND\r\n");
        Assert.False(operation.TryConsume(reply.AsSpan(0, firstEnd), out var consumed, out _, out _));
        Assert.Equal(firstEnd, consumed);
        Assert.True(operation.TryConsume(reply.AsSpan(firstEnd), out _, out _, out _));
        Assert.Equal("5", results[5].AsString());
        Assert.Equal("119", results[119].AsString());
        Assert.Equal(118, results.Count(r => !r.Found));
    }

    [Theory]
    [InlineData("VALUE z 0 1 1\r\nz\r\nEND\r\n")]          // a key that was not requested
    [InlineData("VALUE a 0 1 1\r\nfoo\r\nEND\r\n")]        // value longer than its length
    [InlineData("VALUE a 0 x 1\r\nf\r\nEND\r\n")]          // non-numeric length
    [InlineData("VALUE a 0 1\r\nf\r\nEND\r\n")]            // missing CAS
    [InlineData("STORED\r\n")]                             // not a get reply
    [InlineData("VALUE c 0 1 1\r\nc\r\nVALUE a 0 1 1\r\na\r\nEND\r\n")] // out of request order
    public void Malformed_replies_throw_a_protocol_exception(string wire)
    {
        var (operation, _) = Batch("a", "b", "c");
        Assert.Throws<MemcacheProtocolException>(() => operation.TryConsume(Encoding.ASCII.GetBytes(wire), out _, out _, out _));
    }

    [Fact]
    public void A_server_error_ends_its_command_and_fails_the_batch()
    {
        var (operation, _) = Batch("a", "b");
        Assert.True(operation.TryConsume("SERVER_ERROR out of memory\r\n"u8, out _, out _, out _));
        var task = operation.AsValueTask().AsTask();
        var error = Assert.Throws<AggregateException>(() => task.Wait()).InnerException;
        Assert.IsType<MemcacheServerErrorException>(error);
    }
}
