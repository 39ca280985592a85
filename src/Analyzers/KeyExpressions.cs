using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Memstore.Analyzers;

/// <summary>Helpers shared by the key evaluator and the CAS token tracer.</summary>
internal static class KeyExpressions
{
    /// <summary>The pattern of a composite format string: <c>{0}</c> items are unknown, <c>{{</c> and <c>}}</c> are braces.</summary>
    public static string FormatPattern(string format)
    {
        var sb = new StringBuilder(format.Length);
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
        return sb.ToString();
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
