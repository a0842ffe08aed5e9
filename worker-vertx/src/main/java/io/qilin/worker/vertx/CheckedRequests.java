package io.qilin.worker.vertx;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.qilin.worker.internal.StrictHttp1;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Qilin's request rules ({@link StrictHttp1}) in front of Netty's HTTP decoder, which Vert.x's
 * {@code HttpServerOptions} cannot make strict (it folds obsolete continuation lines, passes unknown
 * versions on to Vert.x, which closes without a status, and answers bad chunk sizes with a bare close).
 * Put first on each accepted connection's pipeline; once TLS is set up, it moves behind the
 * {@link SslHandler} so it reads plain bytes; with {@code --proxy-protocol}, it waits behind Netty's PROXY
 * decoder for the header and only then takes its place ({@link AfterProxyHeader}). The decoder gets the bytes before the first one that
 * breaks a rule; then this handler answers ({@link StrictHttp1.Violation#response()}), drops the
 * rest and closes the connection.
 */
final class CheckedRequests extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(CheckedRequests.class);
    private static final String NAME = "qilin-strict-http1";

    private final StrictHttp1 rules;
    private final boolean http2;

    private CheckedRequests(boolean http2) {
        this.http2 = http2;
        this.rules = new StrictHttp1(http2);
    }

    /** Adds the check in front of everything Vert.x will add to {@code child}'s pipeline. */
    static void install(io.netty.channel.Channel child, boolean http2) {
        child.pipeline().addFirst(NAME, new CheckedRequests(http2));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        // Vert.x's initializer has run by now: the PROXY decoder, or the TLS handler, comes before the check
        ChannelPipeline pipeline = ctx.pipeline();
        HAProxyMessageDecoder proxy = pipeline.get(HAProxyMessageDecoder.class);
        SslHandler tls = pipeline.get(SslHandler.class);
        if (proxy != null) {
            pipeline.remove(this);
            pipeline.addAfter(pipeline.context(proxy).name(), AfterProxyHeader.NAME, new AfterProxyHeader(http2));
        } else if (tls != null) {
            pipeline.remove(this);
            pipeline.addAfter(pipeline.context(tls).name(), NAME, new CheckedRequests(http2));
        }
        super.channelActive(ctx);
    }

    /**
     * Waits behind Netty's PROXY decoder for the header; Vert.x sets up the rest of the pipeline (TLS
     * included) as the header passes on, and the check then goes behind the TLS handler or here.
     */
    private static final class AfterProxyHeader extends ChannelInboundHandlerAdapter {
        static final String NAME = "qilin-after-proxy-header";
        private final boolean http2;

        AfterProxyHeader(boolean http2) {
            this.http2 = http2;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (!(msg instanceof HAProxyMessage)) {
                ctx.fireChannelRead(msg);
                return;
            }
            ctx.fireChannelRead(msg);
            ChannelPipeline pipeline = ctx.pipeline();
            SslHandler tls = pipeline.get(SslHandler.class);
            pipeline.addAfter(tls != null ? pipeline.context(tls).name() : ctx.name(), CheckedRequests.NAME,
                    new CheckedRequests(http2));
            pipeline.remove(this);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (rules.violation() != null) {
            ReferenceCountUtil.release(msg); // answered already: nothing more is read
            return;
        }
        ByteBuf buf = (ByteBuf) msg;
        int n = buf.readableBytes();
        int fine = scan(buf);
        if (fine == n) {
            ctx.fireChannelRead(buf);
            return;
        }
        if (fine > 0) {
            ctx.fireChannelRead(buf.retainedSlice(buf.readerIndex(), fine));
        }
        buf.release();
        StrictHttp1.Violation v = rules.violation();
        log.warn("Invalid request from {}: {}", ctx.channel().remoteAddress(), v.reason());
        ctx.writeAndFlush(Unpooled.wrappedBuffer(v.response())).addListener(ChannelFutureListener.CLOSE);
    }

    /** How many of the buffer's readable bytes keep the rules; it is not consumed. */
    private int scan(ByteBuf buf) {
        if (buf.hasArray()) {
            return rules.scan(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes());
        }
        return rules.scan(buf.nioBuffer(buf.readerIndex(), buf.readableBytes()));
    }
}
