package jp.sekisho.gateway;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jp.sekisho.gateway.config.GatewayConfig;
import jp.sekisho.gateway.edge.Cidr;

/** The ports the gateway binds for listeners configured with port 0 (tests, the demo). */
final class FreePorts {

    private FreePorts() {}

    /**
     * An ephemeral port free now for each listener configured with port 0, by name. Every probe stays
     * bound until all are chosen: closed one by one, two listeners on one address could be given the
     * same port, and the second bind would fail ("Address already in use").
     */
    static Map<String, Integer> choose(List<GatewayConfig.Listener> listeners) {
        Map<String, Integer> chosen = new HashMap<>();
        List<ServerSocket> probes = new ArrayList<>();
        try {
            for (GatewayConfig.Listener l : listeners) {
                if (l.port() != 0) {
                    continue;
                }
                ServerSocket s = new ServerSocket();
                probes.add(s);
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getByAddress(Cidr.parseAddress(l.bind())), 0));
                chosen.put(l.name(), s.getLocalPort());
            }
            return chosen;
        } catch (IOException e) {
            throw new IllegalStateException("cannot find a free port: " + e.getMessage(), e);
        } finally {
            for (ServerSocket s : probes) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // a probe that will not close leaves its port taken: that listener's bind says so
                }
            }
        }
    }
}
