using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using NodaTime.Text;
using SalesPipeline.Documents;
using SalesPipeline.Domain;
using SalesPipeline.Reporting.Worker.Exporting;

namespace SalesPipeline.Reporting.Worker.Cli;

/// <summary><c>docs add|list|get</c>: documents shared by group, acting as <c>--as USER</c>.</summary>
internal static class DocumentCommands
{
    public static Command Create(CliContext context)
    {
        var docs = new Command("docs", "Upload, list and read documents (offer templates, price lists, NDAs, contracts, offers), acting as --as USER; who may see one depends on its groups.");
        docs.Subcommands.Add(Add(context));
        docs.Subcommands.Add(List(context));
        docs.Subcommands.Add(Get(context));
        return docs;
    }

    /// <summary>Parses a document id given on the command line.</summary>
    public static DocumentId Id(string option, string text) =>
        Guid.TryParse(text?.Trim(), out var id) ? new DocumentId(id) : throw new CliInputException($"{option} '{text}' is not a document id; list the documents you may see with `docs list`.");

    /// <summary>Runs a command that needs the acting user and the document service.</summary>
    public static Task<int> RunAsync(CliContext context, ParseResult parse, Func<IDocumentService, UserId, Task> work) =>
        Acting.RunAsync(context, parse, work);

    private static Command Add(CliContext context)
    {
        var file = new Option<string>("--file") { Description = "The file to upload.", Required = true };
        var kind = new Option<string>("--kind") { Description = $"What it is: {string.Join(", ", DocumentKinds.Names)}.", Required = true };
        kind.AcceptOnlyFromAmong([.. DocumentKinds.Names]);
        var groups = new Option<string>("--groups") { Description = "The groups whose members may see it, separated by commas (such as north,south); a non-admin names only their own groups.", Required = true };
        var title = new Option<string?>("--title") { Description = "The title; the file name without its extension when left out. A title already stored adds a new version of that document." };
        var command = new Command("add", "Upload a document (at most 10 MB, or SalesPipeline:Documents:MaxSizeBytes from configuration) and print its id; the same title again adds a version, and earlier versions stay readable.") { file, kind, groups, title };
        command.SetAction((parse, cancellationToken) =>
        {
            // The files are checked before the store is opened.
            var path = CommandFiles.RequireFile("--file", parse.GetValue(file)!);
            new CommandFiles().Reads("--file", path).Database(StoreAccess.DatabaseFiles(parse), writes: true).EnsureDistinct();
            return RunAsync(context, parse, async (service, by) =>
            {
                var document = new NewDocument(
                    parse.GetValue(title) ?? Path.GetFileNameWithoutExtension(path),
                    DocumentKinds.Parse(parse.GetValue(kind)!),
                    Path.GetFileName(path),
                    parse.GetValue(groups)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
                Document stored;
                var stream = File.OpenRead(path);
                await using (stream.ConfigureAwait(false))
                {
                    stored = await service.AddAsync(document, stream, by, cancellationToken).ConfigureAwait(false);
                }

                await context.Output.WriteLineAsync(stored.Id.ToString()).ConfigureAwait(false);
            });
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var all = new Option<bool>("--all-versions") { Description = "List every version, not only the latest of each title." };
        var format = ListOutput.FormatOption();
        var command = new Command("list", "List the documents you may see (the latest version of each title), by title: id, title, version, kind, file, size, groups, who uploaded it and when.") { all, format };
        command.SetAction((parse, cancellationToken) => RunAsync(context, parse, async (service, by) =>
        {
            var documents = await service.ListAsync(by, parse.GetValue(all), cancellationToken).ConfigureAwait(false);
            await ListOutput.WriteAsync(
                context.Output,
                parse.GetValue(format)!,
                ["id", "title", "version", "kind", "file", "size", "groups", "uploaded-by", "uploaded-at"],
                [.. documents.Select(d => (IReadOnlyList<string?>)[
                    d.Id.ToString(), d.Title, d.Version.ToString(CultureInfo.InvariantCulture), DocumentKinds.Name(d.Kind), d.FileName,
                    d.Size.ToString(CultureInfo.InvariantCulture), string.Join(',', d.Groups), d.UploadedBy.Value, InstantPattern.ExtendedIso.Format(d.UploadedAt)])]).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command Get(CliContext context)
    {
        var id = new Argument<string>("ID") { Description = "The document's id (any of its versions)." };
        var version = new Option<int?>("--version") { Description = "Which version of the document's title to read, from 1; the version ID names when left out." };
        var output = new Option<string>("--out") { Description = "The file to write it to (replaced whole, never half-written); refused before the document is read when it is a folder, or its folder is missing or cannot be written.", Required = true };
        var command = new Command("get", "Read a document, check its bytes against the SHA-256 recorded when it was stored, and write it to --out.") { id, version, output };
        command.SetAction((parse, cancellationToken) =>
        {
            // The output is checked before the store is opened: a folder, a missing folder or one that cannot be written is
            // refused now, not after the document was read.
            var path = ReportOptions.CheckOutputFile(parse.GetValue(output), "--out");
            new CommandFiles().Database(StoreAccess.DatabaseFiles(parse), writes: false).Writes("--out", path).EnsureDistinct();
            return RunAsync(context, parse, async (service, by) =>
            {
                var documentId = Id("ID", parse.GetValue(id)!);
                if (parse.GetValue(version) is < 1)
                {
                    throw new CliInputException($"--version must be 1 or more, was {parse.GetValue(version)}.");
                }

                var read = parse.GetValue(version) is { } n
                    ? await service.GetVersionAsync(documentId, n, by, cancellationToken).ConfigureAwait(false)
                    : await service.GetAsync(documentId, by, cancellationToken).ConfigureAwait(false);
                AtomicFile.Write(path, stream => stream.Write(read.Content.Span), cancellationToken);
                await context.Output.WriteLineAsync(
                    $"Wrote '{read.Document.Title}' version {read.Document.Version} ({read.Document.Size} bytes, SHA-256 {read.Document.Sha256}) to {Path.GetFullPath(path)}.").ConfigureAwait(false);
            });
        });
        return command;
    }
}
