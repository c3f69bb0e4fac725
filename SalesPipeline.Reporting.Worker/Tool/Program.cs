using NodaTime;
using SalesPipeline.Reporting.Worker;

// The one place the product reads the system clock; everything else receives this IClock.
return await SalesPipelineCommandLine.RunAsync(args, Console.Out, Console.Error, SystemClock.Instance).ConfigureAwait(false);
