using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ClosedXML.Excel;
using Microsoft.Data.Sqlite;
using MimeKit;
using SalesPipeline.Reporting.Worker.Exporting;
using SalesPipeline.Tests.Worker.Cli;
using Xunit;

namespace SalesPipeline.Tests.Worker.Delivery;

/// <summary><c>run --once</c> e-mailing a schedule's workbook through a real SMTP server on loopback.</summary>
public sealed class EmailDeliveryTests : IAsyncLifetime, IAsyncDisposable
{
    private const string Now = "2026-11-01T05:30:00Z";
    private const string FileName = "monthly-board_2026-10-01_2026-10-31.xlsx";
    private static readonly string[] Recipients = ["ceo@example.com", "cfo@example.com"];

    private readonly string _folder = Directory.CreateTempSubdirectory("salespipeline-email-").FullName;
    private readonly LoopbackSmtpServer _smtp = new();

    private string Database => Path.Combine(_folder, "crm.db");

    private string Reports => Path.Combine(_folder, "board");

    public async Task InitializeAsync()
    {
        var demo = await CliRunner.RunAsync("--db", Database, "demo", "--deals", "300", "--seed", "3", "--out", Path.Combine(_folder, "demo"));
        Assert.True(demo.ExitCode == 0, demo.ToString());
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await _smtp.DisposeAsync();

    public async Task DisposeAsync()
    {
        await _smtp.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task RunOnce_SmtpServerUp_EachRecipientGetsOneMessageWithFiguresAndTheWorkbook()
    {
        await _smtp.StartAsync();

        var result = await RunOnceAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(Recipients.Order(), _smtp.Messages.SelectMany(m => m.Recipients).Order());

        // Dated by the clock the command was given (the real one behind --now, which only shifts the schedules' time).
        Assert.All(_smtp.Messages, m => Assert.Equal(CliRunner.Now.ToDateTimeOffset(), m.Message.Date));
        using var workbook = new XLWorkbook(Path.Combine(Reports, FileName));
        var summary = workbook.Worksheet("Summary");
        var currency = FindRow(summary, Labels.Polish.KeyFigures).Cell(2).GetString();
        var pl = CultureInfo.GetCultureInfo("pl-PL");
        var won = (long)Figure(summary, Labels.Polish.Won);
        var lost = (long)Figure(summary, Labels.Polish.Lost);
        Assert.True(won + lost > 0, "the demo period should have closed deals");
        var labels = Labels.Polish;
        (string Label, string Value)[] figures =
        [
            (labels.Won, won.ToString("N0", pl)),
            (labels.Lost, lost.ToString("N0", pl)),
            (labels.WinRateByCount, ((decimal)won / (won + lost)).ToString("P1", pl)),
            (labels.OpenValue, $"{((decimal)Figure(summary, labels.OpenValue)).ToString("N2", pl)} {currency}"),
            (labels.WeightedValue, $"{((decimal)Figure(summary, labels.WeightedValue)).ToString("N2", pl)} {currency}"),
        ];

        foreach (var (recipients, message) in _smtp.Messages)
        {
            Assert.Equal([.. message.To.Mailboxes.Select(m => m.Address)], recipients);
            Assert.Equal("reports@example.com", message.From.Mailboxes.Single().Address);
            Assert.Equal("monthly-board: raport sprzedaży 2026-10-01 – 2026-10-31", message.Subject);
            Assert.All(figures, f => Assert.Contains($"{f.Label}: {f.Value}", message.TextBody, StringComparison.Ordinal));
            Assert.All(figures, f => Assert.Contains($"<th>{Html(f.Label)}</th><td>{Html(f.Value)}</td>", message.HtmlBody, StringComparison.Ordinal));
            var attachment = Assert.IsType<MimePart>(Assert.Single(message.Attachments));
            Assert.Equal(FileName, attachment.FileName);
            Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", attachment.ContentType.MimeType);
            using var content = new MemoryStream();
            await attachment.Content!.DecodeToAsync(content);
            content.Position = 0;
            using var attached = new XLWorkbook(content);
            Assert.Equal(won, (long)Figure(attached.Worksheet("Summary"), Labels.Polish.Won));
            Assert.Equal(summary.Cell("A1").GetString(), attached.Worksheet("Summary").Cell("A1").GetString());
        }
    }

    [Fact]
    public async Task RunOnce_SmtpServerDownThenUp_RecordsTheFailureExitsOneThenSendsExactlyOnce()
    {
        var down = await RunOnceAsync();

        Assert.True(down.ExitCode == 1, down.ToString());
        foreach (var recipient in Recipients)
        {
            Assert.Contains($"to mailto:{recipient} failed (cannot reach the SMTP server 127.0.0.1:{_smtp.Port}", down.Error, StringComparison.Ordinal);
        }

        Assert.Contains("it will be retried", down.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Reports, FileName)), "the folder delivery does not depend on the e-mail");
        Assert.Equal(
            [("folder", true, 0L, false), ("mailto:ceo@example.com", false, 1L, true), ("mailto:cfo@example.com", false, 1L, true)],
            Deliveries());

        var listed = await CliRunner.RunAsync("--db", Database, "schedules", "--config", Path.Combine(_folder, "schedules.json"), "--format", "csv");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var row = listed.Output.Split(Environment.NewLine)[1];
        Assert.StartsWith("monthly-board,PreviousMonth,2026-10-01_2026-10-31,none,2026-10-01_2026-10-31 mailto:ceo@example.com (1 attempts: cannot reach the SMTP server", row, StringComparison.Ordinal);
        Assert.EndsWith(",2026-12-01T06:00:00+01 Europe/Warsaw,2026-12-01T05:00:00Z", row, StringComparison.Ordinal);

        await _smtp.StartAsync();
        var up = await RunOnceAsync();
        var again = await RunOnceAsync();

        Assert.True(up.ExitCode == 0, up.ToString());
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(Recipients.Order(), _smtp.Messages.SelectMany(m => m.Recipients).Order());
        Assert.Equal(
            [("folder", true, 0L, false), ("mailto:ceo@example.com", true, 1L, false), ("mailto:cfo@example.com", true, 1L, false)],
            Deliveries());
    }

