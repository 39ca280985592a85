using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Memstore.Analyzers;

/// <summary>
/// Turns the expression that builds a key into the patterns (<see cref="KeyPattern"/>) of the keys it can
/// produce: one per branch of a conditional, coalesce or switch expression. Followed: constants, UTF-8 literals,
/// interpolated strings, concatenations, <c>string.Format</c>/<c>string.Concat</c> with a constant format,
/// locals with an initializer, readonly fields and get-only properties of this compilation initialized with a
/// key (any file, not reassigned in a constructor), non-virtual methods and properties of this compilation whose
/// body is one expression or one return statement (evaluated with the call's arguments), and
/// <c>FormatKey</c> of a keyspace, and a <c>MemcacheKey</c> made from any of these. Anything else is an unknown part. One instance per compilation.
/// </summary>
internal sealed partial class KeyEvaluator
{
    /// <summary>Marks a key of an MCAS keyspace the analyzer could not name (FormatKey of an untraced keyspace).</summary>
    public const char AnyMcasKey = '\u0002';

    private const int MaxAlternatives = 16;
    private const int MaxHops = 6;
    private const int MaxVisits = 400;

    private readonly Compilation _compilation;
    private readonly ImmutableArray<Manifest> _manifests;
    private readonly ImmutableHashSet<INamedTypeSymbol> _keyspaceTypes;
    private readonly INamedTypeSymbol? _mcasKeyspaceType;
    private readonly INamedTypeSymbol? _mcasTransactionKeyspaceType;
    private readonly INamedTypeSymbol? _encoding;
    private readonly INamedTypeSymbol? _memcacheKey;
    private readonly ConcurrentDictionary<SyntaxTree, SemanticModel> _models = new();
    private readonly ConcurrentDictionary<ISymbol, List<string>?> _symbolValues = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<INamedTypeSymbol, HashSet<string>> _assignedInConstructors = new(SymbolEqualityComparer.Default);

    public KeyEvaluator(Compilation compilation, ImmutableArray<Manifest> manifests)
    {
        _compilation = compilation;
        _manifests = manifests;
        _mcasKeyspaceType = compilation.GetTypeByMetadataName("Memstore.McasKeyspace`2");
        _mcasTransactionKeyspaceType = compilation.GetTypeByMetadataName("Memstore.McasTransactionKeyspace`2");
        _encoding = compilation.GetTypeByMetadataName("System.Text.Encoding");
        _memcacheKey = compilation.GetTypeByMetadataName("Memstore.MemcacheKey");
        _keyspaceTypes = new[]
            {
                _mcasKeyspaceType, _mcasTransactionKeyspaceType,
                compilation.GetTypeByMetadataName("Memstore.Keyspace`2"), compilation.GetTypeByMetadataName("Memstore.CounterKeyspace`1"),
            }
            .Where(static t => t is not null)
            .Select(static t => t!)
            .ToImmutableHashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
    }

    /// <summary>One evaluation: a visit budget (so that no helper chain can blow up) and what FormatKey could not name.</summary>
    internal sealed class Context
    {
        public int Visits { get; set; }

        /// <summary>The type of an MCAS keyspace whose FormatKey result the key contains, when no manifest names it.</summary>
        public string? UnnamedMcasKeyspace { get; set; }
    }

    /// <summary>The patterns of the keys <paramref name="operation"/> can produce, or null when nothing is known.</summary>
    public List<string>? Evaluate(IOperation operation, Context context) =>
        Eval(operation, ImmutableDictionary<IParameterSymbol, List<string>?>.Empty, 0, context);

