using Memstore.Protocol;

namespace Memstore.Tests.Protocol;

/// <summary>The one recogniser of memcached's error lines (src/Runtime/Protocol/ErrorLines.cs).</summary>
[Trait("Category", "Unit")]
public sealed class ErrorLinesTests
{
    [Theory]
    [InlineData("SERVER_ERROR out of memory storing object", "ServerError", "out of memory storing object")]
    [InlineData("SERVER_ERROR", "ServerError", "")]
    [InlineData("CLIENT_ERROR bad command line format", "ClientError", "bad command line format")]
    [InlineData("ERROR", "Error", "ERROR (unknown command)")]
    [InlineData("ERROR unknown command", "Error", "ERROR unknown command")]
    public void Error_lines_are_classified_with_the_servers_words(string line, string code, string message)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(line);
        Assert.True(ErrorLines.TryClassify(bytes, out var actual, out var start));
        Assert.Equal(code, actual.ToString());
        Assert.Equal(message, ErrorLines.Message(actual, bytes, start));
    }

    [Theory]
    [InlineData("ERRORS")]
    [InlineData("SERVER_ERRORx")]
    [InlineData("CLIENT_ERRO")]
    [InlineData("EN")]
    [InlineData("VALUE ERROR 0 1")]
    [InlineData("")]
    public void Other_lines_are_not_errors(string line)
    {
        Assert.False(ErrorLines.TryClassify(System.Text.Encoding.ASCII.GetBytes(line), out _, out _));
    }

    [Fact]
    public void Server_errors_and_client_errors_become_their_own_exception_types_naming_operation_and_server()
    {
        var server = ErrorLines.ToException(ResponseCode.ServerError, "out of memory", ErrorText.Operation("set", "k"), "10.0.0.1:11211");
        Assert.IsType<MemcacheServerErrorException>(server);
        Assert.Equal("memcached refused 'set' of key \"k\" on 10.0.0.1:11211: SERVER_ERROR out of memory", server.Message);
        Assert.Equal("10.0.0.1:11211", server.Server);

        var client = ErrorLines.ToException(ResponseCode.ClientError, "bad data chunk", ErrorText.Operation("stats", null), "s:1");
        Assert.IsType<MemcacheClientErrorException>(client);
        Assert.Equal("memcached rejected 'stats' on s:1: CLIENT_ERROR bad data chunk", client.Message);

        var unknown = ErrorLines.ToException(ResponseCode.Error, "ERROR (unknown command)", ErrorText.Operation("mg", "k"), "s:1");
        Assert.Equal("memcached rejected 'mg' of key \"k\" on s:1: ERROR (unknown command)", unknown.Message);
    }
}
