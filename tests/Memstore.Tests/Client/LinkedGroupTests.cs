using System.Text;
using Memstore.Cluster;
using Memstore.Protocol;
using Memstore.Protocol.Commands;
using Memstore.Tests.Infrastructure;
using Memstore.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Memstore.Tests.Client;

/// <summary>
/// <see cref="Connection.TrySubmitGroup"/>'s linked rule, which MCAS relies on to send a descriptor and the first
/// marker together: a linked request never reaches the server without the one before it. The predecessor is
/// failed (canceled) before the group is submitted, so the writer loop must drop it and refuse its follower;
/// the server is then asked whether the follower's key was written.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class LinkedGroupTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_linked_request_behind_a_dropped_one_is_never_sent(bool linked)
    {
        await using var server = await MemcachedServer.StartAsync();
        var options = MemcacheClientOptions.Parse(server.ConnectionString);
        var health = new ServerHealth(server.Address, options.ServerFailureLimit, options.DeadTime);
        using var sweeper = new TimeoutSweeper(options.OperationTimeout);
        var connection = new Connection(server.Address, options, ConnectionOpener.Plain(TcpConnectionStreamFactory.Instance, options.ConnectTimeout), health, sweeper, NullLogger.Instance);
        await using var _ = connection;
        var first = Store(connection, "linked:first", "1", new CancellationToken(canceled: true));
        var second = Store(connection, "linked:second", "2", CancellationToken.None);

        Assert.True(connection.TrySubmitGroup([first, second], 2, linked));

        await Assert.ThrowsAsync<OperationCanceledException>(async () => await first.AsValueTask());
        if (linked)
        {
            var error = await Assert.ThrowsAsync<MemcacheConnectionException>(async () => await second.AsValueTask());
            Assert.Contains("'set' of key \"linked:second\" was not sent", error.Message, StringComparison.Ordinal);
            Assert.Equal("EN", (await server.RawAsync("mg linked:second v\r\n")).Trim());
        }
        else
        {
            await second.AsValueTask();
            Assert.Equal(ResponseCode.Success, second.Code);
            Assert.StartsWith("VA 1", (await server.RawAsync("mg linked:second v\r\n")).Trim(), StringComparison.Ordinal);
        }
        Assert.Equal("EN", (await server.RawAsync("mg linked:first v\r\n")).Trim());
        first.ReleaseByCaller();
        second.ReleaseByCaller();
    }

    private static MetaOperation Store(Connection connection, string key, string value, CancellationToken cancellationToken)
    {
        var operation = MetaOperation.Rent("set", key, ValueTarget.None, hasDataBlock: true, accepted: ReplyKinds.Store);
        operation.Tag(connection.Opaques.Next());
        new StoreCommand(StoreMode.Set, null, 0, CasToken.None).Write(operation.Request, Encoding.UTF8.GetBytes(key), KeyMode.Text, Encoding.UTF8.GetBytes(value), operation.Opaque);
        operation.Prepare(cancellationToken);
        return operation;
    }
}
