using Dapper;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Data.Sqlite;
using SalesPipeline.Storage.Sqlite;
using SQLitePCL;
using Xunit;

namespace SalesPipeline.Tests.Storage;

/// <summary>
/// SQLite's bulk-write primitive binds only the values that changed since the previous row (SQLite keeps a statement's
/// bindings across executions): whatever the sequence of repeated, changed and empty values, every row is stored as given.
/// </summary>
public sealed class BulkCommandTests
{
    /// <summary>
    /// Few distinct values, so that rows repeat, change and empty their columns in every order; text beyond ASCII and longer
    /// than the encoding buffer starts with.
    /// </summary>
    private static readonly Gen<object?> Value = Gen.Elements<object?>(null, "a", "b", "", "1", "Zażółć gęślą jaźń €", new string('x', 300), 1L, 2L, 1, 0, -1L);

    [Fact]
    public void Property_RowsOfRepeatedChangedAndEmptyValues_AreStoredAsGiven()
    {
        var rows = Gen.ArrayOf(Value, 3).ArrayOf();
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(200),
            Prop.ForAll(rows.ToArbitrary(), given =>
            {
                using var connection = new SqliteConnection("Data Source=:memory:");
                connection.Open();
                connection.Execute("CREATE TABLE t (n INTEGER PRIMARY KEY, a, b, c)");
                using (var command = new BulkCommand(connection, "t", "a, b, c"))
                {
                    foreach (var row in given)
                    {
                        row.CopyTo(command.Row, 0);
                        Assert.Equal(1, command.Execute());
                    }
                }

                var stored = connection.Query<(object? A, object? B, object? C)>("SELECT a, b, c FROM t ORDER BY n")
                    .Select(r => new[] { r.A, r.B, r.C }).ToList();
                Assert.Equal(given.Select(r => r.Select(Stored).ToArray()).ToList(), stored);
            }));
    }

    [Fact]
    public void Execute_ARowRefusedByTheTable_LeavesTheNextRowsBoundAsGiven()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        connection.Execute("CREATE TABLE t (a TEXT NOT NULL UNIQUE, b)");
        using (var command = new BulkCommand(connection, "t", "a, b"))
        {
            command.Row[0] = "x";
            command.Row[1] = 7L;
            command.Execute();
            Assert.Throws<SqliteException>(() => command.Execute());
            command.Row[0] = "y";
            command.Execute();
        }

        Assert.Equal([("x", 7L), ("y", 7L)], connection.Query<(string, long)>("SELECT a, b FROM t ORDER BY a"));
    }

    [Fact]
    public void Execute_AValueSqliteRefusesToBind_LeavesTheNextRowsBoundAsGiven()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        connection.Execute("CREATE TABLE t (n INTEGER PRIMARY KEY, a, b)");
        // Text longer than this is refused when bound (SQLITE_TOOBIG), after SQLite has emptied the parameter.
        raw.sqlite3_limit(connection.Handle, raw.SQLITE_LIMIT_LENGTH, 100);
        using (var command = new BulkCommand(connection, "t", "a, b"))
        {
            command.Row[0] = "x";
            command.Row[1] = 7L;
            command.Execute();
            command.Row[0] = new string('y', 200);
            Assert.Throws<SqliteException>(() => command.Execute());
            command.Row[0] = "x";
            command.Execute();
        }

        Assert.Equal([("x", 7L), ("x", 7L)], connection.Query<(string, long)>("SELECT a, b FROM t ORDER BY n"));
    }

    /// <summary>A value as SQLite gives it back: whole numbers as 64-bit integers.</summary>
    private static object? Stored(object? value) => value is int number ? (long)number : value;
}
