package io.meterline.billing.ops;

import io.meterline.billing.reconciliation.ReconciliationWindow;
import io.meterline.billing.reporting.ReportRun;
import io.quarkus.qute.TemplateExtension;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Links between the console's pages, with their query parameters encoded (subjects may hold any printable text). */
@TemplateExtension
public final class OpsLinks {

    private OpsLinks() {
    }

    /** The console's explain page of one (meter, customer, hour). */
    public static String explain(String meter, String subject, Instant hour) {
        return "/ops/explain?meter=" + encode(meter) + "&customer=" + encode(subject) + "&hour=" + encode(hour.toString());
    }

    public static String customer(String subject) {
        return "/ops/customers/" + encode(subject);
    }

    static String explainHref(ReportRun.ReportError error) {
        return explain(error.meter(), error.subject(), error.window());
    }

    static String explainHref(ReconciliationWindow window, String subject) {
        return explain(window.meter, subject, window.windowStart);
    }

    /** {@code {subject.customerLink}} in a template. */
    static String customerLink(String subject) {
        return customer(subject);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
