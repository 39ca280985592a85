using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;

namespace Memstore.Generators;

/// <summary>Groups members under their stores and runs the checks that need both (key length, key overlap).</summary>
internal static class Bundler
{
    private const int MaxKeyBytes = 250;

    public static ImmutableArray<StoreBundle> Build(EquatableArray<StoreModel> stores, EquatableArray<MemberModel> members)
    {
        var bundles = ImmutableArray.CreateBuilder<StoreBundle>();
        foreach (var store in stores)
        {
            var diagnostics = new List<DiagnosticInfo>(store.Diagnostics);
            var own = new List<MemberModel>();
            foreach (var member in members)
            {
                if (member.StoreKey == store.Key)
                {
                    diagnostics.AddRange(member.Diagnostics);
                    own.Add(member);
                }
            }
            var patterns = new List<(MemberModel Member, List<KeyOverlap.Atom> Atoms)>();
            for (var i = 0; i < own.Count; i++)
            {
                var member = own[i];
                if (!member.IsValid || member.Kind is not (MemberKind.Keyspace or MemberKind.Counter or MemberKind.McasGroup or MemberKind.Deque))
                {
                    continue;
                }
                var template = Template.Parse(member.Template, out _);
                if (template is null)
                {
                    continue;
                }
                var literal = store.Prefix + string.Concat(template.Segments.Where(s => !s.IsHole).Select(s => s.Text));
                var minimum = Encoding.UTF8.GetByteCount(literal) + template.Segments.Count(s => s.IsHole);
                if (minimum > MaxKeyBytes)
                {
                    diagnostics.Add(DiagnosticInfo.Create(Descriptors.KeyTooLong, member.TemplateLocation, member.PropertyName, minimum.ToString()));
                    own[i] = member with { IsValid = false };
                    continue;
                }
                var atoms = KeyOverlap.Atoms(store.Prefix, template, member.KeyParts);
                foreach (var (other, otherAtoms) in patterns)
                {
                    if (KeyOverlap.Overlap(otherAtoms, atoms))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(Descriptors.KeyCollision, member.TemplateLocation,
                            member.PropertyName, store.Prefix + member.Template, other.PropertyName, store.Prefix + other.Template));
                        break;
                    }
                }
                patterns.Add((member, atoms));
            }
            bundles.Add(new StoreBundle(store, own.ToEquatableArray(), diagnostics.ToEquatableArray()));
        }
        return bundles.ToImmutable();
    }

    public static EquatableArray<DiagnosticInfo> Orphans(EquatableArray<StoreModel> stores, EquatableArray<MemberModel> members)
    {
        var keys = new HashSet<string>(stores.Select(s => s.Key), StringComparer.Ordinal);
        return members.Where(m => !keys.Contains(m.StoreKey))
            .Select(m => DiagnosticInfo.Create(Descriptors.OutsideStore, m.Location, m.PropertyName, MemberParser.AttributeName(m.Kind)))
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
                shapes[shape.FormatterName] = shape;
            }
            foreach (var collection in member.Collections)
            {
                collections[collection.TypeName] = collection;
            }
        }
        return new FormatterSetModel(shapes.Values.ToEquatableArray(), collections.Values.ToEquatableArray(), needed);
    }
}
