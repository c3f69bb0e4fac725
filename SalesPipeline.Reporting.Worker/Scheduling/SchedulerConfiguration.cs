using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using NodaTime;
using SalesPipeline.Domain;
using SalesPipeline.Process;
using SalesPipeline.Reporting.Worker.Cli;
using SalesPipeline.Reporting.Worker.Delivery;
using SalesPipeline.Reporting.Worker.Exporting;
using SalesPipeline.Scheduling;

namespace SalesPipeline.Reporting.Worker.Scheduling;

/// <summary>
/// Reads the <c>SalesPipeline</c> section — <c>appsettings.json</c> in the working folder, then <c>--config FILE</c>, then
/// environment variables <c>SALESPIPELINE__…</c> — and validates it as a whole: every problem is reported at once, each
/// naming the schedule and the key.
/// </summary>
internal static partial class SchedulerConfiguration
{
    public const string Section = "SalesPipeline";
    public const int DefaultLookBack = 3;
    public const int DefaultSmtpPort = 25;

    private static readonly string[] ScheduleKeys =
        ["Name", "Cron", "TimeZone", "Period", "Kinds", "Pipeline", "Owner", "Culture", "Folder", "Email", "LookBack", "SkipWhenEmpty"];

    private static readonly string[] DatabaseKeys = ["Provider", "ConnectionString"];

    private static readonly string[] SmtpKeys = ["Host", "Port", "Security", "UserName", "Password", "From"];

