using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Memstore.Shared;

namespace Memstore.Generators;

/// <summary>Groups members under their stores and runs the checks that need both (key length, key overlap).</summary>
internal static class Bundler
{
    public static ImmutableArray<StoreBundle> Build(EquatableArray<StoreModel> stores, EquatableArray<MemberModel> members,
        EquatableArray<ReferencedKeyspace>? referenced = null)
    {
        var merged = Merge(stores);
        var bundles = new List<(StoreModel Store, List<MemberModel> Members, List<DiagnosticInfo> Diagnostics)>();
        foreach (var (store, storeDiagnostics) in merged)
        {
            var diagnostics = new List<DiagnosticInfo>(storeDiagnostics);
            var own = new List<MemberModel>();
            foreach (var member in members)
            {
                if (member.StoreKey == store.Key)
                {
                    diagnostics.AddRange(member.Diagnostics);
                    own.Add(member);
                }
            }
            // Names the generator would write twice: the clashing keyspace is stubbed, or the store when MCAS plumbing clashes.
            var whole = !store.CanEmit || NameCollisions.Check(store, own, diagnostics);
            bundles.Add((whole ? store : store with { CanEmit = false, CanStub = true }, own, diagnostics));
        }

        // Key length per keyspace, then key overlap between every pair of keyspaces of the compilation (the same
        // store or two stores), then against the keyspaces referenced assemblies declare in their manifests.
        var patterns = new List<(StoreModel Store, MemberModel Member, List<KeyOverlap.Atom> Atoms)>();
        var foreign = ForeignPatterns(referenced ?? EquatableArray<ReferencedKeyspace>.Empty);
        foreach (var (store, own, diagnostics) in bundles)
        {
            if (!store.CanEmit)
            {
                continue;
            }
            for (var i = 0; i < own.Count; i++)
            {
                var member = own[i];
                if (!member.IsValid || member.Kind is not (MemberKind.Keyspace or MemberKind.Counter or MemberKind.McasGroup or MemberKind.Deque))
                {
                    continue;
                }
                if (member.TemplateSegments is not { } template)
                {
                    continue;
                }
                var literal = store.Prefix + KeyTemplate.LiteralTextOf(template);
                var minimum = Encoding.UTF8.GetByteCount(literal) + KeyTemplate.PlaceholderCountOf(template);
                if (minimum > MemcachedKeyRules.MaxKeyBytes)
                {
                    diagnostics.Add(DiagnosticInfo.Create(Descriptors.KeyTooLong, member.TemplateLocation, member.PropertyName, minimum.ToString()));
                    own[i] = member with { IsValid = false };
                    continue;
                }
                var atoms = KeyOverlap.Atoms(store.Prefix, template, member.KeyParts);
                var collision = patterns.FirstOrDefault(p => KeyOverlap.Overlap(p.Atoms, atoms));
                if (collision.Member is not null)
                {
                    var other = collision.Store.Key == store.Key ? collision.Member.PropertyName : Display(collision.Store) + "." + collision.Member.PropertyName;
                    diagnostics.Add(DiagnosticInfo.Create(Descriptors.KeyCollision, member.TemplateLocation,
                        member.PropertyName, store.Prefix + member.Template, other, collision.Store.Prefix + collision.Member.Template));
                }
                else if (foreign.FirstOrDefault(f => KeyOverlap.Overlap(f.Atoms, atoms)) is { Keyspace: { } outside })
                {
                    diagnostics.Add(DiagnosticInfo.Create(Descriptors.KeyCollision, member.TemplateLocation,
                        member.PropertyName, store.Prefix + member.Template, $"{outside.Store}.{outside.Member} (assembly {outside.Assembly})", outside.Template));
                }
                patterns.Add((store, member, atoms));
            }
        }
        var hints = HintNames.ForStores(bundles.Select(b => b.Store.Key).ToList());
        return bundles.Select((b, i) => new StoreBundle(b.Store, b.Members.ToEquatableArray(), b.Diagnostics.Distinct().ToEquatableArray(), hints[i])).ToImmutableArray();
    }

    private static string Display(StoreModel store) => store.Key.Replace("global::", "");

