package jp.sekisho.console.support;

import java.io.PrintWriter;
import java.io.StringWriter;
import jp.sekisho.client.Sekisho;

/** One run of the sekisho command line (the code {@code ./sekisho} runs), in-process, with what it printed. */
public record Cli(int code, String out, String err) {

    public static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Sekisho.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Cli(code, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
    }
}
