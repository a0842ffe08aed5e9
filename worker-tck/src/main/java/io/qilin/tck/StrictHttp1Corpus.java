package io.qilin.tck;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The requests of clause C11, as raw bytes (ISO-8859-1), with the status each must get: the rule set
 * of docs/strict-parsing.md, plus valid requests near each rule that must be served (200), so the
 * check fails a kind that refuses too much as well as one that refuses too little. Every request asks
 * for {@code Connection: close}, so every answer ends with the connection.
 */
final class StrictHttp1Corpus {
    /** One request: what it tries, its bytes, the status it must get. */
    record Vector(String name, String request, int status) {
    }

    private static final String HOST = "Host: tck\r\n";
    private static final String CLOSE = "Connection: close\r\n";

    static final List<Vector> VECTORS = build();

    private StrictHttp1Corpus() {
    }

    private static List<Vector> build() {
        List<Vector> v = new ArrayList<>();
        // valid requests: served
        v.add(ok("a plain GET", "GET / HTTP/1.1\r\n" + HOST + CLOSE + "\r\n"));
        v.add(ok("HTTP/1.0 without Host", "GET / HTTP/1.0\r\n" + CLOSE + "\r\n"));
        v.add(ok("a Content-Length body", post("Content-Length: 5\r\n", "hello")));
        v.add(ok("a chunked body", post("Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")));
        v.add(ok("a chunk extension", post("Transfer-Encoding: chunked\r\n", "5;name=value\r\nhello\r\n0\r\n\r\n")));
        v.add(ok("a quoted chunk extension and whitespace before it",
                post("Transfer-Encoding: chunked\r\n", "5 ;a=\"b c\"\r\nhello\r\n0\r\n\r\n")));
        v.add(ok("chunk sizes with leading zeros and upper-case hex",
                post("Transfer-Encoding: chunked\r\n", "0005\r\nhello\r\nA\r\n0123456789\r\n0\r\n\r\n")));
        v.add(ok("a trailer field", post("Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n")));
        v.add(ok("a tab and obs-text in a header value", get("X-Value: a\tb \u00e9\r\n")));
        v.add(ok("no space after the colon, an empty value", get("X-Tight:x\r\nX-Empty:\r\n")));
        v.add(ok("Content-Length 0", post("Content-Length: 0\r\n", "")));
        v.add(ok("a token method with symbols", "M-SEARCH / HTTP/1.1\r\n" + HOST + CLOSE + "\r\n"));
        v.add(ok("Transfer-Encoding in upper case", post("Transfer-Encoding: CHUNKED\r\n", "5\r\nhello\r\n0\r\n\r\n")));

        // obsolete line folding
        v.add(bad("obs-fold with a space", get("X-A: a\r\n  b\r\n")));
        v.add(bad("obs-fold with a tab", get("X-A: a\r\n\tb\r\n")));
        v.add(bad("obs-fold on the first field line", "GET / HTTP/1.1\r\n " + HOST + CLOSE + "\r\n"));
        v.add(bad("obs-fold continuing Content-Length", post("Content-Length:\r\n 5\r\n", "hello")));
        v.add(bad("obs-fold continuing Transfer-Encoding",
                post("Transfer-Encoding: gzip,\r\n chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")));

        // the method
        v.add(bad("NUL in the method", line("G\0ET / HTTP/1.1")));
        v.add(bad("SOH in the method", line("GE\u0001T / HTTP/1.1")));
        v.add(bad("DEL in the method", line("GET\u007f / HTTP/1.1")));
        v.add(bad("a parenthesis in the method", line("GE(T / HTTP/1.1")));
        v.add(bad("an @ in the method", line("GET@ / HTTP/1.1")));
        v.add(bad("a non-ASCII byte in the method", line("G\u00c9T / HTTP/1.1")));
        v.add(bad("a space before the method", line(" GET / HTTP/1.1")));
        v.add(bad("a tab after the method", line("GET\t/ HTTP/1.1")));

        // the request line and version
        v.add(bad("two spaces after the method", line("GET  / HTTP/1.1")));
        v.add(bad("no version (HTTP/0.9)", "GET /\r\n\r\n"));
        v.add(bad("NUL in the target", line("GET /a\0b HTTP/1.1")));
        v.add(bad("HTTP/1.7", line("GET / HTTP/1.7")));
        v.add(bad("HTTP/2.0 in an HTTP/1 request line", line("GET / HTTP/2.0")));
        v.add(bad("HTTP/x", line("GET / HTTP/x")));
        v.add(bad("a lower-case version", line("GET / http/1.1")));
        v.add(bad("HTTP/11", line("GET / HTTP/11")));
        v.add(bad("a space after the version", line("GET / HTTP/1.1 ")));
        v.add(bad("an empty line before the request line", "\r\nGET / HTTP/1.1\r\n" + HOST + CLOSE + "\r\n"));
        v.add(bad("the HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));

        // field names
        v.add(bad("a space before the colon", get("X-A : b\r\n")));
        v.add(bad("a tab before the colon", get("X-A\t: b\r\n")));
        v.add(bad("a space before the colon of Host", "GET / HTTP/1.1\r\nHost : tck\r\n" + CLOSE + "\r\n"));
        v.add(bad("NUL in a field name", get("X-\0A: b\r\n")));
        v.add(bad("a parenthesis in a field name", get("X(A): b\r\n")));
        v.add(bad("a non-ASCII byte in a field name", get("X-\u00e9: b\r\n")));
        v.add(bad("an empty field name", get(": b\r\n")));
        v.add(bad("a field line without a colon", get("X-A\r\n")));

        // field values
        v.add(bad("NUL in a field value", get("X-A: a\0b\r\n")));
        v.add(bad("a bare CR in a field value", get("X-A: a\rb\r\n")));
        v.add(bad("DEL in a field value", get("X-A: a\u007fb\r\n")));
        v.add(bad("a bare CR ending a field line", get("X-A: a\rX-B: b\r\n")));

        // Host
        v.add(bad("two Host fields", get("Host: other\r\n")));
        v.add(bad("no Host in HTTP/1.1", "GET / HTTP/1.1\r\n" + CLOSE + "\r\n"));

        // Content-Length and Transfer-Encoding
        v.add(bad("Transfer-Encoding then Content-Length",
                post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "5\r\nhello\r\n0\r\n\r\n")));
        v.add(bad("Content-Length then Transfer-Encoding",
                post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")));
        v.add(bad("two Content-Length values", post("Content-Length: 5\r\nContent-Length: 6\r\n", "hello!")));
        v.add(bad("Content-Length repeated", post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello")));
        v.add(bad("Content-Length +5", post("Content-Length: +5\r\n", "hello")));
        v.add(bad("Content-Length -1", post("Content-Length: -1\r\n", "")));
        v.add(bad("Content-Length as a list", post("Content-Length: 5, 5\r\n", "hello")));
        v.add(bad("Content-Length in hex", post("Content-Length: 0x5\r\n", "hello")));
        v.add(bad("Content-Length with an inner space", post("Content-Length: 1 0\r\n", "0123456789")));
        v.add(bad("Content-Length of 20 digits", post("Content-Length: 99999999999999999999\r\n", "hello")));
        v.add(bad("Transfer-Encoding chunked, gzip", post("Transfer-Encoding: chunked, gzip\r\n", "5\r\nhello\r\n0\r\n\r\n")));
        v.add(bad("Transfer-Encoding gzip alone", post("Transfer-Encoding: gzip\r\n", "hello")));
        v.add(bad("Transfer-Encoding chunked twice in one field",
                post("Transfer-Encoding: chunked, chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")));
        v.add(bad("Transfer-Encoding chunked in two fields",
                post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")));
        v.add(bad("Transfer-Encoding with an empty coding",
                post("Transfer-Encoding: , chunked\r\n", "5\r\nhello\r\n0\r\n\r\n")));
        v.add(bad("Transfer-Encoding in HTTP/1.0",
                "POST / HTTP/1.0\r\n" + CLOSE + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
        v.add(new Vector("an unknown transfer coding before chunked (501, as Gunicorn)",
                post("Transfer-Encoding: foo, chunked\r\n", "5\r\nhello\r\n0\r\n\r\n"), 501));
        v.add(new Vector("Transfer-Encoding xchunked (an unknown coding: 501, as Gunicorn)",
                post("Transfer-Encoding: xchunked\r\n", "5\r\nhello\r\n0\r\n\r\n"), 501));

        // chunk framing
        v.add(bad("chunk size zz", chunked("zz\r\nhello\r\n0\r\n\r\n")));
        v.add(bad("chunk size -5", chunked("-5\r\nhello\r\n0\r\n\r\n")));
        v.add(bad("chunk size +5", chunked("+5\r\nhello\r\n0\r\n\r\n")));
        v.add(bad("chunk size 0x5", chunked("0x5\r\nhello\r\n0\r\n\r\n")));
        v.add(bad("chunk size overflowing 64 bits", chunked("10000000000000000\r\nhello\r\n0\r\n\r\n")));
        v.add(bad("chunk size of 21 hex digits", chunked("fffffffffffffffffffff\r\nhello\r\n0\r\n\r\n")));
        v.add(bad("whitespace after a chunk size without extension", chunked("5 \r\nhello\r\n0\r\n\r\n")));
        v.add(bad("whitespace before a chunk size", chunked(" 5\r\nhello\r\n0\r\n\r\n")));
        v.add(bad("an empty chunk-size line", chunked("\r\nhello\r\n0\r\n\r\n")));
        v.add(bad("a control byte in a chunk extension", chunked("5;a=\u0001\r\nhello\r\n0\r\n\r\n")));
        v.add(bad("a bare CR in a chunk extension", chunked("5;a\rb\r\nhello\r\n0\r\n\r\n")));
        v.add(bad("NUL in a chunk extension", chunked("5;a=\0\r\nhello\r\n0\r\n\r\n")));
        v.add(bad("chunk data not followed by CRLF", chunked("5\r\nhelloXX\r\n0\r\n\r\n")));
        v.add(bad("chunk data followed by CR and no LF", chunked("5\r\nhello\rX0\r\n\r\n")));
        v.add(bad("a chunk longer than its size", chunked("3\r\nhello\r\n0\r\n\r\n")));
        v.add(bad("obs-fold in a trailer", chunked("5\r\nhello\r\n0\r\nX-T: a\r\n b\r\n\r\n")));
        v.add(bad("a space before the colon of a trailer", chunked("5\r\nhello\r\n0\r\nX-T : a\r\n\r\n")));
        return Collections.unmodifiableList(v);
    }

    private static Vector ok(String name, String request) {
        return new Vector(name, request, 200);
    }

    private static Vector bad(String name, String request) {
        return new Vector(name, request, 400);
    }

    /** A GET with Host and {@code Connection: close} and the given extra field lines. */
    private static String get(String fields) {
        return "GET / HTTP/1.1\r\n" + HOST + CLOSE + fields + "\r\n";
    }

    /** A request line, then Host and {@code Connection: close}. */
    private static String line(String requestLine) {
        return requestLine + "\r\n" + HOST + CLOSE + "\r\n";
    }

    private static String post(String fields, String body) {
        return "POST / HTTP/1.1\r\n" + HOST + CLOSE + fields + "\r\n" + body;
    }

    private static String chunked(String body) {
        return post("Transfer-Encoding: chunked\r\n", body);
    }
}
