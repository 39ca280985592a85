using Memstore.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Memstore.Generators.Tests;

/// <summary>The generator's recognised types: resolved once per compilation, compared as symbols, by name when unresolvable.</summary>
[Trait("Category", "Unit")]
public sealed class WellKnownTypesTests
{
    private const string Source = """
        namespace Shop
        {
            public sealed class Order
            {
                [MessagePack.Key(0)] public int Id { get; set; }
                [MessagePack.IgnoreMember] public int Cached { get; set; }
                [Other.Key] public int Foreign { get; set; }
                [Missing.Nowhere.Key] public int Broken { get; set; }
                public System.Guid Reference { get; set; }
                public System.DateTimeOffset At { get; set; }
            }
        }
        namespace Other { public sealed class KeyAttribute : System.Attribute { } }
        """;

    private static IPropertySymbol Property(Compilation compilation, string name) =>
        (IPropertySymbol)compilation.GetTypeByMetadataName("Shop.Order")!.GetMembers(name).Single();

    private static ITypeSymbol? Attribute(Compilation compilation, string property) => Property(compilation, property).GetAttributes().Single().AttributeClass;

    [Fact]
    public void One_instance_per_compilation()
    {
        var compilation = GeneratorHarness.Compilation(Source);
        Assert.Same(WellKnownTypes.For(compilation), WellKnownTypes.For(compilation));
        Assert.NotSame(WellKnownTypes.For(compilation), WellKnownTypes.For(compilation.WithAssemblyName("Another")));
    }

    [Fact]
    public void Attributes_are_recognised_as_symbols_and_a_namesake_in_another_namespace_is_not()
    {
        var compilation = GeneratorHarness.Compilation(Source);
        var known = WellKnownTypes.For(compilation);
        Assert.True(known.Is(Attribute(compilation, "Id"), WellKnownTypes.KeyAttribute));
        Assert.False(known.Is(Attribute(compilation, "Id"), WellKnownTypes.IgnoreMemberAttribute));
        Assert.True(known.Is(Attribute(compilation, "Cached"), WellKnownTypes.IgnoreMemberAttribute));
        Assert.False(known.Is(Attribute(compilation, "Foreign"), WellKnownTypes.KeyAttribute));
        Assert.False(known.Is(Attribute(compilation, "Broken"), WellKnownTypes.KeyAttribute));
        Assert.True(known.Is(Property(compilation, "Reference").Type, WellKnownTypes.Guid));
        Assert.True(known.IsBuiltInValue(Property(compilation, "At").Type));
        Assert.False(known.IsBuiltInValue(compilation.GetTypeByMetadataName("Shop.Order")!));
    }

    [Fact]
    public void Without_MessagePack_referenced_its_attributes_are_recognised_by_name()
    {
        // Only the BCL: [MessagePack.KeyAttribute] does not bind, and the error type is judged by its name.
        const string unbound = "namespace Shop { public sealed class Order { [MessagePack.KeyAttribute(0)] public int Id { get; set; } } }";
        var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create(
            "NoMessagePack",
            [Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(unbound, GeneratorHarness.ParseOptions)],
            Basic.Reference.Assemblies.Net100.References.All);
        var known = WellKnownTypes.For(compilation);
        var attribute = Attribute(compilation, "Id");
        Assert.Equal(TypeKind.Error, attribute!.TypeKind);
        Assert.True(known.Is(attribute, WellKnownTypes.KeyAttribute));
    }
}
