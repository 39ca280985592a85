using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Memstore.Generators;

/// <summary>
/// Generates typed stores from <c>[MemcacheStore]</c> partial classes: keyspace implementations with pooled key
/// formatting, and MessagePack formatters (plus a resolver) for every stored type.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class StoreGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for incremental tests.</summary>
    public static class Steps
    {
        /// <summary>The <c>[MemcacheStore]</c> models.</summary>
        public const string Stores = nameof(Stores);
        /// <summary>The <c>[Keyspace]</c> models.</summary>
        public const string Keyspaces = nameof(Keyspaces);
        /// <summary>The <c>[Counter]</c> models.</summary>
        public const string Counters = nameof(Counters);
        /// <summary>The <c>[McasGroup]</c> models.</summary>
        public const string McasGroups = nameof(McasGroups);
        /// <summary>The <c>[Deque]</c> models.</summary>
        public const string Deques = nameof(Deques);
        /// <summary>Every member model together.</summary>
        public const string Members = nameof(Members);
        /// <summary>Stores with their members and diagnostics.</summary>
        public const string Bundles = nameof(Bundles);
        /// <summary>The types that need formatters.</summary>
        public const string Formatters = nameof(Formatters);
        /// <summary>The keyspaces that referenced assemblies declare in their keyspace manifests.</summary>
        public const string ReferencedKeyspaces = nameof(ReferencedKeyspaces);
        /// <summary>Diagnostics.</summary>
        public const string Diagnostics = nameof(Diagnostics);
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var stores = context.SyntaxProvider.ForAttributeWithMetadataName(
                "Memstore.MemcacheStoreAttribute",
                // Every kind of type declaration, so a struct or interface marked as a store gets MEMS1013 rather than silence.
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => ParseStore(ctx, ct))
            .Where(static s => s is not null).Select(static (s, _) => s!)
            .WithTrackingName(Steps.Stores);

        var keyspaces = Members(context, "Memstore.KeyspaceAttribute", MemberKind.Keyspace, Steps.Keyspaces);
        var counters = Members(context, "Memstore.CounterAttribute", MemberKind.Counter, Steps.Counters);
        var mcas = Members(context, "Memstore.McasGroupAttribute", MemberKind.McasGroup, Steps.McasGroups);
        var deques = Members(context, "Memstore.DequeAttribute", MemberKind.Deque, Steps.Deques);

        // Every value between steps is a class or a pair of classes: the runtime shares one compiled copy of Roslyn's
        // pipeline code among reference types, while a struct (ImmutableArray, a nested tuple) costs a fresh copy.
        var members = Concat(Concat(Concat(All(keyspaces), All(counters)), All(mcas)), All(deques))
            .WithTrackingName(Steps.Members);

        // Runs on every compilation, but reads only assemblies that reference Memstore and yields an equatable
        // list, so nothing after it re-runs unless a referenced assembly's manifest changed.
        var referenced = context.CompilationProvider
            .Select(static (compilation, ct) => Safe(() => ManifestReader.Read(compilation, ct)) ?? new ReferencedKeyspaceList(EquatableArray<ReferencedKeyspace>.Empty))
            .WithTrackingName(Steps.ReferencedKeyspaces);

        var storesAndMembers = All(stores).Combine(members).Select(static (pair, _) => new StoresAndMembers(pair.Left, pair.Right));
        var bundles = storesAndMembers.Combine(referenced)
            .SelectMany(static (all, _) => Safe(() => Bundler.Build(all.Left.Stores, all.Left.Members, all.Right.Keyspaces)) ?? ImmutableArray<StoreBundle>.Empty)
            .WithTrackingName(Steps.Bundles);

        var orphans = storesAndMembers
            .Select(static (pair, _) => Bundler.Orphans(pair.Stores, pair.Members))
            .WithTrackingName(Steps.Diagnostics);

        var formatters = members.Select(static (all, _) => Bundler.FormatterSet(all)).WithTrackingName(Steps.Formatters);

        // Diagnostics are their own output, separate from the code.
        context.RegisterSourceOutput(bundles.Select(static (b, _) => b.Diagnostics), static (spc, diagnostics) => Report(spc, diagnostics));
        context.RegisterSourceOutput(orphans, static (spc, diagnostics) => Report(spc, diagnostics));

        context.RegisterSourceOutput(bundles.Select(static (b, _) => b with { Diagnostics = EquatableArray<DiagnosticInfo>.Empty }), static (spc, bundle) => Guard(() =>
        {
            if (!bundle.Store.CanEmit && !bundle.Store.CanStub)
            {
                return;
            }
            var source = Emit(spc, () => StoreEmitter.Emit(bundle), "writing the store", bundle.Store.Name, bundle.Store.AttributeLocation);
            if (source is not null)
            {
                spc.AddSource(bundle.HintName + ".g.cs", source);
            }
        }));

        context.RegisterSourceOutput(formatters, static (spc, set) => Guard(() =>
        {
            if (set.Shapes.Count == 0 && set.Collections.Count == 0 && !set.Needed)
            {
                return;
            }
            var generated = set.Shapes.ToDictionary(s => s.TypeName, s => s.FormatterName, StringComparer.Ordinal);
            foreach (var shape in set.Shapes)
            {
                var source = Emit(spc, () => FormatterEmitter.EmitFormatter(shape, generated), "writing the formatter of", shape.TypeName, null);
                if (source is not null)
                {
                    spc.AddSource("Memstore.Generated." + shape.FormatterName + ".g.cs", source);
                }
            }
            foreach (var helper in set.Collections.Select(c => c.Helper).Where(h => h.Length > 0).Distinct().OrderBy(h => h, StringComparer.Ordinal))
            {
                // The namespace keeps these hint names apart from the formatters of user types, which hold no '.'.
                if (CollectionFormatterSources.Source(helper) is { } source)
                {
                    spc.AddSource("Memstore.Generated.Collections." + helper + ".g.cs", source);
                }
            }
            var resolver = Emit(spc, () => FormatterEmitter.EmitResolver(set.Shapes, set.Collections), "writing", "MemstoreResolver", null);
            if (resolver is not null)
            {
                spc.AddSource("Memstore.Generated.MemstoreResolver.g.cs", resolver);
            }
        }));
    }

    /// <summary>
    /// Parses a store; if the parser throws, a store model that emits nothing and carries a located MEMS1015, so a
    /// bug in the generator is an error the user sees at the store, never silently missing code.
    /// </summary>
    private static StoreModel? ParseStore(GeneratorAttributeSyntaxContext context, System.Threading.CancellationToken cancellationToken)
    {
        try
        {
            return StoreParser.Parse(context, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var location = context.TargetNode is TypeDeclarationSyntax type ? LocationInfo.From(type.Identifier.GetLocation()) : LocationInfo.From(context.TargetNode);
            var name = context.TargetSymbol.Name;
            return new StoreModel(
                Key: context.TargetSymbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), Namespace: "", Name: name, Keyword: "class",
                Containers: EquatableArray<ContainerModel>.Empty, Prefix: "", PrefixLocation: null, DefaultTtlSeconds: 0,
                CanEmit: false, EmitClientProperty: false,
                Diagnostics: new EquatableArray<DiagnosticInfo>(new[] { Failure("reading the store", name, location, ex) }));
        }
    }

    /// <summary>Parses a keyspace member; if the parser throws, an invalid member that carries a located MEMS1015.</summary>
    private static MemberModel? ParseMember(GeneratorAttributeSyntaxContext context, MemberKind kind, System.Threading.CancellationToken cancellationToken)
    {
        try
        {
            return MemberParser.Parse(context, kind, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (context.TargetSymbol is not IPropertySymbol property || property.ContainingType is null)
            {
                return null;
            }
            var location = context.TargetNode is PropertyDeclarationSyntax syntax ? LocationInfo.From(syntax.Identifier.GetLocation()) : LocationInfo.From(context.TargetNode);
            return new MemberModel(
                StoreKey: property.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), Kind: kind,
                PropertyName: property.Name, PropertyType: "", Modifiers: "", KeyType: "", ValueType: "", Template: "", TemplateSegments: null, TemplateLocation: null,
                TtlSeconds: 0, CompressAboveBytes: 0, KeyParts: EquatableArray<KeyPartModel>.Empty, Codec: ValueCodecKind.None,
                Shapes: EquatableArray<TypeShapeModel>.Empty, Collections: EquatableArray<CollectionFormatterModel>.Empty,
                IsValid: false, Location: location,
                Diagnostics: new EquatableArray<DiagnosticInfo>(new[] { Failure("reading the keyspace", property.Name, location, ex) }),
                CanStub: false);
        }
    }

    /// <summary>Runs an emitter; if it throws, reports MEMS1015 (at <paramref name="location"/> when known) and returns null.</summary>
    internal static string? Emit(SourceProductionContext context, Func<string?> emit, string what, string name, LocationInfo? location) =>
        Emit(emit, what, name, location, info => Report(context, new EquatableArray<DiagnosticInfo>(new[] { info })));

    /// <summary>The testable core of <see cref="Emit(SourceProductionContext, Func{string?}, string, string, LocationInfo?)"/>.</summary>
    internal static string? Emit(Func<string?> emit, string what, string name, LocationInfo? location, Action<DiagnosticInfo> report)
    {
        try
        {
            return emit();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            report(Failure(what, name, location, ex));
            return null;
        }
    }

    /// <summary>MEMS1015 for an exception: what the generator was doing, on what, and the exception's type and first line.</summary>
    internal static DiagnosticInfo Failure(string what, string name, LocationInfo? location, Exception exception)
    {
        var message = exception.Message;
        var newline = message.IndexOf('\n');
        return DiagnosticInfo.Create(Descriptors.GeneratorFailed, location, what, name, exception.GetType().Name,
            (newline < 0 ? message : message.Substring(0, newline)).Trim());
    }

    private static void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception)
        {
            // Never fail the user's build from inside the generator.
        }
    }

    private static IncrementalValuesProvider<MemberModel> Members(IncrementalGeneratorInitializationContext context, string attribute, MemberKind kind, string name) =>
        context.SyntaxProvider.ForAttributeWithMetadataName(
                attribute,
                static (node, _) => node is PropertyDeclarationSyntax,
                (ctx, ct) => ParseMember(ctx, kind, ct))
            .Where(static m => m is not null).Select(static (m, _) => m!)
            .WithTrackingName(name);

    private static IncrementalValueProvider<EquatableArray<T>> All<T>(IncrementalValuesProvider<T> values) where T : IEquatable<T> =>
        values.Collect().Select(static (items, _) => items.ToEquatableArray());

    private static IncrementalValueProvider<EquatableArray<MemberModel>> Concat(IncrementalValueProvider<EquatableArray<MemberModel>> first,
        IncrementalValueProvider<EquatableArray<MemberModel>> second) =>
        first.Combine(second).Select(static (pair, _) => pair.Left.Concat(pair.Right).ToEquatableArray());

    private static void Report(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (var info in diagnostics)
        {
            if (Descriptors.Find(info.Id) is { } descriptor)
            {
                context.ReportDiagnostic(Diagnostic.Create(descriptor, info.Location?.ToLocation(), info.Arguments.Cast<object>().ToArray()));
            }
        }
    }

    /// <summary>The generator never throws: a bug in it loses output, not the user's build.</summary>
    private static T? Safe<T>(Func<T?> action) where T : class
    {
        try
        {
            return action();
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception)
        {
            return null;
        }
    }

    private static ImmutableArray<StoreBundle>? Safe(Func<ImmutableArray<StoreBundle>> action)
    {
        try
        {
            return action();
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception)
        {
            return null;
        }
    }
}

/// <summary>The stores of the compilation and every member model, one value for the steps that need both.</summary>
internal sealed record StoresAndMembers(EquatableArray<StoreModel> Stores, EquatableArray<MemberModel> Members);

/// <summary>The user types and collection formatters of every keyspace, and whether a resolver is needed at all.</summary>
internal sealed record FormatterSetModel(EquatableArray<TypeShapeModel> Shapes, EquatableArray<CollectionFormatterModel> Collections, bool Needed);
