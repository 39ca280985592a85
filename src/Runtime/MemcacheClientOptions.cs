using System.Globalization;

namespace Memstore;

/// <summary>Configuration of a <see cref="MemcacheClient"/>. Validated when the client is created.</summary>
public sealed class MemcacheClientOptions
{
    private List<ServerAddress> _servers = [];
    private List<ServerAddress> _gutterServers = [];
    private MemcacheTlsOptions _tls = new();

    /// <summary>The servers of the cluster. At least one is required.</summary>
    public IList<ServerAddress> Servers => _servers;

    /// <summary>How keys are placed on servers. Defaults to <see cref="MemcacheDistribution.Ketama"/>.</summary>
    public MemcacheDistribution Distribution { get; set; } = MemcacheDistribution.Ketama;

    /// <summary>How keys are encoded on the wire. Defaults to <see cref="KeyMode.Text"/>.</summary>
    public KeyMode KeyMode { get; set; } = KeyMode.Text;

    /// <summary>
    /// Largest value accepted for storage, in bytes; larger values are refused before anything is sent.
    /// Match it to the servers' item size (<c>memcached -I</c>, 1 MiB by default).
    /// </summary>
    public int MaxValueSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// Longest value a reply may announce, in bytes; a reply announcing more (<c>VA n</c>, <c>VALUE k f n</c>) is
    /// refused before anything is allocated for it and the connection is reset. Null (the default) means
    /// twice <see cref="MaxValueSize"/>, at most 1 GiB: headroom for items other clients stored under a larger
    /// limit, while a corrupt or hostile length cannot make the client allocate more. At least <see cref="MaxValueSize"/>.
    /// </summary>
    public int? MaxResponseValueSize { get; set; }

    /// <summary>The response limit in force: <see cref="MaxResponseValueSize"/>, or its default.</summary>
    internal int EffectiveMaxResponseValueSize => MaxResponseValueSize ?? (int)Math.Min(2L * MaxValueSize, 1024 * 1024 * 1024);

    /// <summary>How long a request may wait, queued and in flight, before it fails with <see cref="MemcacheTimeoutException"/>.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long opening a TCP connection may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// When requests are in flight and the server sends nothing for this long, the connection is presumed
    /// dead and reset (its in-flight requests fail).
    /// </summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First delay before reconnecting after a connection is lost; doubles on each failure.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Upper bound of the reconnect delay.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>What happens to the keys of a dead server. Defaults to <see cref="FailoverPolicy.FailFast"/>.</summary>
    public FailoverPolicy Failover { get; set; } = FailoverPolicy.FailFast;

    /// <summary>
    /// The gutter pool of <see cref="FailoverPolicy.Gutter"/>: a small second server list, with its own ring built
    /// with the same <see cref="Distribution"/>, that takes the keys of dead servers. Required (non-empty) with
    /// that policy and refused with any other; none may also be in <see cref="Servers"/>. Fixed for the client's life.
    /// </summary>
    public IList<ServerAddress> GutterServers => _gutterServers;

