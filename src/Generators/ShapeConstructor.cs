using System;
using System.Globalization;
using Microsoft.CodeAnalysis;

namespace Memstore.Generators;

/// <summary>Writes constructor parameter default values as C# literals.</summary>
internal static class ShapeConstructor
{
    /// <summary>A C# expression of <paramref name="type"/> for a constant parameter default: valid for every constant kind.</summary>
    public static string Literal(object? value, ITypeSymbol type)
    {
        var name = TypeShapeBuilder.Name(type);
        return value switch
        {
            null => type.IsValueType ? "default" : "null",
            string s => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(s, quote: true),
            bool b => b ? "true" : "false",
            char c => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(c, quote: true),
            float f when float.IsNaN(f) => "float.NaN",
            float f when float.IsPositiveInfinity(f) => "float.PositiveInfinity",
            float f when float.IsNegativeInfinity(f) => "float.NegativeInfinity",
            double d when double.IsNaN(d) => "double.NaN",
            double d when double.IsPositiveInfinity(d) => "double.PositiveInfinity",
            double d when double.IsNegativeInfinity(d) => "double.NegativeInfinity",
            // -0.0 keeps its sign through the unary minus; "R" round-trips every other value.
            float f => Cast(name, (IsNegativeZero(f) ? "-0" : f.ToString("R", CultureInfo.InvariantCulture)) + "F", type),
            double d => Cast(name, (IsNegativeZero(d) ? "-0" : d.ToString("R", CultureInfo.InvariantCulture)) + "D", type),
            decimal m => Cast(name, m.ToString(CultureInfo.InvariantCulture) + "M", type),
            _ => $"({name}){Operand(Convert.ToString(value, CultureInfo.InvariantCulture))}",
        };
    }

    /// <summary>The literal as is for its own type; through a cast for a nullable parameter.</summary>
    private static string Cast(string name, string literal, ITypeSymbol type) =>
        type.SpecialType is SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal ? literal : $"({name}){Operand(literal)}";

    /// <summary>A cast operand: in parentheses when negative, as <c>(T)-1</c> does not parse as a cast (CS0075).</summary>
    private static string Operand(string literal) => literal.StartsWith("-", StringComparison.Ordinal) ? $"({literal})" : literal;

    private static bool IsNegativeZero(double d) => d == 0 && BitConverter.DoubleToInt64Bits(d) < 0;
}
