using System.Buffers;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Storage;

namespace SalesPipeline.Tests.Worker.Delivery;

/// <summary>A real SMTP server on 127.0.0.1 (the SmtpServer package) that keeps every message it accepts.</summary>
internal sealed class LoopbackSmtpServer : IAsyncDisposable
{
    private readonly Store _store = new();
    private CancellationTokenSource? _stop;
    private Task? _running;

    public int Port { get; } = FreePort();

    /// <summary>Gets each accepted message with the envelope recipients it was sent to.</summary>
    public IReadOnlyList<(IReadOnlyList<string> Recipients, MimeMessage Message)> Messages
    {
        get
        {
            lock (_store.Received)
            {
                return [.. _store.Received];
            }
        }
    }

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async Task StartAsync()
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(_store);
        _stop = new CancellationTokenSource();
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);

        // Listening once a connection is accepted.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"The test SMTP server did not start on port {Port}.");
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop is not null)
        {
            await _stop.CancelAsync();
            try
            {
                await _running!;
            }
            catch (OperationCanceledException)
            {
            }

            _stop.Dispose();
        }
    }

    private sealed class Store : MessageStore
    {
        public List<(IReadOnlyList<string>, MimeMessage)> Received { get; } = [];

        public override async Task<SmtpServer.Protocol.SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            lock (Received)
            {
                Received.Add(([.. transaction.To.Select(m => $"{m.User}@{m.Host}")], message));
            }

            return SmtpServer.Protocol.SmtpResponse.Ok;
        }
    }
}
