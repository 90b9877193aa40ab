package io.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.cli.io.Ivecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end, as a new user would: the real {@code ./quiver} launcher (and so the shaded jar
 * built in the package phase; run by failsafe in integration-test), from a foreign working
 * directory, on small generated files.
 */
class QuiverLauncherIT {
    static Path launcher;

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
        List<String> errLines() {
            return err.isBlank() ? List.of() : List.of(err.strip().split("\n"));
        }
    }

    @BeforeAll
    static void findLauncher() {
        String home = System.getProperty("quiver.home", "..");
        launcher = Path.of(home).toAbsolutePath().normalize().resolve("quiver");
        assertThat(launcher).as("the launcher script").isExecutable();
        assertThat(launcher.getParent().resolve("quiver-cli/target/quiver.jar")).as("the jar (built by mvn package)").exists();
    }

    Run quiver(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher.toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("QUIVER_PROGRESS");
        pb.environment().put("JAVA_OPTS", "-Xmx512m -XX:TieredStopAtLevel=1");
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("quiver " + String.join(" ", args) + " did not finish in 180 s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    Run ok(String... args) throws IOException, InterruptedException {
        Run r = quiver(args);
        assertThat(r.code()).as("quiver %s\nstdout: %s\nstderr: %s", String.join(" ", args), r.out(), r.err()).isZero();
        return r;
    }

    Run fails(int code, String text, String... args) throws IOException, InterruptedException {
        Run r = quiver(args);
        assertThat(r.code()).as("exit code of quiver %s (stderr: %s)", String.join(" ", args), r.err()).isEqualTo(code);
        assertThat(r.errLines()).as("stderr of quiver %s is one line", String.join(" ", args)).hasSize(1);
        assertThat(r.errLines().get(0)).startsWith("quiver ").contains("error:").contains(text);
        assertThat(r.out()).isEmpty();
        return r;
    }

    /**
     * Results that cannot be written are an error, not a silent exit 0 with a cut-off file: a full
     * device gives DISK_FULL with one line; a reader that went away (`| head`) stops the command,
     * which exits with READER_GONE and says nothing, as a tool killed by SIGPIPE would.
     */
    @Test
    void failedWritesOfResultsAreErrors() throws Exception {
        TestFiles.fvecs(dir.resolve("base.fvecs"), TestFiles.gaussian(300, 8, 1));
        TestFiles.fvecs(dir.resolve("queries.fvecs"), TestFiles.gaussian(3000, 8, 2));
        ok("import", "--db", "db", "--distance", "euclidean", "--build", "hnsw", "base.fvecs");

        Path full = Path.of("/dev/full");
        if (Files.exists(full) && !Files.isRegularFile(full)) {
            Process p = new ProcessBuilder(launcher.toString(), "search", "--db", "db", "--queries", "queries.fvecs", "--k", "10")
                    .directory(dir.toFile()).redirectOutput(full.toFile()).redirectError(dir.resolve("full.err").toFile()).start();
            assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
            List<String> err = Files.readAllLines(dir.resolve("full.err")).stream().filter(l -> !l.startsWith("WARNING")).toList();
            assertThat(p.exitValue()).as("stderr: %s", err).isEqualTo(ExitCodes.DISK_FULL);
            assertThat(err).hasSize(1);
            assertThat(err.get(0)).contains("quiver search: error: cannot write the standard output: No space left on device");
            // help text too: it is written outside the commands, and failed with a stack trace and exit 1
            Process h = new ProcessBuilder(launcher.toString(), "search", "--help").directory(dir.toFile()).redirectOutput(full.toFile())
                    .redirectError(dir.resolve("help.err").toFile()).start();
            assertThat(h.waitFor(180, TimeUnit.SECONDS)).isTrue();
            List<String> herr = Files.readAllLines(dir.resolve("help.err")).stream().filter(l -> !l.startsWith("WARNING")).toList();
            assertThat(h.exitValue()).as("stderr: %s", herr).isEqualTo(ExitCodes.DISK_FULL);
            assertThat(herr).hasSize(1);
        }

        Process p = new ProcessBuilder(launcher.toString(), "search", "--db", "db", "--queries", "queries.fvecs", "--k", "10")
                .directory(dir.toFile()).redirectError(dir.resolve("pipe.err").toFile()).start();
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
            assertThat(in.readLine()).startsWith("0\t");
        }
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        List<String> err = Files.readAllLines(dir.resolve("pipe.err")).stream().filter(l -> !l.startsWith("WARNING")).toList();
        assertThat(p.exitValue()).as("stderr: %s", err).isEqualTo(ExitCodes.READER_GONE);
        assertThat(err).as("a closed pipe is not reported").isEmpty();

        Files.writeString(dir.resolve("afile"), "x");
        fails(ExitCodes.STORAGE, "cannot create store directory", "import", "--db", "afile/db", "--distance", "euclidean", "base.fvecs");
        fails(ExitCodes.STORAGE, "cannot create backup directory", "backup", "--db", "db", "--to", "afile/copy");
        fails(ExitCodes.IO, "afile is a file, not a directory", "truth", "--base", "base.fvecs", "--queries", "base.fvecs", "--distance", "euclidean",
                "--k", "1", "--out", "afile/t.ivecs");

        // --out /dev/stdout into a pipe: written to the pipe (a regular file renamed over it failed, or
        // replaced the device when run as root)
        Process t = new ProcessBuilder("bash", "-c", "'" + launcher + "' truth -q --base base.fvecs --queries queries.fvecs --distance euclidean --k 3"
                + " --limit-queries 7 --out /dev/stdout | wc -c").directory(dir.toFile()).redirectError(dir.resolve("stdout-truth.err").toFile()).start();
        String bytes = new String(t.getInputStream().readAllBytes()).strip();
        assertThat(t.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(bytes).as("stderr: %s", Files.readString(dir.resolve("stdout-truth.err"))).isEqualTo(String.valueOf(7 * 4 * (1 + 3)));
    }

    /**
     * SIGTERM to the launcher stops the command itself: nothing is committed and no JVM is left
     * behind. The launcher used to wait on a pipeline, so the signal ended the script and the JVM
     * ran on and committed the import (an adversarial helper's find).
     */
    @Test
    void terminatingTheLauncherStopsTheCommand() throws Exception {
        TestFiles.fvecs(dir.resolve("big.fvecs"), TestFiles.gaussian(60_000, 32, 9));
        terminate("db", false, "TERM", 143);
        // SIGTERM to the launcher's whole process group, as systemd and timeout send it: the same
        // exit, and the command's last line is not lost with the launcher's stderr filter
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            terminate("db2", true, "TERM", 143);
        }
        // SIGHUP (a closed terminal) stops it the same way, with 128 + 1 as the README says (it exited 143)
        terminate("db3", false, "HUP", 129);
        // SIGKILL cannot be passed on: the JVM ran on as an orphan and committed; it now sees the launcher go
        terminate("db4", false, "KILL", 137);
    }

    private void terminate(String store, boolean group, String signal, int exitCode) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "import", "-q", "--db", store, "--distance", "euclidean", "--build", "hnsw", "big.fvecs"));
        if (group) {
            cmd.add(0, "/usr/bin/setsid"); // a process group of its own, led by the launcher
        }
        Path errFile = dir.resolve(store + ".err");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(dir.resolve(store + ".out").toFile()).redirectError(errFile.toFile()).start();
        Path db = dir.resolve(store);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(db) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50); // the store directory appears once the import has begun
        }
        Thread.sleep(300);
        assertThat(p.isAlive()).as("the import still runs when the signal is sent").isTrue();
        List<ProcessHandle> jvms = p.descendants().toList();
        // to the whole group, or to the launcher only
        assertThat(new ProcessBuilder("kill", "-" + signal, "--", (group ? "-" : "") + p.pid()).start().waitFor()).isZero();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("group %s, SIG%s", group, signal).isEqualTo(exitCode);
        for (ProcessHandle h : jvms) {
            h.onExit().get(30, TimeUnit.SECONDS);
        }
        assertThat(Files.readString(errFile)).as("group %s", group).contains("cancelled");
        assertThat(ok("stats", "--db", store).out()).contains("indexes:       0");
    }

    @Test
    void aNewUsersSession() throws Exception {
        Run help = ok("--help");
        assertThat(help.out()).contains("import", "build", "search", "delete", "stats", "bench", "truth", "backup", "check", "demo", "Exit codes");
        assertThat(help.err()).isEmpty();
        assertThat(ok("import", "--help").out()).contains("Usage: quiver import");

        float[][] base = TestFiles.gaussian(400, 12, 1);
        TestFiles.fvecs(dir.resolve("base.fvecs"), base);
        TestFiles.csv(dir.resolve("more.csv"), TestFiles.gaussian(30, 12, 2), 10_000, ',');
        TestFiles.jsonl(dir.resolve("items.jsonl"), TestFiles.gaussian(60, 5, 3), 500);
        float[][] queries = TestFiles.gaussian(20, 12, 4);
        TestFiles.fvecs(dir.resolve("queries.fvecs"), queries);

        // Relative paths, resolved against the working directory, not the repository.
        Run imp = ok("import", "--db", "db", "--index", "0", "--distance", "euclidean", "base.fvecs");
        assertThat(imp.out()).contains("imported 400 vectors");
        ok("import", "--db", "db", "--index", "0", "more.csv");
        ok("import", "--db", "db", "--index", "1", "--distance", "cosine", "items.jsonl");
        fails(ExitCodes.NEEDS_BUILD, "never been built", "search", "--db", "db", "--index", "1", "--k", "3", "--item", "500");

        Run trace = ok("build", "--db", "db", "--index", "0", "--algo", "forest");
        assertThat(trace.out()).contains("open the store").contains("total (open + build + commit)");
        // One thread: with two, the 60-node graph depends on how they interleave, and once in this
        // session's runs it left a node that 'check' below could not find from the entry point.
        ok("build", "--db", "db", "--index", "1", "--algo", "hnsw", "--m", "8", "--ef-construction", "40", "--threads", "1");

        Run s = ok("search", "--db", "db", "--index", "0", "--k", "5", "--item", "10003");
        assertThat(s.out().lines().toList()).hasSize(5).first().isEqualTo("10003\t0.0");
        s = ok("search", "--db", "db", "--index", "1", "--k", "2", "--vector", CliTest.join(TestFiles.gaussian(60, 5, 3)[7]));
        assertThat(s.out()).startsWith("507\t");
        s = ok("search", "--db", "db", "--index", "0", "--k", "3", "--search-k", "2000", "--queries", "queries.fvecs");
        assertThat(s.out().lines().toList()).hasSize(60);

        ok("delete", "--db", "db", "--index", "0", "--ids", "10000-10029,3");
        ok("build", "--db", "db", "--index", "0", "--algo", "forest");
        fails(ExitCodes.UNKNOWN_ITEM, "item 3 is not in index 0", "search", "--db", "db", "--index", "0", "--k", "3", "--item", "3");

        // Bad input: one line, a distinct exit code, nothing committed.
        float[][] bad = TestFiles.gaussian(10, 12, 5);
        bad[6] = new float[11];
        TestFiles.fvecs(dir.resolve("dims.fvecs"), bad);
        fails(ExitCodes.WRONG_DIMENSIONS, "dims.fvecs:7: vector has 11 dimensions", "import", "--db", "db", "--index", "0", "dims.fvecs");
        Files.writeString(dir.resolve("nan.jsonl"), "{\"id\": 1, \"vector\": [1, 2, 3, 4, 5]}\n{\"id\": 2, \"vector\": [1, 2, 3, 4, 1e999]}\n");
        fails(ExitCodes.INVALID_VECTOR, "nan.jsonl:2: vector component 4 is beyond the float range", "import", "--db", "db", "--index", "1", "nan.jsonl");
        Files.writeString(dir.resolve("typo.csv"), "1,2,3x,4,5\n1,2,3,4,5\n");
        fails(ExitCodes.BAD_INPUT, "typo.csv:1: column 3 '3x' is not a number but column 1 is", "import", "--db", "db", "--index", "1", "typo.csv");
        Files.writeString(dir.resolve("short.csv"), "id,a,b,c,d,e\n1,2,3,4,5,6\n2,3,4,5,6\n");
        fails(ExitCodes.BAD_INPUT, "short.csv:3: the line has 5 columns, the header 6", "import", "--db", "db", "--index", "1", "short.csv");
        Files.writeString(dir.resolve("huge.csv"), "1,2,3,4,1e39\n");
        fails(ExitCodes.INVALID_VECTOR, "huge.csv:1: column 5 (component 4) '1e39' is beyond the float range", "import", "--db", "db", "--index", "1", "huge.csv");
        Files.writeString(dir.resolve("broken.csv"), "1,2,3,4,5\n1,2,x,4,5\n");
        fails(ExitCodes.BAD_INPUT, "broken.csv:2: column 3 (component 2) 'x' is not a number", "import", "--db", "db", "--index", "1", "broken.csv");
        fails(ExitCodes.UNKNOWN_INDEX, "index 7 does not exist", "search", "--db", "db", "--index", "7", "--k", "3", "--item", "1");
        fails(ExitCodes.USAGE, "Unknown option", "search", "--db", "db", "--bogus");

        Run st = ok("stats", "--db", "db", "--json");
        @SuppressWarnings("unchecked")
        Map<String, Object> stats = (Map<String, Object>) Json.parse(st.out().strip());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> indexes = (List<Map<String, Object>>) stats.get("indexes");
        assertThat(indexes).hasSize(2);
        assertThat(indexes.get(0)).containsEntry("items", 399L).containsEntry("algorithm", "forest").containsEntry("needs_build", false);
        assertThat(indexes.get(1)).containsEntry("items", 60L).containsEntry("algorithm", "hnsw").containsEntry("distance", "cosine");
        assertThat(((Map<?, ?>) stats.get("store")).get("file_bytes")).isInstanceOf(Long.class);
        assertThat(ok("check", "--db", "db").out()).contains("OK");

        ok("truth", "--base", "base.fvecs", "--queries", "queries.fvecs", "--distance", "euclidean", "--k", "10", "--out", "truth.ivecs");
        assertThat(Ivecs.read(dir.resolve("truth.ivecs"), -1)).hasNumberOfRows(20);
        Run bench = ok("bench", "--base", "base.fvecs", "--queries", "queries.fvecs", "--truth", "truth.ivecs", "--distance", "euclidean",
                "--algo", "hnsw", "--m", "8", "--ef-construction", "60", "--k", "10", "--sweep", "ef=10,200");
        List<String> rows = bench.out().strip().lines().toList();
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).isEqualTo("algo,build_params,search_param,build_s,index_bytes,recall,qps,p50_ms,p99_ms");
        // the parameters the index holds: an 8-d index keeps no int8 codes, whatever the default
        assertThat(rows.get(1)).startsWith("hnsw,m=8;m0=16;ef_construction=60;int8_codes=false,ef=10,");
        assertThat(Double.parseDouble(rows.get(2).split(",")[5])).isGreaterThan(0.9);
        assertThat(bench.errLines()).allMatch(l -> !l.contains("error"));
    }
}
