using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Memstore.Protocol;
using Memstore.Protocol.Commands;
using Memstore.Transport;

namespace Memstore.Tests.Protocol;

/// <summary>
/// Imitates the connection's read loop (Connection.ReadLoopAsync / ProcessResponses) without a socket:
/// chunks are appended to a buffer, the oldest unfinished operation consumes from the front, and
/// <c>consumed</c> / <c>needed</c> are honoured exactly as the connection honours them. Along the way it
/// checks the contract every operation must keep whatever the chunking:
/// <list type="bullet">
/// <item>0 &lt;= consumed &lt;= available bytes;</item>
/// <item>a completed operation consumed at least one byte;</item>
/// <item>an incomplete one asks for more than it was given (otherwise the reader would spin);</item>
/// <item>when the expected response boundaries are known, an operation completes exactly at the last
/// byte of its response, never earlier, and <c>needed</c> never points beyond that byte.</item>
/// </list>
/// </summary>
internal static class ResponseDriver
{
    internal sealed class Outcome
    {
        /// <summary>Absolute stream offset just after the bytes each completed operation consumed.</summary>
        public List<int> CompletedAt { get; } = [];

        /// <summary>resetConnection as reported by each completed operation.</summary>
        public List<bool> Resets { get; } = [];

        /// <summary>Bytes left over after all operations completed (the connection would reset).</summary>
        public int Unclaimed { get; set; }

        /// <summary>Bytes consumed in total.</summary>
        public int Consumed { get; set; }

        /// <summary>Number of TryConsume calls; bounded, so a test can also assert progress.</summary>
        public int Calls { get; set; }

        /// <summary>The operations that were driven, in order.</summary>
        public IReadOnlyList<Operation> Operations { get; init; } = [];
    }

    /// <summary>Feeds <paramref name="stream"/> in chunks of the given sizes (the last chunk takes the rest).</summary>
    /// <param name="ends">If known, the absolute end offset of each operation's response; checked strictly.</param>
    public static Outcome Run(IReadOnlyList<Operation> operations, ReadOnlySpan<byte> stream, IEnumerable<int> chunkSizes, IReadOnlyList<int>? ends = null)
    {
        var outcome = new Outcome { Operations = operations };
        var buffer = new byte[Math.Max(16, stream.Length)];
        int start = 0, end = 0, fed = 0, next = 0;
        using var sizes = chunkSizes.GetEnumerator();
        while (fed < stream.Length)
        {
            var size = sizes.MoveNext() ? Math.Clamp(sizes.Current, 1, stream.Length - fed) : stream.Length - fed;
            // Append the chunk; slide the partial response to the front first, as the connection does.
            if (start == end)
            {
                start = end = 0;
            }
            else if (end + size > buffer.Length)
            {
                buffer.AsSpan(start, end - start).CopyTo(buffer);
                end -= start;
                start = 0;
            }
            stream.Slice(fed, size).CopyTo(buffer.AsSpan(end));
            end += size;
            fed += size;

            while (start < end)
            {
                if (next == operations.Count)
                {
                    // The connection throws here ("bytes that answer no request") and resets.
                    outcome.Unclaimed = end - start;
                    return outcome;
                }
                var operation = operations[next];
                var available = end - start;
                outcome.Calls++;
                var done = operation.TryConsume(buffer.AsSpan(start, available), null, out var consumed, out var needed, out var reset);
                Assert.InRange(consumed, 0, available);
                var absolute = fed - available; // stream offset of buffer[start]
                start += consumed;
                outcome.Consumed += consumed;
                if (done)
                {
                    Assert.True(consumed > 0, $"operation {next} completed without consuming a byte");
                    outcome.CompletedAt.Add(absolute + consumed);
                    outcome.Resets.Add(reset);
                    if (ends is not null)
                    {
                        Assert.True(absolute + consumed == ends[next],
                            $"operation {next} ({operation.Name}) completed at offset {absolute + consumed}, expected {ends[next]} (fed {fed} bytes)");
                    }
                    next++;
                    continue;
                }
                var left = end - start;
                Assert.True(needed > left, $"operation {next} ({operation.Name}) asked for {needed} bytes while holding {left}: the reader would spin");
                if (ends is not null)
                {
                    var responseLeft = ends[next] - (absolute + consumed);
                    Assert.True(needed <= responseLeft,
                        $"operation {next} ({operation.Name}) asked for {needed} bytes but only {responseLeft} remain of its response");
                }
                break;
            }
        }
        return outcome;
    }

    /// <summary>Chunk sizes for a split of a stream into two parts at <paramref name="offset"/> (1..length-1).</summary>
    public static IEnumerable<int> SplitAt(int offset) => [offset];

    public static IEnumerable<int> Whole() => [int.MaxValue];

    /// <summary>A description of an operation's outcome, for comparing a chunked run with the unsplit one.</summary>
    public static string Describe(Operation operation)
    {
        var text = new StringBuilder();
        text.Append(operation.GetType().Name).Append(' ');
        var task = operation.AsValueTask();
        if (!task.IsCompleted)
        {
            return text.Append("pending").ToString();
        }
        try
        {
            task.GetAwaiter().GetResult();
            text.Append("ok");
        }
        catch (Exception ex)
        {
            return text.Append("failed ").Append(ex.GetType().Name).Append(": ").Append(ex.Message).ToString();
        }
        switch (operation)
        {
            case MetaOperation meta:
                text.Append(CultureInfo.InvariantCulture, $" code={meta.Code} flags={meta.ClientFlags} cas={meta.Cas.Value}");
                // ValueLength is meaningful only after a VA, Number only for a counter (a pooled object keeps stale ones otherwise).
                if (meta.Code == ResponseCode.Value)
                {
                    text.Append(CultureInfo.InvariantCulture, $" len={meta.ValueLength}");
                    if (meta.Target == ValueTarget.Number)
                    {
                        text.Append(CultureInfo.InvariantCulture, $" number={meta.Number}");
                    }
                }
                if (meta.ValueArray is { } value)
                {
                    text.Append(" value=").Append(Hex(value.AsSpan(0, meta.ValueLength)));
                }
                break;
            case ServerCommandOperation<string> version:
                text.Append(" version=").Append(version.Result);
                break;
            case ServerCommandOperation<IReadOnlyDictionary<string, string>> stats:
                foreach (var pair in stats.Result.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    text.Append(' ').Append(pair.Key).Append('=').Append(pair.Value);
                }
                break;
        }
        return text.ToString();
    }

    public static string Describe(CacheValue[] results) =>
        string.Join(" | ", results.Select(r => r.Found
            ? string.Create(CultureInfo.InvariantCulture, $"{Hex(r.Value)} f{r.Flags} c{r.Cas.Value}")
            : "miss"));

    /// <summary>Short values in full, long ones as length and SHA-256 (comparing 20 KB strings 20 000 times is slow).</summary>
    private static string Hex(ReadOnlySpan<byte> value) =>
        value.Length <= 64 ? Convert.ToHexString(value) : $"{value.Length}:{Convert.ToHexString(SHA256.HashData(value))}";

    public static byte[] Ascii(string text) => Encoding.Latin1.GetBytes(text);
}
