using System.Text;
using Memstore.Mcas;

namespace Memstore.Tests.Mcas;

/// <summary>
/// What the forced-interleaving tests (LateStepTests, FewerWavesTests, ReturnAtLastInstallTests, SettleAfterFailureTests) pick out of the request lines a
/// <see cref="Infrastructure.HoldingProxy"/> sees, and the small conversions they share.
/// </summary>
internal static class McasRequestLines
{
    /// <summary>The client-flags token of a Memstore record on an <c>ms</c> line (bit 31, docs/stored-format.md).</summary>
    public const string ReservedFlag = "F2147483648";

    /// <summary>An <c>ms</c> of <paramref name="key"/> that installs a marker.</summary>
    public static bool IsMarkerInstall(string line, string key) =>
        line.StartsWith($"ms {key} ", StringComparison.Ordinal) && line.Contains(" " + ReservedFlag, StringComparison.Ordinal);

    /// <summary>Phase 2 on <paramref name="key"/>: an <c>ms</c> of a user value, or an <c>md</c>.</summary>
    public static bool IsRelease(string line, string key) =>
        (line.StartsWith($"ms {key} ", StringComparison.Ordinal) && !line.Contains(" " + ReservedFlag, StringComparison.Ordinal))
        || line.StartsWith($"md {key} ", StringComparison.Ordinal);

    /// <summary>The decide: a CAS'd <c>ms</c> of a descriptor (the add carries <c>ME</c> instead).</summary>
    public static bool IsDecide(string line) =>
        line.StartsWith("ms memstore:mcas:", StringComparison.Ordinal) && line.Split(' ').Any(token => token.StartsWith('C'));

    /// <summary>A read of a descriptor: a helper's, or the owner's when it settles or finishes its operation.</summary>
    public static bool IsDescriptorRead(string line) => line.StartsWith("mg memstore:mcas:", StringComparison.Ordinal);

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>
    /// Waits (bounded) until <paramref name="key"/> holds a Memstore record on <paramref name="server"/>. A proxy's
    /// hold says that the requests before the held one were forwarded, not that memcached has executed them yet.
    /// </summary>
    public static async Task UntilMarkedAsync(Infrastructure.MemcachedServer server, string key)
    {
        for (var i = 0; i < 500; i++)
        {
            if ((await server.RawAsync($"mg {key} f\r\n")).Contains(ReservedFlag[1..], StringComparison.Ordinal))
            {
                return;
            }
            await Task.Delay(10);
        }
        throw new TimeoutException($"{key} never got a marker");
    }

    public static string Text(McasEntry e) => Encoding.UTF8.GetString(e.Value ?? throw new InvalidOperationException($"{e.Key} is absent"));
}
