package dev.dynlog.api.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dynlog.api.expr.CaptureExpr.Deref;
import dev.dynlog.api.expr.CaptureExpr.Field;
import dev.dynlog.api.expr.CaptureExpr.Index;
import dev.dynlog.api.expr.CaptureExpr.Len;
import dev.dynlog.api.expr.CaptureExpr.Name;
import dev.dynlog.api.expr.CaptureExpr.Result;
import org.junit.jupiter.api.Test;

class ExprParserTest {

  @Test
  void parsesEveryForm() throws ExprSyntaxException {
    assertEquals(new Name("req"), ExprParser.parse("req"));
    assertEquals(
        new Field(new Field(new Name("req"), "User"), "Name"), ExprParser.parse("req.User.Name"));
    assertEquals(new Deref(new Name("p")), ExprParser.parse("*p"));
    assertEquals(new Result(0), ExprParser.parse("$0"));
    assertEquals(new Result(12), ExprParser.parse("$12"));
    assertEquals(new Len(new Name("x")), ExprParser.parse("len(x)"));
    assertEquals(new Index(new Name("x"), 3), ExprParser.parse("x[3]"));
  }

  @Test
  void combinesFormsWithPostfixBindingTighterThanDeref() throws ExprSyntaxException {
    assertEquals(new Deref(new Field(new Name("a"), "b")), ExprParser.parse("*a.b"));
    assertEquals(new Field(new Deref(new Name("a")), "b"), ExprParser.parse("(*a).b"));
    assertEquals(
        new Len(new Field(new Index(new Field(new Name("req"), "Items"), 2), "Tags")),
        ExprParser.parse(" len( req.Items[ 2 ].Tags ) "));
    assertEquals(new Field(new Result(1), "Code"), ExprParser.parse("$1.Code"));
    assertEquals(new Name("len"), ExprParser.parse("len"), "len without '(' is a plain name");
    assertEquals(new Name("_x9"), ExprParser.parse("_x9"));
  }

  @Test
  void printsCanonicalText() throws ExprSyntaxException {
    assertEquals("len(req.Items[2].Tags)", ExprParser.parse("len( req.Items[2] .Tags)").toString());
    assertEquals("*(a.b)", ExprParser.parse("*a.b").toString());
  }

  @Test
  void reportsColumnAndExpectation() {
    assertError(
        "a.", 2, "expected field name after '.' but the expression ended at column 3 of 'a.'");
    assertError("a..b", 2, "expected field name after '.' but found '.' at column 3 of 'a..b'");
    assertError(
        "x[i]", 2, "expected constant index inside '[ ]' but found 'i' at column 3 of 'x[i]'");
    assertError("x[3", 3, "expected ']' but the expression ended at column 4 of 'x[3'");
    assertError("len(x", 5, "expected ')' but the expression ended at column 6 of 'len(x'");
    assertError(
        "$", 1, "expected result number after '$' but the expression ended at column 2 of '$'");
    assertError("$a", 1, "expected result number after '$' but found 'a' at column 2 of '$a'");
    assertError(
        "1abc",
        0,
        "expected a name, '$N', '*', 'len(', 'cap(' or '(' but found '1' at column 1 of '1abc'");
    assertError("a b", 2, "unexpected 'b' at column 3 of 'a b'");
    assertError("a+b", 1, "unexpected '+' at column 2 of 'a+b'");
    assertError("   ", 3, "empty expression at column 4 of '   '");
    assertError(
        "x[12345678901]", 2, "number 12345678901 is too large at column 3 of 'x[12345678901]'");
    assertError(
        "€",
        0,
        "expected a name, '$N', '*', 'len(', 'cap(' or '(' but found '€' at column 1 of '€'");
  }

  @Test
  void boundsNestingAndLength() {
    String deep = "*".repeat(ExprParser.MAX_DEPTH + 1) + "p";
    ExprSyntaxException e = assertThrows(ExprSyntaxException.class, () -> ExprParser.parse(deep));
    assertEquals(ExprParser.MAX_DEPTH + 1, e.column());
    String parens = "(".repeat(100_000);
    assertThrows(ExprSyntaxException.class, () -> ExprParser.parse(parens));
    String longName = "a".repeat(ExprParser.MAX_LENGTH + 1);
    assertThrows(ExprSyntaxException.class, () -> ExprParser.parse(longName));
    assertThrows(ExprSyntaxException.class, () -> ExprParser.parse(null));
  }

  /** One limit for every reader (CRD, operator, dynlog run/trace/inspect): ExprParser's. */
  @Test
  void theLengthLimitIsExactlyMaxLength() throws ExprSyntaxException {
    assertEquals(256, ExprParser.MAX_LENGTH, "the CRD's maxLength and the docs say 256");
    String atLimit = "a".repeat(ExprParser.MAX_LENGTH);
    assertEquals(new Name(atLimit), ExprParser.parse(atLimit));
    ExprSyntaxException e =
        assertThrows(ExprSyntaxException.class, () -> ExprParser.parse(atLimit + "b"));
    assertTrue(
        e.getMessage().startsWith("expression is 257 characters long; at most 256: 'aaaa"),
        e.getMessage());
  }

  /** A 10 kB expression is refused without echoing it: the message quotes a short prefix. */
  @Test
  void aHugeExpressionIsNotEchoed() {
    String huge = "x.".repeat(5_000) + "y";
    ExprSyntaxException e = assertThrows(ExprSyntaxException.class, () -> ExprParser.parse(huge));
    String m = e.getMessage();
    assertTrue(m.contains("10001 characters long; at most 256"), m);
    assertTrue(m.length() < 150, "a short line, not the input: " + m.length() + " chars: " + m);
    assertEquals(huge, e.expression(), "the whole text stays available to callers");
  }

  /** An error late in a long (but allowed) expression quotes the part around the fault. */
  @Test
  void errorsInLongExpressionsQuoteAnExcerptAroundTheColumn() {
    String text = "a".repeat(200) + ".%" + "b".repeat(40);
    ExprSyntaxException e = assertThrows(ExprSyntaxException.class, () -> ExprParser.parse(text));
    assertEquals(201, e.column());
    String quoted = e.getMessage().substring(e.getMessage().indexOf(" of '") + 4);
    assertEquals(
        "'…" + "a".repeat(29) + ".%" + "b".repeat(29) + "…'",
        quoted,
        "60 characters around column 202: " + e.getMessage());
    assertTrue(e.getMessage().startsWith("expected field name after '.' but found '%' at column"));
  }

  /** Control characters in the input never break the one-line message. */
  @Test
  void controlCharactersAreEscaped() {
    assertError("a\nb", 1, "unexpected '\\n' at column 2 of 'a\\nb'");
    assertError("a\u001b[2Jb", 1, "unexpected '\\u001b' at column 2 of 'a\\u001b[2Jb'");
    ExprSyntaxException e =
        assertThrows(ExprSyntaxException.class, () -> ExprParser.parse("ab\r\n" + "c".repeat(80)));
    assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r"), e.getMessage());
  }

  private static void assertError(String text, int column, String message) {
    ExprSyntaxException e = assertThrows(ExprSyntaxException.class, () -> ExprParser.parse(text));
    assertEquals(message, e.getMessage());
    assertEquals(column, e.column());
  }
}
