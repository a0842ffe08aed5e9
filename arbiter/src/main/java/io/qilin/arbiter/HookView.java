package io.qilin.arbiter;

import io.qilin.arbiter.settings.Settings;
import io.qilin.worker.ServerHooks;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/** What the {@code --hooks} class sees of the master: its pid, how many workers it wants, its settings. */
final class HookView implements ServerHooks.Master {
    private final long pid;
    private final IntSupplier workers;
    private final Supplier<Settings> settings;

    HookView(long pid, IntSupplier workers, Supplier<Settings> settings) {
        this.pid = pid;
        this.workers = workers;
        this.settings = settings;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public int workers() {
        return workers.getAsInt();
    }

    @Override
    public String setting(String name) {
        return Settings.ALL.stream().filter(s -> s.name().equals(name)).findFirst()
                .map(s -> settings.get().get(s)).map(String::valueOf).orElse(null);
    }
}
