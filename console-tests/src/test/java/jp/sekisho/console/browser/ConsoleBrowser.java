package jp.sekisho.console.browser;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.devtools.DevTools;
import org.openqa.selenium.devtools.v156.network.Network;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium, headless, logged in to the console as one person: their client certificate in
 * a profile of its own ({@link NssProfile}), picked without a prompt by the managed policy ({@link
 * ChromiumPolicy}), driven by Debian's chromedriver. Japanese, 1280×1024, downloads into a folder of
 * its own. {@link #close()} ends chromedriver and every Chromium process of this profile.
 *
 * <p>Waits are explicit and generous (a loaded two-core machine runs several builds at once).
 */
public final class ConsoleBrowser implements AutoCloseable {

    static final String CHROMIUM = "/usr/lib/chromium/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    public static final Duration WAIT = Duration.ofSeconds(60);

    /**
     * How Chromium reports a TLS 1.3 handshake the server refused for want of a client certificate:
     * the refusal comes after the client's side of the handshake is done, so it reads as the alert
     * ({@code BAD_SSL_CLIENT_AUTH_CERT}) or, when the request loses the race, as a closed socket.
     * Both seen here on the same test, run to run.
     */
    public static final Set<String> HANDSHAKE_REFUSED =
            Set.of("net::ERR_BAD_SSL_CLIENT_AUTH_CERT", "net::ERR_SOCKET_NOT_CONNECTED");

    static {
        // Selenium logs through java.util.logging; its INFO lines (CDP sessions, ports) are noise here
        Logger.getLogger("org.openqa.selenium").setLevel(Level.WARNING);
    }

    private final String name;
    private final Path dir;
    private final Path downloads;
    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private DevTools devTools;
    private final Map<String, Integer> documentStatus = new ConcurrentHashMap<>();

    private ConsoleBrowser(String name, Path dir, Path downloads, ChromeDriverService service, ChromeDriver driver) {
        this.name = name;
        this.dir = dir;
        this.downloads = downloads;
        this.service = service;
        this.driver = driver;
    }

    /** A browser holding {@code who}'s certificate: {@code pkiDir/who.p12} (empty password, as TestPki writes). */
    public static ConsoleBrowser as(Path root, Path caPem, Path pkiDir, String who) throws IOException {
        return start(root.resolve("browser-" + who), who, caPem, pkiDir.resolve(who + ".p12"), new char[0]);
    }

    /** A browser that trusts the gateway but holds no certificate at all. */
    public static ConsoleBrowser withoutCertificate(Path root, Path caPem) throws IOException {
        return start(root.resolve("browser-nobody"), "nobody", caPem, null, new char[0]);
    }

    /** A browser with the identity in {@code p12} (or none when null), its files under {@code dir}. */
    public static ConsoleBrowser start(Path dir, String name, Path caPem, Path p12, char[] password)
            throws IOException {
        for (String exe : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(Path.of(exe))) {
                throw new IllegalStateException(exe + " がありません / is missing: install Debian's chromium and"
                        + " chromium-driver (apt-get install chromium chromium-driver; .ci/run does)");
            }
        }
        ChromiumPolicy.ensure();
        Files.createDirectories(dir);
        NssProfile profile = NssProfile.create(dir, caPem, p12, password);
        Path userData = Files.createDirectories(dir.resolve("user-data"));
        Path downloads = Files.createDirectories(dir.resolve("downloads"));

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless=new",
                // root in a container: no user namespaces for Chromium's sandbox
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--user-data-dir=" + userData,
                "--lang=ja",
                "--window-size=1280,1024",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--password-store=basic");
        options.setExperimentalOption(
                "prefs",
                Map.of(
                        "intl.accept_languages", "ja,en",
                        "download.default_directory", downloads.toString(),
                        "download.prompt_for_download", false,
                        "download.directory_upgrade", true,
                        "safebrowsing.enabled", false));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                // Chromium finds the NSS database under $HOME; chromedriver passes its environment on.
                // The browser's clock is UTC: a page showing Tokyo time must have made it so itself.
                .withEnvironment(Map.of("HOME", profile.home().toString(), "LANG", "ja_JP.UTF-8", "TZ", "UTC"))
                .withLogFile(dir.resolve("chromedriver.log").toFile())
                .withTimeout(WAIT)
                .build();
        ChromeDriver driver;
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            killLeftovers(userData);
            throw e;
        }
        ConsoleBrowser browser = new ConsoleBrowser(name, dir, downloads, service, driver);
        try {
            driver.manage().timeouts().pageLoadTimeout(WAIT);
            driver.manage().timeouts().scriptTimeout(WAIT);
            browser.watchStatus();
            return browser;
        } catch (RuntimeException e) {
            browser.close();
            throw e;
        }
    }

    /** Records each page's HTTP status through the DevTools protocol: WebDriver itself does not tell it. */
    private void watchStatus() {
        devTools = driver.getDevTools();
        devTools.createSession();
        devTools.addListener(Network.responseReceived(), r -> {
            if ("Document".equals(r.getType().toString())) {
                documentStatus.put(
                        stripFragment(r.getResponse().getUrl()), r.getResponse().getStatus());
            }
        });
        devTools.send(Network.enable(
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
    }

    private static String stripFragment(String url) {
        int hash = url.indexOf('#');
        return hash < 0 ? url : url.substring(0, hash);
    }

    public String name() {
        return name;
    }

    public WebDriver driver() {
        return driver;
    }

    /** Where this browser's Chromium keeps its profile: every process it runs names it. */
    public Path userDataDir() {
        return dir.resolve("user-data");
    }

    public Path downloads() {
        return downloads;
    }

    /** Opens {@code url} and waits for the page (or Chromium's error page) to load. */
    public ConsoleBrowser open(String url) {
        documentStatus.clear();
        driver.get(url);
        return this;
    }

    /**
     * Opens {@code url} where no page is expected: the network error Chromium reports (e.g. {@code
     * net::ERR_BAD_SSL_CLIENT_AUTH_CERT}), or null when a page did load.
     */
    public String networkErrorOpening(String url) {
        documentStatus.clear();
        try {
            driver.get(url);
        } catch (WebDriverException e) {
            Matcher m = NET_ERROR.matcher(String.valueOf(e.getMessage()));
            if (m.find()) {
                return m.group();
            }
            throw e;
        }
        // chromedriver usually reports the failed navigation as above; once in a while (seen on a
        // loaded machine) it returns normally with Chromium's error page shown
        String shown = new WebDriverWait(driver, WAIT).until(d -> {
            String error = networkErrorShown();
            if (error != null) {
                return error;
            }
            return documentStatus.containsKey(stripFragment(d.getCurrentUrl())) ? "" : null;
        });
        return shown.isEmpty() ? null : shown;
    }

    /** The network error Chromium's error page now shown names in its {@code .error-code}, else null. */
    public String networkErrorShown() {
        List<WebElement> code = driver.findElements(By.cssSelector(".error-code"));
        String text = code.isEmpty() ? null : code.get(0).getDomProperty("textContent");
        return text == null || text.isBlank() ? null : "net::" + text.strip();
    }

    private static final Pattern NET_ERROR = Pattern.compile("net::ERR_[A-Z_]+");

    /**
     * The HTTP status of the page now shown, null when no response came (Chromium's own error pages).
     * The DevTools events arrive on their own connection, so this waits a little for them.
     */
    public Integer status() {
        String url = stripFragment(driver.getCurrentUrl());
        try {
            return Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> documentStatus.get(url), java.util.Objects::nonNull);
        } catch (ConditionTimeoutException e) {
            return null; // Chromium's own error page: no response came
        }
    }

    /** Clicks what {@code by} finds (a submit button, a link) and waits until the next page has loaded. */
    public void clickAndWait(By by) {
        markDocument();
        driver.findElement(by).click();
        awaitNextDocument();
    }

    /** Submits {@code form} (as pressing Enter in it would) and waits until the next page has loaded. */
    public void submitAndWait(WebElement form) {
        markDocument();
        form.submit();
        awaitNextDocument();
    }

    /** Types {@code value} into a text field or textarea, or picks it from a select (by value). */
    public void fill(WebElement field, String value) {
        if ("select".equals(field.getTagName())) {
            new Select(field).selectByValue(value);
        } else {
            field.clear();
            field.sendKeys(value);
        }
    }

    /** Whether any element matches {@code by} on the page now shown (no waiting). */
    public boolean has(By by) {
        return !driver.findElements(by).isEmpty();
    }

    /** Waits until an element matching {@code by} is on the page. */
    public WebElement await(By by) {
        return new WebDriverWait(driver, WAIT).until(ExpectedConditions.presenceOfElementLocated(by));
    }

    /** The visible text of the page body. */
    public String bodyText() {
        return driver.findElement(By.tagName("body")).getText();
    }

    /**
     * Submits a form of our own making from the page now shown, as a page script would: a POST with
     * the browser's cookies and certificate, same origin, but without the console's forms.
     */
    public void submitForm(String action, Map<String, String> fields) {
        markDocument();
        ((JavascriptExecutor) driver)
                .executeScript(
                        "const f = document.createElement('form'); f.method = 'POST'; f.action = arguments[0];"
                                + " for (const [k, v] of Object.entries(arguments[1])) {"
                                + "   const i = document.createElement('input'); i.type = 'hidden';"
                                + "   i.name = k; i.value = v; f.appendChild(i); }"
                                + " document.body.appendChild(f); f.submit();",
                        action,
                        fields);
        awaitNextDocument();
    }

    /** Tags the document now shown, so that {@link #awaitNextDocument} can tell when it has been replaced. */
    private void markDocument() {
        documentStatus.clear();
        ((JavascriptExecutor) driver).executeScript("window.__sekishoOld = true;");
    }

    /**
     * Waits until a new document has replaced the tagged one and has loaded. Not stalenessOf: while
     * Chromium swaps documents, asking about the old element can fail with "Node with given id does
     * not belong to the document" instead of a stale-element error, so every WebDriver error during
     * the swap just means "not yet".
     */
    private void awaitNextDocument() {
        new WebDriverWait(driver, WAIT)
                .ignoring(WebDriverException.class)
                .until(d -> !Boolean.TRUE.equals(
                        ((JavascriptExecutor) d).executeScript("return window.__sekishoOld === true")));
        awaitReady();
    }

    private void awaitReady() {
        new WebDriverWait(driver, WAIT)
                .ignoring(WebDriverException.class)
                .until(d -> "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
    }

    /** Writes a PNG of the viewport to {@code file}. */
    public Path screenshot(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        return file;
    }

    /** Waits for a finished download whose name ends with {@code suffix} (Chromium writes .crdownload first). */
    public Path awaitDownload(String suffix) {
        return new WebDriverWait(driver, WAIT).until(d -> {
            try (Stream<Path> files = Files.list(downloads)) {
                return files.filter(f -> f.getFileName().toString().endsWith(suffix))
                        .filter(f -> !f.getFileName().toString().endsWith(".crdownload"))
                        .findFirst()
                        .orElse(null);
            } catch (IOException e) {
                return null;
            }
        });
    }

    /** Ends the browser: WebDriver's quit, chromedriver's stop, then any Chromium process of this profile. */
    @Override
    public void close() {
        try {
            if (devTools != null) {
                devTools.close();
            }
            driver.quit();
        } catch (RuntimeException e) {
            // a browser that already died: what is left of it is killed below
        } finally {
            service.stop();
            killLeftovers(userDataDir());
        }
    }

    /** Processes whose command line names {@code userData}: this browser's and no one else's. */
    public static List<ProcessHandle> processesOf(Path userData) {
        String marker = "--user-data-dir=" + userData;
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .toList();
    }

    private static void killLeftovers(Path userData) {
        for (ProcessHandle p : processesOf(userData)) {
            p.destroyForcibly();
        }
        for (ProcessHandle p : processesOf(userData)) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // reported by the tests' own check for stray processes
            }
        }
    }
}
