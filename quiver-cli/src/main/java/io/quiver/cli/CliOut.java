package io.quiver.cli;

import java.io.PrintWriter;

/** The standard output of the running command line. */
final class CliOut {
    static volatile PrintWriter out = new PrintWriter(System.out, true);

    private CliOut() {}

    static void println(String s) {
        out.println(s);
    }

    static void print(String s) {
        out.print(s);
    }

    static void flush() {
        out.flush();
    }
}
