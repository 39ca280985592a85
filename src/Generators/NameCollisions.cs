using System.Collections.Generic;
using System.Linq;

namespace Memstore.Generators;

/// <summary>
/// Names the generator writes into a store that a user's name (a keyspace, another member, a type) would clash
/// with: per keyspace a field <c>__X</c> and a class <c>__XImpl</c>, with MCAS keyspaces the members
/// <c>TransactAsync</c>, <c>Transaction</c>, <c>__client</c>, <c>__mcas</c>, <c>__Mcas</c> and, inside
/// <c>Transaction</c>, <c>Mcas</c>, <c>Attempt</c> and <c>__store</c>. Each clash is MEMS1017.
/// </summary>
internal static class NameCollisions
{
    private static readonly string[] McasPlumbing = ["Transaction", "TransactAsync", "__client", "__mcas", "__Mcas"];
    private static readonly string[] TransactionMembers = ["Mcas", "Attempt", "__store"];

    /// <summary>
    /// Reports clashes and marks the keyspaces that cause them invalid (they get stubs). Returns false when the MCAS
    /// plumbing itself clashes: the store is then stubbed as a whole.
    /// </summary>
    public static bool Check(StoreModel store, List<MemberModel> own, List<DiagnosticInfo> diagnostics)
    {
        var simple = store.Name.Split('<')[0].TrimStart('@');
        var hasMcas = own.Any(m => m.IsValid && m.Kind == MemberKind.McasGroup);
        var reserved = (store.ReservedMembers ?? EquatableArray<UserMemberModel>.Empty)
            .Where(r => !own.Any(m => m.PropertyName == r.Name)).ToList();
        var storeOk = true;
        if (hasMcas)
        {
            foreach (var member in own)
            {
                if (McasPlumbing.Contains(member.PropertyName))
                {
                    Report(diagnostics, member.Location, member.PropertyName, Plumbing(simple, member.PropertyName), "rename the keyspace");
                    storeOk = false;
                }
                else if (member.NamesTransaction is { } at)
                {
                    Report(diagnostics, at, "Transaction", $"the generated nested class '{simple}.Transaction', which it means inside the store",
                        "write the type with its namespace (global::...) or rename it");
                    storeOk = false;
                }
            }
            if (simple is "Transaction" or "TransactAsync" && own.FirstOrDefault(m => m.IsValid && m.Kind == MemberKind.McasGroup) is { } first)
            {
                // A member named like its enclosing type is CS0542.
                Report(diagnostics, first.Location, simple, Plumbing(simple, simple) + " that its MCAS keyspaces need", "rename the store");
                storeOk = false;
            }
            foreach (var user in reserved.Where(r => McasPlumbing.Contains(r.Name)))
            {
                Report(diagnostics, user.Location, user.Name, Plumbing(simple, user.Name), "rename it");
                storeOk = false;
            }
        }
        if (!storeOk)
        {
            return false;
        }
        var generated = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (var user in reserved)
        {
            generated[user.Name] = "a member the store declares";
        }
        for (var i = 0; i < own.Count; i++)
        {
            var member = own[i];
            if (!member.IsValid)
            {
                continue;
            }
            if (member.Kind == MemberKind.McasGroup && (TransactionMembers.Contains(member.PropertyName) || member.PropertyName == "Transaction"))
            {
                own[i] = Invalid(member, Report(diagnostics, member.Location, member.PropertyName, $"the generated member '{simple}.Transaction.{member.PropertyName}'", "rename the keyspace"));
                continue;
            }
            var names = member.Kind == MemberKind.Deque
                ? new[] { ("__" + member.PropertyName, "field") }
                : new[] { ("__" + member.PropertyName, "field"), ("__" + member.PropertyName + "Impl", "class") };
            var clash = names.FirstOrDefault(n => generated.ContainsKey(n.Item1) || own.Any(m => m.PropertyName == n.Item1));
            if (clash.Item1 is not null)
            {
                var other = generated.TryGetValue(clash.Item1, out var owner) ? owner : $"the keyspace '{clash.Item1}'";
                own[i] = Invalid(member, Report(diagnostics, member.Location, member.PropertyName,
                    $"the generated {clash.Item2} '{clash.Item1}' it needs, as that name is already {other}", "rename the keyspace"));
                continue;
            }
            foreach (var (name, kind) in names)
            {
                generated[name] = $"the generated {kind} of '{member.PropertyName}'";
            }
        }
        return true;
    }

    private static string Plumbing(string store, string name) => name switch
    {
        "Transaction" => $"the generated nested class '{store}.Transaction'",
        "TransactAsync" => $"the generated method '{store}.TransactAsync'",
        _ => $"the generated field '{store}.{name}'",
    };

    /// <summary>The keyspace, no longer generated: its stub names the diagnostic.</summary>
    private static MemberModel Invalid(MemberModel member, DiagnosticInfo diagnostic) =>
        member with { IsValid = false, Diagnostics = member.Diagnostics.Concat([diagnostic]).ToEquatableArray() };

    private static DiagnosticInfo Report(List<DiagnosticInfo> diagnostics, LocationInfo? location, string name, string what, string fix)
    {
        var diagnostic = DiagnosticInfo.Create(Descriptors.GeneratedNameCollision, location, name, what, fix);
        diagnostics.Add(diagnostic);
        return diagnostic;
    }
}
