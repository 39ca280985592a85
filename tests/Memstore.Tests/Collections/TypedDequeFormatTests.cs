using System.Text;
using Memstore.Collections;
using Memstore.Serialization;
using Memstore.Tests.Infrastructure;
using Memstore.Tests.Mcas;

namespace Memstore.Tests.Collections;

/// <summary>A popped value the deque's codec cannot read is gone from the server: the error hands its bytes back.</summary>
[Trait("Category", "Memcached")]
public sealed class TypedDequeFormatTests(ThreeServerFixture cluster) : IClassFixture<ThreeServerFixture>
{
    [Fact]
    public async Task A_popped_value_that_does_not_decode_is_returned_in_the_error()
    {
        await using var client = cluster.NewClient();
        var name = TestKeys.Unique("dqf");
        var texts = new TypedDeque<string>(client, name, Utf8StringCodec.Instance);
        await texts.CreateAsync();
        await texts.PushRightAsync("not a number");
        await texts.PushRightAsync("42");
        var numbers = new TypedDeque<long>(client, name, Int64Codec.Instance);

        var error = await Assert.ThrowsAsync<MemcacheFormatException>(async () => await numbers.TryPopLeftAsync());

        Assert.Contains($"deque '{name}'", error.Message);
        Assert.Contains("Int64", error.Message);
        Assert.Equal("not a number", Encoding.UTF8.GetString(error.Value!));
        // The deque itself is intact: the next value pops.
        Assert.Equal(42, (await numbers.TryPopLeftAsync()).Value);
    }
}
