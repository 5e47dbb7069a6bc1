package jp.sekisho.gateway.input;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import jp.sekisho.audit.AuditUnavailableException;
import jp.sekisho.gateway.admission.Access;
import jp.sekisho.gateway.admission.Admission;
import jp.sekisho.gateway.admission.AdmissionRequest;
import jp.sekisho.gateway.admission.Entry;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.edge.ConnectionInfo;
import jp.sekisho.gateway.http.Requests;
import jp.sekisho.gateway.transfer.NettyProblems;
import jp.sekisho.gateway.transfer.TransferProblem;

/**
 * First handler after the HTTP/1.1 decoder on both listeners, in front of the tus PATCH and payload
 * handlers and Micronaut: a request head whose framing is ambiguous ({@link Framing}), whose target
 * is malformed or names an id that breaks its grammar ({@link RequestTarget}) goes no further. It is
 * refused with its reason through {@link Admission#refuse} (one REQUEST_DENIED, one count), answered
 * with {@code Connection: close}, and the connection is closed: whatever follows on it, a smuggled
 * request included, is dropped unread. A connection whose acceptance the audit log could not record
 * is answered the same way, 503 AUDIT_UNAVAILABLE, on its first request.
 */
public final class RequestGuard extends ChannelDuplexHandler {

    private final Supplier<Admission> admission;
    private final Executor blocking;
    /** A request was refused: everything after it is dropped until the connection closes. */
    private boolean refused;

    public RequestGuard(Supplier<Admission> admission, Executor blocking) {
        this.admission = admission;
        this.blocking = blocking;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest && unrecorded(ctx)) {
            refused = true;
            ctx.channel().config().setAutoRead(false);
            ReferenceCountUtil.release(msg);
            answerAndClose(ctx, NettyProblems.response(NettyProblems.auditUnavailable(), Requests.newRequestId()));
            return;
        }
        if (msg instanceof HttpRequest head) {
            Optional<Framing.Refusal> r = judge(head);
            if (r.isPresent()) {
                refused = true;
                ctx.channel().config().setAutoRead(false);
                String method = head.method().name();
                String uri = head.uri();
                ReferenceCountUtil.release(msg);
                refuse(ctx, method, uri, r.get());
                return;
            }
        }
        if (msg instanceof HttpContent c && c.decoderResult().isFailure()) {
            // a malformed chunk: the head went on already, but the body's end cannot be known; whatever
            // the handlers behind made of the head, the connection ends here
            refused = true;
            ctx.channel().config().setAutoRead(false);
            ReferenceCountUtil.release(msg);
            refuse(ctx, "-", "-", new Framing.Refusal(Reason.REQUEST_FRAMING_INVALID, "the chunked body is malformed"));
            return;
        }
        ctx.fireChannelRead(msg);
    }

    static Optional<Framing.Refusal> judge(HttpRequest head) {
        Optional<Framing.Refusal> f = Framing.judge(head);
        if (f.isPresent()) {
            return f;
        }
        return RequestTarget.check(head.uri())
                .map(p -> new Framing.Refusal(p.id() ? Reason.ID_INVALID : Reason.PATH_INVALID, p.message()));
    }

    /** Records the refusal off the event loop (the audit log may wait), then answers and closes. */
    private void refuse(ChannelHandlerContext ctx, String method, String uri, Framing.Refusal r) {
        String requestId = Requests.newRequestId();
        AdmissionRequest request = new AdmissionRequest(
                Entry.HTTP,
                ConnectionInfo.of(ctx.channel()),
                method,
                uri,
                requestId,
                Access.forAnyPrincipal(),
                null,
                List.of());
        blocking.execute(() -> {
            TransferProblem answer;
            try {
                admission.get().refuse(request, r.reason(), r.message());
                answer = new TransferProblem(r.reason(), r.message());
            } catch (AuditUnavailableException e) {
                answer = NettyProblems.auditUnavailable();
            }
            FullHttpResponse response = NettyProblems.response(answer, requestId);
            ctx.executor().execute(() -> answerAndClose(ctx, response));
        });
    }

    /** The connection's acceptance was never recorded (the audit store was down at the handshake). */
    private static boolean unrecorded(ChannelHandlerContext ctx) {
        ConnectionInfo info = ConnectionInfo.of(ctx.channel());
        return info != null && info.unrecorded();
    }

    /** On the event loop: sends the refusal with {@code Connection: close} and closes. */
    private static void answerAndClose(ChannelHandlerContext ctx, FullHttpResponse response) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            response.release();
        }
    }

    /** Reads nothing more once a request was refused, whatever the handlers behind ask for. */
    @Override
    public void read(ChannelHandlerContext ctx) {
        if (!refused) {
            ctx.read();
        }
    }
}
