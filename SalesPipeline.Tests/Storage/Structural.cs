using System.Collections;
using System.Globalization;
using System.Text;

namespace SalesPipeline.Tests.Storage;

/// <summary>
/// A result as text, walked member by member through nested records and lists, decimals and money by value (10.50 and
/// 10.5 read the same, as they compare): two results are equal when their texts are.
/// </summary>
internal static class Structural
{
    public static string Text(object? value)
    {
        var text = new StringBuilder();
        Write(text, value, 0);
        return text.ToString();
    }

    private static void Write(StringBuilder text, object? value, int depth)
    {
        switch (value)
        {
            case null:
                text.Append("null");
                break;
            case decimal d:
                text.Append(d.ToString("0.############################", CultureInfo.InvariantCulture));
                break;
            case SalesPipeline.Domain.Money money:
                Write(text, money.Amount, depth);
                text.Append(' ').Append(money.Currency);
                break;
            case string or IFormattable or bool or ValueType:
                text.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
            case IEnumerable items:
                text.Append('[');
                foreach (var item in items)
                {
                    text.AppendLine().Append(' ', (depth + 1) * 2);
                    Write(text, item, depth + 1);
                }

                text.Append(']');
                break;
            default:
                var type = value.GetType();
                if (type.GetProperties().Length == 0 || type.IsEnum)
                {
                    text.Append(value);
                    break;
                }

                text.Append(type.Name).Append(" {");
                foreach (var property in type.GetProperties().Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract"))
                {
                    text.AppendLine().Append(' ', (depth + 1) * 2).Append(property.Name).Append(" = ");
                    Write(text, property.GetValue(value), depth + 1);
                }

                text.Append(" }");
                break;
        }
    }
}
