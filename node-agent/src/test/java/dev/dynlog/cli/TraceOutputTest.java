package dev.dynlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dynlog.agent.StandaloneSession.Resolved;
import dev.dynlog.agent.StandaloneTracepoint;
import dev.dynlog.api.v1alpha1.ProbeSpec;
import dev.dynlog.api.v1alpha1.TracepointSpec;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.symbols.Language;
import dev.dynlog.trace.Row;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The live table prints every row, also the ones that arrive before its header. */
class TraceOutputTest {

  private static Resolved resolved() {
    TracepointSpec spec = new TracepointSpec();
    spec.setFunction("main.F");
    StandaloneTracepoint t = new StandaloneTracepoint("f", 1, null, ProbeSpec.of(spec), null);
    ProbePlan plan =
        new ProbePlan(
            "/bin/f",
            null,
            "main.F",
            Language.C,
            0x1000,
            0x1000,
            List.of(),
            List.of(),
            List.of(),
            null);
    return new Resolved(t, plan, null);
  }

  private static Row row(long n) {
    return new Row(
        "f", 1_700_000_000_000_000_000L + n, 10, 11, -1, "main.F", -1, Map.of("n", n), Map.of());
  }

  @Test
  void rowsBeforeTheHeaderArePrintedAfterIt() {
    StringWriter text = new StringWriter();
    TraceOutput out = new TraceOutput(TraceOutput.Format.table, new PrintWriter(text));
    out.accept(row(1));
    out.accept(row(2));
    out.start(List.of(resolved()));
    out.accept(row(3));
    List<String> lines = text.toString().lines().toList();
    assertEquals(4, lines.size(), text.toString());
    assertEquals(true, lines.get(0).startsWith("TIME"), lines.get(0));
    for (int i = 1; i <= 3; i++) assertEquals(true, lines.get(i).endsWith("n=" + i), lines.get(i));
  }
}
