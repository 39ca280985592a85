using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Memstore.Analyzers;

/// <summary>
/// Turns the expression that builds a key into a <see cref="KeyPattern"/>: constants, interpolated strings,
/// concatenations, <c>string.Format</c>/<c>string.Concat</c> with a constant format, and locals (and static
/// readonly fields of the same file) initialized with one of those. Anything else is an unknown part.
/// </summary>
internal static class KeyExpressions
{
    private const int MaxDepth = 8;

    /// <summary>The pattern of <paramref name="operation"/>, or null when nothing about its value is known.</summary>
    public static string? ToPattern(IOperation operation)
    {
        var sb = new StringBuilder();
        return Append(operation, sb, 0) ? sb.ToString() : null;
    }

    /// <summary>Appends the pattern of <paramref name="operation"/>; false (and nothing appended) when it is unknown.</summary>
    private static bool Append(IOperation? operation, StringBuilder sb, int depth)
    {
        if (operation is null || depth > MaxDepth)
        {
            return false;
        }
        if (operation.ConstantValue is { HasValue: true, Value: string constant })
        {
            sb.Append(constant);
            return true;
        }
        switch (operation)
        {
            case IConversionOperation { IsImplicit: true } conversion:
                return Append(conversion.Operand, sb, depth + 1);
            case IParenthesizedOperation parenthesized:
                return Append(parenthesized.Operand, sb, depth + 1);
            case IInterpolatedStringOperation interpolated:
                foreach (var part in interpolated.Parts)
                {
                    if (part is IInterpolatedStringTextOperation text && text.Text.ConstantValue.Value is string s)
                    {
                        sb.Append(s);
                    }
                    else if (part is IInterpolationOperation { Alignment: null, FormatString: null } hole)
                    {
                        AppendOrHole(hole.Expression, sb, depth + 1);
                    }
                    else
                    {
                        sb.Append(KeyPattern.AnyString);
                    }
                }
                return true;
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } binary when binary.Type?.SpecialType == SpecialType.System_String:
                AppendOrHole(binary.LeftOperand, sb, depth + 1);
                AppendOrHole(binary.RightOperand, sb, depth + 1);
                return true;
            case IInvocationOperation invocation when invocation.TargetMethod.ContainingType?.SpecialType == SpecialType.System_String:
                return AppendStringMethod(invocation, sb, depth);
            case ILocalReferenceOperation local:
                return Append(Initializer(local), sb, depth + 1);
            case IFieldReferenceOperation { Field: { IsStatic: true, IsReadOnly: true } field } reference:
                return Append(Initializer(field, reference.SemanticModel), sb, depth + 1);
            default:
                return false;
        }
    }

    private static void AppendOrHole(IOperation operation, StringBuilder sb, int depth)
    {
        if (!Append(operation, sb, depth))
        {
            sb.Append(KeyPattern.AnyString);
        }
    }

    private static bool AppendStringMethod(IInvocationOperation invocation, StringBuilder sb, int depth)
    {
        var method = invocation.TargetMethod;
        if (!method.IsStatic)
        {
            return false;
        }
        if (method.Name == "Concat")
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Value is IArrayCreationOperation { Initializer: { } init })
                {
                    foreach (var element in init.ElementValues)
                    {
                        AppendOrHole(element, sb, depth + 1);
                    }
                }
                else
                {
                    AppendOrHole(argument.Value, sb, depth + 1);
                }
            }
            return true;
        }
        if (method.Name == "Format")
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter?.Name == "format" && argument.Value.ConstantValue.Value is string format)
                {
                    AppendFormat(format, sb);
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>A composite format string: <c>{0}</c> items are unknown, <c>{{</c> and <c>}}</c> are braces.</summary>
    private static void AppendFormat(string format, StringBuilder sb)
    {
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if ((c == '{' || c == '}') && i + 1 < format.Length && format[i + 1] == c)
            {
                sb.Append(c);
                i++;
            }
            else if (c == '{')
            {
                var close = format.IndexOf('}', i + 1);
                sb.Append(KeyPattern.AnyString);
                i = close < 0 ? format.Length : close;
            }
            else
            {
                sb.Append(c);
            }
        }
    }

    /// <summary>
    /// The initializer of a <c>static readonly</c> field declared in the same file (a field elsewhere would need
    /// another semantic model), else null.
    /// </summary>
    private static IOperation? Initializer(IFieldSymbol field, SemanticModel? model)
    {
        if (model is null || field.DeclaringSyntaxReferences.Length != 1)
        {
            return null;
        }
        var syntax = field.DeclaringSyntaxReferences[0].GetSyntax();
        if (syntax.SyntaxTree != model.SyntaxTree || syntax is not VariableDeclaratorSyntax { Initializer: { } initializer })
        {
            return null;
        }
        return model.GetOperation(initializer) is IFieldInitializerOperation init ? init.Value : null;
    }

    /// <summary>The initializer of a local declared with one (<c>var key = $"...";</c>), else null.</summary>
    public static IOperation? Initializer(ILocalReferenceOperation reference)
    {
        var local = reference.Local;
        if (local.DeclaringSyntaxReferences.Length != 1 || reference.SemanticModel is not { } model)
        {
            return null;
        }
        var syntax = local.DeclaringSyntaxReferences[0].GetSyntax();
        if (syntax.SyntaxTree != model.SyntaxTree)
        {
            return null;
        }
        return model.GetOperation(syntax) is IVariableDeclaratorOperation declarator
            ? declarator.GetVariableInitializer()?.Value
            : null;
    }
}
