# The Gunicorn side of bench/throughput.sh: the same hello world as io.qilin.examples.Hello.
BODY = b"Hello, World!\n"


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"),
                              ("Content-Length", str(len(BODY)))])
    return [BODY]
