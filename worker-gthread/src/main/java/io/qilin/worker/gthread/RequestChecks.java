package io.qilin.worker.gthread;

import io.qilin.worker.WorkerConfig;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import java.util.List;
import java.util.Locale;

/**
 * What Gunicorn refuses and Undertow's parser lets through, checked once a request's head is parsed
 * and before any of its body is read.
 * <ul>
 *   <li>{@code --limit-request-line} (400), {@code --limit-request-fields} and
 *       {@code --limit-request-field-size} (431). Undertow bounds only the whole head
 *       ({@code MAX_HEADER_SIZE}) and the number of fields ({@code MAX_HEADERS}), both with a bare 400.</li>
 *   <li>{@code Transfer-Encoding}: Undertow reads any value but {@code identity} as chunked. As Gunicorn:
 *       the last coding must be {@code chunked}, once (400); codings other than identity, gzip, deflate
 *       and compress are 501; none on HTTP/1.0 (400).</li>
 *   <li>{@code Expect} other than {@code 100-continue}: 417.</li>
 *   <li>A {@code Content-Length} over {@code --limit-request-body}: 413 (a chunked body is stopped by
 *       Undertow's {@code MAX_ENTITY_SIZE} as it streams in).</li>
 * </ul>
 */
final class RequestChecks {
    /** Gunicorn's upper bound for the request line; 0 or less also means this. */
    static final int MAX_REQUEST_LINE = 8190;
    /** Gunicorn's upper bound for the number of header fields; 0 or less also means this. */
    static final int MAX_HEADER_FIELDS = 32768;
    /** Gunicorn's field size when the setting is 0 or less. */
    static final int DEFAULT_FIELD_SIZE = 8190;
    private static final List<String> CODINGS = List.of("chunked", "identity", "gzip", "deflate", "compress");

    private final int requestLine;
    private final int fields;
    private final int fieldSize;
    private final long maxBody;

    RequestChecks(int requestLine, int fields, int fieldSize, long maxBody) {
        this.maxBody = maxBody;
        this.requestLine = requestLine <= 0 || requestLine > MAX_REQUEST_LINE ? MAX_REQUEST_LINE : requestLine;
        this.fields = fields <= 0 || fields > MAX_HEADER_FIELDS ? MAX_HEADER_FIELDS : fields;
        this.fieldSize = fieldSize <= 0 ? DEFAULT_FIELD_SIZE : fieldSize;
    }

    static RequestChecks of(WorkerConfig config) {
        return new RequestChecks(config.limitRequestLine(), config.limitRequestFields(), config.limitRequestFieldSize(),
                config.limitRequestBody());
    }

    /** Undertow's bound on the request head: Gunicorn's header buffer plus the request line. */
    int maxHeaderSize() {
        long head = requestLine + 2L + fields * (fieldSize + 2L) + 4;
        return (int) Math.min(head, Integer.MAX_VALUE);
    }

    /** The largest body, 0 for no limit. */
    long maxBody() {
        return maxBody;
    }

    /**
     * Undertow's own count limit sits above ours, so a request just over the limit gets Gunicorn's
     * 431; Undertow's parser still stops one far over it early, with 400.
     */
    int maxHeaders() {
        return 2 * fields;
    }

    /** 0 when the request may be served, else the status to refuse it with. */
    int check(HttpServerExchange exchange, String target) {
        int line = exchange.getRequestMethod().length() + 1 + target.length() + 1 + exchange.getProtocol().length();
        if (line > requestLine) {
            return StatusCodes.BAD_REQUEST;
        }
        int status = checkFields(exchange);
        if (status == 0) {
            status = checkTransferEncoding(exchange);
        }
        String expect = exchange.getRequestHeaders().getFirst(Headers.EXPECT);
        if (status == 0 && expect != null && exchange.isHttp11() && !expect.equalsIgnoreCase("100-continue")) {
            status = StatusCodes.EXPECTATION_FAILED;
        }
        if (status == 0 && maxBody > 0 && exchange.getRequestContentLength() > maxBody) {
            status = StatusCodes.REQUEST_ENTITY_TOO_LARGE;
        }
        return status;
    }

    /** A field is measured as {@code Name: value} plus CRLF. */
    private int checkFields(HttpServerExchange exchange) {
        int count = 0;
        for (HeaderValues values : exchange.getRequestHeaders()) {
            count += values.size();
            for (String value : values) {
                if (values.getHeaderName().length() + 2 + value.length() + 2 > fieldSize) {
                    return StatusCodes.REQUEST_HEADER_FIELDS_TOO_LARGE;
                }
            }
        }
        return count > fields ? StatusCodes.REQUEST_HEADER_FIELDS_TOO_LARGE : 0;
    }

    private static int checkTransferEncoding(HttpServerExchange exchange) {
        HeaderValues te = exchange.getRequestHeaders().get(Headers.TRANSFER_ENCODING);
        if (te == null) {
            return 0;
        }
        if (!exchange.isHttp11()) {
            return StatusCodes.BAD_REQUEST;
        }
        String[] codings = String.join(",", te).toLowerCase(Locale.ROOT).split(",", -1);
        for (int i = 0; i < codings.length; i++) {
            String coding = codings[i].trim();
            if (!CODINGS.contains(coding)) {
                return coding.isEmpty() ? StatusCodes.BAD_REQUEST : StatusCodes.NOT_IMPLEMENTED;
            }
            if (coding.equals("chunked") != (i == codings.length - 1)) {
                return StatusCodes.BAD_REQUEST;
            }
        }
        return 0;
    }
}
