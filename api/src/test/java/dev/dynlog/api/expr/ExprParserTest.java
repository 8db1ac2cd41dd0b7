package dev.dynlog.api.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

  private static void assertError(String text, int column, String message) {
    ExprSyntaxException e = assertThrows(ExprSyntaxException.class, () -> ExprParser.parse(text));
    assertEquals(message, e.getMessage());
    assertEquals(column, e.column());
  }
}
