package io.qilin.worker.sync;

import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpMessage;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.http.impl.DefaultContentLengthStrategy;

/**
 * Refuses the framing ambiguities request smuggling is made of, where httpcore5 alone would let
 * Transfer-Encoding win: Content-Length with Transfer-Encoding, a Content-Length that is not plain
 * digits ({@code +5}, {@code 5, 5}), and Transfer-Encoding on HTTP/1.0. Gunicorn answers each with 400.
 */
final class StrictFraming implements org.apache.hc.core5.http.ContentLengthStrategy {
    static final StrictFraming INSTANCE = new StrictFraming();

    private StrictFraming() {
    }

    @Override
    public long determineLength(HttpMessage message) throws HttpException {
        Header[] lengths = message.getHeaders(HttpHeaders.CONTENT_LENGTH);
        boolean chunked = message.containsHeader(HttpHeaders.TRANSFER_ENCODING);
        if (lengths.length > 0 && chunked) {
            throw new ProtocolException("Content-Length and Transfer-Encoding together");
        }
        for (Header h : lengths) {
            if (!h.getValue().matches("[0-9]{1,18}")) {
                throw new ProtocolException("Invalid Content-Length '" + h.getValue() + "'");
            }
        }
        if (lengths.length > 1) {
            throw new ProtocolException("Duplicate Content-Length");
        }
        if (chunked && message instanceof HttpRequest) {
            HttpRequest request = (HttpRequest) message;
            if (request.getVersion() != null && request.getVersion().lessEquals(HttpVersion.HTTP_1_0)) {
                throw new ProtocolException("Transfer-Encoding in an HTTP/1.0 request");
            }
        }
        return DefaultContentLengthStrategy.INSTANCE.determineLength(message);
    }
}