    [Theory]
    [InlineData("StartTls", null, "the SMTP server 127.0.0.1:{0} does not offer STARTTLS, which Smtp:Security StartTls requires")]
    [InlineData("SslOnConnect", null, "the TLS handshake with the SMTP server 127.0.0.1:{0} failed (Smtp:Security SslOnConnect)")]
    [InlineData("None", "reports", "the SMTP server 127.0.0.1:{0} offers no login, but Smtp:UserName is set")]
    public async Task RunOnce_ServerWithoutWhatTheSettingsAskFor_EachFailureIsOneLineNamingTheServerAndTheKey(string security, string? user, string expected)
    {
        await _smtp.StartAsync();

        var result = await RunOnceAsync(security, user);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Empty(_smtp.Messages);
        var failures = result.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("info:", StringComparison.Ordinal)).ToList();
        Assert.Equal(Recipients.Length, failures.Count);
        Assert.All(failures, f => Assert.StartsWith("failed: delivery of monthly-board 2026-10-01_2026-10-31 to mailto:", f, StringComparison.Ordinal));
        Assert.All(failures, f => Assert.Contains(string.Format(CultureInfo.InvariantCulture, expected, _smtp.Port), f, StringComparison.Ordinal));
        Assert.All(failures, f => Assert.DoesNotContain("unexpected failure", f, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunOnce_ServerRefusingOverSeveralLines_EachFailureIsOneLineKeepingEveryLineOfTheReason()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        var serving = RefuseEveryRecipientAsync(listener, stop.Token);

        var result = await RunOnceAsync(port: port);
        await stop.CancelAsync();
        await serving;

        Assert.True(result.ExitCode == 1, result.ToString());
        var failures = result.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("info:", StringComparison.Ordinal)).ToList();
        Assert.True(Recipients.Length == failures.Count, result.Error);
        Assert.All(failures, f => Assert.Contains($"the SMTP server 127.0.0.1:{port} refused the message to ", f, StringComparison.Ordinal));
        Assert.True(failures.All(f => f.Contains(": 550 5.7.26 This mail has been blocked. 5.7.26 The sender is not authenticated. 5.7.26 See the postmaster's page.", StringComparison.Ordinal)), result.Error);
    }

    /// <summary>A bare SMTP server that refuses every recipient with a reply of three lines, as large providers do.</summary>
    private static async Task RefuseEveryRecipientAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(cancellationToken);
                using var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 localhost ready");
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                    if (verb == "QUIT")
                    {
                        await writer.WriteLineAsync("221 bye");
                        break;
                    }

                    await writer.WriteLineAsync(verb switch
                    {
                        "EHLO" => "250 localhost",
                        "RCPT" => "550-5.7.26 This mail has been blocked.\r\n550-5.7.26 The sender is not authenticated.\r\n550 5.7.26 See the postmaster's page.",
                        _ => "250 OK",
                    });
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<CliResult> RunOnceAsync(string security = "None", string? user = null, int? port = null)
    {
        var config = new JsonObject
        {
            ["SalesPipeline"] = new JsonObject
            {
                ["Smtp"] = new JsonObject { ["Host"] = "127.0.0.1", ["Port"] = port ?? _smtp.Port, ["Security"] = security, ["UserName"] = user, ["Password"] = user is null ? null : "secret", ["From"] = "reports@example.com" },
                ["Schedules"] = new JsonArray(new JsonObject
                {
                    ["Name"] = "monthly-board",
                    ["Cron"] = "0 6 1 * *",
                    ["TimeZone"] = "Europe/Warsaw",
                    ["Period"] = "PreviousMonth",
                    ["Culture"] = "pl",
                    ["Folder"] = Reports,
                    ["Email"] = new JsonArray([.. Recipients.Select(r => (JsonNode)r)]),
                }),
            },
        };
        var file = Path.Combine(_folder, "schedules.json");
        await File.WriteAllTextAsync(file, config.ToJsonString());
        return await CliRunner.RunAsync("--db", Database, "run", "--once", "--now", Now, "--config", file);
    }

    private List<(string Target, bool Delivered, long Attempts, bool HasError)> Deliveries()
    {
        using var connection = new SqliteConnection($"Data Source={Database}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT target, delivered_at IS NOT NULL, attempts, last_error IS NOT NULL FROM schedule_deliveries ORDER BY target";
        using var reader = command.ExecuteReader();
        var rows = new List<(string, bool, long, bool)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetBoolean(1), reader.GetInt64(2), reader.GetBoolean(3)));
        }

        return rows;
    }

    private static string Html(string text) => System.Net.WebUtility.HtmlEncode(text);

    private static IXLRow FindRow(IXLWorksheet sheet, string label) =>
        sheet.RowsUsed().First(r => r.Cell(1).GetString() == label);

    private static double Figure(IXLWorksheet sheet, string label) => FindRow(sheet, label).Cell(2).GetDouble();
}
