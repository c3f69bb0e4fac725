using SalesPipeline.Storage;
using SalesPipeline.Storage.Migrations;
using Xunit;

namespace SalesPipeline.Tests.Storage.Migrations;

public sealed class MigrationScriptsTests
{
    private static readonly string[] PeopleAndLeadTables = ["people", "leads", "lead_history"];

    [Theory]
    [InlineData(MigrationScripts.Sqlite)]
    [InlineData(MigrationScripts.Postgres)]
    public void Pending_ScriptMissingBelowTheHighestRecorded_IsStillAppliedInNumberOrder(string provider)
    {
        var all = MigrationScripts.For(provider).Select(s => s.Version).ToList();

        // A database migrated by a version that had script 5 but not yet an earlier one gets the earlier one later.
        var applied = all.Where(v => v != 3).ToList();
        Assert.Equal([3], MigrationScripts.Pending(provider, applied, "db").Select(s => s.Version));
        Assert.Equal(all, MigrationScripts.Pending(provider, [], "db").Select(s => s.Version));
        Assert.Empty(MigrationScripts.Pending(provider, all, "db"));
        Assert.Contains(5, all);
        Assert.Equal(all.Order(), all);
    }

    [Fact]
    public void Pending_VersionThisApplicationDoesNotKnow_IsRefusedAsNewer()
    {
        var applied = MigrationScripts.For(MigrationScripts.Sqlite).Select(s => s.Version).Append(99).ToList();

        var e = Assert.Throws<SchemaVersionException>(() => MigrationScripts.Pending(MigrationScripts.Sqlite, applied, "crm.db"));

        Assert.Equal(99, e.DatabaseVersion);
    }

    [Fact]
    public void Tables_EachProvider_AreEveryTableTheScriptsCreateAndTheSameOnBoth()
    {
        string[] expected =
        [
            "accounts", "activities", "contacts", "documents", "lead_history", "leads", "offers", "opportunities", "people",
            "pipeline_definitions", "schedule_deliveries", "schedule_runs", "stage_changes",
        ];

        Assert.Equal(expected, MigrationScripts.Tables(MigrationScripts.Sqlite));
        Assert.Equal(expected, MigrationScripts.Tables(MigrationScripts.Postgres));
    }

    [Theory]
    [InlineData(MigrationScripts.Sqlite)]
    [InlineData(MigrationScripts.Postgres)]
    public void PeopleAndLeadsScript_UsesOnlyItsOwnTables(string provider)
    {
        var sql = MigrationScripts.For(provider).Single(s => s.Version == 5).Sql;

        // It must not depend on tables another script of the same release adds.
        var referenced = System.Text.RegularExpressions.Regex.Matches(sql, @"(?:TABLE|REFERENCES|ON)\s+(\w+)\s*\(").Select(m => m.Groups[1].Value).Distinct();
        Assert.All(referenced, t => Assert.Contains(t, PeopleAndLeadTables));
    }
}
