package io.qilin.worker.sync;

import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.ParseException;
import org.apache.hc.core5.http.message.BasicLineParser;
import org.apache.hc.core5.util.CharArrayBuffer;

/**
 * httpcore5's line parser plus Gunicorn's header rules, checked on the raw line (httpcore5 turns a
 * NUL into a space by the time the value is read): the name must be a token, the value may hold no
 * control character but HTAB.
 */
final class StrictLineParser extends BasicLineParser {
    static final StrictLineParser INSTANCE = new StrictLineParser();

    @Override
    public Header parseHeader(CharArrayBuffer buffer) throws ParseException {
        int colon = buffer.indexOf(':');
        if (colon <= 0) {
            throw new ParseException("Invalid header line '" + buffer + "'");
        }
        for (int i = 0; i < colon; i++) {
            if (!isTokenChar(buffer.charAt(i))) {
                throw new ParseException("Invalid header name '" + buffer.substring(0, colon) + "'");
            }
        }
        for (int i = colon + 1; i < buffer.length(); i++) {
            char c = buffer.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw new ParseException("Invalid header value for '" + buffer.substring(0, colon) + "'");
            }
        }
        return super.parseHeader(buffer);
    }

    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
