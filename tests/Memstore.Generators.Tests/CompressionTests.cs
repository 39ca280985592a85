using Memstore.Generators.Tests.Stores;
using Memstore.Tests.Infrastructure;

namespace Memstore.Generators.Tests;

/// <summary>
/// Keyspaces declared with <c>CompressAboveBytes</c>, against a real memcached: large values are stored as zstd frames
/// with <see cref="MemcacheFlags.ZstdCompressed"/> and read back exactly, small ones as they are, any keyspace reads a
/// compressed value, and a damaged or oversized frame is a clear error that caches nothing wrong.
/// </summary>
[Trait("Category", "Memcached")]
public sealed class CompressionTests(MemcachedFixture fixture) : IClassFixture<MemcachedFixture>, IAsyncLifetime
{
    private MemcacheClient _client = null!;
    private TestStore _store = null!;

    public Task InitializeAsync()
    {
        _client = MemcacheClient.Create(fixture.Server.ConnectionString);
        _store = new TestStore(_client);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    private static string Text(int length) =>
        string.Concat(Enumerable.Range(0, length / 9 + 1).Select(i => $"row {i % 97:000}; ")).Substring(0, length);

    [Fact]
    public async Task A_large_value_is_stored_compressed_with_the_flag_and_read_back_exactly()
    {
        var text = Text(20_000);
        Assert.True((await _store.CompressedTexts.SetAsync(1, text)).Stored);
        var raw = await _client.GetAsync(_store.CompressedTexts.FormatKey(1));
        Assert.Equal(MemcacheFlags.Utf8String | MemcacheFlags.ZstdCompressed, raw.Flags);
        Assert.True(raw.Value!.Length < text.Length / 4, $"{raw.Value.Length} stored bytes for {text.Length}");
        Assert.Equal([0x28, 0xB5, 0x2F, 0xFD], raw.Value[..4]); // the zstd frame magic number, as docs/compression.md says
        Assert.Equal(text, await _store.CompressedTexts.GetAsync(1));
        var many = await _store.CompressedTexts.GetManyAsync([1, 2]);
        Assert.Equal(text, many[0].Value);
        Assert.False(many[1].Found);
    }

    [Fact]
    public async Task A_value_below_the_threshold_is_stored_as_it_is()
    {
        Assert.True((await _store.CompressedTexts.SetAsync(3, "short")).Stored);
        var raw = await _client.GetAsync(_store.CompressedTexts.FormatKey(3));
        Assert.Equal(MemcacheFlags.Utf8String, raw.Flags);
        Assert.Equal("short", raw.AsString());
    }

    [Fact]
    public async Task A_barely_compressible_value_round_trips_with_flags_that_match_what_was_stored()
    {
        var noise = new byte[2_000];
        new Random(3).NextBytes(noise);
        var text = Convert.ToBase64String(noise)[..1_500]; // above the threshold, barely compressible (ValueCompressionTests: incompressible bytes stay raw)
        await _store.CompressedTexts.SetAsync(4, text);
        var raw = await _client.GetAsync(_store.CompressedTexts.FormatKey(4));
        Assert.Equal(text, await _store.CompressedTexts.GetAsync(4));
        Assert.Equal(raw.Value!.Length < text.Length ? MemcacheFlags.Utf8String | MemcacheFlags.ZstdCompressed : MemcacheFlags.Utf8String, raw.Flags);
    }

    [Fact]
    public async Task Records_round_trip_through_compare_and_set_and_get_or_create()
    {
        var key = "z-" + Guid.NewGuid().ToString("N");
        var big = new Everything(Flag: true, B: 1, Sb: 0, S: 0, Us: 0, I: 0, Ui: 0, L: 0, Ul: 0, F: 0, D: 0, M: 1.5m, C: 'x', Text: Text(5_000),
            When: DateTime.UnixEpoch, At: DateTimeOffset.UnixEpoch, Span: TimeSpan.Zero, Id: Guid.NewGuid(), Link: new Uri("https://example.com"),
            Blob: [], Ints: [], Strings: [], Map: [], Set: [], Children: [], MaybeInt: null, MaybeColor: null, Color: Color.Red, Child: new Nested(),
            Point: new Point(0, 0), MaybePoint: null, ByName: new Dictionary<string, Nested>(), Region: Region.Us);
        var made = await _store.CompressedEverything.GetOrCreateAsync(key, (_, _) => ValueTask.FromResult(big));
        Assert.Equal(big.Text, made.Text);
        var raw = await _client.GetAsync(_store.CompressedEverything.FormatKey(key));
        Assert.Equal(MemcacheFlags.MessagePack | MemcacheFlags.ZstdCompressed, raw.Flags);
        var read = await _store.CompressedEverything.TryGetAsync(key);
        Assert.Equal(big.Text, read.Value!.Text);
        Assert.True((await _store.CompressedEverything.CompareAndSetAsync(key, big with { Text = Text(6_000) }, read.Cas)).Stored);
        Assert.Equal(6_000, (await _store.CompressedEverything.GetAsync(key))!.Text.Length);
        var hit = await _store.CompressedEverything.GetOrCreateAsync(key, (_, _) => throw new InvalidOperationException("a hit"));
        Assert.Equal(6_000, hit.Text.Length);
    }

    [Fact]
    public async Task A_keyspace_without_compression_reads_a_compressed_value()
    {
        var text = Text(10_000);
        await _store.CompressedTexts.SetAsync(5, text);
        var raw = await _client.GetAsync(_store.CompressedTexts.FormatKey(5));
        // The same bytes and flags under a key of a keyspace that never compresses (turning compression off later).
        await _client.SetAsync(_store.ShortLived.FormatKey(5), raw.Value, flags: raw.Flags);
        Assert.Equal(text, await _store.ShortLived.GetAsync(5));
    }

    [Fact]
    public async Task A_damaged_frame_is_a_format_error_and_the_connection_stays_in_step()
    {
        var text = Text(10_000);
        await _store.CompressedTexts.SetAsync(6, text);
        var raw = (await _client.GetAsync(_store.CompressedTexts.FormatKey(6))).Value!;
        var damaged = raw.ToArray();
        damaged[damaged.Length / 2] ^= 0xFF;
        damaged[damaged.Length / 2 + 1] ^= 0xFF;
        await _client.SetAsync(_store.CompressedTexts.FormatKey(7), damaged, flags: MemcacheFlags.Utf8String | MemcacheFlags.ZstdCompressed);
        var error = await Assert.ThrowsAsync<MemcacheFormatException>(async () => await _store.CompressedTexts.GetAsync(7));
        Assert.Contains("zstd", error.Message, StringComparison.Ordinal);

        await _client.SetAsync(_store.CompressedTexts.FormatKey(8), "not a frame"u8.ToArray(), flags: MemcacheFlags.Utf8String | MemcacheFlags.ZstdCompressed);
        error = await Assert.ThrowsAsync<MemcacheFormatException>(async () => await _store.CompressedTexts.GetAsync(8));
        Assert.Contains("not a zstd frame", error.Message, StringComparison.Ordinal);
        Assert.Equal(text, await _store.CompressedTexts.GetAsync(6)); // the next read on the same connection is fine
    }

    [Fact]
    public async Task A_frame_that_declares_more_than_the_bound_is_refused_before_decompressing()
    {
        // 64 MiB of zeros compresses to a few kilobytes: a small item that would make a reader allocate 64 MiB.
        using var compressor = new ZstdSharp.Compressor(1);
        compressor.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        var bomb = compressor.Wrap(new byte[ValueCompression.DefaultMaxDecompressedBytes + 1]).ToArray();
        Assert.True(bomb.Length < 64 * 1024);
        await _client.SetAsync(_store.CompressedTexts.FormatKey(9), bomb, flags: MemcacheFlags.Utf8String | MemcacheFlags.ZstdCompressed);
        var error = await Assert.ThrowsAsync<MemcacheFormatException>(async () => await _store.CompressedTexts.GetAsync(9));
        Assert.Contains($"declares {ValueCompression.DefaultMaxDecompressedBytes + 1} bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxDecompressedBytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_frame_without_a_content_checksum_is_refused()
    {
        using var compressor = new ZstdSharp.Compressor(1); // checksum off: zstd's default
        var frame = compressor.Wrap(System.Text.Encoding.UTF8.GetBytes(Text(4_000))).ToArray();
        await _client.SetAsync(_store.CompressedTexts.FormatKey(10), frame, flags: MemcacheFlags.Utf8String | MemcacheFlags.ZstdCompressed);
        var error = await Assert.ThrowsAsync<MemcacheFormatException>(async () => await _store.CompressedTexts.GetAsync(10));
        Assert.Contains("no content checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_are_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ValueCompression(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ValueCompression(level: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ValueCompression(level: 23));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ValueCompression { MaxDecompressedBytes = 0 });
        Assert.Equal("zstd-compressed MessagePack", MemcacheFlags.Describe(MemcacheFlags.MessagePack | MemcacheFlags.ZstdCompressed));
        Assert.Equal(512, _store.CompressedTexts.Compression!.ThresholdBytes);
        Assert.Null(_store.Texts.Compression);
    }
}
