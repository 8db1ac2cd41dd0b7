package dev.dynlog.api.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RedactionTest {

  @Test
  void normalisesCaseAndSeparators() {
    assertEquals("apikey", Redaction.normalise("API_Key"));
    assertEquals("apikey", Redaction.normalise("api-key"));
    assertEquals("apikey", Redaction.normalise("apiKey"));
    assertEquals("apikey", Redaction.normalise("$api@key"));
    assertEquals("", Redaction.normalise(null));
  }

  @Test
  void theBuiltInListHasAtLeastSixtyNormalisedNames() {
    var names = Redaction.defaults().names();
    assertTrue(names.size() >= 60, "only " + names.size());
    for (String n : names) assertEquals(Redaction.normalise(n), n);
    for (String n :
        List.of(
            "password",
            "passwd",
            "pwd",
            "secret",
            "token",
            "accesstoken",
            "refreshtoken",
            "idtoken",
            "apikey",
            "apisecret",
            "authorization",
            "auth",
            "cookie",
            "setcookie",
            "session",
            "sessionid",
            "privatekey",
            "secretkey",
            "clientsecret",
            "credentials",
            "ssn",
            "creditcard",
            "cardnumber",
            "cvv",
            "cvc",
            "pin",
            "iban")) {
      assertTrue(names.contains(n), n);
    }
  }

  @Test
  void matchesWholeNamesInAnyStyle() {
    Redaction r = Redaction.defaults();
    assertEquals("password", r.match("password"));
    assertEquals("password", r.match("Password"));
    assertEquals("token", r.match("Token"));
    assertEquals("apikey", r.match("API_KEY"));
    assertEquals("setcookie", r.match("Set-Cookie"));
    assertEquals("pin", r.match("PIN"));
  }

  @Test
  void matchesTheEndOfLongerNamesForLongEntriesOnly() {
    Redaction r = Redaction.defaults();
    assertEquals("dbpassword", r.match("db_password"));
    assertEquals("password", r.match("admin_password"));
    assertEquals("token", r.match("slackToken"));
    assertEquals("apikey", r.match("stripeApiKey"));
    assertNull(r.match("spin"), "pin is too short to match as a suffix");
    assertNull(r.match("mapping"));
    assertNull(r.match("compass"));
    assertNull(r.match("tokens_left"), "only the end of a name matches");
  }

  @Test
  void ordinaryNamesAreNotRedacted() {
    Redaction r = Redaction.defaults();
    for (String n : List.of("name", "id", "user", "count", "price", "items", "req", "x", "")) {
      assertNull(r.match(n), n);
    }
    assertNull(r.match(null));
  }

  @Test
  void noneRedactsNothingAndPoliciesCanEditTheList() {
    assertFalse(Redaction.none().enabled());
    assertNull(Redaction.none().match("password"));
    Redaction r = Redaction.defaults().with(List.of("Customer_Email")).without(List.of("PIN"));
    assertEquals("customeremail", r.match("customerEmail"));
    assertNull(r.match("pin"));
    assertEquals("password", r.match("password"));
    assertThrows(IllegalArgumentException.class, () -> Redaction.none().with(List.of("__")));
  }
}
