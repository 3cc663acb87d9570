package dev.fanout.hazelcast.fault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback to one port, whose link a test can break: {@link #cut()} closes every open connection and
 * closes each new one as soon as it is accepted, until {@link #restore()}. Each proxied connection has two copying
 * threads; when either side closes or fails, both sockets are closed, as a broken network link would leave them.
 */
final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final Thread acceptor;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();

    // guarded by this: a connection accepted while cut() runs is either closed by cut() or refused, never kept
    private final List<Socket> open = new ArrayList<>();
    private boolean cut;
    private boolean closed;

    private TcpProxy(ServerSocket server, int targetPort) {
        this.server = server;
        this.targetPort = targetPort;
        this.acceptor = new Thread(this::accept, "proxy-" + server.getLocalPort() + "-accept");
        this.acceptor.setDaemon(true);
    }

    /** Listens on a free loopback port and forwards each connection to {@code 127.0.0.1:targetPort}. */
    static TcpProxy start(int targetPort) {
        try {
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            TcpProxy proxy = new TcpProxy(server, targetPort);
            proxy.acceptor.start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections forwarded so far. */
    int accepted() {
        return accepted.get();
    }

    /** Connections closed at once because the link was cut: the attempts of a client to reconnect. */
    int refused() {
        return refused.get();
    }

    /** Breaks the link: closes every open connection, both ends, and refuses new ones until {@link #restore()}. */
    void cut() {
        List<Socket> toClose;
        synchronized (this) {
            cut = true;
            toClose = new ArrayList<>(open);
            open.clear();
        }
        toClose.forEach(TcpProxy::closeQuietly);
    }

    /** Mends the link: new connections are forwarded again. */
    synchronized void restore() {
        cut = false;
    }

    private void accept() {
        while (true) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            synchronized (this) {
                if (cut || closed) {
                    refused.incrementAndGet();
                    closeQuietly(client);
                    continue;
                }
            }
            Socket member;
            try {
                member = new Socket();
                member.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
                client.setTcpNoDelay(true);
                member.setTcpNoDelay(true);
            } catch (IOException e) {
                closeQuietly(client);
                continue;
            }
            synchronized (this) {
                if (cut || closed) {
                    refused.incrementAndGet();
                    closeQuietly(client);
                    closeQuietly(member);
                    continue;
                }
                open.add(client);
                open.add(member);
            }
            accepted.incrementAndGet();
            copy(client, member, "up");
            copy(member, client, "down");
        }
    }

    private void copy(Socket from, Socket to, String direction) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[64 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        for (int n; (n = in.read(buffer)) >= 0; ) {
                            out.write(buffer, 0, n);
                        }
                    } catch (IOException e) {
                        // the link broke, or was cut: close both ends below
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                        synchronized (this) {
                            open.remove(from);
                            open.remove(to);
                        }
                    }
                },
                "proxy-" + port() + "-" + direction);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        cut();
        try {
            server.close();
            acceptor.join(5_000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
