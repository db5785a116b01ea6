package io.meterline.model;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * The numeric contract of usage values (docs/decisions/0060-usage-number-range.md): a value is a decimal with at
 * most {@value #MAX_SIGNIFICANT_DIGITS} significant digits whose magnitude is 0 or lies in
 * [{@link #MIN_MAGNITUDE}, {@link #MAX_MAGNITUDE}]. Every such decimal converts to a double and back unchanged, so
 * what ingest accepts is what billing counts; integers up to 10^15 are exact, and window sums stay exact integers
 * below 2^53 ({@link #MAX_EXACT_TOTAL}), which the reporter checks before sending.
 */
public final class UsageNumbers {

    public static final BigDecimal MAX_MAGNITUDE = new BigDecimal("1e15");
    public static final BigDecimal MIN_MAGNITUDE = new BigDecimal("1e-9");
    public static final int MAX_SIGNIFICANT_DIGITS = 15;
    /** 2^53: below it a double holds every integer exactly; window totals at or above it are not reported. */
    public static final double MAX_EXACT_TOTAL = 9_007_199_254_740_992d;

    /** JSON's number grammar: what a numeric string in {@code data} must look like to be read as a number. */
    private static final Pattern JSON_NUMBER = Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");
    /** Longer numeric text is refused before BigDecimal sees it (a megabyte of digits costs quadratic time). */
    private static final int MAX_NUMBER_TEXT = 64;

    private UsageNumbers() {
    }

    /** Why {@code value} is outside the contract, or null when it is inside. */
    public static String problem(BigDecimal value) {
        if (value.signum() == 0) {
            return null;
        }
        BigDecimal magnitude = value.abs();
        if (magnitude.compareTo(MAX_MAGNITUDE) > 0) {
            return "is beyond ±1e15, the largest magnitude Meterline counts";
        }
        if (magnitude.compareTo(MIN_MAGNITUDE) < 0) {
            return "is closer to 0 than 1e-9, the smallest magnitude Meterline counts";
        }
        if (value.stripTrailingZeros().precision() > MAX_SIGNIFICANT_DIGITS) {
            return "has more than " + MAX_SIGNIFICANT_DIGITS + " significant digits, more than a sum can keep exactly";
        }
        return null;
    }

    /** The decimal a text holds when it is a JSON number (e.g. {@code "42.5"}), else null: then it is just text. */
    public static BigDecimal parseNumericText(String text) {
        // a JSON number starts with '-' or a digit: most text (names, regions, paths) is ruled out without the regex
        if (text.isEmpty() || text.length() > MAX_NUMBER_TEXT
                || (text.charAt(0) != '-' && (text.charAt(0) < '0' || text.charAt(0) > '9'))
                || !JSON_NUMBER.matcher(text).matches()) {
            return null;
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }

    /** A counted value as a double, or NaN when {@code value} is outside the contract. */
    public static double toCountable(BigDecimal value) {
        return problem(value) == null ? value.doubleValue() : Double.NaN;
    }

    /** Whether a window total can be reported as a whole number without loss (finite, below 2^53 in magnitude). */
    public static boolean reportable(double total) {
        return Double.isFinite(total) && Math.abs(total) < MAX_EXACT_TOTAL;
    }
}
