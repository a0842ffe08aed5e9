package io.qilin.arbiter.settings;

import io.qilin.arbiter.listen.BindAddress;
import io.qilin.arbiter.posix.Accounts;
import io.qilin.arbiter.posix.LibC;
import io.qilin.arbiter.tls.TlsMaterial;
import io.qilin.worker.Tls;
import io.qilin.worker.AccessLog;
import java.io.IOException;
import java.io.InputStream;
import io.qilin.logging.SyslogAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checks a value's own parser cannot make: addresses, files, hosts, formats, settings that go
 * together. Each failure is one {@code Invalid value for NAME from SOURCE: VALUE (why)}; what is
 * allowed but suspicious becomes a warning.
 */
final class SettingsValidator {
    /** A Gunicorn access-log atom: {@code %(name)s} or {@code %({header}i)s}. */
    private static final Pattern ATOM = Pattern.compile("%\\(([^()]*)\\)s");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9a-fA-F:.]+]|[^:\\[\\]/]+):(\\d+)");

    private final Settings s;
    private final List<String> warnings;

    SettingsValidator(Settings settings, List<String> warnings) {
        this.s = settings;
        this.warnings = warnings;
    }

    void validate() {
        for (String b : s.get(Settings.BIND)) {
            if (b.isBlank()) {
                throw invalid(Settings.BIND, b, "empty; give HOST:PORT, unix:PATH or fd://N (0.0.0.0:PORT for every "
                        + "interface)");
            }
            try {
                BindAddress.parse(b);
            } catch (IllegalArgumentException e) {
                throw invalid(Settings.BIND, b, e.getMessage());
            }
        }
        for (String kv : s.get(Settings.RAW_ENV)) {
            if (kv.indexOf('=') <= 0) {
                throw invalid(Settings.RAW_ENV, kv, "KEY=VALUE");
            }
        }
        String java = s.get(Settings.JAVA_LAUNCHER);
        if (java != null && (!Files.isRegularFile(Path.of(java)) || !Files.isExecutable(Path.of(java)))) {
            throw invalid(Settings.JAVA_LAUNCHER, java, "not an executable file");
        }
        readableFile(Settings.LOG_CONFIG);
        if (s.get(Settings.CAPTURE_OUTPUT) && s.get(Settings.ERROR_LOGFILE).equals("-")) {
            throw invalid(Settings.CAPTURE_OUTPUT, "true", "needs --error-logfile FILE");
        }
        String chdir = s.get(Settings.CHDIR);
        if (chdir != null && !Files.isDirectory(Path.of(chdir))) {
            throw invalid(Settings.CHDIR, chdir, "not a directory");
        }
        validateIdentity();
        String metrics = s.get(Settings.METRICS_BIND);
        if (metrics != null && !isHostPort(metrics)) {
            throw invalid(Settings.METRICS_BIND, metrics, "HOST:PORT, such as 127.0.0.1:9100");
        }
        String health = s.get(Settings.HEALTH_BIND);
        if (health != null && !isPort(health) && !isHostPort(health)) {
            throw invalid(Settings.HEALTH_BIND, health, "HOST:PORT, such as 0.0.0.0:8081, or a PORT on 127.0.0.1");
        }
        String umask = s.get(Settings.UMASK);
        if (umask != null && !umask.matches("0?[0-7]{1,3}")) {
            throw invalid(Settings.UMASK, umask, "octal, such as 0027");
        }
        validateWorkerTmpDir();
        validateStatsd();
        validateSyslog();
        warnIfHttp2OnSync();
        validateAccessLogFormat();
        validateTls();
        validateClasspath(chdir == null ? Path.of("") : Path.of(chdir));
    }

    private IllegalArgumentException invalid(Setting<?> setting, String value, String why) {
        return setting.invalid(s.source(setting), value, why);
    }

    private void readableFile(Setting<String> setting) {
        String f = s.get(setting);
        if (f != null && (!Files.isRegularFile(Path.of(f)) || !Files.isReadable(Path.of(f)))) {
            throw invalid(setting, f, Files.exists(Path.of(f)) ? "not a readable file" : "no such file");
        }
    }

    /** A bare TCP port number: the health bind's short form, on 127.0.0.1. */
    private static boolean isPort(String value) {
        String v = value.trim();
        return v.matches("\\d{1,5}") && Integer.parseInt(v) <= 65535;
    }

    /** {@code HOST:PORT} or {@code [v6]:PORT}, with the port given: what the metrics endpoint binds. */
    private static boolean isHostPort(String value) {
        try {
            return value.trim().matches("(\\[[0-9a-fA-F:.]+]|[^:\\[\\]/]*):\\d+")
                    && BindAddress.parse(value).kind() == BindAddress.Kind.TCP;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void validateWorkerTmpDir() {
        String dir = s.get(Settings.WORKER_TMP_DIR);
        if (dir == null) {
            return;
        }
        Path p = Path.of(dir);
        if (!Files.isDirectory(p)) {
            throw invalid(Settings.WORKER_TMP_DIR, dir, Files.exists(p) ? "not a directory" : "no such directory");
        }
        if (!Files.isWritable(p)) {
            throw invalid(Settings.WORKER_TMP_DIR, dir, "not writable by this user");
        }
    }

    /** Gunicorn's {@code HOST:PORT}; the host must resolve now, or no metric would ever leave. */
    /** The address always; the host name only when --log-syslog will use it. Reaching a TCP server is Main's, at start. */
    private void validateSyslog() {
        String address = s.get(Settings.SYSLOG_ADDR);
        SyslogAddress parsed;
        try {
            parsed = SyslogAddress.parse(address);
        } catch (IllegalArgumentException e) {
            throw invalid(Settings.SYSLOG_ADDR, address, e.getMessage());
        }
        if (s.get(Settings.SYSLOG) && parsed.host() != null) {
            try {
                InetAddress.getByName(parsed.host());
            } catch (UnknownHostException e) {
                throw invalid(Settings.SYSLOG_ADDR, address, "cannot resolve host '" + parsed.host() + "'");
            }
        }
    }

    private void validateStatsd() {
        String target = s.get(Settings.STATSD_HOST);
        if (target == null) {
            return;
        }
        Matcher m = HOST_PORT.matcher(target.trim());
        if (!m.matches()) {
            throw invalid(Settings.STATSD_HOST, target, "HOST:PORT, such as 127.0.0.1:8125");
        }
        int port = m.group(2).length() > 5 ? 0 : Integer.parseInt(m.group(2));
        if (port < 1 || port > 65535) {
            throw invalid(Settings.STATSD_HOST, target, "the port must be 1 to 65535");
        }
        String host = m.group(1).replaceAll("^\\[|]$", "");
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw invalid(Settings.STATSD_HOST, target, "cannot resolve host '" + host + "'");
        }
    }

    /**
     * A {@code %(} that does not open a whole atom is an error (Gunicorn would fail every request's
     * log line); an atom Qilin does not know becomes '-', as in Gunicorn, with a warning.
     */
    private void validateAccessLogFormat() {
        String format = s.get(Settings.ACCESS_LOG_FORMAT);
        Matcher m = ATOM.matcher(format);
        StringBuilder rest = new StringBuilder();
        int last = 0;
        while (m.find()) {
            rest.append(format, last, m.start());
            last = m.end();
            if (!AccessLog.knows(m.group(1))) {
                warnings.add("access_log_format: unknown atom " + m.group() + " (from " + s.source(Settings.ACCESS_LOG_FORMAT)
                        + ") is logged as '-'");
            }
        }
        rest.append(format.substring(last));
        int broken = rest.indexOf("%(");
        if (broken >= 0) {
            String near = rest.substring(broken, Math.min(rest.length(), broken + 12));
            throw invalid(Settings.ACCESS_LOG_FORMAT, format, "'" + near + "' is not an atom; write %(NAME)s");
        }
    }

    /** As Gunicorn's sync worker, sync asked for h2 serves HTTP/1.1; said once here rather than by every worker. */
    private void warnIfHttp2OnSync() {
        if (s.http2() && s.get(Settings.WORKER_CLASS).equals("sync")) {
            warnings.add("http_protocols: the sync worker serves HTTP/1.1 only; h2 is ignored (from "
                    + s.source(Settings.HTTP_PROTOCOLS) + "); use --worker-class gthread or vertx for HTTP/2");
        }
    }

    private void validateTls() {
        String cert = s.get(Settings.CERTFILE);
        String key = s.get(Settings.KEYFILE);
        if (cert == null && key == null) {
            refuseTlsOptionsWithoutCertfile();
            return;
        }
        if (cert == null || key == null) {
            Setting<String> given = cert == null ? Settings.KEYFILE : Settings.CERTFILE;
            throw invalid(given, s.get(given), "certfile and keyfile go together");
        }
        readableFile(Settings.CERTFILE);
        readableFile(Settings.KEYFILE);
        try {
            TlsMaterial tls = TlsMaterial.load(Path.of(cert), Path.of(key), Instant.now());
            for (String w : tls.warnings(Instant.now())) {
                warnings.add(w + " (from " + s.source(Settings.CERTFILE) + ")");
            }
        } catch (TlsMaterial.BadFile e) {
            boolean certBad = e.which() == TlsMaterial.BadFile.Which.CERTFILE;
            throw invalid(certBad ? Settings.CERTFILE : Settings.KEYFILE, certBad ? cert : key, e.getMessage());
        }
        validateClientCertificates();
        String ciphers = s.get(Settings.CIPHERS);
        if (ciphers != null) {
            String problem = TlsMaterial.cipherProblem(Tls.ciphers(ciphers), Tls.protocols(s.get(Settings.TLS_MIN_VERSION)));
            if (problem != null) {
                throw invalid(Settings.CIPHERS, ciphers, problem);
            }
        }
    }

    /** --ca-certs must hold a certificate; --cert-reqs without it verifies against the JDK's CAs, which is worth saying. */
    private void validateClientCertificates() {
        String caCerts = s.get(Settings.CA_CERTS);
        if (caCerts == null) {
            if (Tls.ClientAuth.parse(s.get(Settings.CERT_REQS)) != Tls.ClientAuth.NONE) {
                warnings.add("cert_reqs is " + s.get(Settings.CERT_REQS) + " without ca_certs: client certificates are "
                        + "verified against the JDK's CAs (from " + s.source(Settings.CERT_REQS) + ")");
            }
            return;
        }
        readableFile(Settings.CA_CERTS);
        try {
            TlsMaterial.loadCaCerts(Path.of(caCerts));
        } catch (TlsMaterial.BadFile e) {
            throw invalid(Settings.CA_CERTS, caCerts, e.getMessage());
        }
    }

    /** A TLS setting given without --certfile would be silently ignored: refused instead. */
    private void refuseTlsOptionsWithoutCertfile() {
        for (Setting<String> option : List.of(Settings.CA_CERTS, Settings.CIPHERS)) {
            if (s.get(option) != null) {
                throw invalid(option, s.get(option), "needs --certfile and --keyfile");
            }
        }
        if (Tls.ClientAuth.parse(s.get(Settings.CERT_REQS)) != Tls.ClientAuth.NONE) {
            throw invalid(Settings.CERT_REQS, s.get(Settings.CERT_REQS), "needs --certfile and --keyfile");
        }
    }

    /** Each entry exists; a file is a jar (a zip), since the JVM silently skips anything else. */
    private void validateClasspath(Path base) {
        for (String entry : s.classpathEntries()) {
            boolean wildcard = entry.endsWith("/*");
            Path p = base.resolve(wildcard ? entry.substring(0, entry.length() - 2) : entry);
            if (!Files.exists(p)) {
                throw invalid(Settings.CLASSPATH, entry, "does not exist");
            }
            if (wildcard && !Files.isDirectory(p)) {
                throw invalid(Settings.CLASSPATH, entry, "not a directory");
            }
            if (!wildcard && Files.isRegularFile(p) && !isZip(p)) {
                throw invalid(Settings.CLASSPATH, entry, "not a jar, nor a directory of classes");
            }
        }
    }

    private static boolean isZip(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'P' && magic[1] == 'K' && (magic[2] == 3 || magic[2] == 5)
                    && (magic[3] == 4 || magic[3] == 6);
        } catch (IOException e) {
            return false;
        }
    }

    private void validateIdentity() {
        String user = s.get(Settings.USER);
        String group = s.get(Settings.GROUP);
        if (user == null && group == null) {
            return;
        }
        if (user != null && Accounts.user(user) == null) {
            throw invalid(Settings.USER, user, "no such user");
        }
        if (group != null && Accounts.group(group) < 0) {
            throw invalid(Settings.GROUP, group, "no such group");
        }
        Setting<String> which = user != null ? Settings.USER : Settings.GROUP;
        String value = user != null ? user : group;
        if (LibC.INSTANCE.geteuid() != 0) {
            throw invalid(which, value, "only a master running as root can switch the workers' identity");
        }
        boolean setpriv = false;
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            setpriv |= Files.isExecutable(Path.of(d, "setpriv"));
        }
        if (!setpriv) {
            throw invalid(which, value, "setpriv, from util-linux, is not installed");
        }
    }
}