    /// <summary>
    /// The longest expiry an item written to the gutter pool gets (default 10 s): a longer expiry, "never expires"
    /// and an absolute time further away all become this, on stores, touches, counters created on a miss and
    /// leases. Between 1 s and 30 days, in whole seconds (a fraction rounds up).
    /// </summary>
    public TimeSpan GutterMaxExpiry { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Consecutive failures (failed connects or probes, lost connections) that mark a server dead. Default 2,
    /// so one dropped connection that reconnects at once does not count as an outage.
    /// </summary>
    public int ServerFailureLimit { get; set; } = 2;

    /// <summary>
    /// Consecutive operation timeouts, with no reply from the server in between, that mark a server dead
    /// (default 3). A frozen server keeps its connection open and answers nothing; without this it would
    /// hold every caller of its keys for a full timeout until the stall timeout. Once a request has timed
    /// out with no reply since, new calls for the server's keys are not queued behind it: they fail at once
    /// with <see cref="MemcacheTimeoutException"/> (or move, with <see cref="FailoverPolicy.Redistribute"/>)
    /// and count as timeouts too, until the server answers again. 0 turns both off: calls queue behind a
    /// silent server and each waits its timeout, until the stall timeout resets the connection.
    /// </summary>
    public int ServerTimeoutLimit { get; set; } = 3;

    /// <summary>
    /// How long a dead server is left alone before it is probed again. Calls for its keys never wait for a
    /// connect attempt during this time: they fail at once or move (see <see cref="Failover"/>).
    /// </summary>
    public TimeSpan DeadTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Connections per server (default 1). Every connection is shared by all callers; more than one only
    /// helps when large values would otherwise delay small requests queued behind them.
    /// </summary>
    public int ConnectionsPerServer { get; set; } = 1;

    /// <summary>
    /// Most requests a connection holds, queued plus in flight. Callers beyond that wait for room
    /// (back-pressure) until their operation timeout.
    /// </summary>
    public int MaxQueuedRequestsPerConnection { get; set; } = 8192;

    /// <summary>
    /// Whether trace spans carry the key (as <c>db.query.text</c>, e.g. <c>get user:42</c>). Off by default:
    /// keys often hold user identifiers. Values are never recorded.
    /// </summary>
    public bool RecordKeysInTraces { get; set; }

    /// <summary>
    /// Opens each connection's stream; null (the default) is plain TCP, <see cref="TcpConnectionStreamFactory"/>.
    /// Set in code only (configuration binding does not read it): the seam where TLS, a handshake or a test
    /// proxy wraps the socket. See <see cref="IConnectionStreamFactory"/> for the contract.
    /// </summary>
    public IConnectionStreamFactory? ConnectionStreamFactory { get; set; }

    /// <summary>TLS for every connection (memcached <c>-Z</c>); off by default. See <see cref="MemcacheTlsOptions"/>.</summary>
    public MemcacheTlsOptions Tls => _tls;

    /// <summary>
    /// The user for memcached's ASCII authentication (<c>memcached -Y authfile</c>); null (the default) sends none.
    /// With it, every connect and reconnect authenticates before the probe, with <see cref="Password"/> or the
    /// first line of <see cref="PasswordFile"/>. Credentials are sent only to a server that asks for them, and
    /// in the clear unless <see cref="Tls"/> is on.
    /// </summary>
    public string? Username { get; set; }

    /// <summary>The password for <see cref="Username"/>; or set <see cref="PasswordFile"/>.</summary>
    public string? Password { get; set; }

    /// <summary>A file whose first line is the password for <see cref="Username"/>; read when the client is created.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>
    /// Polls a configuration endpoint for the server list (<c>config get cluster</c>); null (the default) keeps
    /// <see cref="Servers"/> for the client's life, unless the application calls <see cref="MemcacheClient.UpdateServersAsync"/>.
    /// With it, <see cref="Servers"/> is the list used until the endpoint's first good reply, and must still hold
    /// at least one server (for example the configuration endpoint's own node).
    /// </summary>
    public AutoDiscoveryOptions? AutoDiscovery { get; set; }

    /// <summary>The configuration section these options were read from, for error messages; null when set in code.</summary>
    internal string? ConfigurationPath { get; set; }

    /// <summary>A copy that later changes to this instance do not reach (every setting, and its own server list).</summary>
    internal MemcacheClientOptions Clone()
    {
        var copy = (MemcacheClientOptions)MemberwiseClone();
        copy._servers = [.. _servers];
        copy._gutterServers = [.. _gutterServers];
        copy._tls = _tls.Clone();
        return copy;
    }

    /// <summary>
    /// Builds options from a connection string: a comma-separated server list,
    /// <c>host:port[,host:port...]</c> (IPv6 in brackets, port 11211 when omitted), optionally followed by
    /// <c>;name=value</c> settings: <c>tls=true</c>, <c>tls-ca=FILE</c>, <c>tls-host=NAME</c>, <c>tls-cert=FILE</c>,
    /// <c>tls-key=FILE</c>, <c>tls-insecure=true</c> (any <c>tls-</c> setting turns TLS on), <c>username=NAME</c>,
    /// <c>password=TEXT</c>, <c>password-file=FILE</c>. Example: <c>cache1:11211,cache2:11211;tls=true;tls-ca=/etc/ca.pem</c>.
    /// </summary>
    /// <exception cref="FormatException">A server or setting is malformed or unknown.</exception>
    public static MemcacheClientOptions Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var parts = connectionString.Split(';');
        var options = new MemcacheClientOptions();
        foreach (var server in ServerAddress.ParseList(parts[0]))
        {
            options.Servers.Add(server);
        }
        foreach (var part in parts.Skip(1))
        {
            if (part.Trim().Length > 0)
            {
                ConnectionStringSettings.Apply(options, part.Trim());
            }
        }
        return options;
    }

