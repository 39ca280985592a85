namespace Memstore.Mcas;

/// <summary>
/// A key as read through <see cref="McasClient.GetAsync"/>: its value, flags, CAS token and expiry, or
/// "absent". Never a marker: operations in progress were helped to finish before the read returned.
/// Pass it back in a <see cref="McasUpdate"/> to make a write conditional on the key being unchanged.
/// </summary>
public sealed class McasEntry
{
    private McasEntry(string key, byte[]? value, uint flags, CasToken cas, DateTimeOffset? expiresAt)
    {
        Key = key;
        Value = value;
        Flags = flags;
        Cas = cas;
        ExpiresAt = expiresAt;
    }

    /// <summary>An entry that says the key holds nothing; an update built on it creates the key only if it is still absent.</summary>
    public static McasEntry Absent(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return new McasEntry(key, null, 0, CasToken.None, null);
    }

    internal static McasEntry Present(string key, byte[] value, uint flags, CasToken cas, DateTimeOffset? expiresAt) =>
        new(key, value, flags, cas, expiresAt);

    /// <summary>The key.</summary>
    public string Key { get; }

    /// <summary>True when the key holds a value; false for "absent".</summary>
    public bool Exists => Value is not null;

    /// <summary>The stored bytes, or null when absent.</summary>
    public byte[]? Value { get; }

    /// <summary>The item's client flags (0 when absent).</summary>
    public uint Flags { get; }

    /// <summary>The item's CAS token (none when absent).</summary>
    public CasToken Cas { get; }

    /// <summary>When the item expires, or null if it never does (or is absent).</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <inheritdoc />
    public override string ToString() => Exists ? $"{Key}: {Value!.Length} bytes, cas {Cas}" : $"{Key}: absent";
}

/// <summary>What an MCAS does to one key: the entry it expects (as read) and the value it writes, or a delete.</summary>
public readonly struct McasUpdate
{
    private McasUpdate(McasEntry entry, byte[]? newValue, uint flags, TimeSpan? expiry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if ((flags & MemstoreWireFormat.ReservedFlag) != 0)
        {
            throw new ArgumentException($"Client flags 0x{flags:X8} for key {entry.Key} use bit 31, which Memstore reserves for its markers.", nameof(flags));
        }
        if (expiry is { } e && e < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(expiry), e, "An expiry cannot be negative.");
        }
        Entry = entry;
        NewValue = newValue;
        Flags = flags;
        Expiry = expiry;
    }

    /// <summary>
    /// Writes <paramref name="value"/> if the key still matches <paramref name="entry"/>.
    /// </summary>
    /// <param name="entry">The key as read (or <see cref="McasEntry.Absent"/> to create it).</param>
    /// <param name="value">The new bytes.</param>
    /// <param name="flags">Client flags for the new value; bit 31 is reserved.</param>
    /// <param name="expiry">Null keeps the entry's expiry (never, for a new key); <see cref="TimeSpan.Zero"/> means never expires.</param>
    public static McasUpdate Set(McasEntry entry, ReadOnlyMemory<byte> value, uint flags = 0, TimeSpan? expiry = null) =>
        new(entry, value.ToArray(), flags, expiry);

    /// <summary>Deletes the key if it still matches <paramref name="entry"/>.</summary>
    public static McasUpdate Delete(McasEntry entry) => new(entry, null, 0, null);

    /// <summary>Leaves the key as it is but makes the operation fail if it changed (the value is rewritten, so its token changes).</summary>
    public static McasUpdate Keep(McasEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new(entry, entry.Value, entry.Flags, null);
    }

    /// <summary>The expected state of the key.</summary>
    public McasEntry Entry { get; }

    /// <summary>The bytes to write, or null to delete.</summary>
    public byte[]? NewValue { get; }

    /// <summary>Client flags of the new value.</summary>
    public uint Flags { get; }

    /// <summary>Expiry of the new value; null keeps the entry's.</summary>
    public TimeSpan? Expiry { get; }

    /// <summary>True when the update deletes the key.</summary>
    public bool IsDelete => NewValue is null;
}

/// <summary>One key for <see cref="McasClient.RepairAsync"/>: the value to put back where a descriptor vanished.</summary>
/// <param name="Key">The key to repair.</param>
/// <param name="Value">The value to store, or null to delete the key.</param>
/// <param name="Flags">Client flags of the value (bit 31 is reserved).</param>
/// <param name="Expiry">Expiry of the value; null or zero for never.</param>
public readonly record struct McasRepair(string Key, ReadOnlyMemory<byte>? Value, uint Flags = 0, TimeSpan? Expiry = null);

