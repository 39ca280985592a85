using System.Text;
using Memstore.Protocol;

namespace Memstore.Tests.Protocol;

/// <summary>Each response observed from memcached 1.6.18 parses to the right fields.</summary>
[Trait("Category", "Unit")]
public sealed class MetaResponseParserTests
{
    private static MetaResponse Parse(string wire, out byte[] bytes)
    {
        bytes = Encoding.Latin1.GetBytes(wire);
        Assert.True(MetaResponseParser.TryParse(bytes, out var response, out var needed), $"incomplete: {wire}");
        Assert.Equal(0, needed);
        Assert.Equal(bytes.Length, response.TotalLength);
        return response;
    }

    private static string Value(byte[] bytes, in MetaResponse response) =>
        Encoding.Latin1.GetString(bytes, response.ValueOffset, response.ValueLength);

    [Fact]
    public void Store_header_with_cas()
    {
        var r = Parse(Fixtures.StoreHit, out _);
        Assert.Equal(ResponseCode.Success, r.Code);
        Assert.Equal(1UL, r.Cas);
        Assert.Equal(-1, r.Opaque);
        Assert.Equal(-1, r.Ttl);
        Assert.False(r.IsError);
    }

    [Fact]
    public void Get_hit_with_every_flag()
    {
        var r = Parse(Fixtures.GetHit, out var bytes);
        Assert.Equal(ResponseCode.Value, r.Code);
        Assert.Equal(5U, r.ClientFlags);
        Assert.Equal(1UL, r.Cas);
        Assert.Equal(-1, r.Ttl);
        Assert.Equal(123, r.Opaque);
        Assert.Equal("bar", Value(bytes, r));
        Assert.Equal("VA 3 f5 c1 t-1 s3 kfoo O123\r\n".Length, r.ValueOffset);
    }

    [Fact]
    public void Positive_ttl_is_read()
    {
        var r = Parse("VA 1 t300 f0\r\nx\r\n", out var bytes);
        Assert.Equal(300, r.Ttl);
        Assert.Equal("x", Value(bytes, r));
    }

    [Theory]
    [InlineData(Fixtures.Miss, nameof(ResponseCode.Miss), -1)]
    [InlineData(Fixtures.NoOp, nameof(ResponseCode.NoOp), -1)]
    [InlineData(Fixtures.NotStored, nameof(ResponseCode.NotStored), -1)]
    [InlineData(Fixtures.Exists, nameof(ResponseCode.Exists), -1)]
    [InlineData(Fixtures.NotFound, nameof(ResponseCode.NotFound), -1)]
    [InlineData(Fixtures.NotFoundOpaque, nameof(ResponseCode.NotFound), 7)]
    [InlineData(Fixtures.MissOpaqueKey, nameof(ResponseCode.Miss), 9)]
    [InlineData(Fixtures.Base64Miss, nameof(ResponseCode.Miss), -1)]
    [InlineData(Fixtures.StoreHit, nameof(ResponseCode.Success), -1)]
    public void Status_lines(string wire, string code, long opaque)
    {
        var r = Parse(wire, out _);
        Assert.Equal(Enum.Parse<ResponseCode>(code), r.Code);
        Assert.Equal(opaque, r.Opaque);
        Assert.Equal(0, r.ValueLength);
        Assert.False(r.IsError);
    }

    [Fact]
    public void Arithmetic_value_with_cas()
    {
        var r = Parse(Fixtures.Incremented, out var bytes);
        Assert.Equal(ResponseCode.Value, r.Code);
        Assert.Equal(3UL, r.Cas);
        Assert.Equal("10", Value(bytes, r));
    }

    [Fact]
    public void Decrement_result_keeps_its_space_padding_in_the_raw_value()
    {
        var r = Parse(Fixtures.DecrementedPadded, out var bytes);
        Assert.Equal(ResponseCode.Value, r.Code);
        Assert.Equal("0 ", Value(bytes, r));
    }

