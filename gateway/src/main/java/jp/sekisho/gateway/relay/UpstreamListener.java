package jp.sekisho.gateway.relay;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/** What an upstream connection tells the relay request it carries; called on their shared event loop. */
interface UpstreamListener {

    void onHead(HttpResponse head);

    void onContent(HttpContent content);

    /** Bytes after a WebSocket upgrade, once the HTTP codec is gone. */
    void onRaw(ByteBuf bytes);

    void onReadComplete();

    void onWritable();

    void onClosed();

    void onError(Throwable cause);
}
