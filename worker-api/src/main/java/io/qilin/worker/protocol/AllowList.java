package io.qilin.worker.protocol;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The peers a setting such as {@code --forwarded-allow-ips} or {@code --proxy-allow-from} trusts:
 * comma-separated addresses ({@code 127.0.0.1}, {@code ::1}), networks ({@code 10.0.0.0/8},
 * {@code fd00::/8}) or {@code *} for any. Literals only: no entry is looked up in DNS.
 */
public final class AllowList {
    private final List<byte[]> networks = new ArrayList<>();
    private final List<Integer> prefixes = new ArrayList<>();
    private final boolean any;

    private AllowList(String list) {
        boolean star = false;
        for (String entry : entries(list)) {
            if (entry.equals("*")) {
                star = true;
                continue;
            }
            if (!isNetwork(entry)) {
                continue; // a bad entry trusts nobody (the master refuses one); a name is never looked up
            }
            try {
                int slash = entry.indexOf('/');
                byte[] address = InetAddress.getByName(slash < 0 ? entry : entry.substring(0, slash)).getAddress();
                int prefix = slash < 0 ? address.length * 8 : Integer.parseInt(entry.substring(slash + 1));
                if (prefix < 0 || prefix > address.length * 8) {
                    continue;
                }
                networks.add(address);
                prefixes.add(prefix);
            } catch (UnknownHostException | RuntimeException e) {
                // as a bad entry
            }
        }
        this.any = star;
    }

    public static AllowList of(String list) {
        return new AllowList(list == null ? "" : list);
    }

    /**
     * The first entry that is neither {@code *}, an IP address nor an address with a prefix length
     * that fits it; null when all are. Checks literals only: no entry is looked up in DNS.
     */
    public static String invalidEntry(String list) {
        for (String entry : entries(list)) {
            if (!entry.equals("*") && !isNetwork(entry)) {
                return entry;
            }
        }
        return null;
    }

    /** True when {@code peer} is on the list; a null peer (a unix socket's) always is, as in Gunicorn. */
    public boolean allows(InetAddress peer) {
        if (any || peer == null) {
            return true;
        }
        byte[] address = peer.getAddress();
        for (int i = 0; i < networks.size(); i++) {
            if (matches(networks.get(i), prefixes.get(i), address)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(byte[] network, int prefix, byte[] address) {
        if (network.length != address.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (network[i] != address[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest);
        return (network[full] & mask) == (address[full] & mask);
    }

    private static boolean isNetwork(String entry) {
        int slash = entry.indexOf('/');
        String address = slash < 0 ? entry : entry.substring(0, slash);
        boolean v4 = address.matches("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");
        boolean v6 = address.contains(":") && address.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            return false;
        }
        try {
            int bits = InetAddress.getByName(address).getAddress().length * 8; // a literal: no lookup
            return slash < 0 || (entry.substring(slash + 1).matches("\\d{1,3}")
                    && Integer.parseInt(entry.substring(slash + 1)) <= bits);
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static List<String> entries(String list) {
        List<String> out = new ArrayList<>();
        for (String s : list.split(",")) {
            if (!s.trim().isEmpty()) {
                out.add(s.trim());
            }
        }
        return out;
    }
}
