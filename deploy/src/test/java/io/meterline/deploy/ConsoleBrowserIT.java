package io.meterline.deploy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ops console in a real browser: Debian's headless Chromium, driven through its chromedriver, against the three
 * packaged services after a demo-like run. Signs in, reads the console, opens the customer view and a run, and saves
 * screenshots under target/screenshots. Run alone with {@code ./mvnw -pl deploy verify -Pbrowser} (README).
 */
class ConsoleBrowserIT {

    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static Pipeline pipeline;
    static Workload workload;
    static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        pipeline = Pipeline.get();
        workload = Workload.run(pipeline);
        Files.createDirectories(SCREENSHOTS);
        Path profile = Files.createTempDirectory("chromium-profile-");
        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium").addArguments("--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1280, 1400));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
    }

    /** localhost, not 127.0.0.1: the session cookie is Secure, which browsers accept over http only for localhost. */
    static String url(String path) {
        return pipeline.url("billing").replace("127.0.0.1", "localhost") + path;
    }

    @Test
    void anOperatorSignsInReadsTheConsoleAndOpensACustomerAndARun() throws Exception {
        browser.get(url("/ops"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Meterline ops — sign in");
        browser.findElement(By.id("token")).sendKeys(pipeline.operatorToken);
        browser.findElement(By.id("sign-in")).click();

        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Pipeline console");
        String health = browser.findElement(By.id("health")).getText();
        assertThat(health).contains("ingest-service", "billing-service", "webhook-service").doesNotContain("NOT READY");
        assertThat(browser.findElements(By.cssSelector("#health td.version"))).hasSize(3)
                .allSatisfy(version -> assertThat(version.getText()).matches("\\d+\\.\\d+.*"));
        assertThat(browser.findElement(By.id("dlq")).getText()).contains("not_json");
        assertThat(browser.findElement(By.id("runs")).getText()).contains(workload.reportRun.path("id").asText(), "completed");
        assertThat(browser.findElement(By.id("webhooks")).getText()).contains("no dead or retrying events");
        assertThat(browser.getPageSource()).doesNotContain(pipeline.operatorToken);
        screenshot("console");

        browser.findElement(By.id("subject")).sendKeys("acme");
        browser.findElement(By.id("open-customer")).click();
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Customer acme");
        assertThat(browser.findElement(By.className("meter")).getText()).contains("api-calls", "Meterline counted 5",
                "Stripe acknowledged 5");
        assertThat(browser.findElements(By.cssSelector("svg rect.counted"))).isNotEmpty();
        screenshot("customer");

        browser.findElement(By.linkText("explain")).click();
        assertThat(browser.findElement(By.tagName("h1")).getText()).startsWith("api-calls for acme");
        assertThat(browser.findElement(By.id("counted")).getText()).contains("counted", "duplicates dropped");
        screenshot("explain");

        browser.get(url("/ops"));
        browser.findElement(By.linkText(workload.reportRun.path("id").asText())).click();
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Report run " + workload.reportRun.path("id").asText());
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("completed", "reported");
        screenshot("run");
    }

    private static void screenshot(String name) throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
