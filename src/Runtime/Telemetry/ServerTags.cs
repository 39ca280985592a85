namespace Memstore.Telemetry;

/// <summary>A server's <c>server.address</c> and <c>server.port</c> tags, built once so recording allocates nothing.</summary>
internal sealed class ServerTags
{
    public ServerTags(ServerAddress server)
    {
        Address = new(TelemetryNames.ServerAddress, server.Host);
        Port = new(TelemetryNames.ServerPort, server.Port);
    }

    public KeyValuePair<string, object?> Address { get; }

    public KeyValuePair<string, object?> Port { get; }
}

/// <summary>Attribute names from OpenTelemetry's semantic conventions, and Memstore's own.</summary>
internal static class TelemetryNames
{
    public const string DbSystemName = "db.system.name";
    public const string DbOperationName = "db.operation.name";
    public const string DbQuerySummary = "db.query.summary";
    public const string DbQueryText = "db.query.text";
    public const string ServerAddress = "server.address";
    public const string ServerPort = "server.port";
    public const string ErrorType = "error.type";
    public const string Outcome = "memstore.outcome";
    public const string ClientName = "memstore.client.name";
    public const string ConnectionEvent = "memstore.connection.event";
    public const string MembershipEvent = "memstore.membership.event";
    public const string Memcached = "memcached";
}
