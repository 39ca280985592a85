using System.Buffers;
using System.Text;
using Memstore.Protocol;
using Memstore.Protocol.Commands;
using Memstore.Transport;

namespace Memstore.Tests.Protocol;

/// <summary>The fixtures through each operation's TryConsume, checked via the operations' public results.</summary>
[Trait("Category", "Unit")]
public sealed class OperationConsumeTests
{
    private static byte[] Bytes(string wire) => Encoding.Latin1.GetBytes(wire);

    /// <summary>Consumes a complete response in one call and returns resetConnection.</summary>
    private static bool ConsumeAll(Operation operation, string wire)
    {
        var bytes = Bytes(wire);
        Assert.True(operation.TryConsume(bytes, null, out var consumed, out _, out var reset));
        Assert.Equal(bytes.Length, consumed);
        Assert.True(operation.IsCompleted);
        return reset;
    }

    private static Exception? Failure(Operation operation)
    {
        var task = operation.AsValueTask();
        if (!task.IsCompleted)
        {
            throw new InvalidOperationException($"{operation.Name} is still pending");
        }
        try
        {
            task.GetAwaiter().GetResult();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private static MetaOperation Meta(ValueTarget target, bool hasDataBlock = false, IBufferWriter<byte>? destination = null) =>
        TestOperations.Rent("test", "foo", target, destination, hasDataBlock);

    [Fact]
    public void Store_reply_gives_code_and_cas()
    {
        var op = Meta(ValueTarget.None, hasDataBlock: true);
        Assert.False(ConsumeAll(op, Fixtures.StoreHit));
        Assert.Null(Failure(op));
        Assert.Equal(ResponseCode.Success, op.Code);
        Assert.Equal(new CasToken(1), op.Cas);
    }

    [Theory]
    [InlineData(Fixtures.NotStored, nameof(ResponseCode.NotStored), true)]
    [InlineData(Fixtures.Exists, nameof(ResponseCode.Exists), true)]
    [InlineData(Fixtures.NotFound, nameof(ResponseCode.NotFound), false)]
    [InlineData(Fixtures.NotFoundOpaque, nameof(ResponseCode.NotFound), false)]
    [InlineData(Fixtures.Miss, nameof(ResponseCode.Miss), false)]
    [InlineData(Fixtures.MissOpaqueKey, nameof(ResponseCode.Miss), false)]
    [InlineData(Fixtures.Base64Miss, nameof(ResponseCode.Miss), false)]
    public void Status_replies_complete_without_a_value(string wire, string code, bool store)
    {
        var op = store ? Meta(ValueTarget.None, hasDataBlock: true)
            : code == nameof(ResponseCode.Miss) ? Meta(ValueTarget.Array) : Meta(ValueTarget.None);
        Assert.False(ConsumeAll(op, wire));
        Assert.Null(Failure(op));
        Assert.Equal(Enum.Parse<ResponseCode>(code), op.Code);
        Assert.Null(op.ValueArray);
        Assert.False(op.Cas.HasValue);
    }

    [Fact]
    public void Get_hit_into_a_new_array()
    {
        var op = Meta(ValueTarget.Array);
        ConsumeAll(op, Fixtures.GetHit);
        Assert.Null(Failure(op));
        Assert.Equal(ResponseCode.Value, op.Code);
        Assert.Equal(5U, op.ClientFlags);
        Assert.Equal(new CasToken(1), op.Cas);
        Assert.Equal(3, op.ValueLength);
        Assert.Equal("bar"u8.ToArray(), op.ValueArray);
    }

    [Fact]
    public void Get_hit_into_a_pooled_array()
    {
        var op = Meta(ValueTarget.Pooled);
        ConsumeAll(op, Fixtures.GetHit);
        Assert.Null(Failure(op));
        Assert.Equal(3, op.ValueLength);
        var array = op.TakeValueArray();
        Assert.NotNull(array);
        Assert.Equal("bar"u8.ToArray(), array.AsSpan(0, op.ValueLength).ToArray());
        ArrayPool<byte>.Shared.Return(array);
    }

    [Fact]
    public void Get_hit_into_a_buffer_writer()
    {
        var writer = new ArrayBufferWriter<byte>();
        var op = Meta(ValueTarget.Writer, destination: writer);
        ConsumeAll(op, Fixtures.GetHit);
        Assert.Null(Failure(op));
        Assert.Equal("bar"u8.ToArray(), writer.WrittenSpan.ToArray());
        Assert.Equal(5U, op.ClientFlags);
    }

    [Theory]
    [InlineData(Fixtures.Incremented, 10UL, 3UL)]
    [InlineData(Fixtures.DecrementedPadded, 0UL, 0UL)]
    [InlineData("VA 20 c4\r\n18446744073709551615\r\n", ulong.MaxValue, 4UL)]
    public void Arithmetic_reply_parses_the_number(string wire, ulong number, ulong cas)
    {
        var op = Meta(ValueTarget.Number);
        ConsumeAll(op, wire);
        Assert.Null(Failure(op));
        Assert.Equal(ResponseCode.Value, op.Code);
        Assert.Equal(number, op.Number);
        Assert.Equal(cas, op.Cas.Value);
    }

    [Theory]
    [InlineData("VA 2\r\nab\r\n")]
    [InlineData("VA 0\r\n\r\n")]
    [InlineData("VA 2\r\n-1\r\n")]
    [InlineData("VA 20\r\n18446744073709551616\r\n")]
    public void A_counter_that_is_not_a_number_fails_the_caller_with_a_protocol_error(string wire)
    {
        var op = Meta(ValueTarget.Number);
        Assert.False(ConsumeAll(op, wire));
        Assert.IsType<MemcacheProtocolException>(Failure(op));
    }

    [Fact]
    public void Non_numeric_increment_is_a_client_error_naming_the_key()
    {
        var op = Meta(ValueTarget.Number);
        Assert.False(ConsumeAll(op, Fixtures.NonNumeric));
        var ex = Assert.IsType<MemcacheClientErrorException>(Failure(op));
        Assert.Equal("cannot increment or decrement non-numeric value", ex.ServerMessage);
        Assert.Contains("\"foo\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_large_is_a_server_error()
    {
        var op = Meta(ValueTarget.None, hasDataBlock: true);
        Assert.False(ConsumeAll(op, Fixtures.TooLarge));
        var ex = Assert.IsType<MemcacheServerErrorException>(Failure(op));
        Assert.Equal("object too large for cache", ex.ServerMessage);
    }

    [Fact]
    public void Unknown_command_is_a_client_error()
    {
        var op = Meta(ValueTarget.None);
        Assert.False(ConsumeAll(op, Fixtures.Error));
        var ex = Assert.IsType<MemcacheClientErrorException>(Failure(op));
        Assert.Equal("ERROR (unknown command)", ex.ServerMessage);
    }

    [Fact]
    public void A_rejected_line_with_a_data_block_behind_it_resets_the_connection()
    {
        var store = Meta(ValueTarget.None, hasDataBlock: true);
        Assert.True(ConsumeAll(store, Fixtures.BadFormat));
        Assert.Equal("bad command line format", Assert.IsType<MemcacheClientErrorException>(Failure(store)).ServerMessage);

        var get = Meta(ValueTarget.Array);
        Assert.False(ConsumeAll(get, Fixtures.BadFormat));
    }

    [Fact]
    public void A_late_reply_to_an_abandoned_request_is_consumed_and_dropped()
    {
        var op = Meta(ValueTarget.Array);
        Assert.True(op.TryFail(new TimeoutException("gave up")));
        Assert.False(ConsumeAll(op, Fixtures.GetHit));
        Assert.IsType<TimeoutException>(Failure(op));
        Assert.Null(op.ValueArray);
    }

    [Theory]
    [InlineData(Fixtures.NoOp, nameof(ValueTarget.Array))]
    [InlineData(Fixtures.GetHit, nameof(ValueTarget.None))]
    [InlineData(Fixtures.StoreHit, nameof(ValueTarget.Array))]
    [InlineData(Fixtures.NotFound, nameof(ValueTarget.Array))]
    [InlineData(Fixtures.Miss, nameof(ValueTarget.Number))]
    public void A_reply_of_a_kind_that_cannot_answer_the_request_is_a_protocol_error(string wire, string target)
    {
        var op = Meta(Enum.Parse<ValueTarget>(target));
        Assert.Throws<MemcacheProtocolException>(() => op.TryConsume(Bytes(wire), null, out _, out _, out _));
    }

    [Theory]
    [InlineData("VA 3 f5 c1\r\nbar\r\n")]          // no token
    [InlineData("VA 3 f5 c1 O122\r\nbar\r\n")]     // another request's token
    [InlineData("EN\r\n")]
    [InlineData("EN O1234\r\n")]
    [InlineData("EN Ox\r\n")]
    [InlineData("EN O\r\n")]                      // empty token
    [InlineData("EN O12x\r\n")]                   // digits, then not
    [InlineData("EN O-123\r\n")]                  // signed
    [InlineData("EN O+123\r\n")]
    [InlineData("EN O00000000123\r\n")]           // 11 digits: longer than any token the client sends
    [InlineData("EN O4294967419\r\n")]            // 123 + 2^32: must not wrap to 123
    public void A_reply_without_the_requests_opaque_token_is_a_protocol_error(string wire)
    {
        var op = Meta(ValueTarget.Array);
        op.Tag(123);
        var ex = Assert.Throws<MemcacheProtocolException>(() => op.TryConsume(Bytes(wire), null, out _, out _, out _));
        Assert.Contains("out of step", ex.Message, StringComparison.Ordinal);
        Assert.Contains("opaque token 123", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tagged_request_accepts_its_own_token_and_untokened_error_lines()
    {
        var op = Meta(ValueTarget.Array);
        op.Tag(123);
        ConsumeAll(op, Fixtures.GetHit);
        Assert.Null(Failure(op));
        var failed = Meta(ValueTarget.Array);
        failed.Tag(5);
        ConsumeAll(failed, Fixtures.TooLarge);
        Assert.IsType<MemcacheServerErrorException>(Failure(failed));
    }

    [Fact]
    public void A_late_reply_to_an_abandoned_request_is_still_checked()
    {
        var op = Meta(ValueTarget.Array);
        op.Tag(7);
        Assert.True(op.TryFail(new TimeoutException("gave up")));
        Assert.Throws<MemcacheProtocolException>(() => op.TryConsume(Bytes(Fixtures.GetHit), null, out _, out _, out _));
    }

    [Theory]
    [InlineData("VA 1073741824 f0 c1 O0\r\n")]
    [InlineData("VA 2097153 O0\r\n")]
    public void An_announced_length_over_the_response_limit_is_refused_before_its_bytes_arrive(string wire)
    {
        var op = Meta(ValueTarget.Array);
        op.MaxValueLength = 2 * 1024 * 1024;
        var ex = Assert.Throws<MemcacheProtocolException>(() => op.TryConsume(Bytes(wire), null, out _, out _, out _));
        Assert.Contains("over the response limit of 2097152 bytes", ex.Message, StringComparison.Ordinal);
        var atLimit = Meta(ValueTarget.Array);
        atLimit.MaxValueLength = 2 * 1024 * 1024;
        Assert.False(atLimit.TryConsume(Bytes("VA 2097152 O0\r\n"), null, out _, out var needed, out _));
        Assert.Equal(2097152 + 17, needed);
    }

    [Fact]
    public void Batch_get_places_hits_by_opaque_and_ends_at_the_last_requests_reply()
    {
        var results = new CacheValue[5];
        var op = new MetaMultiGetOperation(results, [3, 0, 4]);
        ConsumeAll(op, Fixtures.Batch);
        Assert.Null(Failure(op));
        Assert.Equal("abc"u8.ToArray(), results[3].Value);
        Assert.Equal(1U, results[3].Flags);
        Assert.Equal(new CasToken(10), results[3].Cas);
        Assert.False(results[0].Found);
        Assert.Equal("xy"u8.ToArray(), results[4].Value);
        Assert.Equal(2U, results[4].Flags);
        Assert.Equal(new CasToken(11), results[4].Cas);
        Assert.False(results[1].Found);
        Assert.False(results[2].Found);
    }

    [Fact]
    public void Batch_get_writes_quiet_tagged_gets_and_a_loud_last_one()
    {
        var op = new MetaMultiGetOperation(new CacheValue[3], new OpaqueCounter());
        op.AddKey(0, "a"u8, KeyMode.Base64);
        op.AddKey(1, "b"u8, KeyMode.Base64);
        op.AddKey(2, "c"u8, KeyMode.Base64);
        op.Close();
        Assert.Equal("mg YQ== b v f c q O0\r\nmg Yg== b v f c q O1\r\nmg Yw== b v f c O2\r\n", Encoding.ASCII.GetString(op.Request.WrittenSpan));
    }

    [Fact]
    public void Batch_get_consumes_replies_one_by_one_before_the_last_arrives()
    {
        var results = new CacheValue[3];
        var op = new MetaMultiGetOperation(results, [0, 1, 2]);
        var bytes = Bytes("VA 1 O1\r\nx\r\nVA 1 O");
        Assert.False(op.TryConsume(bytes, null, out var consumed, out var needed, out _));
        Assert.Equal(bytes.Length - 6, consumed);
        Assert.Equal(7, needed);
        Assert.Equal("x"u8.ToArray(), results[1].Value);
        Assert.False(op.IsCompleted);
        Assert.True(op.TryConsume(Bytes("EN O2\r\n"), null, out consumed, out _, out _));
        Assert.Equal(7, consumed);
        Assert.Null(Failure(op));
    }

    [Fact]
    public void Batch_get_reports_the_first_error_after_the_last_reply()
    {
        var results = new CacheValue[2];
        var op = new MetaMultiGetOperation(results, [0, 1]);
        ConsumeAll(op, "VA 1 O0\r\nx\r\n" + Fixtures.TooLarge + Fixtures.BadFormat + "EN O1\r\n");
        var ex = Assert.IsType<MemcacheServerErrorException>(Failure(op));
        Assert.Equal("object too large for cache", ex.ServerMessage);
        Assert.True(results[0].Found);
    }

    [Theory]
    [InlineData("VA 1 O5\r\nx\r\n")]               // a token no request in the batch used
    [InlineData("VA 1\r\nx\r\n")]                  // no token
    [InlineData("VA 1 O-1\r\nx\r\n")]
    [InlineData("HD\r\n")]
    [InlineData("HD O2\r\n")]                        // a kind that cannot answer mg v
    [InlineData("MN\r\n")]                           // a stray no-op reply must not end the batch
    [InlineData("EN\r\n")]                           // a stray miss
    [InlineData("EN O0\r\n")]                        // quiet requests never answer a miss
    [InlineData("VA 1 O1\r\nx\r\nVA 1 O0\r\nx\r\n")] // out of request order
    [InlineData("VA 1 O0\r\nx\r\nVA 1 O0\r\nx\r\n")] // one request answered twice
    public void Batch_get_rejects_replies_no_request_asked_for(string wire)
    {
        var op = new MetaMultiGetOperation(new CacheValue[3], [0, 1, 2]);
        Assert.Throws<MemcacheProtocolException>(() => op.TryConsume(Bytes(wire), null, out _, out _, out _));
    }

    [Fact]
    public void Version_reply()
    {
        var op = ServerCommandOperation.For(new VersionCommand());
        ConsumeAll(op, Fixtures.Version);
        Assert.Null(Failure(op));
        Assert.Equal("1.6.18", op.Result);
    }

    [Fact]
    public void Stats_reply()
    {
        var op = ServerCommandOperation.For(new StatsCommand());
        ConsumeAll(op, Fixtures.LongStats);
        Assert.Null(Failure(op));
        Assert.Equal("2104", op.Result["pid"]);
        Assert.Equal("1.6.18", op.Result["version"]);
        Assert.Equal("2.1.12-stable", op.Result["libevent"]);
        Assert.Equal(6, op.Result.Count);
    }

    [Fact]
    public void Stats_error_fails_the_caller()
    {
        var op = ServerCommandOperation.For(new StatsCommand());
        ConsumeAll(op, Fixtures.Error);
        Assert.IsType<MemcacheClientErrorException>(Failure(op));
    }

    [Fact]
    public void Flush_reply()
    {
        var op = ServerCommandOperation.For(new FlushAllCommand());
        ConsumeAll(op, Fixtures.Ok);
        Assert.Null(Failure(op));
        var failed = ServerCommandOperation.For(new FlushAllCommand());
        ConsumeAll(failed, Fixtures.Error);
        Assert.IsType<MemcacheClientErrorException>(Failure(failed));
    }

    [Theory]
    [InlineData(nameof(StatsCommand), "SERVER_ERROR out of memory", typeof(MemcacheServerErrorException), "out of memory")]
    [InlineData(nameof(FlushAllCommand), "SERVER_ERROR busy", typeof(MemcacheServerErrorException), "busy")]
    [InlineData(nameof(VersionCommand), "SERVER_ERROR busy", typeof(MemcacheServerErrorException), "busy")]
    [InlineData(nameof(StatsCommand), "CLIENT_ERROR unauthenticated", typeof(MemcacheClientErrorException), "unauthenticated")]
    [InlineData(nameof(FlushAllCommand), "CLIENT_ERROR bad command line format", typeof(MemcacheClientErrorException), "bad command line format")]
    [InlineData(nameof(VersionCommand), "CLIENT_ERROR unauthenticated", typeof(MemcacheClientErrorException), "unauthenticated")]
    public void Text_operations_map_each_error_line_to_its_own_exception_type(string type, string line, Type expected, string serverMessage)
    {
        Operation op = type switch
        {
            nameof(VersionCommand) => ServerCommandOperation.For(new VersionCommand()),
            nameof(FlushAllCommand) => ServerCommandOperation.For(new FlushAllCommand()),
            _ => ServerCommandOperation.For(new StatsCommand()),
        };
        op.Server = "test:1";
        ConsumeAll(op, line + "\r\n");
        var error = Failure(op)!;
        Assert.IsType(expected, error);
        Assert.Equal(serverMessage, ((dynamic)error).ServerMessage);
        Assert.Contains($"'{op.Name}' on test:1: {line}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ping_reply()
    {
        var op = ServerCommandOperation.For(new NoOpCommand());
        Assert.Equal("mn\r\n"u8.ToArray(), op.Request.WrittenSpan.ToArray());
        ConsumeAll(op, Fixtures.NoOp);
        Assert.Null(Failure(op));
        Assert.NotEqual(0, op.CompletedAt);
    }

    [Theory]
    [InlineData(nameof(VersionCommand), "OK\r\n")]
    [InlineData(nameof(FlushAllCommand), "VERSION 1.6.18\r\n")]
    [InlineData(nameof(StatsCommand), "OK\r\n")]
    [InlineData(nameof(NoOpCommand), "HD\r\n")]
    public void Text_operations_reject_a_reply_of_the_wrong_kind(string type, string wire)
    {
        Operation op = type switch
        {
            nameof(VersionCommand) => ServerCommandOperation.For(new VersionCommand()),
            nameof(FlushAllCommand) => ServerCommandOperation.For(new FlushAllCommand()),
            nameof(StatsCommand) => ServerCommandOperation.For(new StatsCommand()),
            _ => ServerCommandOperation.For(new NoOpCommand()),
        };
        Assert.Throws<MemcacheProtocolException>(() => op.TryConsume(Bytes(wire), null, out _, out _, out _));
    }
}
