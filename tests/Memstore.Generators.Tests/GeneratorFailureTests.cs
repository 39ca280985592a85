using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Memstore.Generators.Tests;

/// <summary>
/// A bug inside the generator becomes MEMS1015 at the declaration it was working on, never silently missing
/// code. The guards are exercised directly: no input known today makes the real parsers or emitters throw.
/// </summary>
[Trait("Category", "Unit")]
public sealed class GeneratorFailureTests
{
    private static readonly LocationInfo Where = new("Shop.cs", new TextSpan(10, 4), new LinePositionSpan(new LinePosition(2, 4), new LinePosition(2, 8)));

    [Fact]
    public void An_emitter_that_throws_reports_MEMS1015_at_the_store_and_emits_nothing()
    {
        var reported = new List<DiagnosticInfo>();
        var source = StoreGenerator.Emit(
            () => throw new InvalidCastException("Unable to cast object of type 'A' to type 'B'.\nsecond line"),
            "writing the store", "ShopStore", Where, reported.Add);

        Assert.Null(source);
        var info = Assert.Single(reported);
        Assert.Equal("MEMS1015", info.Id);
        Assert.Equal(Where, info.Location);
        Assert.Equal(["writing the store", "ShopStore", "InvalidCastException", "Unable to cast object of type 'A' to type 'B'."], info.Arguments);
        var message = Diagnostic.Create(Descriptors.GeneratorFailed, Location.None, info.Arguments.Cast<object>().ToArray()).GetMessage();
        Assert.Equal(
            "The Memstore generator failed while writing the store 'ShopStore' (InvalidCastException: Unable to cast object of type 'A' to type 'B'.); "
            + "nothing was generated for it. This is a bug in the generator: please report it with the declaration that triggers it.",
            message);
        Assert.Equal(DiagnosticSeverity.Error, Descriptors.GeneratorFailed.DefaultSeverity);
    }

    [Fact]
    public void An_emitter_that_succeeds_reports_nothing()
    {
        var reported = new List<DiagnosticInfo>();
        Assert.Equal("// code", StoreGenerator.Emit(() => "// code", "writing the store", "ShopStore", Where, reported.Add));
        Assert.Empty(reported);
    }

    [Fact]
    public void Cancellation_is_not_a_failure()
    {
        var reported = new List<DiagnosticInfo>();
        Assert.Throws<OperationCanceledException>(() =>
            StoreGenerator.Emit(() => throw new OperationCanceledException(), "writing the store", "ShopStore", Where, reported.Add));
        Assert.Empty(reported);
    }
}