    private List<string>? Eval(IOperation? operation, ImmutableDictionary<IParameterSymbol, List<string>?> args, int hops, Context context)
    {
        if (operation is null || hops > MaxHops || ++context.Visits > MaxVisits)
        {
            return null;
        }
        if (operation.ConstantValue is { HasValue: true, Value: string constant })
        {
            return [constant];
        }
        if (NonStringConstant(operation) is { } text)
        {
            return [text];
        }
        switch (operation)
        {
            case IUtf8StringOperation utf8:
                return [utf8.Value];
            case IConversionOperation conversion when conversion.IsImplicit || conversion.Operand.Type?.SpecialType == SpecialType.System_String:
                return Eval(conversion.Operand, args, hops, context);
            case IParenthesizedOperation parenthesized:
                return Eval(parenthesized.Operand, args, hops, context);
            case IInterpolatedStringOperation interpolated:
                return Interpolation(interpolated, args, hops, context);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } binary when IsKeyType(binary.Type):
                return Concat(OrHole(binary.LeftOperand, args, hops, context), OrHole(binary.RightOperand, args, hops, context));
            case IConditionalOperation { WhenFalse: { } whenFalse } conditional:
                return Union([conditional.WhenTrue, whenFalse], args, hops, context);
            case ICoalesceOperation coalesce:
                return Union([coalesce.Value, coalesce.WhenNull], args, hops, context);
            case ISwitchExpressionOperation switchExpression:
                return Union(switchExpression.Arms.Select(static a => a.Value), args, hops, context);
            case ILocalReferenceOperation local:
                return Eval(KeyExpressions.Initializer(local), args, hops, context);
            case IParameterReferenceOperation parameter:
                return args.TryGetValue(parameter.Parameter, out var value) ? value : null;
            case IFieldReferenceOperation field:
                return SymbolValue(field.Field, hops, context);
            case IPropertyReferenceOperation { Arguments.IsEmpty: true } property:
                return SymbolValue(property.Property, hops, context);
            case IInvocationOperation invocation:
                return Invocation(invocation, args, hops, context);
            case IObjectCreationOperation { Arguments.Length: 1 } creation when IsMemcacheKey(creation.Type):
                return Eval(creation.Arguments[0].Value, args, hops, context);
            default:
                return null;
        }
    }

    private bool IsMemcacheKey(ITypeSymbol? type) => type is not null && SymbolEqualityComparer.Default.Equals(type, _memcacheKey);

    private static bool IsKeyType(ITypeSymbol? type) =>
        type is not null && (type.SpecialType == SpecialType.System_String || IsUtf8Bytes(type));

    /// <summary><c>ReadOnlySpan&lt;byte&gt;</c> (the type of a u8 literal) or <c>byte[]</c>.</summary>
    private static bool IsUtf8Bytes(ITypeSymbol? type) =>
        type switch
        {
            IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte } => true,
            INamedTypeSymbol { Name: "ReadOnlySpan" or "Span" or "ReadOnlyMemory" or "Memory", TypeArguments.Length: 1 } named
                => named.TypeArguments[0].SpecialType == SpecialType.System_Byte,
            _ => false,
        };

    /// <summary>
    /// The text a non-string constant becomes in a concatenation or interpolation hole: a char, a non-negative integer
    /// (digits in every culture), or a member of an enum without [Flags] whose value no other member shares (its name).
    /// </summary>
    private static string? NonStringConstant(IOperation operation)
    {
        if (operation is IFieldReferenceOperation { Field: { HasConstantValue: true, ContainingType: { TypeKind: TypeKind.Enum } type } member })
        {
            var flags = type.GetAttributes().Any(static a => a.AttributeClass is { Name: "FlagsAttribute", ContainingNamespace.Name: "System" });
            var shared = type.GetMembers().OfType<IFieldSymbol>()
                .Any(other => other.HasConstantValue && !SymbolEqualityComparer.Default.Equals(other, member) && Equals(other.ConstantValue, member.ConstantValue));
            return flags || shared ? null : member.Name;
        }
        if (operation.ConstantValue is not { HasValue: true, Value: { } value })
        {
            return null;
        }
        return (operation.Type?.SpecialType, value) switch
        {
            (SpecialType.System_Char, char c) => c.ToString(),
            (SpecialType.System_Int32, int i) when i >= 0 => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            (SpecialType.System_Int64, long l) when l >= 0 => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
            (SpecialType.System_UInt32, uint u) => u.ToString(System.Globalization.CultureInfo.InvariantCulture),
            (SpecialType.System_UInt64, ulong u) => u.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        };
    }

    private static IOperation Unwrapped(IOperation operation) =>
        operation is IConversionOperation { IsImplicit: true } conversion ? Unwrapped(conversion.Operand) : operation;

    private List<string> OrHole(IOperation operation, ImmutableDictionary<IParameterSymbol, List<string>?> args, int hops, Context context) =>
        Eval(operation, args, hops, context) ?? [KeyPattern.AnyString.ToString()];

    private List<string>? Interpolation(IInterpolatedStringOperation interpolated, ImmutableDictionary<IParameterSymbol, List<string>?> args, int hops, Context context)
    {
        List<string>? result = [string.Empty];
        foreach (var part in interpolated.Parts)
        {
            List<string> piece = part switch
            {
                IInterpolatedStringTextOperation { Text.ConstantValue.Value: string text } => [text],
                IInterpolationOperation { Alignment: null, FormatString: null } hole => OrHole(hole.Expression, args, hops, context),
                _ => [KeyPattern.AnyString.ToString()],
            };
            result = Concat(result, piece);
            if (result is null)
            {
                return null;
            }
        }
        return result;
    }

    /// <summary>Every pairing of the two sides; null past <see cref="MaxAlternatives"/> (too many to be worth matching).</summary>
    private static List<string>? Concat(List<string>? left, List<string>? right)
    {
        if (left is null || right is null || left.Count * right.Count > MaxAlternatives)
        {
            return null;
        }
        var result = new List<string>(left.Count * right.Count);
        foreach (var l in left)
        {
            foreach (var r in right)
            {
                result.Add(l + r);
            }
        }
        return result;
    }

    /// <summary>The keys of every branch; an unknown branch stays unknown (it matches nothing), so a known one still counts.</summary>
    private List<string>? Union(IEnumerable<IOperation> branches, ImmutableDictionary<IParameterSymbol, List<string>?> args, int hops, Context context)
    {
        var result = new List<string>();
        var known = false;
        foreach (var branch in branches)
        {
            if (Eval(branch, args, hops, context) is { } value)
            {
                known = true;
                result.AddRange(value);
            }
            else
            {
                result.Add(KeyPattern.AnyString.ToString());
            }
            if (result.Count > MaxAlternatives)
            {
                return null;
            }
        }
        return known ? result : null;
    }

    private List<string>? Invocation(IInvocationOperation invocation, ImmutableDictionary<IParameterSymbol, List<string>?> args, int hops, Context context)
    {
        var method = invocation.TargetMethod;
        if (method.ContainingType?.SpecialType == SpecialType.System_String)
        {
            return StringMethod(invocation, args, hops, context);
        }
        // MemcacheKey.FromString(...) / FromUtf8(...): the key they wrap.
        if (method.Name is "FromString" or "FromUtf8" && IsMemcacheKey(method.ContainingType) && invocation.Arguments.Length == 1)
        {
            return Eval(invocation.Arguments[0].Value, args, hops, context);
        }
        if (method.Name == "FormatKey" && method.ContainingType is { } keyspaceType && _keyspaceTypes.Contains(keyspaceType.OriginalDefinition))
        {
            return FormatKey(invocation, keyspaceType, context);
        }
        // "..."u8.ToArray(), bytes.AsSpan(), Encoding.UTF8.GetBytes("..."): the same key as bytes.
        if (method.Name is "ToArray" or "AsSpan" or "AsMemory" && IsUtf8Bytes(method.ReturnType))
        {
            var source = invocation.Instance ?? (method.IsExtensionMethod && invocation.Arguments.Length == 1 ? invocation.Arguments[0].Value : null);
            return source is not null && IsUtf8Bytes(source.Type) ? Eval(source, args, hops, context) : null;
        }
        if (method.Name == "GetBytes" && invocation.Arguments.Length == 1 && invocation.Arguments[0].Value.Type?.SpecialType == SpecialType.System_String
            && IsUtf8Encoding(invocation.Instance))
        {
            return Eval(invocation.Arguments[0].Value, args, hops, context);
        }
        return Helper(invocation, args, hops, context);
    }

    /// <summary><c>Encoding.UTF8</c> (ASCII keys encode the same in UTF-8, but other encodings do not in general).</summary>
    private bool IsUtf8Encoding(IOperation? instance) =>
        instance is IPropertyReferenceOperation { Property: { Name: "UTF8", IsStatic: true } property }
        && SymbolEqualityComparer.Default.Equals(property.ContainingType, _encoding);

    private List<string>? StringMethod(IInvocationOperation invocation, ImmutableDictionary<IParameterSymbol, List<string>?> args, int hops, Context context)
    {
        var method = invocation.TargetMethod;
        if (!method.IsStatic)
        {
            return null;
        }
        if (method.Name == "Concat")
        {
            List<string>? result = [string.Empty];
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Value is IArrayCreationOperation { Initializer: { } init })
                {
                    foreach (var element in init.ElementValues)
                    {
                        result = Concat(result, OrHole(element, args, hops, context));
                    }
                }
                else if (Unwrapped(argument.Value) is ICollectionExpressionOperation collection)
                {
                    // string.Concat(["bank:", "acct:", id]) and params spans: a spread is text nobody can know.
                    foreach (var element in collection.Elements)
                    {
                        result = Concat(result, element is ISpreadOperation ? [KeyPattern.AnyString.ToString()] : OrHole(element, args, hops, context));
                    }
                }
                else
                {
                    result = Concat(result, OrHole(argument.Value, args, hops, context));
                }
            }
            return result;
        }
        if (method.Name == "Format")
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter?.Name == "format" && argument.Value.ConstantValue.Value is string format)
                {
                    return [KeyExpressions.FormatPattern(format)];
                }
            }
        }
        return null;
    }

    /// <summary>
    /// <c>store.Accounts.FormatKey(id)</c>: the keyspace's template, found through the property the keyspace comes
    /// from (on the store, or on its generated <c>Transaction</c>). An MCAS keyspace that cannot be traced to a
    /// manifest is still an MCAS key: <see cref="AnyMcasKey"/>.
    /// </summary>
    private List<string>? FormatKey(IInvocationOperation invocation, INamedTypeSymbol keyspaceType, Context context)
    {
        var receiver = invocation.Instance;
        for (var i = 0; i < MaxHops && receiver is not null; i++)
        {
            switch (receiver)
            {
                case IConversionOperation { IsImplicit: true } conversion:
                    receiver = conversion.Operand;
                    continue;
                case ILocalReferenceOperation local:
                    receiver = KeyExpressions.Initializer(local);
                    continue;
                case IPropertyReferenceOperation { Property: { } property } when ManifestOf(property) is { } manifest:
                    return [manifest.Pattern];
            }
            break;
        }
        var original = keyspaceType.OriginalDefinition;
        if (SymbolEqualityComparer.Default.Equals(original, _mcasKeyspaceType) || SymbolEqualityComparer.Default.Equals(original, _mcasTransactionKeyspaceType))
        {
            context.UnnamedMcasKeyspace ??= keyspaceType.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
            return [AnyMcasKey.ToString()];
        }
        return null;
    }

    private Manifest? ManifestOf(IPropertySymbol property)
    {
        for (var type = property.ContainingType; type is not null; type = type.ContainingType)
        {
            var store = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", string.Empty);
            foreach (var manifest in _manifests)
            {
                if (manifest.Member == property.Name && manifest.Store == store)
                {
                    return manifest;
                }
            }
        }
        return null;
    }
}
