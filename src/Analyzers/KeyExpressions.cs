using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
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

    // Per member (or file, for top-level statements): the names its code assigns or passes by ref/out.
    private static readonly ConditionalWeakTable<SyntaxNode, HashSet<string>> AssignedNames = new();

    /// <summary>
    /// The initializer of a local declared with one (<c>var key = $"...";</c>) and never assigned again, else null:
    /// after <c>key = other;</c> the initializer is a guess, and the analyzers prefer silence to guesses.
    /// </summary>
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
        if (Assigned(syntax).Contains(local.Name))
        {
            return null;
        }
        return model.GetOperation(syntax) is IVariableDeclaratorOperation declarator
            ? declarator.GetVariableInitializer()?.Value
            : null;
    }

    /// <summary>
    /// Every name the code around <paramref name="declaration"/> assigns, increments or passes by ref/out (one syntactic
    /// walk per member, cached): a name that is also another variable's errs towards "assigned", so towards silence.
    /// </summary>
    private static HashSet<string> Assigned(SyntaxNode declaration)
    {
        SyntaxNode scope = declaration.Ancestors().FirstOrDefault(static n => n is MemberDeclarationSyntax and not GlobalStatementSyntax)
            ?? declaration.SyntaxTree.GetRoot();
        return AssignedNames.GetValue(scope, static node =>
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var child in node.DescendantNodes())
            {
                ExpressionSyntax? target = child switch
                {
                    AssignmentExpressionSyntax assignment => assignment.Left,
                    PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } unary => unary.Operand,
                    PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression } unary => unary.Operand,
                    ArgumentSyntax { RefKindKeyword.RawKind: (int)SyntaxKind.RefKeyword or (int)SyntaxKind.OutKeyword } argument => argument.Expression,
                    _ => null,
                };
                if (target is null)
                {
                    continue;
                }
                // A deconstruction's tuple assigns each of its names; 'x.y = ...' counts x too, erring towards silence.
                foreach (var identifier in target.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
                {
                    names.Add(identifier.Identifier.ValueText);
                }
            }
            return names;
        });
    }
}