    /// <summary>Builds the layered configuration.</summary>
    /// <exception cref="CliInputException">The <c>--config</c> file is missing or not JSON.</exception>
    public static IConfigurationRoot Build(string? configFile, string workingFolder)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(workingFolder, "appsettings.json"), optional: true, reloadOnChange: false);
        if (configFile is not null)
        {
            var full = Path.GetFullPath(configFile, workingFolder);
            if (!File.Exists(full))
            {
                throw new CliInputException($"--config '{configFile}' does not exist ({full}).");
            }

            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables();
        try
        {
            return builder.Build();
        }
        catch (InvalidDataException e)
        {
            throw new CliInputException($"The configuration is not valid JSON: {e.Message}");
        }
        catch (FormatException e)
        {
            throw new CliInputException($"The configuration is not valid JSON: {e.Message}");
        }
    }

    /// <summary>Reads and validates the section; <paramref name="problems"/> lists every fault found.</summary>
    public static SchedulerSettings Read(IConfiguration configuration, string workingFolder, List<string> problems)
    {
        var root = configuration.GetSection(Section);
        var database = root.GetSection("Database");
        Unknown(database, DatabaseKeys, $"{Section}:Database", problems);
        var provider = database["Provider"];
        if (provider is not null && provider is not ("sqlite" or "postgres"))
        {
            problems.Add($"{Section}:Database:Provider '{provider}' is not known; use sqlite or postgres.");
        }

        var smtp = ReadSmtp(root.GetSection("Smtp"), problems);
        var schedules = new List<ScheduleDefinition>();
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var children = root.GetSection("Schedules").GetChildren().ToList();
        if (children.Count == 0)
        {
            problems.Add($"{Section}:Schedules is empty: configure at least one schedule (see the README, \"Scheduled reports\").");
        }

        foreach (var child in children)
        {
            if (ReadSchedule(child, smtp, workingFolder, problems) is { } schedule)
            {
                if (names.TryGetValue(schedule.Name, out var first))
                {
                    problems.Add($"schedule '{schedule.Name}' ({child.Path}): Name is used by {first} too; schedule names must be unique (ignoring case).");
                }
                else
                {
                    names.Add(schedule.Name, child.Path);
                }

                schedules.Add(schedule);
            }
        }

        return new SchedulerSettings(new DatabaseSettings(provider, database["ConnectionString"]), smtp, schedules);
    }

    /// <summary>Checks that each schedule's pipeline is known.</summary>
    public static void CheckPipelines(IEnumerable<ScheduleDefinition> schedules, PipelineCatalog catalog, List<string> problems)
    {
        foreach (var schedule in schedules.Where(s => s.Pipeline is not null && catalog.All.All(p => p.Id.Value != s.Pipeline)))
        {
            problems.Add($"schedule '{schedule.Name}': Pipeline '{schedule.Pipeline}' is not known; pipelines: {string.Join(", ", catalog.All.Select(p => p.Id))}.");
        }
    }

    /// <summary>
    /// Checks that each schedule's Folder is a folder or can be created as one: a file standing there, or where one of the
    /// folders above it should be, would fail every delivery to it.
    /// </summary>
    public static void CheckFolders(IEnumerable<ScheduleDefinition> schedules, List<string> problems)
    {
        foreach (var schedule in schedules.Where(s => s.Folder is not null))
        {
            for (var at = schedule.Folder; at is not null && !Directory.Exists(at); at = Path.GetDirectoryName(at))
            {
                if (File.Exists(at))
                {
                    problems.Add($"schedule '{schedule.Name}': Folder '{schedule.Folder}' cannot hold the reports: '{at}' is a file, not a folder.");
                    break;
                }
            }
        }
    }

    private static SmtpSettings? ReadSmtp(IConfigurationSection section, List<string> problems)
    {
        if (!section.GetChildren().Any())
        {
            return null;
        }

        var where = $"{Section}:Smtp";
        Unknown(section, SmtpKeys, where, problems);
        var host = Empty(section["Host"]);
        if (host is null)
        {
            problems.Add($"{where}:Host is missing: name the SMTP server, for example \"smtp.example.com\".");
        }
        else if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            // A URL or host:port reaches no server: every e-mail would fail at its delivery, retried for ever.
            problems.Add($"{where}:Host '{host}' is not a host name or address: give the server alone, for example \"smtp.example.com\", and its port in Smtp:Port.");
        }

        var port = DefaultSmtpPort;
        if (section["Port"] is { } portText && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            problems.Add($"{where}:Port '{portText}' is not a port number (1-65535).");
        }

        var security = SmtpSecurity.Auto;
        if (section["Security"] is { } securityText && !TryName(securityText, out security))
        {
            problems.Add($"{where}:Security '{securityText}' is not known; use None, StartTls, SslOnConnect or Auto.");
        }

        var from = section["From"];
        if (string.IsNullOrWhiteSpace(from))
        {
            problems.Add($"{where}:From is missing: the address reports are sent from, for example \"reports@example.com\".");
        }
        else if (!EmailDelivery.IsAddress(from))
        {
            problems.Add($"{where}:From '{from}' is not an e-mail address.");
        }

        // A login takes both: a password alone would be ignored (mail sent without logging in), a user name alone tried
        // with an empty password.
        var userName = Empty(section["UserName"]);
        var password = Empty(section["Password"]);
        if (password is not null && userName is null)
        {
            problems.Add($"{where}:Password is set but {where}:UserName is not, so no login would be tried: give the login's user name in Smtp:UserName, or remove Smtp:Password for a server that takes mail without a login.");
        }
        else if (userName is not null && password is null)
        {
            problems.Add($"{where}:UserName '{userName}' is set but {where}:Password is not, so the login would be tried with an empty password: give the password in Smtp:Password (such as the SALESPIPELINE__SMTP__PASSWORD environment variable), or remove Smtp:UserName for a server that takes mail without a login.");
        }

        return new SmtpSettings(host ?? string.Empty, port, security, userName, password, from ?? string.Empty);
    }

    private static ScheduleDefinition? ReadSchedule(IConfigurationSection section, SmtpSettings? smtp, string workingFolder, List<string> problems)
    {
        var name = section["Name"];
        var where = string.IsNullOrWhiteSpace(name) ? $"schedule {section.Key} ({section.Path})" : $"schedule '{name}' ({section.Path})";
        var count = problems.Count;
        void Problem(string key, string message) => problems.Add($"{where}: {key} {message}");

        Unknown(section, ScheduleKeys, where + ":", problems);
        if (string.IsNullOrWhiteSpace(name))
        {
            Problem("Name", "is missing: give every schedule a name (letters, digits, '-' and '_').");
        }
        else if (!NamePattern().IsMatch(name))
        {
            Problem("Name", $"'{name}' may hold only letters, digits, '-' and '_' (at most 100): it starts the report's file name.");
        }

        var zoneId = section["TimeZone"] ?? "UTC";
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId);
        if (zone is null)
        {
            Problem("TimeZone", $"'{zoneId}' is not an IANA time zone; use for example Europe/Warsaw or America/New_York.");
        }

        CronSchedule? cron = null;
        var cronText = section["Cron"];
        if (string.IsNullOrWhiteSpace(cronText))
        {
            Problem("Cron", "is missing: a cron expression such as \"0 6 1 * *\" (06:00 on the 1st of each month).");
        }
        else if (zone is not null)
        {
            try
            {
                cron = CronSchedule.Parse(cronText, zone);
            }
            catch (FormatException e)
            {
                Problem("Cron", e.Message);
            }
        }

        var period = ReportPeriod.PreviousWeek;
        var periodText = section["Period"];
        if (periodText is null)
        {
            Problem("Period", $"is missing; use one of {string.Join(", ", Enum.GetNames<ReportPeriod>())}.");
        }
        else if (!TryName(periodText, out period))
        {
            Problem("Period", $"'{periodText}' is not known; use one of {string.Join(", ", Enum.GetNames<ReportPeriod>())}.");
        }

        var kind = ReadKinds(section.GetSection("Kinds"), Problem);
        var culture = section["Culture"] ?? "en";
        if (!IsCulture(culture))
        {
            Problem("Culture", $"'{culture}' is not supported; use en or pl.");
        }

        var folder = Empty(section["Folder"]);
        if (folder is not null)
        {
            try
            {
                folder = Path.GetFullPath(folder, workingFolder);
            }
            catch (ArgumentException)
            {
                Problem("Folder", $"'{folder}' is not a folder path.");
            }
        }

        var email = Values(section.GetSection("Email"), "recipient", "ceo@example.com", Problem);
        foreach (var address in email.Where(a => !EmailDelivery.IsAddress(a)))
        {
            Problem("Email", $"'{address}' is not an e-mail address.");
        }

        foreach (var twice in email.GroupBy(a => a.Trim(), StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            Problem("Email", $"'{twice.Key}' is listed {twice.Count()} times; list each recipient once (addresses are compared ignoring case).");
        }

        if (email.Count > 0 && smtp is null)
        {
            Problem("Email", $"needs an SMTP server, but {Section}:Smtp is not configured (Host, Port, Security, From).");
        }

        if (folder is null && email.Count == 0)
        {
            Problem("Folder/Email", "are both missing: give the schedule a Folder, an Email list, or both, or its reports go nowhere.");
        }

        var lookBack = DefaultLookBack;
        if (section["LookBack"] is { } lookBackText && (!int.TryParse(lookBackText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out lookBack) || lookBack < 0))
        {
            Problem("LookBack", $"'{lookBackText}' must be a whole number, 0 or more.");
        }

        var skip = false;
        if (section["SkipWhenEmpty"] is { } skipText && !bool.TryParse(skipText, out skip))
        {
            Problem("SkipWhenEmpty", $"'{skipText}' must be true or false.");
        }

        var owner = Empty(section["Owner"]);
        return problems.Count > count || cron is null || name is null
            ? null
            : new ScheduleDefinition(name, cron, period, kind, Empty(section["Pipeline"]), owner is null ? null : new UserId(owner), culture, folder, email, lookBack, skip);
    }

    private static ReportKind ReadKinds(IConfigurationSection section, Action<string, string> problem)
    {
        var values = Values(section, "kind", "funnel", problem);
        if (values.Count == 0)
        {
            return ReportKind.All;
        }

        ReportKind kind = 0;
        foreach (var value in values)
        {
            switch (value.ToLowerInvariant())
            {
                case "all": kind |= ReportKind.All; break;
                case "funnel": kind |= ReportKind.Funnel; break;
                case "winloss": kind |= ReportKind.WinLoss; break;
                case "forecast": kind |= ReportKind.Forecast; break;
                case "leads": kind |= ReportKind.Leads; break;
                case "agenda": kind |= ReportKind.Agenda; break;
                default: problem("Kinds", $"'{value}' is not known; use all, funnel, winloss, forecast, leads or agenda."); break;
            }
        }

        return kind == 0 ? ReportKind.All : kind;
    }

    /// <summary>
    /// Reads one of <typeparamref name="T"/>'s names, ignoring case. Not <see cref="Enum.TryParse{TEnum}(string, bool, out TEnum)"/>:
    /// it also takes a number, and names joined by commas, which it combines into another member ("PreviousWeek,
    /// PreviousMonth" is PreviousQuarter) or into none at all.
    /// </summary>
    private static bool TryName<T>(string text, out T value)
        where T : struct, Enum
    {
        var name = Enum.GetNames<T>().FirstOrDefault(n => n.Equals(text.Trim(), StringComparison.OrdinalIgnoreCase));
        value = name is null ? default : Enum.Parse<T>(name);
        return name is not null;
    }

    /// <summary>Reads a list of strings (or one string); an item that is itself a list or an object is a problem, not left out.</summary>
    private static List<string> Values(IConfigurationSection section, string noun, string example, Action<string, string> problem)
    {
        if (section.Value is { Length: > 0 } single)
        {
            return [single];
        }

        var values = new List<string>();
        foreach (var child in section.GetChildren())
        {
            if (child.Value is { } value)
            {
                if (value.Length > 0)
                {
                    values.Add(value);
                }
            }
            else if (child.GetChildren().Any())
            {
                problem(section.Key, $"item {child.Key} is a list or an object, not text: write each {noun} as a string, for example \"{example}\".");
            }
        }

        return values;
    }

    private static void Unknown(IConfigurationSection section, string[] known, string where, List<string> problems)
    {
        foreach (var child in section.GetChildren().Where(c => !known.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
        {
            problems.Add($"{where} '{child.Key}' is not a known key; the keys are {string.Join(", ", known)}.");
        }
    }

    private static bool IsCulture(string culture)
    {
        try
        {
            _ = Labels.For(culture);
            _ = CultureInfo.GetCultureInfo(culture);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or CultureNotFoundException)
        {
            return false;
        }
    }

    private static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,100}\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
