using NodaTime;
using SalesPipeline.Reporting.Worker.Cli;

// The one place the product reads the system clock; everything else receives this IClock.
return await CliApp.RunAsync(args, Console.Out, Console.Error, SystemClock.Instance).ConfigureAwait(false);