/// <summary>Configuration of an <see cref="McasClient"/>.</summary>
public sealed class McasOptions
{
    /// <summary>Prefix of descriptor keys: a descriptor lives at <c>{KeyPrefix}mcas:{id}</c>.</summary>
    public string KeyPrefix { get; set; } = "memstore:";

    /// <summary>
    /// Time to live of a descriptor: the leak backstop for a process that dies mid-operation. Far longer
    /// than any operation; a key still pointing to a descriptor past it reads as corruption.
    /// </summary>
    public TimeSpan DescriptorTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// When a reader (not the owner) finishes an operation, it shortens the descriptor's life to this, so
    /// the owner can still learn the outcome; the owner deletes it outright.
    /// </summary>
    public TimeSpan HelperLinger { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a transaction keeps retrying after conflicts before it gives up.</summary>
    public TimeSpan RetryBudget { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most attempts of one transaction (the first included).</summary>
    public int MaxAttempts { get; set; } = 1000;

    /// <summary>First backoff after a conflict; doubles per attempt up to <see cref="MaxBackoff"/>, with full jitter.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Upper bound of the backoff.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    internal McasOptions Validated()
    {
        ArgumentException.ThrowIfNullOrEmpty(KeyPrefix);
        if (DescriptorTtl < TimeSpan.FromSeconds(1) || HelperLinger < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException("McasOptions.DescriptorTtl and HelperLinger must be at least one second.");
        }
        if (MaxAttempts < 1 || RetryBudget <= TimeSpan.Zero || InitialBackoff < TimeSpan.Zero || MaxBackoff < InitialBackoff)
        {
            throw new ArgumentException("McasOptions: MaxAttempts ≥ 1, RetryBudget > 0 and 0 ≤ InitialBackoff ≤ MaxBackoff are required.");
        }
        return (McasOptions)MemberwiseClone();
    }
}

/// <summary>
/// A key points to an MCAS descriptor that no longer exists (evicted, flushed, or expired after its
/// owner died): the key's value cannot be known. Use <see cref="McasClient.RepairAsync"/> to reset it.
/// </summary>
public sealed class McasCorruptionException : MemcacheException
{
    /// <summary>Creates the exception.</summary>
    public McasCorruptionException(string message, string descriptorKey, IReadOnlyList<string> keys) : base(message)
    {
        DescriptorKey = descriptorKey;
        Keys = keys;
    }

    /// <summary>The descriptor that vanished.</summary>
    public string DescriptorKey { get; }

    /// <summary>The keys known to point to it.</summary>
    public IReadOnlyList<string> Keys { get; }
}

/// <summary>
/// The owner of an MCAS cannot learn its outcome. Either the descriptor was gone when it came to decide (on a cluster
/// that evicts nothing: the owner stalled for longer than <see cref="McasOptions.HelperLinger"/> after another client
/// finished the operation), or a request of the operation failed (timeout, lost connection, dead server; the
/// <see cref="Exception.InnerException"/>) and the servers did not answer again within the owner's three tries to
/// settle it. The keys are consistent: the operation happened entirely or not at all, or it is still undecided and is
/// finished by this client in the background or by the first reader of one of its keys. Read them again to see which;
/// do not simply run a non-idempotent change again.
/// </summary>
public sealed class McasOutcomeUnknownException : MemcacheException
{
    /// <summary>Creates the exception.</summary>
    public McasOutcomeUnknownException(string message, string descriptorKey, IReadOnlyList<string> keys) : this(message, descriptorKey, keys, null)
    {
    }

    /// <summary>Creates the exception with the failure that left the outcome unknown.</summary>
    public McasOutcomeUnknownException(string message, string descriptorKey, IReadOnlyList<string> keys, Exception? innerException) : base(message, innerException)
    {
        DescriptorKey = descriptorKey;
        Keys = keys;
    }

    /// <summary>The descriptor that was gone.</summary>
    public string DescriptorKey { get; }

    /// <summary>The keys of the operation.</summary>
    public IReadOnlyList<string> Keys { get; }
}

/// <summary>A transaction kept conflicting with other writers until its retry budget ran out.</summary>
public sealed class McasConflictException : MemcacheException
{
    /// <summary>Creates the exception.</summary>
    public McasConflictException(string message, IReadOnlyList<string> contendedKeys, int attempts) : base(message)
    {
        ContendedKeys = contendedKeys;
        Attempts = attempts;
    }

    /// <summary>The keys whose changes made the attempts fail, most frequent first.</summary>
    public IReadOnlyList<string> ContendedKeys { get; }

    /// <summary>How many attempts were made.</summary>
    public int Attempts { get; }
}
