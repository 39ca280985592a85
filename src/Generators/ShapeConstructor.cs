using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Memstore.Generators;

/// <summary>
/// Chooses the constructor a generated formatter calls, maps its parameters to serialized members, and writes
/// parameter default values as C# literals.
/// </summary>
internal static class ShapeConstructor
{
    /// <summary>
    /// The constructor and, per parameter, the index in <paramref name="candidates"/> of the member it takes; or null
    /// with <paramref name="error"/>. The one marked [SerializationConstructor] must fit; otherwise the public
    /// constructor with the most parameters that fit, copy constructors excepted. A parameter fits when it names exactly
    /// one member of the type (the exact-case name first, else a single case-insensitive match) of the same type, and
    /// no other parameter takes that member: MessagePack's own rule.
    /// </summary>
    public static IMethodSymbol? Choose(INamedTypeSymbol type, WellKnownTypes known, IReadOnlyList<ShapeCandidate> candidates, out int[] map, out string? error)
    {
        error = null;
        map = [];
        var constructors = type.InstanceConstructors.Where(c => c.DeclaredAccessibility == Accessibility.Public).ToList();
        var marked = constructors.FirstOrDefault(c => c.GetAttributes().Any(a => known.Is(a.AttributeClass, WellKnownTypes.SerializationConstructorAttribute)));
        if (marked is not null)
        {
            if (Match(marked, candidates, out map) is { } reason)
            {
                error = $"its [SerializationConstructor] {Signature(type, marked)} does not fit: {reason}";
                return null;
            }
            return marked;
        }
        IMethodSymbol? best = null;
        string? firstReason = null;
        foreach (var c in constructors.Where(c => !(c.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(c.Parameters[0].Type, type))))
        {
            if (Match(c, candidates, out var parameters) is { } reason)
            {
                firstReason ??= $"{Signature(type, c)}: {reason}";
                continue;
            }
            if (best is null || c.Parameters.Length > best.Parameters.Length)
            {
                (best, map) = (c, parameters);
            }
        }
        if (best is null)
        {
            error = $"'{TypeShapeBuilder.Name(type)}' has no public constructor whose parameters all match members by name and type"
                + (firstReason is null ? "" : $" ({firstReason})");
        }
        return best;
    }

    /// <summary>Null when every parameter of <paramref name="constructor"/> takes one member of its type; else why not.</summary>
    private static string? Match(IMethodSymbol constructor, IReadOnlyList<ShapeCandidate> candidates, out int[] map)
    {
        map = new int[constructor.Parameters.Length];
        for (var p = 0; p < constructor.Parameters.Length; p++)
        {
            var parameter = constructor.Parameters[p];
            var exact = Indexes(candidates, parameter.Name, StringComparison.Ordinal);
            var matches = exact.Count > 0 ? exact : Indexes(candidates, parameter.Name, StringComparison.OrdinalIgnoreCase);
            if (matches.Count == 0)
            {
                return $"parameter '{parameter.Name}' matches no public member";
            }
            if (matches.Count > 1)
            {
                return $"parameter '{parameter.Name}' matches both '{candidates[matches[0]].Member.Name}' and '{candidates[matches[1]].Member.Name}' (their names differ only in case); rename one of them or the parameter";
            }
            var member = candidates[matches[0]];
            if (!SymbolEqualityComparer.Default.Equals(parameter.Type, member.Type))
            {
                return $"parameter '{parameter.Name}' is '{TypeShapeBuilder.Name(parameter.Type)}' but the member '{member.Member.Name}' is '{member.TypeName}'; give them the same type";
            }
            var taken = Array.IndexOf(map, matches[0], 0, p);
            if (taken >= 0)
            {
                return $"parameters '{constructor.Parameters[taken].Name}' and '{parameter.Name}' both match the member '{member.Member.Name}'";
            }
            map[p] = matches[0];
        }
        return null;
    }

    private static List<int> Indexes(IReadOnlyList<ShapeCandidate> candidates, string name, StringComparison comparison)
    {
        var found = new List<int>();
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates[i].Owner.Length == 0 && string.Equals(candidates[i].Member.Name, name, comparison))
            {
                found.Add(i);
            }
        }
        return found;
    }

    private static string Signature(INamedTypeSymbol type, IMethodSymbol constructor) =>
        $"{type.Name}({string.Join(", ", constructor.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + " " + p.Name))})";

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