    [Theory]
    [InlineData(Fixtures.NonNumeric, nameof(ResponseCode.ClientError), "cannot increment or decrement non-numeric value")]
    [InlineData(Fixtures.BadFormat, nameof(ResponseCode.ClientError), "bad command line format")]
    [InlineData(Fixtures.TooLarge, nameof(ResponseCode.ServerError), "object too large for cache")]
    [InlineData(Fixtures.Error, nameof(ResponseCode.Error), "ERROR (unknown command)")]
    public void Error_lines(string wire, string code, string message)
    {
        var r = Parse(wire, out var bytes);
        Assert.Equal(Enum.Parse<ResponseCode>(code), r.Code);
        Assert.True(r.IsError);
        Assert.Equal(message, MetaResponseParser.ErrorMessage(bytes, r));
    }

    [Fact]
    public void Empty_value()
    {
        var r = Parse("VA 0\r\n\r\n", out _);
        Assert.Equal(ResponseCode.Value, r.Code);
        Assert.Equal(0, r.ValueLength);
        Assert.Equal(6, r.ValueOffset);
    }

    [Fact]
    public void Only_the_first_of_several_responses_is_parsed()
    {
        var bytes = Encoding.Latin1.GetBytes(Fixtures.GetHit + Fixtures.StoreHit);
        Assert.True(MetaResponseParser.TryParse(bytes, out var r, out _));
        Assert.Equal(Fixtures.GetHit.Length, r.TotalLength);
        Assert.True(MetaResponseParser.TryParse(bytes.AsSpan(r.TotalLength), out r, out _));
        Assert.Equal(ResponseCode.Success, r.Code);
    }

    [Fact]
    public void A_value_block_reports_the_exact_total_length_it_needs()
    {
        var bytes = Encoding.Latin1.GetBytes(Fixtures.GetHit);
        var line = "VA 3 f5 c1 t-1 s3 kfoo O123\r\n".Length;
        for (var length = line; length < bytes.Length; length++)
        {
            Assert.False(MetaResponseParser.TryParse(bytes.AsSpan(0, length), out _, out var needed));
            Assert.Equal(bytes.Length, needed);
        }
    }

    [Fact]
    public void An_incomplete_line_asks_for_one_more_byte()
    {
        var bytes = Encoding.Latin1.GetBytes(Fixtures.StoreHit);
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(MetaResponseParser.TryParse(bytes.AsSpan(0, length), out _, out var needed));
            Assert.Equal(length + 1, needed);
        }
    }

    [Fact]
    public void TryReadLine_returns_the_line_without_CR_LF()
    {
        var bytes = Encoding.Latin1.GetBytes("STAT pid 2104\r\nEND\r\n");
        Assert.True(MetaResponseParser.TryReadLine(bytes, out var line, out var consumed));
        Assert.Equal("STAT pid 2104", Encoding.Latin1.GetString(line));
        Assert.Equal(15, consumed);
        Assert.False(MetaResponseParser.TryReadLine(bytes.AsSpan(0, 14), out _, out consumed));
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void A_line_of_exactly_the_maximum_length_is_accepted()
    {
        var text = "SERVER_ERROR " + new string('x', MetaResponseParser.MaxLineLength - 13);
        var bytes = Encoding.Latin1.GetBytes(text + "\r\n");
        Assert.True(MetaResponseParser.TryParse(bytes, out var r, out _));
        Assert.Equal(ResponseCode.ServerError, r.Code);
        Assert.Equal(MetaResponseParser.MaxLineLength - 13, r.MessageLength);
    }

    [Fact]
    public void Malformed_quotes_the_line_escaped_and_shortened()
    {
        var ex = MetaResponseParser.Malformed("test", Encoding.Latin1.GetBytes("AB\r\u00ff" + new string('z', 100)));
        Assert.Contains("test", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AB\\x0D\\xFF", ex.Message, StringComparison.Ordinal);
        Assert.Contains("...", ex.Message, StringComparison.Ordinal);
    }
}