    /// <summary>
    /// One store per type: <c>[MemcacheStore]</c> on several partial declarations gives one model per declaration
    /// (the compiler reports the repeated attribute as CS0579); the first is kept, and arguments that disagree are
    /// reported on the later declaration and stop generation.
    /// </summary>
    private static List<(StoreModel Store, List<DiagnosticInfo> Diagnostics)> Merge(EquatableArray<StoreModel> stores)
    {
        var merged = new List<(StoreModel Store, List<DiagnosticInfo> Diagnostics)>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var store in stores)
        {
            if (!index.TryGetValue(store.Key, out var at))
            {
                index[store.Key] = merged.Count;
                merged.Add((store, new List<DiagnosticInfo>(store.Diagnostics)));
                continue;
            }
            var (first, diagnostics) = merged[at];
            diagnostics.AddRange(store.Diagnostics);
            var conflict = first.Prefix != store.Prefix ? ("Prefix", Quote(store.Prefix), Quote(first.Prefix))
                : first.DefaultTtlSeconds != store.DefaultTtlSeconds ? ("DefaultTtlSeconds", store.DefaultTtlSeconds.ToString(), first.DefaultTtlSeconds.ToString())
                : default;
            if (conflict.Item1 is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.ConflictingStoreDeclarations, store.AttributeLocation ?? store.PrefixLocation,
                    first.Name, conflict.Item1, conflict.Item2, conflict.Item3));
            }
            merged[at] = (first with
            {
                CanEmit = first.CanEmit && store.CanEmit && conflict.Item1 is null,
                CanStub = first.CanStub && store.CanStub,
            }, diagnostics);
        }
        return merged;
    }

    private static string Quote(string text) => "\"" + text + "\"";

    /// <summary>Manifest templates carry no key types, so each placeholder stands for any string: overlap is judged conservatively.</summary>
    private static List<(ReferencedKeyspace Keyspace, List<KeyOverlap.Atom> Atoms)> ForeignPatterns(EquatableArray<ReferencedKeyspace> referenced)
    {
        var patterns = new List<(ReferencedKeyspace, List<KeyOverlap.Atom>)>();
        foreach (var keyspace in referenced)
        {
            if (KeyTemplate.Parse(keyspace.Template, out _) is { } template)
            {
                patterns.Add((keyspace, KeyOverlap.Atoms("", template.Segments, EquatableArray<KeyPartModel>.Empty)));
            }
        }
        return patterns;
    }

    public static EquatableArray<DiagnosticInfo> Orphans(EquatableArray<StoreModel> stores, EquatableArray<MemberModel> members)
    {
        var keys = new HashSet<string>(stores.Select(s => s.Key), StringComparer.Ordinal);
        return members.Where(m => !keys.Contains(m.StoreKey))
            .Select(m => DiagnosticInfo.Create(Descriptors.OutsideStore, m.Location, m.PropertyName, MemberParser.AttributeName(m.Kind), m.StoreKey.Replace("global::", "")))
            .ToEquatableArray();
    }

    public static FormatterSetModel FormatterSet(EquatableArray<MemberModel> members)
    {
        var shapes = new SortedDictionary<string, TypeShapeModel>(StringComparer.Ordinal);
        var collections = new SortedDictionary<string, CollectionFormatterModel>(StringComparer.Ordinal);
        var needed = false;
        foreach (var member in members)
        {
            needed |= member.Codec == ValueCodecKind.MessagePack && member.IsValid;
            foreach (var shape in member.Shapes)
            {
                // By type: two types whose formatter names were alike must not share one formatter.
                shapes[shape.TypeName] = shape;
            }
            foreach (var collection in member.Collections)
            {
                collections[collection.TypeName] = collection;
            }
        }
        // Named here, over the whole set: injective, and distinct ignoring case, as hint names must be.
        var names = HintNames.DistinctFormatters(shapes.Values.Select(s => s.FormatterName).ToList());
        var named = shapes.Values.Select((s, i) => s with { FormatterName = names[i] }).OrderBy(s => s.FormatterName, StringComparer.Ordinal);
        return new FormatterSetModel(named.ToEquatableArray(), collections.Values.ToEquatableArray(), needed);
    }
}
