package jp.sekisho.client.demo;

/**
 * What the demo's payroll web server serves, whichever server runs it: one static Japanese page
 * with dummy payslips and an upload form, and an upload endpoint that only counts what it got.
 * Nothing here holds a {@code $}: nginx would read it as a variable in its {@code return} text.
 */
final class PayrollSite {

    static final String PAGE_PATH = "/payroll/";
    static final String UPLOAD_PATH = "/payroll/upload";
    static final String TITLE = "人事給与システム 給与明細一覧（デモ）";
    /** Only this certificate may reach the server: the gateway's client certificate, as nginx writes a DN. */
    static final String GATEWAY_CLIENT_DN = "CN=" + DemoFiles.GATEWAY_CLIENT + ",O=" + DemoFiles.CITY;

    private PayrollSite() {}

    /** The page, on one line (nginx's return text), UTF-8. */
    static String page() {
        StringBuilder rows = new StringBuilder();
        String[][] staff = {
            {"DUMMY-0001", "DUMMY 久留米 太郎", "総務部人事厚生課", "312,400"},
            {"DUMMY-0002", "DUMMY 筑後 花子", "市民文化部", "287,150"},
            {"DUMMY-0003", "DUMMY 耳納 一郎", "健康福祉部", "265,900"}
        };
        for (String[] s : staff) {
            rows.append("<tr><td>")
                    .append(s[0])
                    .append("</td><td>")
                    .append(s[1])
                    .append("</td><td>")
                    .append(s[2])
                    .append("</td><td class=\"num\">")
                    .append(s[3])
                    .append(" 円</td></tr>");
        }
        return "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>" + TITLE
                + "</title></head><body>"
                + "<h1>" + TITLE + " / Payslips (demo)</h1>"
                + "<p>委託事業者データセンターの人事給与WEBサーバです。表示はすべてダミーデータです。"
                + " / The payroll web server in the contractor's datacenter; every row is dummy data.</p>"
                + "<table><tr><th>職員番号 Staff no.</th><th>氏名 Name</th><th>所属 Department</th>"
                + "<th>支給額 Net pay</th></tr>" + rows + "</table>"
                + "<h2>勤怠データの取込 / Upload</h2>"
                + "<form method=\"post\" action=\"" + UPLOAD_PATH + "\" enctype=\"multipart/form-data\">"
                + "<input type=\"file\" name=\"file\"> <button type=\"submit\">送信 / Send</button></form>"
                + "</body></html>\n";
    }

    /** The upload's answer; {@code bytes} as the server knows it (nginx: the Content-Length). */
    static String uploaded(String bytes) {
        return "受け付けました / received: " + bytes + " bytes\n";
    }
}
