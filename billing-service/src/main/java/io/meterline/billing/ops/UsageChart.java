package io.meterline.billing.ops;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * An hourly usage chart as inline SVG, rendered on the server (no script, no chart library): one bar per hour for
 * what Meterline counted, and a mark for what Stripe acknowledged for that hour. Pure: unit-tested directly.
 */
public final class UsageChart {

    /** One hour: Meterline's total and what was delivered to Stripe (null = nothing reported yet). */
    public record Hour(Instant start, double counted, Long reported) {
    }

    static final int WIDTH = 720;
    static final int HEIGHT = 200;
    private static final int LEFT = 48;
    private static final int BOTTOM = 24;
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    private UsageChart() {
    }

    public static String svg(String title, List<Hour> hours) {
        double max = 1;
        for (Hour h : hours) {
            max = Math.max(max, Math.max(h.counted(), h.reported() == null ? 0 : h.reported()));
        }
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\">",
                WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append("<title>").append(escape(title)).append("</title>");
        int plotWidth = WIDTH - LEFT - 8;
        int plotHeight = HEIGHT - BOTTOM - 8;
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>",
                LEFT, 8 + plotHeight, LEFT + plotWidth, 8 + plotHeight));
        svg.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"16\" font-size=\"11\">%s</text>", format(max)));
        if (hours.isEmpty()) {
            svg.append("<text x=\"60\" y=\"100\" font-size=\"13\">no usage in this range</text></svg>");
            return svg.toString();
        }
        double slot = (double) plotWidth / hours.size();
        double bar = Math.max(2, slot * 0.6);
        for (int i = 0; i < hours.size(); i++) {
            Hour h = hours.get(i);
            double x = LEFT + i * slot + (slot - bar) / 2;
            double height = h.counted() / max * plotHeight;
            String label = HOUR.format(h.start()) + " counted " + format(h.counted())
                    + (h.reported() == null ? ", not reported" : ", Stripe " + h.reported());
            svg.append(String.format(Locale.ROOT,
                    "<rect class=\"counted\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4a7bd0\"><title>%s</title></rect>",
                    x, 8 + plotHeight - height, bar, height, escape(label)));
            if (h.reported() != null) {
                double y = 8 + plotHeight - h.reported() / max * plotHeight;
                svg.append(String.format(Locale.ROOT,
                        "<line class=\"reported\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e07020\" stroke-width=\"3\"/>",
                        x - 2, y, x + bar + 2, y));
            }
            if (hours.size() <= 24 || i % Math.max(1, hours.size() / 12) == 0) {
                svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\">%s</text>",
                        x, HEIGHT - 8, HOUR.format(h.start())));
            }
        }
        return svg.append("</svg>").toString();
    }

    static String format(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.format(Locale.ROOT, "%.2f", value);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
