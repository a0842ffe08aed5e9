package io.qilin.arbiter.settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One setting: its name (Gunicorn's, with underscores), its flags, its type as a parser from text,
 * its default, its help and its section. Immutable; built with the static factories and the
 * {@code with...} methods.
 *
 * @param <T> the value's type
 */
public final class Setting<T> {
    /** How a setting takes its value on the command line. */
    enum Arity { ONE, REPEATED, SWITCH }

    private final String name;
    private final String section;
    private final List<String> flags;
    private final String metavar;
    private final String help;
    private final Arity arity;
    private final Function<String, T> parser;
    private final Supplier<T> defaultValue;
    private final String defaultText;
    private final Range range;

    private Setting(String name, String section, List<String> flags, String metavar, String help, Arity arity,
            Function<String, T> parser, Supplier<T> defaultValue, String defaultText, Range range) {
        this.name = name;
        this.section = section;
        this.flags = flags;
        this.metavar = metavar;
        this.help = help;
        this.arity = arity;
        this.parser = parser;
        this.defaultValue = defaultValue;
        this.defaultText = defaultText;
        this.range = range;
    }

    /** The values a whole-number setting accepts, both ends included. */
    record Range(int min, int max) {
        String text() {
            return "From " + min + " to " + max + ".";
        }
    }

    static Setting<String> string(String name, String section, String metavar, String defaultValue, String help, String... flags) {
        return new Setting<>(name, section, List.of(flags), metavar, help, Arity.ONE, s -> s, () -> defaultValue,
                defaultValue == null ? "" : defaultValue, null);
    }

    /**
     * A whole number of at least {@code min}. Give every one an upper bound with {@link #atMost}: a value
     * beyond any sensible one is a typo, and it gets an error rather than a surprise (a unit test checks).
     */
    static Setting<Integer> integer(String name, String section, String metavar, int defaultValue, int min, String help,
            String... flags) {
        Range range = new Range(min, Integer.MAX_VALUE);
        return new Setting<>(name, section, List.of(flags), metavar, help, Arity.ONE, s -> parseInt(s, range),
                () -> defaultValue, Integer.toString(defaultValue), range);
    }

    /** A size in bytes, written {@code 512m}, {@code 2g}, {@code 65536k} or plain bytes (units of 1024). */
    static Setting<Long> size(String name, String section, long defaultValue, String defaultText, String help,
            String... flags) {
        return new Setting<>(name, section, List.of(flags), "SIZE", help, Arity.ONE, Setting::parseSize,
                () -> defaultValue, defaultText, null);
    }

    static Setting<Boolean> toggle(String name, String section, String help, String... flags) {
        return new Setting<>(name, section, List.of(flags), null, help, Arity.SWITCH, Setting::parseBoolean,
                () -> false, "false", null);
    }

    static Setting<List<String>> list(String name, String section, String metavar, List<String> defaultValue, String help,
            String... flags) {
        return new Setting<>(name, section, List.of(flags), metavar, help, Arity.REPEATED, Setting::splitList,
                () -> defaultValue, String.join(", ", defaultValue), null);
    }

    /** The same setting with a default computed when it is needed (it may depend on the environment). */
    Setting<T> withDefault(Supplier<T> value, String text) {
        return new Setting<>(name, section, flags, metavar, help, arity, parser, value, text, range);
    }

    /** The same whole-number setting, accepting at most {@code max}. */
    @SuppressWarnings("unchecked")
    Setting<T> atMost(int max) {
        if (range == null) {
            throw new IllegalStateException(name + " is not a whole number");
        }
        Range bounded = new Range(range.min(), max);
        return new Setting<>(name, section, flags, metavar, help, arity, s -> (T) Integer.valueOf(parseInt(s, bounded)), defaultValue,
                defaultText, bounded);
    }

    /** The same setting accepting only these values (case-insensitive). */
    Setting<T> oneOf(String... choices) {
        Function<String, T> inner = parser;
        return new Setting<>(name, section, flags, metavar, help, arity, s -> {
            for (String c : choices) {
                if (c.equalsIgnoreCase(s.trim())) {
                    return inner.apply(c);
                }
            }
            throw new IllegalArgumentException("one of " + String.join(", ", choices));
        }, defaultValue, defaultText, range);
    }

    public String name() {
        return name;
    }

    public String section() {
        return section;
    }

    public List<String> flags() {
        return flags;
    }

    public String metavar() {
        return metavar;
    }

    public String help() {
        return help;
    }

    /** The help with the accepted range, as --help and the docs show it. */
    public String helpWithRange() {
        return range == null ? help : help + " " + range.text();
    }

    /** The accepted range of a whole-number setting; null for the others. */
    Range range() {
        return range;
    }

    Arity arity() {
        return arity;
    }

    /** The default as the docs show it. */
    public String defaultText() {
        return defaultText;
    }

    /** The same setting accepting only text that passes the check; {@code expected} says what passes. */
    Setting<T> requiring(java.util.function.Predicate<String> check, String expected) {
        Function<String, T> inner = parser;
        return new Setting<>(name, section, flags, metavar, help, arity, s -> {
            if (!check.test(s.trim())) {
                throw new IllegalArgumentException(expected);
            }
            return inner.apply(s.trim());
        }, defaultValue, defaultText, range);
    }

    T defaultValue() {
        return defaultValue.get();
    }

    /**
     * Parses a value given as text (a flag's argument, a config file's value) by {@code source}.
     *
     * @throws IllegalArgumentException "Invalid value for NAME from SOURCE: VALUE (why)"
     */
    T parse(String text, Source source) {
        try {
            return parser.apply(text);
        } catch (RuntimeException e) {
            throw invalid(source, text, e.getMessage());
        }
    }

    /** The one error for a bad value of this setting: its name, where the value came from, the value and why. */
    IllegalArgumentException invalid(Source source, String value, String why) {
        return new IllegalArgumentException("Invalid value for " + name + (source == null ? "" : " from " + source)
                + ": " + (value.isEmpty() ? "''" : value) + (why == null ? "" : " (" + why + ")"));
    }

    /** The key in a config file: the name, with dashes or underscores. */
    boolean matchesKey(String key) {
        return name.equals(key.trim().replace('-', '_').toLowerCase(Locale.ROOT));
    }

    private static long parseSize(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        int shift = 0;
        if (!t.isEmpty() && "kmgt".indexOf(t.charAt(t.length() - 1)) >= 0) {
            shift = 10 * ("kmgt".indexOf(t.charAt(t.length() - 1)) + 1);
            t = t.substring(0, t.length() - 1);
        }
        long v;
        try {
            v = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size (bytes, or a number with k, m, g or t: 512m)");
        }
        if (v < 0 || v > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException(v < 0 ? "at least 0" : "too large");
        }
        return v << shift;
    }

    private static int parseInt(String s, Range range) {
        String digits = s.trim();
        if (!digits.matches("[-+]?\\d+")) {
            throw new IllegalArgumentException("not a whole number");
        }
        long v;
        try {
            v = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            v = digits.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;   // more digits than a long holds
        }
        if (v < range.min()) {
            throw new IllegalArgumentException("at least " + range.min());
        }
        if (v > range.max()) {
            throw new IllegalArgumentException("at most " + range.max());
        }
        return (int) v;
    }

    private static Boolean parseBoolean(String s) {
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "true":
            case "yes":
            case "on":
            case "1":
                return true;
            case "false":
            case "no":
            case "off":
            case "0":
                return false;
            default:
                throw new IllegalArgumentException("true or false");
        }
    }

    /** A config file gives a list as one comma-separated value; the command line, one value per flag. */
    static List<String> splitList(String s) {
        List<String> out = new ArrayList<>();
        for (String part : s.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return name;
    }
}
