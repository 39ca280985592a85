using Memstore.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Memstore.Generators.Tests;

/// <summary>
/// C# keywords as names (<c>@event</c>, <c>@class</c>): generated code writes them with '@'. Keyword type names are
/// lower-case, so the compiler's CS8981 warning (on the user's declaration and on the generated part) is expected.
/// </summary>
[Trait("Category", "Unit")]
public sealed class KeywordNameTests
{
    [Fact]
    public void Keyword_store_keyspace_tuple_element_and_namespace_names_compile()
    {
        var result = GeneratorHarness.Run("""
            using Memstore;
            namespace @namespace.Inner
            {
                public partial class @struct
                {
                    [MemcacheStore(Prefix = "k:")]
                    public partial class @event
                    {
                        [Keyspace("p:{class}:{b}")] public partial Keyspace<(int @class, string B), string> @class { get; }
                        [Counter("c:{id}")] public partial CounterKeyspace<int> @int { get; }
                        [McasGroup("m:{id}")] public partial McasKeyspace<string, string> @string { get; }
                        [McasGroup] public partial McasKeyspace<(int @class, int @int), string> @object { get; }
                    }
                }
            }
            """);
        Assert.Empty(result.GeneratorDiagnostics);
        var unexpected = result.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id != "CS8981").ToList();
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected));
        var store = Assert.Single(result.Sources, s => s.Key.Contains("event", StringComparison.Ordinal)).Value;
        Assert.Contains("namespace @namespace.Inner;", store);
        Assert.Contains("partial class @struct", store);
        Assert.Contains("partial class @event", store);
        Assert.Contains("public partial global::Memstore.Keyspace<(int @class, string B), string> @class {", store);
        Assert.Contains("builder.Append((long)key.@class);", store);
        Assert.Contains("public @event(global::Memstore.MemcacheClient client)", store);
    }
}
