package dev.dynlog.integration;

import dev.dynlog.testing.Targets;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real traced process that stays up and calls its functions on command, so one process can live
 * through a whole scenario (attach, spec change, agent restart). Commands on stdin: {@code call N}
 * calls {@code hot(i, tag)} N times and answers {@code called PID N}; {@code fork N} forks a child
 * that does the same (the child answers) and waits for it; {@code spin} calls {@code hot} forever
 * in a background thread (a hot loop) and answers {@code spinning PID}; {@code pace} calls {@code
 * cold(i)} every 10 ms in a background thread (a function called continuously) and answers {@code
 * pacing PID}. Its own counts are the ground truth the tests compare the agent's rows and counters
 * with.
 */
final class Workload implements AutoCloseable {

  static final String SOURCE =
      """
      #include <pthread.h>
      #include <stdio.h>
      #include <stdlib.h>
      #include <string.h>
      #include <sys/wait.h>
      #include <unistd.h>
      static long tag;
      __attribute__((noinline)) long hot(long i, long t) { __asm__ volatile(""); return i * 2 + t; }
      __attribute__((noinline)) long cold(long i) { __asm__ volatile(""); return i + 1; }
      static volatile long sink;
      static void calls(long n) {
        for (long i = 0; i < n; i++) sink += hot(i, tag);
        printf("called %d %ld\\n", getpid(), n);
      }
      static void *pace(void *arg) {
        for (long i = 0;; i++) { sink += cold(i); usleep(10000); }
        return arg;
      }
      static void *spin(void *arg) {
        for (long i = 0;; i++) sink += hot(i, tag);
        return arg;
      }
      int main(int argc, char **argv) {
        char line[64];
        long n;
        tag = atol(argv[1]);
        setvbuf(stdout, NULL, _IOLBF, 0);
        printf("ready %d\\n", getpid());
        while (fgets(line, sizeof line, stdin)) {
          if (sscanf(line, "call %ld", &n) == 1) {
            calls(n);
          } else if (sscanf(line, "cold %ld", &n) == 1) {
            for (long i = 0; i < n; i++) sink += cold(i);
            printf("called %d %ld\\n", getpid(), n);
          } else if (sscanf(line, "fork %ld", &n) == 1) {
            pid_t p = fork();
            if (p == 0) { calls(n); _exit(0); }
            waitpid(p, NULL, 0);
          } else if (strncmp(line, "spin", 4) == 0) {
            pthread_t t;
            pthread_create(&t, NULL, spin, NULL);
            printf("spinning %d\\n", getpid());
          } else if (strncmp(line, "pace", 4) == 0) {
            pthread_t t;
            pthread_create(&t, NULL, pace, NULL);
            printf("pacing %d\\n", getpid());
          } else if (strncmp(line, "exit", 4) == 0) {
            break;
          }
        }
        return 0;
      }
      """;

  private final Process process;
  private final OutputStream stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final long tag;

  private Workload(Process process, long tag) {
    this.process = process;
    this.stdin = process.getOutputStream();
    this.tag = tag;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) lines.add(l);
              } catch (IOException ended) {
                // the process is gone
              }
            },
            "workload-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /** The workload binary (built once, cached). */
  static Path binary() {
    return Targets.buildC("workload", SOURCE, "-g", "-O2", "-pthread");
  }

  /** Starts {@code binary tag} and waits until it is ready. */
  static Workload start(Path binary, long tag) throws IOException {
    Process p =
        new ProcessBuilder(binary.toString(), Long.toString(tag))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    Workload w = new Workload(p, tag);
    String ready = w.next();
    if (!ready.equals("ready " + p.pid())) throw new AssertionError("workload said " + ready);
    return w;
  }

  long pid() {
    return process.pid();
  }

  long tag() {
    return tag;
  }

  /** Calls hot() n times in this process; returns when done. */
  void call(long n) {
    send("call " + n);
    expect("called " + pid() + " " + n);
  }

  /** Calls cold() n times in this process; returns when done. */
  void callCold(long n) {
    send("cold " + n);
    expect("called " + pid() + " " + n);
  }

  /** Forks a child that calls hot() n times; returns the child's pid once it has. */
  long fork(long n) {
    send("fork " + n);
    String[] f = next().split(" ");
    if (f.length != 3 || !f[0].equals("called") || Long.parseLong(f[2]) != n) {
      throw new AssertionError("the forked child said " + String.join(" ", f));
    }
    long child = Long.parseLong(f[1]);
    if (child == pid()) throw new AssertionError("the child has the parent's pid");
    return child;
  }

  /** Starts a thread calling cold() every 10 ms, until the process ends. */
  void pace() {
    send("pace");
    expect("pacing " + pid());
  }

  /** Starts a thread calling hot() as fast as it can, until the process ends. */
  void spin() {
    send("spin");
    expect("spinning " + pid());
  }

  private void send(String command) {
    try {
      stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("workload " + pid() + " is gone", e);
    }
  }

  private void expect(String line) {
    String got = next();
    if (!got.equals(line))
      throw new AssertionError("workload said '" + got + "', want '" + line + "'");
  }

  private String next() {
    try {
      String l = lines.poll(Duration.ofMinutes(2).toMillis(), TimeUnit.MILLISECONDS);
      if (l == null) throw new AssertionError("workload " + pid() + " said nothing for 2 minutes");
      return l;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }
}
