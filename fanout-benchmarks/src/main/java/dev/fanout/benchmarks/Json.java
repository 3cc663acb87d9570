package dev.fanout.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the one-line, flat JSON objects that the child processes print: enough for them, no more. */
final class Json {
    private static final Pattern MEMBER =
            Pattern.compile("\"([^\"]+)\"\\s*:\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|[-+0-9.eE]+|NaN|true|false|null)");

    private Json() {}

    /** The members of a flat JSON object, strings unquoted, everything else as written. */
    static Map<String, String> parseFlat(String line) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = MEMBER.matcher(line);
        while (m.find()) {
            out.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(2));
        }
        return out;
    }

    /** The last line of {@code text} that looks like a JSON object, or null. */
    static String lastObjectLine(String text) {
        String found = null;
        for (String line : text.split("\\R")) {
            String t = line.strip();
            if (t.startsWith("{") && t.endsWith("}")) {
                found = t;
            }
        }
        return found;
    }
}
