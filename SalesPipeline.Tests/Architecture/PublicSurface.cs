using System.Reflection;

namespace SalesPipeline.Tests.Architecture;

/// <summary>
/// Walks what another assembly can see of a set of types — base types, interfaces, generic constraints, and the
/// signatures of public and protected constructors, methods, properties, indexers, fields and events — and reports
/// every place a type from a forbidden namespace or assembly appears, however deeply nested in generic arguments,
/// arrays, by-refs or pointers.
/// </summary>
internal static class PublicSurface
{
    /// <summary>Implementation libraries whose types must never reach a public signature.</summary>
    public static readonly string[] Forbidden = ["Stateless", "Dapper", "Npgsql", "Microsoft.Data.Sqlite", "ClosedXML", "DocumentFormat.OpenXml", "Cronos", "MailKit", "MimeKit", "CsvHelper", "System.CommandLine", "Wcwidth"];

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Lists every exposure of a forbidden type as "where: what".</summary>
    public static IReadOnlyList<string> ForbiddenExposures(IEnumerable<Type> types)
    {
        var found = new List<string>();
        foreach (var type in types.Where(IsExposed))
        {
            Check(found, type.BaseType, $"{type} base type");
            foreach (var implemented in type.GetInterfaces())
            {
                Check(found, implemented, $"{type} interface");
            }

            foreach (var parameter in type.IsGenericTypeDefinition ? type.GetGenericArguments() : [])
            {
                CheckConstraints(found, parameter, $"{type} generic parameter {parameter.Name}");
            }

            foreach (var constructor in type.GetConstructors(Declared).Where(c => IsVisible(c)))
            {
                CheckParameters(found, constructor.GetParameters(), $"{type} constructor");
            }

            foreach (var method in type.GetMethods(Declared).Where(m => IsVisible(m) && !m.IsSpecialName))
            {
                var where = $"{type}.{method.Name}";
                Check(found, method.ReturnType, $"{where} return type");
                CheckParameters(found, method.GetParameters(), where);
                foreach (var parameter in method.IsGenericMethodDefinition ? method.GetGenericArguments() : [])
                {
                    CheckConstraints(found, parameter, $"{where} generic parameter {parameter.Name}");
                }
            }

            foreach (var property in type.GetProperties(Declared).Where(p => p.GetAccessors(nonPublic: true).Any(IsVisible)))
            {
                Check(found, property.PropertyType, $"{type}.{property.Name} property type");
                CheckParameters(found, property.GetIndexParameters(), $"{type}.{property.Name} indexer");
            }

            foreach (var field in type.GetFields(Declared).Where(f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly))
            {
                Check(found, field.FieldType, $"{type}.{field.Name} field type");
            }

            foreach (var @event in type.GetEvents(Declared).Where(e => e.AddMethod is { } add && IsVisible(add)))
            {
                Check(found, @event.EventHandlerType, $"{type}.{@event.Name} event type");
            }
        }

        return found;
    }

    /// <summary>Lists public types whose namespace is an <c>Internal</c> one: implementation classes must not be public.</summary>
    public static IReadOnlyList<Type> PublicInternalTypes(IEnumerable<Type> types) =>
        [.. types.Where(t => IsExposed(t) && IsInternalNamespace(t.Namespace))];

    /// <summary>Whether another assembly can name the type: public, or public or protected inside such a type.</summary>
    public static bool IsExposed(Type type) =>
        type.DeclaringType is { } outer
            ? (type.IsNestedPublic || type.IsNestedFamily || type.IsNestedFamORAssem) && IsExposed(outer)
            : type.IsPublic;

    public static bool IsInternalNamespace(string? ns) =>
        ns is not null && (ns.EndsWith(".Internal", StringComparison.Ordinal) || ns.Contains(".Internal.", StringComparison.Ordinal));

    public static bool IsForbidden(Type type)
    {
        var assembly = type.Assembly.GetName().Name ?? string.Empty;
        return Forbidden.Any(f => Matches(type.Namespace, f) || Matches(assembly, f));
    }

    private static bool Matches(string? name, string root) =>
        name is not null && (name == root || name.StartsWith(root + ".", StringComparison.Ordinal));

    private static bool IsVisible(MethodBase method) => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly;

    private static void CheckParameters(List<string> found, ParameterInfo[] parameters, string where)
    {
        foreach (var parameter in parameters)
        {
            Check(found, parameter.ParameterType, $"{where} parameter {parameter.Name}");
        }
    }

    private static void CheckConstraints(List<string> found, Type parameter, string where)
    {
        foreach (var constraint in parameter.GetGenericParameterConstraints())
        {
            Check(found, constraint, $"{where} constraint");
        }
    }

    private static void Check(List<string> found, Type? type, string where)
    {
        // One report per position: the outermost forbidden part is the one a reader of the signature sees.
        if (Parts(type).FirstOrDefault(IsForbidden) is { } part)
        {
            found.Add($"{where}: {part.FullName ?? part.Name} ({part.Assembly.GetName().Name})");
        }
    }

    /// <summary>The type and every type it is made of: element types, function-pointer signatures, generic arguments, the generic definition.</summary>
    private static IEnumerable<Type> Parts(Type? type)
    {
        if (type is null || type.IsGenericParameter)
        {
            yield break;
        }

        yield return type;
        if (type.HasElementType)
        {
            foreach (var part in Parts(type.GetElementType()))
            {
                yield return part;
            }
        }

        if (type.IsFunctionPointer)
        {
            foreach (var part in Parts(type.GetFunctionPointerReturnType()).Concat(type.GetFunctionPointerParameterTypes().SelectMany(Parts)))
            {
                yield return part;
            }
        }

        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            foreach (var part in Parts(type.GetGenericTypeDefinition()).Concat(type.GetGenericArguments().SelectMany(Parts)))
            {
                yield return part;
            }
        }
    }
}
