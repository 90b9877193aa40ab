package io.quiver.cli;

import io.quiver.storage.IoMessages;
import io.quiver.storage.QuiverException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code quiver} command line. Every failure is one line on stderr,
 * {@code quiver <command>: error: <what, where>}, with an exit code per kind of failure (see
 * {@link ExitCodes}).
 */
@Command(name = "quiver",
        mixinStandardHelpOptions = true,
        versionProvider = QuiverCli.Version.class,
        description = "Quiver: an embedded, disk-based approximate nearest neighbour vector store on LMDB.",
        subcommands = {
            ImportCommand.class, BuildCommand.class, SearchCommand.class, DeleteCommand.class, StatsCommand.class,
            BenchCommand.class, TruthCommand.class, BackupCommand.class, CheckCommand.class, DemoCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {"", "Typical use:",
            "  quiver import --db vectors --index 0 --distance cosine items.fvecs",
            "  quiver build  --db vectors --index 0 --algo hnsw",
            "  quiver search --db vectors --index 0 --k 10 --vector 0.1,0.2,0.3",
            "", ExitCodes.HELP_TABLE})
public final class QuiverCli implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    public static void main(String[] args) {
        // The kernels compile on a background thread while the command parses, opens and reads.
        io.quiver.distance.Kernels.warmUpInBackground();
        if (opensStore(args)) {
            // a one-query 'quiver search' in a new JVM: median 1.43 -> 1.20 s (docs/BENCHMARKS.md)
            io.quiver.storage.Store.loadNativeLibraryInBackground();
        }
        if (searches(args)) {
            io.quiver.distance.Kernels.warmUpSearchKernelsInBackground();
        }
        // Ctrl-C: ask a running build to stop (its transaction then aborts: nothing is committed)
        // and give the command a moment to close the store cleanly.
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        int[] finished = {-1};
        boolean[] exiting = {false};
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Cli.cancelled = true;
            try {
                done.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            if (finished[0] == ExitCodes.OK && !exiting[0]) {
                // A signal started this shutdown but came too late to stop anything: the command
                // had committed and said so ("imported 100000 vectors"), and the signal's status
                // (143) told the caller that nothing was (a review helper's sweep of SIGTERM delays,
                // 2 of 24 runs). Only then: halting cuts the other shutdown hooks short.
                Runtime.getRuntime().halt(ExitCodes.OK);
            }
        }, "quiver-shutdown"));
        exitWithLauncher();
        int code;
        try {
            PrintWriter err = new PrintWriter(System.err, true);
            try {
                code = run(CliOut.standardOutput(), err, args);
            } catch (UncheckedIOException e) {
                // the last flush of the standard output failed, after the command had finished
                code = report(commandName(args), e, err);
            }
            System.err.flush();
            finished[0] = code;
            exiting[0] = true;
        } finally {
            done.countDown();
        }
        System.exit(code);
    }

    /**
     * Stops this JVM as SIGTERM would (a build cancelled, nothing committed) when the {@code quiver}
     * launcher that started it dies: SIGKILL cannot be passed on, and the JVM ran on as an orphan
     * and committed the build it was told to stop (a review helper's {@code kill -9} of the
     * launcher). The launcher names itself in {@code -Dquiver.launcher.pid}.
     */
    private static void exitWithLauncher() {
        String pid = System.getProperty("quiver.launcher.pid");
        if (pid == null || pid.isBlank()) {
            return;
        }
        long launcher;
        try {
            launcher = Long.parseLong(pid.strip());
        } catch (NumberFormatException ignored) {
            return; // not set by the launcher: nothing to watch
        }
        // The kernel sends SIGTERM when the parent dies, at once, also while the killed launcher
        // waits unreaped (a zombie still counts as alive for ProcessHandle); checked after, in case
        // it died before.
        ParentDeath.signalTermOnParentDeath();
        if (ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) != launcher) {
            Runtime.getRuntime().halt(128 + 9); // gone before this JVM ran anything: nothing to stop or wait for
        }
        // where the kernel's signal is not available: the JDK's (polling) watch
        ProcessHandle.of(launcher).ifPresent(p -> p.onExit().thenRun(() -> System.exit(128 + 9)));
    }

    /** Runs one command line with the given output streams and returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        Cli.reset(err);
        CliOut.out = out;
        CommandLine cl = new CommandLine(new QuiverCli());
        // every command's --help offers -V, --version: each prints the program's (they printed nothing)
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.getCommandSpec().versionProvider(new Version());
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setUsageHelpAutoWidth(true);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            String name = qualified(c);
            String m = oneLine(ex.getMessage());
            if (m.startsWith("Error: ")) {
                m = m.substring(7);
            }
            err.println(name + ": error: " + m + " (see '" + name + " --help')");
            err.flush();
            return ExitCodes.USAGE;
        });
        // Help and version text is printed outside the commands: a failure to write it reached
        // picocli's last-resort handler (exit 1 and a stack trace) instead of report
        CommandLine.IExecutionStrategy runLast = new CommandLine.RunLast();
        cl.setExecutionStrategy(parsed -> {
            try {
                return runLast.execute(parsed);
            } catch (UncheckedIOException e) {
                CommandLine.ParseResult last = parsed;
                while (last.hasSubcommand()) {
                    last = last.subcommand();
                }
                int code = report(qualified(last.commandSpec().commandLine()), e, err);
                err.flush();
                return code;
            }
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            int code = report(qualified(c), ex, err);
            err.flush();
            return code;
        });
        int code;
        try {
            code = cl.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli hands errors through: a build out of heap printed the JVM's stack trace
            code = report(commandName(args), e, err);
        }
        out.flush();
        err.flush();
        return code;
    }

    static String qualified(CommandLine c) {
        StringBuilder b = new StringBuilder(c.getCommandName());
        for (CommandLine p = c.getParent(); p != null; p = p.getParent()) {
            b.insert(0, p.getCommandName() + " ");
        }
        return b.toString();
    }

    /** Prints one line for {@code ex} and returns its exit code. */
    static int report(String command, Throwable ex, PrintWriter err) {
        if (ex instanceof CliOut.ReaderGone) {
            return ExitCodes.READER_GONE;
        }
        int code;
        String msg;
        Throwable t = ex;
        if (t instanceof UncheckedIOException u && u.getCause() != null) {
            t = u.getCause();
            // a file-system exception's message is only its path: say what happened to it
            // new UncheckedIOException(cause) only repeats the cause as its message: use the cause's own words
            msg = t instanceof FileSystemException f ? IoMessages.describe(f, null)
                    : u.getMessage().equals(t.toString()) ? t.getMessage() : u.getMessage();
        } else if (t instanceof FileSystemException f) {
            msg = IoMessages.describe(f, null);
        } else {
            msg = t.getMessage();
        }
        if (t instanceof CliException c) {
            code = c.exitCode();
        } else if (t instanceof QuiverException q) {
            code = ExitCodes.of(q.kind());
        } else if (t instanceof NoSuchFileException n) {
            code = ExitCodes.NOT_FOUND;
            msg = n.getFile() + ": no such file";
        } else if (t instanceof AccessDeniedException) {
            // a store refused comes as QuiverException READ_ONLY: this is an input or output file
            // (an unreadable import file exited 13, "store is read-only": a review helper's run)
            code = ExitCodes.IO;
        } else if (t instanceof IOException) {
            code = IoMessages.noSpaceLeft(t) ? ExitCodes.DISK_FULL : ExitCodes.IO;
            msg = (msg == null ? t.getClass().getSimpleName() : msg);
        } else if (t instanceof OutOfMemoryError) {
            code = ExitCodes.INTERNAL;
            // only the heap is raised by -Xmx ("unable to create native thread", "Direct buffer memory" are not)
            String m = String.valueOf(t.getMessage());
            msg = "out of memory" + (m.contains("heap") || m.contains("GC overhead") ? " (raise -Xmx through JAVA_OPTS)" : "") + ": " + m;
        } else {
            code = ExitCodes.INTERNAL;
            msg = "internal error: " + t + (Cli.debug ? "" : " (run with --debug or QUIVER_DEBUG=1 for the stack trace)");
        }
        err.println(command + ": error: " + oneLine(msg));
        if (Cli.debug) {
            ex.printStackTrace(err);
        }
        return code;
    }

    /** "quiver &lt;command&gt;" for errors met outside picocli's handlers, from the raw arguments. */
    static String commandName(String[] args) {
        return "quiver" + (args.length > 0 && !args[0].startsWith("-") ? " " + args[0] : "");
    }

    static String oneLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        return s.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
    }

    /** Whether the command line names a command that opens a store: any but help, the version and 'truth'. */
    static boolean opensStore(String[] args) {
        return args.length > 0 && !args[0].startsWith("-") && !args[0].equals("help") && !args[0].equals("truth");
    }

    /**
     * Whether the command only searches, so that the search-only kernels should compile from the
     * start. Commands that build first (bench, demo) start them at their first search instead:
     * compiling them during the build would take the build's cores (see Kernels).
     */
    static boolean searches(String[] args) {
        return args.length > 0 && args[0].equals("search");
    }

    /** Version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = QuiverCli.class.getPackage().getImplementationVersion();
            return new String[] {"quiver " + (v == null ? "0.1.0-SNAPSHOT" : v) + " (Java " + Runtime.version() + ", store format "
                    + io.quiver.storage.Store.FORMAT_VERSION + ")"};
        }
    }
}
