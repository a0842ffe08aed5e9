package io.qilin.worker.sync;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** The small HTML error response Gunicorn sends when it refuses a request or the application fails. */
final class ErrorPage {
    private ErrorPage() {
    }

    static void write(OutputStream out, int status, String message) throws IOException {
        String reason = RequestHandler.reason(status);
        String html = "<html>\n  <head>\n    <title>" + reason + "</title>\n  </head>\n  <body>\n    <h1><p>"
                + reason + "</p></h1>\n    " + escape(message == null ? "" : message) + "\n  </body>\n</html>\n";
        byte[] body = html.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason + "\r\nConnection: close\r\nContent-Type: text/html\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        try {
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        } catch (IOException e) {
            // the client is gone; Gunicorn ignores this too
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
