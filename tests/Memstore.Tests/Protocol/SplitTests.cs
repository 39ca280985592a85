using CsCheck;

namespace Memstore.Tests.Protocol;

/// <summary>
/// A response split anywhere parses exactly as the unsplit one: the read loop may hand an operation any
/// prefix of its response, and it must neither complete early nor ask for bytes beyond its response.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SplitTests
{
    public static TheoryData<string> ScenarioNames => [.. Fixtures.Scenarios.Keys.Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(ScenarioNames))]
    public void Two_chunks_split_at_every_offset_give_the_unsplit_result(string name)
    {
        var scenario = Fixtures.Scenarios[name];
        var expected = scenario.Run(ResponseDriver.Whole());
        Assert.DoesNotContain("pending", expected, StringComparison.Ordinal);
        for (var offset = 1; offset < scenario.Bytes.Length; offset++)
        {
            var actual = scenario.Run(ResponseDriver.SplitAt(offset));
            if (actual != expected)
            {
                Assert.Fail($"{name} split at {offset}:\nexpected\n{expected}\nactual\n{actual}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ScenarioNames))]
    public void One_byte_at_a_time_gives_the_unsplit_result(string name)
    {
        var scenario = Fixtures.Scenarios[name];
        Assert.Equal(scenario.Run(ResponseDriver.Whole()), scenario.Run(Enumerable.Repeat(1, scenario.Bytes.Length)));
    }

    [Fact]
    public void Every_prefix_of_every_fixture_asks_for_more_and_consumes_nothing_it_cannot_finish()
    {
        foreach (var segment in Fixtures.Singles)
        {
            var bytes = segment.Bytes;
            for (var length = 0; length < bytes.Length; length++)
            {
                var (operation, _) = segment.Create();
                // Driving a strict prefix: the operation must not complete.
                var outcome = ResponseDriver.Run([operation], bytes.AsSpan(0, length), ResponseDriver.Whole(), [bytes.Length]);
                Assert.Empty(outcome.CompletedAt);
                Assert.False(operation.IsCompleted, $"{segment.Name} completed after {length} of {bytes.Length} bytes");
            }
        }
    }

    [Fact]
    public void The_bare_parser_sees_every_prefix_as_incomplete_and_the_whole_as_the_same_response()
    {
        var metaFixtures = new[]
        {
            Fixtures.StoreHit, Fixtures.GetHit, Fixtures.Miss, Fixtures.NoOp, Fixtures.NotStored, Fixtures.Exists, Fixtures.NotFound,
            Fixtures.NotFoundOpaque, Fixtures.MissOpaqueKey, Fixtures.Incremented, Fixtures.DecrementedPadded, Fixtures.NonNumeric,
            Fixtures.TooLarge, Fixtures.Error, Fixtures.BadFormat, Fixtures.Base64Miss, $"VA 5000 f9 c8 t60 O4\r\n{Fixtures.TrickyValue(5000)}\r\n",
        };
        foreach (var fixture in metaFixtures)
        {
            var bytes = ResponseDriver.Ascii(fixture);
            Assert.True(Memstore.Protocol.MetaResponseParser.TryParse(bytes, out var whole, out _));
            // Followed by more responses, the first parses identically.
            var followed = ResponseDriver.Ascii(fixture + Fixtures.GetHit + "VA 1");
            Assert.True(Memstore.Protocol.MetaResponseParser.TryParse(followed, out var first, out _));
            Assert.Equal(whole, first);
            for (var length = 0; length < bytes.Length; length++)
            {
                Assert.False(Memstore.Protocol.MetaResponseParser.TryParse(bytes.AsSpan(0, length), out _, out var needed),
                    $"{fixture} complete after {length} bytes");
                Assert.InRange(needed, length + 1, bytes.Length);
            }
        }
    }

    private static readonly Gen<(string Name, int[] Chunks)> RandomChunking =
        from name in Gen.OneOfConst([.. Fixtures.Scenarios.Keys.Order(StringComparer.Ordinal)])
        from chunks in Gen.Frequency(
            (3, Gen.Int[1, 8]),
            (2, Gen.Int[1, 64]),
            (1, Gen.Int[1, 4096])).Array[1, 400]
        select (name, chunks);

    [Fact]
    public void Random_multi_chunk_splits_give_the_unsplit_result()
    {
        var expected = Fixtures.Scenarios.ToDictionary(p => p.Key, p => p.Value.Run(ResponseDriver.Whole()), StringComparer.Ordinal);
        RandomChunking.Sample(
            t =>
            {
                Assert.Equal(expected[t.Name], Fixtures.Scenarios[t.Name].Run(t.Chunks));
            },
            iter: 2_000,
            print: t => $"{t.Item1} in chunks [{string.Join(",", t.Item2)}]");
    }
}
