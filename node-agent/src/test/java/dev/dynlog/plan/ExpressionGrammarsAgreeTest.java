package dev.dynlog.plan;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.api.expr.ExprParser;
import dev.dynlog.api.expr.ExprSyntaxException;
import dev.dynlog.symbols.ResolveException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The operator checks capture expressions with the api module's parser before any agent sees them;
 * the agent parses them again to plan. Both must accept and reject the same texts (within the
 * custom resource's length limit), or a Tracepoint the operator accepts would fail on every node.
 */
class ExpressionGrammarsAgreeTest {

  private static final List<String> CORPUS = List.of(
      "x", "req.User.Name", "*p", "**pp", "*p.f", "(*p).f", "$0", "$1", "$12", "len(s)", "len(req.Items)", "cap(xs)",
      "xs[0]", "xs[3].Name", "a.b[2].c", "m.F", "this.owner", "this->owner", "_", "_x1", "x.y.z.w", " x ", "x . y",
      "len( s )", "xs[ 1 ]", "", " ", "x.", ".x", "x..y", "1x", "$", "$x", "$-1", "len()", "len(x", "len x", "xs[]",
      "xs[-1]", "xs[1", "xs[a]", "x y", "x+y", "*", "&x", "x[0][1]", "len(len(x))", "*$0", "$0.Units", "len($0)",
      "f()", "x.len", "len", "a.b.c.d.e.f.g.h", "Ünicode", "~r0", "$0.~r1", "a->b->c", "a-b", "x\ty", "xs[99999999999999999999]");

  @Test
  void operatorAndAgentAcceptTheSameExpressions() {
    List<String> texts = new ArrayList<>(CORPUS);
    Random random = new Random(7);
    String alphabet = "ab$0.*[]() _l~->é";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder b = new StringBuilder();
      int n = 1 + random.nextInt(10);
      for (int k = 0; k < n; k++) b.append(alphabet.charAt(random.nextInt(alphabet.length())));
      texts.add(b.toString());
    }
    List<String> disagreements = new ArrayList<>();
    int accepted = 0;
    for (String t : texts) {
      boolean operator = operatorAccepts(t);
      boolean agent = agentAccepts(t);
      if (operator != agent) disagreements.add("`" + t + "`: operator " + (operator ? "accepts" : "rejects") + ", agent " + (agent ? "accepts" : "rejects"));
      if (agent) accepted++;
    }
    assertTrue(accepted > 100, "the corpus exercises accepted expressions too: " + accepted);
    assertTrue(disagreements.isEmpty(), disagreements.size() + " disagreements:\n  " + String.join("\n  ", disagreements.stream().limit(40).toList()));
  }

  private static boolean operatorAccepts(String t) {
    try {
      ExprParser.parse(t);
      return true;
    } catch (ExprSyntaxException e) {
      return false;
    }
  }

  private static boolean agentAccepts(String t) {
    try {
      new ExpressionParser(t).parseAll();
      return true;
    } catch (ResolveException e) {
      return false;
    }
  }
}
