#!/usr/bin/env python3
"""Writes a C# project with STORES [MemcacheStore] classes of 5 keyspaces each (plain, string, MCAS, counter,
Guid-keyed record), and per store a service class whose method bodies make plain client calls with constant,
interpolated, concatenated, u8, field and helper-method keys, so that the Memstore generator and analyzers both
have work. It references src/Runtime, and src/Generators and src/Analyzers as analyzers, like the package does.
usage: generate.py OUTPUT_DIR [STORES]"""
import os
import sys

root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
out = sys.argv[1]
stores = int(sys.argv[2]) if len(sys.argv) > 2 else 50
os.makedirs(out, exist_ok=True)

STORE = """using System;
using System.Collections.Generic;
using Memstore;

namespace Gen{i};

public sealed record User{i}(string Name, int Age, List<string> Tags);
public sealed record Account{i}(string Owner, long Balance);
public sealed record Order{i}(Guid Id, decimal Total, DateTimeOffset At, Dictionary<string, int> Lines);

[MemcacheStore(Prefix = "s{i}:")]
public partial class Store{i}
{{
    [Keyspace("user:{{id}}")]
    public partial Keyspace<int, User{i}> Users {{ get; }}

    [Keyspace("name:{{id}}")]
    public partial Keyspace<string, string> Names {{ get; }}

    [McasGroup("acct:{{id}}")]
    public partial McasKeyspace<string, Account{i}> Accounts {{ get; }}

    [Counter("hits:{{page}}")]
    public partial CounterKeyspace<string> Hits {{ get; }}

    [Keyspace("order:{{id}}")]
    public partial Keyspace<Guid, Order{i}> Orders {{ get; }}
}}
"""

SERVICE = """using System;
using System.Threading;
using System.Threading.Tasks;
using Memstore;

namespace Gen{i};

public sealed class Service{i}(MemcacheClient client, Store{i} store)
{{
    private static readonly string NamePrefix = "s{i}:name:";
    private readonly string _orderPrefix = "s{i}:order:";

    public async Task<int> RunAsync(string id, int n, bool flag, CancellationToken ct)
    {{
        var user = await store.Users.GetAsync(n, ct);
        _ = await client.GetAsync(NamePrefix + id, ct);
        _ = await client.SetAsync($"s{i}:name:{{id}}", "x", cancellationToken: ct);
        _ = await client.GetAsync("s{i}:user:1"u8, ct);
        _ = await client.DeleteAsync(OrderKey(id), cancellationToken: ct);
        _ = await client.GetAsync(flag ? _orderPrefix + n : "s{i}:hits:home", ct);
        _ = await client.GetManyAsync(["s{i}:name:a", $"s{i}:user:{{n}}", string.Concat("s{i}:", "name:", id)], ct);
        _ = await client.IncrementAsync(store.Hits.FormatKey("home"), cancellationToken: ct);
        _ = await store.Accounts.GetAsync(id, ct);
        return Compute(n) + (user?.Age ?? 0);
    }}

    private static string OrderKey(string id) => "s{i}:order:" + id;

    private static int Compute(int n)
    {{
        var total = 0;
        for (var k = 0; k < n; k++)
        {{
            total += k * {i};
        }}
        return total;
    }}
}}
"""

PROJECT = """<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>disable</ImplicitUsings>
    <IsPackable>false</IsPackable>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="{root}/src/Runtime/Memstore.csproj" />
    <ProjectReference Include="{root}/src/Generators/Memstore.Generators.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
    <ProjectReference Include="{root}/src/Analyzers/Memstore.Analyzers.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
  </ItemGroup>
</Project>
"""

with open(os.path.join(out, "BuildCost.csproj"), "w") as f:
    f.write(PROJECT.format(root=root))
# Keep the repository's Directory.Build.props/Packages.props out of the generated project.
for name in ("Directory.Build.props", "Directory.Build.targets"):
    with open(os.path.join(out, name), "w") as f:
        f.write("<Project />\n")
for i in range(stores):
    with open(os.path.join(out, f"Store{i}.cs"), "w") as f:
        f.write(STORE.format(i=i))
    with open(os.path.join(out, f"Service{i}.cs"), "w") as f:
        f.write(SERVICE.format(i=i))
print(f"wrote {stores} stores x 5 keyspaces to {out}")
