package dev.dynlog.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dynlog.api.redact.Redaction;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.query.BadQueryException;
import dev.dynlog.query.Query;
import dev.dynlog.query.QueryParser;
import dev.dynlog.store.TracepointInfo;
import dev.dynlog.store.WhereGuard;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A where on a redacted capture, or on a redacted field inside one, is refused. */
class RedactionGuardTest {

  private static final List<Capture> CAPTURES =
      List.of(
          new Capture("p", "password"),
          new Capture("c", "login"),
          new Capture("t", "login.Token"),
          new Capture("n", "n"));

  private static Query where(String w) {
    return QueryParser.parse(Map.of("where", List.of(w)), Instant.now(), Set.of());
  }

  private static TracepointInfo info(WhereGuard guard) {
    return new TracepointInfo(
        "login", "main.login", "pid 1", List.of("p", "c", "t", "n"), false, List.of(), guard);
  }

  @Test
  void refusesWholeRedactedCapturesAndRedactedFields() {
    WhereGuard g = RedactionGuard.of(Redaction.defaults(), CAPTURES);
    assertEquals(
        "capture `p` is redacted: `password` matches the redaction list (password)",
        g.refusal(List.of("p")));
    assertEquals(
        "capture `t` is redacted: `Token` matches the redaction list (token)",
        g.refusal(List.of("t")));
    assertEquals(
        "`c.Token` is redacted: field `Token` matches the redaction list (token)",
        g.refusal(List.of("c", "Token")));
    assertNull(g.refusal(List.of("c", "User")));
    assertNull(g.refusal(List.of("n")));
  }

  @Test
  void aQueryOnARedactedValueIsABadQuery() {
    TracepointInfo info = info(RedactionGuard.of(Redaction.defaults(), CAPTURES));
    BadQueryException e =
        assertThrows(BadQueryException.class, () -> where("p=hunter2").validate(info));
    assertEquals(
        "where 'p=hunter2' is refused: capture `p` is redacted: `password` matches the redaction"
            + " list (password); a filter on a redacted value would reveal it",
        e.getMessage());
    assertThrows(BadQueryException.class, () -> where("c.Token=abc").validate(info));
    where("c.User=alice").validate(info);
    where("n>1").validate(info);
  }

  @Test
  void withoutRedactionEverythingMayBeFiltered() {
    assertSame(WhereGuard.NONE, RedactionGuard.of(Redaction.none(), CAPTURES));
    where("p=hunter2").validate(info(WhereGuard.NONE));
  }
}
