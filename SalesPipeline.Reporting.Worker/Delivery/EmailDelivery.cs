using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using NodaTime;
using SalesPipeline.Abstractions;
using SalesPipeline.Reporting.Worker.Exporting;
using SalesPipeline.Reporting.Worker.Scheduling;
using SalesPipeline.Scheduling;

namespace SalesPipeline.Reporting.Worker.Delivery;

/// <summary>
/// Sends the workbook to one recipient through the configured SMTP server (MailKit): a subject naming the schedule and the
/// period, a short text and HTML body with the key figures in the schedule's culture, and the workbook attached.
/// </summary>
internal sealed class EmailDelivery(SmtpSettings? smtp, IClock clock) : IReportDelivery
{
    public const string XlsxMediaSubtype = "vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public bool Handles(string target) => target.StartsWith("mailto:", StringComparison.Ordinal);

    public async Task DeliverAsync(ScheduleDefinition schedule, PeriodDays days, string target, string workbook, ProducedReport report, CancellationToken cancellationToken)
    {
        var settings = smtp ?? throw new DeliveryException($"schedule '{schedule.Name}' e-mails reports, but no SMTP server is configured.");
        var recipient = target["mailto:".Length..];
        using var message = Compose(schedule, days, settings.From, recipient, workbook, report, clock.GetCurrentInstant());
        using var client = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
        var server = $"{settings.Host}:{settings.Port.ToString(CultureInfo.InvariantCulture)}";
        var connected = false;
        try
        {
            await client.ConnectAsync(settings.Host, settings.Port, Map(settings.Security), cancellationToken).ConfigureAwait(false);
            connected = true;
            if (settings.UserName is { } user)
            {
                await client.AuthenticateAsync(user, settings.Password ?? string.Empty, cancellationToken).ConfigureAwait(false);
            }

            await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new DeliveryException($"cannot reach the SMTP server {server} ({e.SocketErrorCode})", e);
        }
        catch (SslHandshakeException e)
        {
            // MailKit's own message is a page of advice over many lines; the failure is reported, logged and stored as one.
            throw new DeliveryException(
                $"the TLS handshake with the SMTP server {server} failed (Smtp:Security {settings.Security}): {FirstLine(e.InnerException?.Message ?? e.Message)}; check that this port speaks TLS that way and that the server's certificate is trusted",
                e);
        }
        catch (NotSupportedException e) when (!connected)
        {
            throw new DeliveryException($"the SMTP server {server} does not offer STARTTLS, which Smtp:Security {settings.Security} requires; use the server's TLS port (usually 465) with SslOnConnect", e);
        }
        catch (NotSupportedException e) when (settings.UserName is not null && !client.IsAuthenticated)
        {
            throw new DeliveryException($"the SMTP server {server} offers no login, but Smtp:UserName is set; remove Smtp:UserName and Smtp:Password for this server", e);
        }
        catch (AuthenticationException e)
        {
            throw new DeliveryException($"the SMTP server {settings.Host} refused the login of '{settings.UserName}'; check Smtp:UserName and Smtp:Password", e);
        }
        catch (SmtpCommandException e)
        {
            throw new DeliveryException($"the SMTP server {server} refused the message to {recipient}: {(int)e.StatusCode} {OneLine(e.Message)}", e);
        }
        catch (Exception e) when (e is SmtpProtocolException or ServiceNotConnectedException or IOException or NotSupportedException)
        {
            throw new DeliveryException($"sending to {recipient} through {server} failed: {FirstLine(e.Message)}", e);
        }
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim().TrimEnd('.');

    /// <summary>A server's reply over several lines (a refusal often explains itself so) on one line, each line kept.</summary>
    private static string OneLine(string text) => string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>
    /// Tells whether <paramref name="text"/> is one plain address, without a display name, that a message can be sent to
    /// or from: both .NET's parser and MimeKit's, which <see cref="Compose"/> uses, read it, so an address the
    /// configuration accepts never fails at every delivery.
    /// </summary>
    internal static bool IsAddress(string text) =>
        System.Net.Mail.MailAddress.TryCreate(text, out var address) && address.Address == text.Trim() && string.IsNullOrEmpty(address.DisplayName)
        && MailboxAddress.TryParse(text, out _);

    /// <summary>Builds the message for one recipient.</summary>
    internal static MimeMessage Compose(ScheduleDefinition schedule, PeriodDays days, string from, string recipient, string workbook, ProducedReport report, Instant sent)
    {
        var labels = Labels.For(schedule.Culture);
        var culture = labels.NumberCulture;
        var subject = string.Format(culture, labels.ScheduledSubjectFormat, schedule.Name, days.First, days.Last);
        var rows = Figures(labels, report);

        var text = new System.Text.StringBuilder().AppendLine(subject).AppendLine();
        var html = new System.Text.StringBuilder()
            .Append("<html><body><h1>").Append(WebUtility.HtmlEncode(subject)).Append("</h1>")
            .Append("<table><tr><th></th>");
        foreach (var summary in report.Summary)
        {
            html.Append("<th>").Append(WebUtility.HtmlEncode(summary.Currency)).Append("</th>");
        }

        html.Append("</tr>");
        foreach (var (label, values) in rows)
        {
            text.Append(label).Append(": ").AppendLine(string.Join("; ", values));
            html.Append("<tr><th>").Append(WebUtility.HtmlEncode(label)).Append("</th>");
            foreach (var value in values)
            {
                html.Append("<td>").Append(WebUtility.HtmlEncode(value)).Append("</td>");
            }

            html.Append("</tr>");
        }

        if (report.Summary.Count == 0)
        {
            text.AppendLine(labels.NoDeals);
            html.Append("<tr><td>").Append(WebUtility.HtmlEncode(labels.NoDeals)).Append("</td></tr>");
        }

        text.AppendLine().AppendLine(labels.WorkbookAttached);
        html.Append("</table><p>").Append(WebUtility.HtmlEncode(labels.WorkbookAttached)).Append("</p></body></html>");

        var body = new BodyBuilder { TextBody = text.ToString(), HtmlBody = html.ToString() };
        body.Attachments.Add(Path.GetFileName(workbook), File.ReadAllBytes(workbook), new ContentType("application", XlsxMediaSubtype));
        var message = new MimeMessage { Subject = subject, Body = body.ToMessageBody(), Date = sent.ToDateTimeOffset() };
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(recipient));
        return message;
    }

    private static List<(string Label, List<string> Values)> Figures(Labels labels, ProducedReport report)
    {
        var culture = labels.NumberCulture;
        string Money(decimal amount, string currency) => amount.ToString("N2", culture) + " " + currency;
        return
        [
            (labels.Won, [.. report.Summary.Select(s => s.Won.ToString("N0", culture))]),
            (labels.Lost, [.. report.Summary.Select(s => s.Lost.ToString("N0", culture))]),
            (labels.WinRateByCount, [.. report.Summary.Select(s => s.WinRateByCount is { } r ? r.ToString("P1", culture) : "—")]),
            (labels.OpenValue, [.. report.Summary.Select(s => Money(s.OpenValue, s.Currency))]),
            (labels.WeightedValue, [.. report.Summary.Select(s => Money(s.WeightedValue, s.Currency))]),
        ];
    }

    private static SecureSocketOptions Map(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };
}
