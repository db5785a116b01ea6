package io.meterline.devstack.stripe;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Request parameters in Stripe's form encoding ({@code items[0][price]=…}, {@code metadata[k]=v},
 * {@code expand[]=…}), decoded into nested maps and lists. An empty value means "unset" (stripe-java's
 * {@code EmptyParam}), so getters answer {@code null} for it.
 */
public final class Params {

    private final Map<String, Object> values;
    private final String fingerprint;

    private Params(Map<String, Object> values, String fingerprint) {
        this.values = values;
        this.fingerprint = fingerprint;
    }

    static Params empty() {
        return new Params(Map.of(), "");
    }

    /** Parses one or more form-encoded strings (query string and body), later ones adding to earlier ones. */
    static Params parse(String... encoded) {
        Map<String, Object> root = new LinkedHashMap<>();
        TreeMap<String, List<String>> sorted = new TreeMap<>();
        for (String part : encoded) {
            if (part == null || part.isEmpty()) {
                continue;
            }
            for (String pair : part.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                sorted.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
                insert(root, segments(key), value);
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> normalized = (Map<String, Object>) normalize(root);
        return new Params(normalized, sorted.toString());
    }

    private static List<String> segments(String key) {
        List<String> segments = new ArrayList<>();
        int open = key.indexOf('[');
        if (open < 0) {
            segments.add(key);
            return segments;
        }
        segments.add(key.substring(0, open));
        int i = open;
        while (i < key.length() && key.charAt(i) == '[') {
            int close = key.indexOf(']', i);
            if (close < 0) {
                break;
            }
            segments.add(key.substring(i + 1, close));
            i = close + 1;
        }
        return segments;
    }

    @SuppressWarnings("unchecked")
    private static void insert(Map<String, Object> map, List<String> segments, String value) {
        String head = segments.get(0);
        if (segments.size() == 1) {
            map.put(head, value);
            return;
        }
        String next = segments.get(1);
        if (next.isEmpty()) {
            // a[]=v appends; a[][b]=v starts a new element each time b repeats
            Object existing = map.get(head);
            if (existing instanceof Map<?, ?> indexed && segments.size() == 2) {
                // expand[0]=a&expand[]=b: keep appending to the indexed form
                ((Map<String, Object>) indexed).put(String.valueOf(indexed.size()), value);
                return;
            }
            List<Object> list = existing instanceof List<?> l ? (List<Object>) l : new ArrayList<>();
            map.put(head, list);
            if (segments.size() == 2) {
                list.add(value);
            } else {
                Map<String, Object> last = list.isEmpty() || !(list.get(list.size() - 1) instanceof Map<?, ?> m)
                        || ((Map<String, Object>) m).containsKey(segments.get(2))
                        ? null : (Map<String, Object>) list.get(list.size() - 1);
                if (last == null) {
                    last = new LinkedHashMap<>();
                    list.add(last);
                }
                insert(last, segments.subList(2, segments.size()), value);
            }
            return;
        }
        Object existing = map.get(head);
        Map<String, Object> child = existing instanceof Map<?, ?> m ? (Map<String, Object>) m : new LinkedHashMap<>();
        map.put(head, child);
        insert(child, segments.subList(1, segments.size()), value);
    }

    /** Maps whose keys are all indexes ({@code items[0]}, {@code items[1]}) become lists. */
    @SuppressWarnings("unchecked")
    private static Object normalize(Object node) {
        if (node instanceof Map<?, ?> raw) {
            Map<String, Object> map = (Map<String, Object>) raw;
            map.replaceAll((k, v) -> normalize(v));
            if (!map.isEmpty() && map.keySet().stream().allMatch(k -> !k.isEmpty() && k.chars().allMatch(Character::isDigit))) {
                TreeMap<Integer, Object> byIndex = new TreeMap<>();
                map.forEach((k, v) -> byIndex.put(Integer.parseInt(k), v));
                return new ArrayList<>(byIndex.values());
            }
            return map;
        }
        if (node instanceof List<?> raw) {
            List<Object> list = (List<Object>) raw;
            list.replaceAll(Params::normalize);
            return list;
        }
        return node;
    }

    /** Sorted decoded pairs: equal for requests with the same parameters, whatever their order. */
    String fingerprint() {
        return fingerprint;
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public Map<String, Object> raw() {
        return Collections.unmodifiableMap(values);
    }

    public String str(String key) {
        Object v = values.get(key);
        if (v instanceof String s) {
            return s.isEmpty() ? null : s;
        }
        if (v != null) {
            throw StripeError.invalid("Invalid string: " + key, key);
        }
        return null;
    }

    /** Present but empty: the caller asked to unset the field. */
    public boolean isUnset(String key) {
        return "".equals(values.get(key));
    }

    public String required(String key) {
        String v = str(key);
        if (v == null) {
            throw StripeError.missing(key);
        }
        return v;
    }

    public Long longValue(String key) {
        String v = str(key);
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw StripeError.invalid("Invalid integer: " + v, key);
        }
    }

    public Boolean bool(String key) {
        String v = str(key);
        return v == null ? null : Boolean.parseBoolean(v);
    }

    @SuppressWarnings("unchecked")
    public Params params(String key) {
        Object v = values.get(key);
        if (v instanceof Map<?, ?> m) {
            return new Params((Map<String, Object>) m, "");
        }
        if (v == null || "".equals(v)) {
            return null;
        }
        throw StripeError.invalid("Invalid object", key);
    }

    /** Elements of a list of hashes ({@code items[0][price]}). */
    @SuppressWarnings("unchecked")
    public List<Params> paramsList(String key) {
        Object v = values.get(key);
        if (v == null || "".equals(v)) {
            return List.of();
        }
        if (v instanceof List<?> list) {
            List<Params> out = new ArrayList<>();
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> m)) {
                    throw StripeError.invalid("Invalid array", key);
                }
                out.add(new Params((Map<String, Object>) m, ""));
            }
            return out;
        }
        throw StripeError.invalid("Invalid array", key);
    }

    /** A list of strings ({@code expand[]=a}, {@code expand[0]=a}), or one string. */
    public List<String> strings(String key) {
        Object v = values.get(key);
        if (v == null || "".equals(v)) {
            return List.of();
        }
        if (v instanceof String s) {
            return List.of(s);
        }
        if (v instanceof List<?> list) {
            List<String> out = new ArrayList<>();
            for (Object o : list) {
                if (o instanceof String s) {
                    out.add(s);
                }
            }
            return out;
        }
        throw StripeError.invalid("Invalid array", key);
    }

    /** String-valued entries of a hash such as {@code metadata}; empty values are kept (they unset keys). */
    public Map<String, String> stringMap(String key) {
        Object v = values.get(key);
        Map<String, String> out = new LinkedHashMap<>();
        if (v instanceof Map<?, ?> m) {
            m.forEach((k, val) -> out.put(String.valueOf(k), val instanceof String s ? s : String.valueOf(val)));
        }
        return out;
    }
}
