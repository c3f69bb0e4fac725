using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using SalesPipeline.Storage.Migrations;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary><c>db migrate</c>: create or upgrade the schema.</summary>
internal static class DbCommands
{
    public static Command Create(CliContext context)
    {
        var migrate = new Command("migrate", "Create the database schema, or upgrade it to this version's. Safe to run again, and from several processes at once.");
        migrate.SetAction(async (parse, cancellationToken) =>
        {
            await using var provider = StoreAccess.Open(parse, context.Clock, create: true);
            var migrator = provider.GetRequiredService<IDatabaseMigrator>();
            var result = await migrator.MigrateAsync(cancellationToken).ConfigureAwait(false);
            await context.Output.WriteLineAsync(result.Applied
                ? $"{StoreAccess.Describe(parse)}: migrated from schema version {result.FromVersion} to {result.ToVersion}."
                : $"{StoreAccess.Describe(parse)}: already at schema version {result.ToVersion}; nothing to do.").ConfigureAwait(false);
            return CliApp.Success;
        });
        return new Command("db", "Manage the database.") { migrate };
    }
}
