package jp.sekisho.gateway.admission;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every stable reason code the gateway gives, with the HTTP status and title of its answer and a
 * short Japanese and English description. The code is the constant's name: it appears in audit
 * events, problem answers, metrics and the CLI's output, so a name never changes once released.
 * docs/reason-codes.md is generated from this enum ({@code ReasonCodesDocTest} fails when the two
 * differ).
 *
 * <p>{@link #status()} is 0 for a code that never answers an HTTP request: a connection closed at
 * the edge or in the TLS handshake, or the end of a transfer recorded in the audit log only.
 */
public enum Reason {

    // 1. the edge: before TLS
    IP_NOT_ALLOWED(Stage.EDGE, 0, "送信元アドレスが許可されていない", "the client address is in no CIDR allowed on this listener"),
    PROXY_NOT_TRUSTED(
            Stage.EDGE, 0, "信頼しないロードバランサ", "a PROXY header came from a peer that is not a configured load balancer"),
    PROXY_HEADER_INVALID(
            Stage.EDGE, 0, "PROXYヘッダが不正", "a configured load balancer connected without a valid PROXY header"),
    CLOSED_BEFORE_HANDSHAKE(
            Stage.EDGE,
            0,
            "TLS前に切断",
            "the client closed the connection before the TLS handshake (counted, not audited)"),
    CONNECTION_RATE_LIMITED(
            Stage.EDGE,
            0,
            "接続頻度の上限超過",
            "too many connections from one source address in a short time; refused before TLS"),

    // 2. TLS
    NO_CERTIFICATE(Stage.TLS, 403, "クライアント証明書なし", "no verified client certificate"),
    UNKNOWN_CA(Stage.TLS, 0, "信頼しない発行者", "the certificate does not chain to the configured trust anchors"),
    EXPIRED(Stage.TLS, 0, "証明書の有効期限切れ", "the certificate is outside its validity period"),
    REVOKED(Stage.TLS, 0, "証明書失効", "the certificate is revoked by a current CRL"),
    WRONG_USAGE(Stage.TLS, 0, "用途外の証明書", "the certificate lacks the clientAuth extended key usage"),
    CRL_EXPIRED(Stage.TLS, 0, "CRLの期限切れ", "the issuer's CRL is past its nextUpdate: fail closed"),
    CRL_UNAVAILABLE(Stage.TLS, 0, "CRLを読めない", "no readable, correctly signed CRL for the issuer: fail closed"),
    HANDSHAKE_FAILED(Stage.TLS, 0, "TLSハンドシェイク失敗", "protocol version, cipher suites, not TLS at all, or a timeout"),

    // 3. the request: listener, principal, role, route, party, approval
    ADMIN_LISTENER_ONLY(Stage.REQUEST, 404, "管理用リスナー専用", "an administration API asked on a transfer listener"),
    ROLE_REQUIRED(
            Stage.REQUEST, 403, "権限なし", "the certificate's principal holds none of the roles the endpoint requires"),
    ROUTE_NOT_DECLARED(
            Stage.REQUEST, 403, "公開されていないAPI", "the endpoint declares no role: refused to everyone (deny by default)"),
    CSRF_REJECTED(
            Stage.REQUEST,
            403,
            "他サイトからの送信",
            "a console form without this certificate's token, or sent from another site (cross-site request forgery)"),
    NOT_FOUND(Stage.REQUEST, 404, "該当なし", "no such endpoint"),
    ROUTE_UNKNOWN(Stage.REQUEST, 404, "経路が存在しない", "no route with this id"),
    ROUTE_NOT_ON_LISTENER(Stage.REQUEST, 404, "このリスナーに経路がない", "the route is bound to another listener"),
    NOT_A_SENDER(Stage.REQUEST, 403, "送信元ではない", "the principal is not a sender of the route"),
    NOT_A_RECEIVER(Stage.REQUEST, 403, "受信先ではない", "the principal is not a receiver of the route"),
    SOURCE_NOT_ALLOWED(
            Stage.REQUEST,
            403,
            "送信元アドレスが経路で許可されていない",
            "the client address is outside the CIDRs of this party on the route"),
    APPROVAL_PENDING(Stage.REQUEST, 403, "承認待ち", "the route's approval awaits the council's decision"),
    APPROVAL_SUSPENDED(Stage.REQUEST, 403, "承認停止中", "the route's approval is suspended"),
    APPROVAL_REVOKED(Stage.REQUEST, 403, "承認取消", "the route's approval is revoked"),
    APPROVAL_WITHDRAWN(
            Stage.REQUEST, 403, "諮問取下げ", "the route's approval was withdrawn (a PENDING record entered by mistake)"),
    APPROVAL_REJECTED(Stage.REQUEST, 403, "不承認", "the route's approval was rejected"),
    APPROVAL_EXPIRED(Stage.REQUEST, 403, "承認期間終了", "the route's approval has expired"),
    APPROVAL_NOT_YET_VALID(Stage.REQUEST, 403, "承認期間前", "the route's approval is not yet valid"),
    APPROVAL_UNKNOWN(
            Stage.REQUEST,
            403,
            "承認が存在しない",
            "no approval with this reference (404 on the approvals API, 409 when a route names it)"),
    APPROVAL_TAMPERED(
            Stage.REQUEST,
            403,
            "承認記録の改ざん検知",
            "the approval or route row does not match its seal (a key the database does not hold): fail closed"),
    AUDIT_UNAVAILABLE(Stage.REQUEST, 503, "監査記録不可", "the audit log cannot record this request now: fail closed"),

    // 3b. a relay route's request (docs/relay.md): after the approval, before the upstream
    RELAY_NO_ROUTE(Stage.RELAY, 404, "中継経路が未設定", "no relay route is bound to this relay listener"),
    NOT_A_TERMINAL(Stage.RELAY, 403, "許可された端末ではない", "the client certificate names none of the relay route's terminals"),
    METHOD_NOT_ON_ROUTE(Stage.RELAY, 405, "経路で許可されないメソッド", "the HTTP method is not among the relay route's methods"),
    PATH_NOT_ON_ROUTE(Stage.RELAY, 403, "経路で許可されないパス", "the path is under none of the relay route's path prefixes"),
    REQUEST_BODY_TOO_LARGE(Stage.RELAY, 413, "要求本文が上限超過", "the request body exceeds the relay route's max-body"),
    TERMINAL_RATE_LIMITED(
            Stage.RELAY,
            429,
            "端末の要求頻度の上限超過",
            "more requests per second from this terminal than the relay route allows"),
    OUTSIDE_OPENING_HOURS(
            Stage.RELAY,
            403,
            "利用時間外",
            "outside the relay route's opening hours (Asia/Tokyo) set from the approval's conditions"),
    WEBSOCKET_NOT_ALLOWED(
            Stage.RELAY, 403, "WebSocket不可", "a WebSocket upgrade on a relay route that does not allow them"),
    UPSTREAM_TLS_FAILED(
            Stage.RELAY,
            502,
            "接続先とのTLS失敗",
            "the upstream's certificate does not chain to the route's pinned CA, or it refused the gateway's certificate"),
    UPSTREAM_UNAVAILABLE(
            Stage.RELAY,
            502,
            "接続先に接続できない",
            "the upstream refused or dropped the connection, or answered with a malformed head"),
    UPSTREAM_TIMEOUT(Stage.RELAY, 504, "接続先の応答なし", "the upstream did not answer in time"),

    // 4. the transfer protocol (tus) and the transfer's state
    TUS_VERSION_UNSUPPORTED(Stage.PROTOCOL, 412, "tusバージョン不一致", "Tus-Resumable must be 1.0.0"),
    UNSUPPORTED_MEDIA_TYPE(
            Stage.PROTOCOL, 415, "Content-Type不正", "the body's media type is not the one the endpoint takes"),
    METADATA_INVALID(
            Stage.PROTOCOL, 400, "メタデータ不正", "Upload-Metadata, Upload-Length or a JSON body is missing or malformed"),
    CHECKSUM_ALGORITHM_UNSUPPORTED(Stage.PROTOCOL, 400, "チェックサム方式非対応", "Upload-Checksum must be 'sha256 <base64>'"),
    CHECKSUM_INVALID(Stage.PROTOCOL, 400, "チェックサム形式不正", "Upload-Checksum is not a base64 SHA-256 digest"),
    CHECKSUM_MISMATCH(
            Stage.PROTOCOL,
            460,
            "チェックサム不一致",
            "the chunk's SHA-256 differs from Upload-Checksum; nothing of it is kept"),
    OFFSET_MISMATCH(
            Stage.PROTOCOL,
            409,
            "オフセット不一致",
            "Upload-Offset differs from the bytes the gateway holds (answer carries Upload-Offset)"),
    UPLOAD_IN_PROGRESS(Stage.PROTOCOL, 409, "別のPATCHが進行中", "another PATCH of the same upload is in progress"),
    UPLOAD_LENGTH_MISMATCH(
            Stage.PROTOCOL, 400, "Upload-Length不一致", "a PATCH declares another length than the upload's"),
    UPLOAD_LENGTH_BELOW_OFFSET(
            Stage.PROTOCOL, 400, "Upload-Lengthが受信済み未満", "the declared length is below the bytes already uploaded"),
    SHA256_MISMATCH(
            Stage.PROTOCOL,
            400,
            "SHA-256宣言の不一致",
            "a PATCH declares another envelope SHA-256 than the one declared before"),
    RANGE_NOT_SATISFIABLE(Stage.PROTOCOL, 416, "Range不正", "only 'Range: bytes=N-' within the envelope is supported"),
    TRANSFER_UNKNOWN(Stage.PROTOCOL, 404, "転送が存在しない", "no such transfer of yours on this route, or it has ended"),
    TRANSFER_NOT_DELIVERABLE(
            Stage.PROTOCOL, 409, "受領確認できない状態", "the transfer is not in a state that can be acknowledged"),
    ACK_HASH_MISMATCH(
            Stage.PROTOCOL,
            409,
            "受領確認のハッシュ不一致",
            "the acknowledged SHA-256 is not the envelope's; the gateway keeps its copy"),
    NO_RECEIPT(Stage.PROTOCOL, 404, "受領証なし", "the transfer has no receipt yet"),
    INBOX_WAIT_INVALID(
            Stage.PROTOCOL,
            400,
            "待機時間不正",
            "the inbox's wait is not a duration from 0 to 60 s (e.g. wait=25s or wait=25); ask again with one"),
    BAD_REQUEST(Stage.PROTOCOL, 400, "要求不正", "the request could not be read"),
    REQUEST_FRAMING_INVALID(
            Stage.PROTOCOL,
            400,
            "HTTPの枠組み不正",
            "Content-Length with Transfer-Encoding, or a repeated Transfer-Encoding (RFC 9112 6.1); the connection is closed"),
    PATH_INVALID(
            Stage.PROTOCOL,
            400,
            "パス不正",
            "the request path holds a malformed escape, a control character or is too long"),
    ID_INVALID(Stage.PROTOCOL, 400, "識別子不正", "a route id, transfer id or approval reference breaks its grammar"),
    FIELD_INVALID(
            Stage.PROTOCOL,
            400,
            "項目値不正",
            "a field is too long, holds control characters or bidi overrides, or is out of range"),
    JSON_INVALID(Stage.PROTOCOL, 400, "JSON不正", "the JSON body is malformed or repeats a key"),
    FILENAME_INVALID(
            Stage.PROTOCOL,
            400,
            "ファイル名不正",
            "the file name has a path separator, is . or .., holds controls or bidi overrides, or is too long"),
    METHOD_NOT_ALLOWED(Stage.PROTOCOL, 405, "メソッド不可", "the endpoint does not take this method"),
    NOT_ACCEPTABLE(Stage.PROTOCOL, 406, "応答形式不可", "the endpoint cannot answer in the accepted media type"),
    TOO_LARGE(Stage.PROTOCOL, 413, "要求が大きすぎる", "the request body exceeds the server's limit"),
    REQUEST_ERROR(Stage.PROTOCOL, 400, "要求エラー", "another client error"),

    // 5. the payload and the approval's limits
    PAYLOAD_TOO_LARGE(Stage.PAYLOAD, 413, "経路の上限サイズ超過", "the upload exceeds the route's max-payload"),
    SPOOL_FULL(
            Stage.PAYLOAD,
            507,
            "スプール容量不足",
            "the gateway's spool has no room for the upload (free space minus spool.reserve); its partial file is released"),
    SPOOL_UNAVAILABLE(
            Stage.PAYLOAD,
            503,
            "スプール利用不可",
            "the spool folder (its .sekisho-spool marker) or the cluster lock on it cannot be reached now; nothing is deleted,"
                    + " the upload keeps its offset: retry later"),
    RECORDS_OVER_APPROVAL(Stage.PAYLOAD, 403, "承認件数超過", "the declared record count exceeds the approval's maximum"),
    COMPRESSION_NOT_ALLOWED(
            Stage.PAYLOAD,
            422,
            "圧縮は経路で不可",
            "the envelope is compressed (id-ct-compressedData) on a route with compression: false; send with"
                    + " --no-compress"),
    PAYLOAD_NOT_ENCRYPTED(
            Stage.PAYLOAD,
            422,
            "暗号化されていない",
            "not a CMS envelope encrypted for the route (plaintext or another structure)"),
    PAYLOAD_WEAK_CIPHER(
            Stage.PAYLOAD, 422, "弱い暗号", "the content cipher is not AES-256 (GCM, or CBC where the route allows it)"),
    PAYLOAD_WRONG_RECIPIENT(
            Stage.PAYLOAD,
            422,
            "宛先証明書の不一致",
            "the envelope is not for exactly the route's registered recipient certificates"),
    PAYLOAD_HASH_MISMATCH(
            Stage.PAYLOAD, 422, "ハッシュ不一致", "the envelope's SHA-256 differs from the one the client declared"),
    PAYLOAD_MALFORMED(
            Stage.PAYLOAD,
            422,
            "封筒の構造が不正",
            "the envelope is outside the accepted profile (unauthenticated attributes, ICV not 16 bytes, a field over its bound)"),

    // 6. approvals and routes (secretariat and operator)
    INVALID_APPROVAL(Stage.POLICY, 400, "承認内容の不備", "the approval fails validation"),
    APPROVAL_EXISTS(Stage.POLICY, 409, "承認番号の重複", "an approval with this reference exists"),
    ILLEGAL_TRANSITION(Stage.POLICY, 409, "変更できない状態", "the decision does not apply to the approval's status"),
    APPROVAL_FINAL(Stage.POLICY, 409, "確定済みの承認", "the approval is revoked or withdrawn: final"),
    SAME_PERSON(Stage.POLICY, 403, "同一人物による確認", "the second secretariat member must be another person"),
    NOTHING_TO_CONFIRM(Stage.POLICY, 409, "確認待ちなし", "no decision awaits confirmation"),
    REASON_REQUIRED(Stage.POLICY, 400, "理由の記載が必要", "the decision needs a reason"),
    UNKNOWN_DECISION(Stage.POLICY, 400, "不明な決定", "the decision is not one of the known ones"),
    CONDITIONS_REQUIRED(
            Stage.POLICY,
            400,
            "条件の記載が必要",
            "approve-with-conditions needs the conditions' text; conditions go only with approve-with-conditions"),
    DATE_INVALID(
            Stage.POLICY,
            400,
            "日付不正",
            "a date is not one the council writes (令和9年1月1日, R9.1.1, 2027-01-01) or does not exist"),
    DELETION_REPORT_OVERDUE(
            Stage.POLICY,
            409,
            "廃棄報告の期限超過",
            "the approval's deletion report is overdue: reinstating or approving again needs an explicit override with a reason"),
    CONCURRENT_CHANGE(Stage.POLICY, 409, "同時変更", "someone else changed the approval meanwhile; read it again"),
    INVALID_ROUTE(Stage.POLICY, 400, "経路定義の不備", "the routes file or route fails validation"),
    UNKNOWN_LISTENER(Stage.POLICY, 400, "不明なリスナー", "the route names a listener this gateway does not have"),
    INVALID_CIDR(Stage.POLICY, 400, "CIDR不正", "a route's address range is not a CIDR"),
    QUERY_INVALID(Stage.POLICY, 400, "検索条件不正", "the audit search parameters are invalid"),
    AUDIT_SESSION_INVALID(
            Stage.POLICY,
            403,
            "閲覧セッション無効",
            "the audit live view's read session is unknown, expired or another person's: open the page again"),

    // 7. the contractor's deletion report (廃棄報告, docs/deletion-reports.md)
    DELETION_REPORT_MALFORMED(
            Stage.DELETION_REPORT,
            400,
            "廃棄報告の形式不正",
            "the body is not one CMS SignedData with its content inside, one signer and the signer's certificate"),
    DELETION_REPORT_SIGNER_UNTRUSTED(
            Stage.DELETION_REPORT,
            422,
            "廃棄報告の署名者を信頼できない",
            "the signer's certificate does not chain to the trust anchors, is outside its validity or is revoked"),
    DELETION_REPORT_SIGNATURE_INVALID(
            Stage.DELETION_REPORT,
            422,
            "廃棄報告の署名不正",
            "the signature does not verify over the manifest (altered after signing) or is not SHA-256"),
    DELETION_REPORT_NOT_CONTRACTOR(
            Stage.DELETION_REPORT,
            403,
            "署名者が受託事業者ではない",
            "the signer is not a receiver of any route under the approval (another key, even of the same CA)"),
    DELETION_REPORT_MANIFEST_INVALID(
            Stage.DELETION_REPORT,
            400,
            "廃棄報告の内容不正",
            "the manifest is not UTF-8 JSON of the documented shape: a field unknown, missing, repeated or over its bound"),
    DELETION_REPORT_APPROVAL_MISMATCH(
            Stage.DELETION_REPORT, 422, "承認番号の不一致", "the manifest names another approval than the request's path"),
    DELETION_REPORT_TRANSFER_UNKNOWN(
            Stage.DELETION_REPORT,
            422,
            "未知の転送を記載",
            "the manifest names transfers that were not delivered under the approval (named in the detail)"),
    DELETION_REPORT_TRANSFER_MISSING(
            Stage.DELETION_REPORT,
            422,
            "転送の記載漏れ",
            "transfers delivered under the approval are missing from the manifest (named in the detail)"),
    DELETION_REPORT_HASH_MISMATCH(
            Stage.DELETION_REPORT,
            422,
            "転送のハッシュ不一致",
            "a transfer's SHA-256 in the manifest differs from the delivered one (named in the detail)"),
    DELETION_REPORT_UNKNOWN(Stage.DELETION_REPORT, 404, "廃棄報告が存在しない", "no deletion report with this id"),

    // 8. how a transfer ended without delivery (audit events only)
    TERMINATED_BY_SENDER(Stage.TRANSFER_END, 0, "送信元が中止", "the sender deleted the upload (tus termination)"),
    UPLOAD_EXPIRED(Stage.TRANSFER_END, 0, "アップロード期限切れ", "the upload was not continued within Upload-Expires"),
    RETENTION_EXPIRED(
            Stage.TRANSFER_END, 0, "保管期限切れ", "the stored payload was not acknowledged within the route's retention"),
    SPOOL_FILE_MISSING(Stage.TRANSFER_END, 0, "スプールファイル消失", "the spool file of a transfer was missing at start-up"),
    SPOOL_ORPHAN(Stage.TRANSFER_END, 0, "孤立スプールファイル", "a spool file no transfer accounts for was deleted at start-up"),

    // 9. the gateway itself
    INTERNAL_ERROR(Stage.SERVER, 500, "内部エラー", "an unexpected failure; the log has the details under the request id"),
    UNAVAILABLE(Stage.SERVER, 503, "一時的に利用不可", "the gateway cannot serve the request now"),
    REPORT_FONT_MISSING(
            Stage.SERVER,
            503,
            "報告書用フォントなし",
            "the Japanese font PDF reports embed cannot be read: install fonts-ipaexfont-gothic or set report.font");

    /** Where in the order of checks a code is decided. */
    public enum Stage {
        EDGE,
        TLS,
        REQUEST,
        RELAY,
        PROTOCOL,
        PAYLOAD,
        POLICY,
        DELETION_REPORT,
        TRANSFER_END,
        SERVER
    }

    private static final Map<String, Reason> BY_CODE =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(Reason::name, Function.identity()));

    private final Stage stage;
    private final int status;
    private final String ja;
    private final String en;

    Reason(Stage stage, int status, String ja, String en) {
        this.stage = stage;
        this.status = status;
        this.ja = ja;
        this.en = en;
    }

    public Stage stage() {
        return stage;
    }

    /** The HTTP status of the answer, or 0 when the code never answers a request. */
    public int status() {
        return status;
    }

    /** The HTTP reason phrase of {@link #status()}. */
    public String title() {
        return HttpTitles.of(status);
    }

    public String ja() {
        return ja;
    }

    public String en() {
        return en;
    }

    /** The code as it appears in events, answers and metrics. */
    public String code() {
        return name();
    }

    /** The reason for a code another module decided (envelope refusals, route states), if the gateway knows it. */
    public static Optional<Reason> of(String code) {
        return Optional.ofNullable(code == null ? null : BY_CODE.get(code));
    }
}
