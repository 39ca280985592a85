using System.Runtime.CompilerServices;

namespace Memstore.Generators.Tests.Infrastructure;

/// <summary>
/// Compares generated text with a verified file committed under Snapshots/. On a difference the new text is written
/// beside it as .received.txt and the test fails; set MEMSTORE_UPDATE_SNAPSHOTS=1 to accept the new text.
/// </summary>
public static class Snapshot
{
    public static void Verify(string name, string actual, [CallerFilePath] string callerPath = "")
    {
        var directory = Path.Combine(Path.GetDirectoryName(callerPath)!, "Snapshots");
        Directory.CreateDirectory(directory);
        var verified = Path.Combine(directory, name + ".verified.txt");
        var received = Path.Combine(directory, name + ".received.txt");
        actual = actual.Replace("\r\n", "\n");
        if (Environment.GetEnvironmentVariable("MEMSTORE_UPDATE_SNAPSHOTS") == "1")
        {
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }
        var expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No verified snapshot {verified}; the output was written to {received}. Review it, then run with MEMSTORE_UPDATE_SNAPSHOTS=1."
            : $"Generated code differs from {verified}; see {received} (diff them, then run with MEMSTORE_UPDATE_SNAPSHOTS=1 to accept).");
    }
}
