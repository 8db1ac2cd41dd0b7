package dev.dynlog.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.dwarf.DwarfBinary;
import dev.dynlog.http.AgentHttpServer;
import dev.dynlog.http.Http;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.plan.ProbePlanner;
import dev.dynlog.store.StoreConfig;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.TracepointInfo;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.store.TracepointState;
import dev.dynlog.trace.Probe;
import dev.dynlog.trace.ProbeCounters;
import dev.dynlog.trace.Target;
import dev.dynlog.trace.TraceOptions;
import dev.dynlog.trace.Tracer;
import dev.dynlog.trace.TracerException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a real traced Go program (real resolver, real uprobes): the metrics served on /metrics
 * and the query API agree with the calls the program itself reports making — calls, non-nil errors,
 * and latency histogram counts. The program times every call itself; since that interval encloses
 * the probed one and each call sleeps at least its requested time, for every bucket bound b: (calls
 * the program timed at <= b) <= cumulative count(le=b) <= (calls not asked to sleep > b).
 */
@Tag("bpf")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TracedProgramMetricsTest {

  static final String SOURCE =
      """
      package main

      import (
      	"bufio"
      	"errors"
      	"fmt"
      	"os"
      	"strconv"
      	"time"
      )

      //go:noinline
      func Work(n int, sleepUs int) (int, error) {
      	if sleepUs > 0 {
      		time.Sleep(time.Duration(sleepUs) * time.Microsecond)
      	}
      	if n%4 == 0 {
      		return 0, errors.New("multiple of four")
      	}
      	return n * 2, nil
      }

      func main() {
      	calls, _ := strconv.Atoi(os.Args[1])
      	w := bufio.NewWriter(os.Stdout)
      	fmt.Fprintln(w, "ready")
      	w.Flush()
      	bufio.NewReader(os.Stdin).ReadString('\\n')
      	errs := 0
      	for i := 0; i < calls; i++ {
      		sleep := 0
      		if i%10 == 5 {
      			sleep = 3000
      		} else if i%50 == 7 {
      			sleep = 30000
      		}
      		t0 := time.Now()
      		_, err := Work(i, sleep)
      		d := time.Since(t0)
      		if err != nil {
      			errs++
      		}
      		fmt.Fprintf(w, "call %d %d %d %t\\n", i, sleep, d.Nanoseconds(), err != nil)
      	}
      	fmt.Fprintf(w, "total %d errors %d\\n", calls, errs)
      	w.Flush()
      }
      """;

  /** One call as the program reports it. */
  record Call(int n, long sleepNs, long measuredNs, boolean error) {}

  @TempDir Path dir;

  private Path buildGo() throws Exception {
    Path src = dir.resolve("src");
    Files.createDirectories(src);
    Files.writeString(src.resolve("main.go"), SOURCE);
    Files.writeString(src.resolve("go.mod"), "module example.com/work\n\ngo 1.21\n");
    Path bin = dir.resolve("work");
    ProcessBuilder pb =
        new ProcessBuilder("go", "build", "-o", bin.toString(), ".")
            .directory(src.toFile())
            .redirectErrorStream(true);
    pb.environment().putIfAbsent("GOCACHE", "/tmp/dynlog-test-gocache");
    pb.environment().putIfAbsent("HOME", "/root");
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new AssertionError("cannot run go (is it installed?): " + e.getMessage(), e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0, "go build failed:\n" + out);
    return bin;
  }

  @Test
  void metricsEqualTheCallsTheProgramReports() throws Exception {
    int calls = 500;
    Path bin = buildGo();
    ProbePlan plan;
    try (DwarfBinary binary = DwarfBinary.open(bin)) {
      plan =
          new ProbePlanner(binary)
              .plan("main.Work", List.of(Capture.parse("n=n"), Capture.parse("err=$1")));
    }
    TracepointRegistry registry = new TracepointRegistry(StoreConfig.DEFAULT);
    AtomicReference<Probe> traced = new AtomicReference<>();
    // Registered before attaching, so that the first row finds its tracepoint.
    StoredTracepoint stored =
        registry.register(
            new TracepointInfo("work", "main.Work", "test", List.of("n", "err"), true, List.of()),
            () -> counters(traced.get()));
    Process target =
        new ProcessBuilder(bin.toString(), Integer.toString(calls))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    List<Call> reported = new ArrayList<>();
    String summary;
    try (Tracer tracer = Tracer.open();
        DynlogMetrics metrics = new DynlogMetrics(registry);
        AgentHttpServer server =
            AgentHttpServer.start(new InetSocketAddress("127.0.0.1", 0), registry, metrics);
        BufferedReader out =
            new BufferedReader(
                new InputStreamReader(target.getInputStream(), StandardCharsets.UTF_8))) {
      assertEquals("ready", out.readLine());
      Probe tp =
          tracer.attach(
              plan,
              Target.process((int) target.pid()),
              TraceOptions.defaults().withName("work").withLatency(true),
              stored::append);
      traced.set(tp);
      target.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
      target.getOutputStream().flush();
      String line;
      String last = null;
      while ((line = out.readLine()) != null) {
        String[] f = line.split(" ");
        if (f[0].equals("call")) {
          reported.add(
              new Call(
                  Integer.parseInt(f[1]),
                  Long.parseLong(f[2]) * 1000,
                  Long.parseLong(f[3]),
                  Boolean.parseBoolean(f[4])));
        }
        last = line;
      }
      assertTrue(target.waitFor(60, TimeUnit.SECONDS) && target.exitValue() == 0, "target failed");
      summary = last;
      tp.close();
      registry.stop("work", TracepointState.STOPPED, "target exited");

      URI base = server.baseUri();
      PromText m = new PromText(Http.get(base, "/metrics").body());
      long errors = reported.stream().filter(Call::error).count();
      assertEquals("total " + calls + " errors " + errors, summary);
      assertEquals(calls, reported.size());

      assertEquals(calls, m.value("dynlog_calls_total", "tracepoint", "work"), "calls");
      assertEquals(errors, m.value("dynlog_errors_total", "tracepoint", "work"), "non-nil errors");
      assertEquals(
          calls,
          m.value("dynlog_call_duration_seconds_count", "tracepoint", "work"),
          "histogram count");
      assertEquals(
          calls,
          m.value("dynlog_call_duration_seconds_bucket", "tracepoint", "work", "le", "+Inf"));
      assertEquals(calls, m.value("dynlog_rows_total", "tracepoint", "work"), "rows");
      for (String reason : TracepointCollector.DROP_REASONS) {
        assertEquals(
            0,
            m.value("dynlog_events_dropped_total", "tracepoint", "work", "reason", reason),
            reason);
      }
      assertTrue(m.value("dynlog_probe_cpu_seconds_total", "tracepoint", "work") > 0);

      long sleptNs = reported.stream().mapToLong(Call::sleepNs).sum();
      long timedNs = reported.stream().mapToLong(Call::measuredNs).sum();
      double sum = m.value("dynlog_call_duration_seconds_sum", "tracepoint", "work");
      assertTrue(
          sum * 1e9 >= sleptNs && sum * 1e9 <= timedNs,
          "latency sum " + sum + " s outside [" + sleptNs + ", " + timedNs + "] ns");

      StringBuilder table = new StringBuilder();
      for (long bound : TraceOptions.defaultLatencyBoundsNs()) {
        long lower = reported.stream().filter(c -> c.measuredNs() <= bound).count();
        long upper = reported.stream().filter(c -> c.sleepNs() <= bound).count();
        List<PromText.Sample> bucket = new ArrayList<>();
        for (PromText.Sample s :
            m.find("dynlog_call_duration_seconds_bucket", "tracepoint", "work")) {
          if (Math.abs(
                  Double.parseDouble(s.labels().get("le").replace("+Inf", "Infinity"))
                      - bound / 1e9)
              < 1e-15) bucket.add(s);
        }
        assertEquals(1, bucket.size(), "bucket le=" + bound / 1e9);
        long cumulative = (long) bucket.get(0).value();
        table.append(
            String.format(
                "  le=%-8s program-timed<=b %4d  kernel %4d  not-sleeping>b %4d%n",
                bound / 1e9, lower, cumulative, upper));
        assertTrue(
            lower <= cumulative && cumulative <= upper,
            "bucket le="
                + bound / 1e9
                + "s: "
                + cumulative
                + " not within ["
                + lower
                + ", "
                + upper
                + "]\n"
                + table);
      }
      System.out.print("histogram vs the program's own timing:\n" + table);

      ObjectMapper json = new ObjectMapper();
      JsonNode errRows =
          json.readTree(
              Http.get(base, "/api/v1/tracepoints/work/events?limit=100000&where=err!%3Dnull")
                  .body());
      assertEquals(errors, errRows.get("count").asLong(), "rows with a non-nil error");
      for (JsonNode r : errRows.get("rows"))
        assertEquals(0, r.get("captures").get("n").asLong() % 4);
      JsonNode slow =
          json.readTree(
              Http.get(base, "/api/v1/tracepoints/work/events?limit=100000&min_latency=3ms")
                  .body());
      long slowLower = reported.stream().filter(c -> c.sleepNs() >= 3_000_000).count();
      long slowUpper = reported.stream().filter(c -> c.measuredNs() >= 3_000_000).count();
      long slowRows = slow.get("count").asLong();
      assertTrue(
          slowLower <= slowRows && slowRows <= slowUpper,
          slowRows + " rows >= 3ms, want [" + slowLower + ", " + slowUpper + "]");
    } finally {
      target.destroyForcibly();
    }
  }

  private static ProbeCounters counters(Probe tp) {
    if (tp == null)
      return new ProbeCounters(0, 0, 0, new long[0], new long[] {0}, 0, 0, 0, 0, 0, 0, 0, 0);
    try {
      return tp.counters();
    } catch (TracerException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
