package io.meterline.cli;

import java.nio.file.Path;

/** {@code ./meterline demo}: the main job, end to end on the local stack. */
final class Demo {

    private final Path home;

    Demo(Path home) {
        this.home = home;
    }

    int run() throws Exception {
        try (Stack stack = Stack.startAll(home)) {
            System.out.println("stack is up: " + stack.ingestUrl());
            return 0;
        }
    }
}
