package io.qilin.arbiter.control;

/**
 * The argument of {@code scale}: {@code N} sets the number of workers, {@code +N} and {@code -N}
 * change it. Never below one worker, as TTOU.
 */
public record Scale(int amount, boolean relative) {

    /** @throws ControlException for anything but {@code N}, {@code +N} or {@code -N} */
    public static Scale parse(String text) {
        String t = text == null ? "" : text.trim();
        boolean relative = t.startsWith("+") || t.startsWith("-");
        try {
            int n = Integer.parseInt(t.startsWith("+") ? t.substring(1) : t);
            if (!relative && n < 1) {
                throw new ControlException("cannot scale to " + n + " workers: at least 1");
            }
            return new Scale(n, relative);
        } catch (NumberFormatException e) {
            throw new ControlException("scale takes N, +N or -N, not '" + text + "'");
        }
    }

    /** The new number of workers from the current one. */
    public int applyTo(int current) {
        int n = relative ? current + amount : amount;
        if (n < 1) {
            throw new ControlException("cannot scale " + current + " workers by " + amount + ": at least 1 must stay");
        }
        return n;
    }

    @Override
    public String toString() {
        return relative && amount >= 0 ? "+" + amount : Integer.toString(amount);
    }
}
