namespace Memstore.Mcas;

/// <summary>
/// One attempt of <see cref="McasClient.TransactAsync{T}"/>: read keys, stage writes, and let the client
/// commit them as one MCAS. Every key read takes part in the commit (unwritten ones unchanged), so the
/// commit succeeds only if nothing the attempt read has changed. Not thread-safe; valid for one attempt.
/// </summary>
public sealed class McasTransaction
{
    private readonly McasClient _mcas;
    private readonly Dictionary<string, McasEntry> _reads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, McasUpdate> _writes = new(StringComparer.Ordinal);

    internal McasTransaction(McasClient mcas, int attempt)
    {
        _mcas = mcas;
        Attempt = attempt;
    }

    /// <summary>1 for the first attempt, then 2, 3, ... after conflicts.</summary>
    public int Attempt { get; }

    /// <summary>Reads a key through McasGet (once per attempt; later calls return the same entry).</summary>
    public async ValueTask<McasEntry> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        if (_reads.TryGetValue(key, out var known))
        {
            return known;
        }
        var entry = await _mcas.GetAsync(key, cancellationToken).ConfigureAwait(false);
        _reads[key] = entry;
        return entry;
    }

    /// <summary>Reads several keys at once (keys already read come from this attempt's snapshot).</summary>
    public async ValueTask<McasEntry[]> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var missing = keys.Where(key => !_reads.ContainsKey(key)).Distinct(StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
        {
            var entries = await _mcas.GetManyAsync(missing, cancellationToken).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                _reads[entry.Key] = entry;
            }
        }
        return [.. keys.Select(key => _reads[key])];
    }

    /// <summary>Stages a write of a key read in this attempt. Null <paramref name="expiry"/> keeps the key's expiry.</summary>
    public void Set(string key, ReadOnlyMemory<byte> value, uint flags = 0, TimeSpan? expiry = null) =>
        _writes[key] = McasUpdate.Set(Read(key), value, flags, expiry);

    /// <summary>Stages a delete of a key read in this attempt.</summary>
    public void Delete(string key) => _writes[key] = McasUpdate.Delete(Read(key));

    internal IReadOnlyCollection<McasEntry> Reads => _reads.Values;

    internal bool HasWrites => _writes.Count > 0;

    internal List<McasUpdate> BuildUpdates() =>
        [.. _reads.Values.Select(entry => _writes.TryGetValue(entry.Key, out var write) ? write : McasUpdate.Keep(entry))];

    private McasEntry Read(string key) => _reads.TryGetValue(key, out var entry)
        ? entry
        : throw new InvalidOperationException($"Read {key} in the transaction before writing it: the commit needs the entry it expects.");
}