    /// <summary>Checks every setting and throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    public void Validate()
    {
        if (Servers.Count == 0)
        {
            throw new ArgumentException(AutoDiscovery is null
                ? "MemcacheClientOptions.Servers is empty: configure at least one server (for example \"127.0.0.1:11211\")."
                : "MemcacheClientOptions.Servers is empty: with AutoDiscovery it still needs at least one server, used until the configuration endpoint's first reply (for example the endpoint's own node).", nameof(Servers));
        }
        var seen = new HashSet<(string, int)>();
        foreach (var server in Servers)
        {
            if (!seen.Add((server.Host.ToUpperInvariant(), server.Port)))
            {
                throw new ArgumentException($"MemcacheClientOptions.Servers lists {server} twice.", nameof(Servers));
            }
        }
        RequirePositive(OperationTimeout, nameof(OperationTimeout));
        RequirePositive(ConnectTimeout, nameof(ConnectTimeout));
        RequirePositive(StallTimeout, nameof(StallTimeout));
        RequirePositive(ReconnectDelay, nameof(ReconnectDelay));
        RequirePositive(DeadTime, nameof(DeadTime));
        if (ServerFailureLimit < 1)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"MemcacheClientOptions.ServerFailureLimit must be at least 1; it is {ServerFailureLimit}."), nameof(ServerFailureLimit));
        }
        if (ServerTimeoutLimit < 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"MemcacheClientOptions.ServerTimeoutLimit must be 0 (timeouts never mark a server dead) or more; it is {ServerTimeoutLimit}."), nameof(ServerTimeoutLimit));
        }
        if (!Enum.IsDefined(Failover))
        {
            throw new ArgumentException($"MemcacheClientOptions.Failover has the undefined value {Failover}.", nameof(Failover));
        }
        ValidateGutter();
        if (!Enum.IsDefined(Distribution))
        {
            throw new ArgumentException($"MemcacheClientOptions.Distribution has the undefined value {Distribution}.", nameof(Distribution));
        }
        if (MaxReconnectDelay < ReconnectDelay)
        {
            throw new ArgumentException($"MemcacheClientOptions.MaxReconnectDelay ({MaxReconnectDelay}) is shorter than ReconnectDelay ({ReconnectDelay}).", nameof(MaxReconnectDelay));
        }
        if (MaxValueSize is < 1 or > 1024 * 1024 * 1024)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"MemcacheClientOptions.MaxValueSize must be between 1 byte and 1 GiB (memcached's largest -I); it is {MaxValueSize}."), nameof(MaxValueSize));
        }
        if (MaxResponseValueSize is { } responseLimit && (responseLimit < MaxValueSize || responseLimit > 1024 * 1024 * 1024))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"MemcacheClientOptions.MaxResponseValueSize must be between MaxValueSize ({MaxValueSize}) and 1 GiB, or null for twice MaxValueSize; it is {responseLimit}."), nameof(MaxResponseValueSize));
        }
        if (ConnectionsPerServer is < 1 or > 64)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"MemcacheClientOptions.ConnectionsPerServer must be between 1 and 64; it is {ConnectionsPerServer}."), nameof(ConnectionsPerServer));
        }
        if (MaxQueuedRequestsPerConnection < 1)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"MemcacheClientOptions.MaxQueuedRequestsPerConnection must be at least 1; it is {MaxQueuedRequestsPerConnection}."), nameof(MaxQueuedRequestsPerConnection));
        }
        if (!Enum.IsDefined(KeyMode))
        {
            throw new ArgumentException($"MemcacheClientOptions.KeyMode has the undefined value {KeyMode}.", nameof(KeyMode));
        }
        Tls.Validate();
        AutoDiscovery?.Validate();
        ValidateCredentials();
    }

    /// <summary>The gutter list against the policy and the primaries.</summary>
    private void ValidateGutter()
    {
        if (Failover != FailoverPolicy.Gutter)
        {
            if (GutterServers.Count > 0)
            {
                throw new ArgumentException($"MemcacheClientOptions.GutterServers lists {GutterServers.Count} server(s) but Failover is {Failover}: the gutter pool is used only with Failover = Gutter. Set Failover to Gutter, or remove GutterServers.", nameof(GutterServers));
            }
            return;
        }
        if (GutterServers.Count == 0)
        {
            throw new ArgumentException("MemcacheClientOptions.Failover is Gutter but GutterServers is empty: list the gutter pool's servers (a small second pool that takes dead servers' keys), or choose FailFast or Redistribute.", nameof(GutterServers));
        }
        var primaries = Servers.Select(static s => (s.Host.ToUpperInvariant(), s.Port)).ToHashSet();
        var seen = new HashSet<(string, int)>();
        foreach (var server in GutterServers)
        {
            var id = (server.Host.ToUpperInvariant(), server.Port);
            if (primaries.Contains(id))
            {
                throw new ArgumentException($"MemcacheClientOptions.GutterServers lists {server}, which is also in Servers: a gutter server must be a separate server, or a dead primary's keys could land on a live primary.", nameof(GutterServers));
            }
            if (!seen.Add(id))
            {
                throw new ArgumentException($"MemcacheClientOptions.GutterServers lists {server} twice.", nameof(GutterServers));
            }
        }
        if (GutterMaxExpiry < TimeSpan.FromSeconds(1) || GutterMaxExpiry > TimeSpan.FromDays(30))
        {
            throw new ArgumentException($"MemcacheClientOptions.GutterMaxExpiry must be between 1 second and 30 days; it is {GutterMaxExpiry}.", nameof(GutterMaxExpiry));
        }
    }

    /// <summary>The gutter cap as memcached's TTL field (relative seconds), or 0 when there is no gutter pool.</summary>
    internal uint GutterMaxTtl => Failover == FailoverPolicy.Gutter ? (uint)Math.Ceiling(GutterMaxExpiry.TotalSeconds) : 0;

    private void ValidateCredentials()
    {
        if (Username is null)
        {
            if (Password is not null || PasswordFile is not null)
            {
                throw new ArgumentException("MemcacheClientOptions.Password or PasswordFile is set without Username: give the user too.", nameof(Username));
            }
            return;
        }
        if (Username.Length == 0 || Username.Any(static c => c is ' ' || char.IsControl(c)))
        {
            throw new ArgumentException("MemcacheClientOptions.Username must be non-empty, without spaces or control characters (memcached separates user and password with a space).", nameof(Username));
        }
        if ((Password is null) == (PasswordFile is null))
        {
            throw new ArgumentException(Password is null
                ? "MemcacheClientOptions.Username is set but neither Password nor PasswordFile is: give one."
                : "MemcacheClientOptions.Password and PasswordFile are both set: give one.", nameof(Password));
        }
        if (Password is not null && (Password.Length == 0 || Password.Any(static c => c is ' ' || char.IsControl(c))))
        {
            throw new ArgumentException("MemcacheClientOptions.Password must be non-empty, without spaces or control characters: memcached's ASCII authentication cannot carry them.", nameof(Password));
        }
        if (PasswordFile is not null && !File.Exists(PasswordFile))
        {
            throw new ArgumentException($"MemcacheClientOptions.PasswordFile names \"{PasswordFile}\", which does not exist.", nameof(PasswordFile));
        }
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"MemcacheClientOptions.{name} must be positive; it is {value}.", name);
        }
    }
}
