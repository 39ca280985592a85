using System.Security.Cryptography;
using System.Text.Json;

namespace Memstore.Samples.WebApi;

/// <summary>A user's session.</summary>
public sealed record Session(string Id, string User, DateTimeOffset CreatedAt);

/// <summary>
/// Sessions in memcached: a plain typed wrapper over <see cref="MemcacheClient"/>, registered with
/// <c>AddMemstoreStore&lt;SessionStore&gt;()</c>. A generated <c>[MemcacheStore]</c> class takes its place
/// once the generator ships; the registration stays the same.
/// </summary>
public sealed class SessionStore(MemcacheClient client)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(20);

    /// <summary>Creates and stores a new session.</summary>
    public async ValueTask<Session> CreateAsync(string user, CancellationToken cancellationToken)
    {
        var session = new Session(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), user, DateTimeOffset.UtcNow);
        await client.SetAsync(Key(session.Id), JsonSerializer.SerializeToUtf8Bytes(session), Lifetime, cancellationToken: cancellationToken);
        return session;
    }

    /// <summary>Reads a session and extends its lifetime, or null.</summary>
    public async ValueTask<Session?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!IsValidId(id))
        {
            return null;
        }
        var value = await client.GetAndTouchAsync(Key(id), Lifetime, cancellationToken);
        return value.Found ? JsonSerializer.Deserialize<Session>(value.Value) : null;
    }

    /// <summary>Ends a session.</summary>
    public async ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken) =>
        IsValidId(id) && await client.DeleteAsync(Key(id), cancellationToken: cancellationToken) == DeleteStatus.Deleted;

    private static string Key(string id) => "session:" + id;

    private static bool IsValidId(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);
}
