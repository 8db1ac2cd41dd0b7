package dev.dynlog.api.redact;

import java.util.Collection;
import java.util.Collections;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A list of identifier names whose values must never be read: a capture, a parameter or a field
 * whose {@linkplain #normalise normalised} name is on the list, or ends with a list entry of at
 * least {@value #SUFFIX_MIN} characters ({@code dbPassword}, {@code github_token}), is redacted.
 * Short entries ({@code pin}, {@code ssn}, {@code cvv}) match only the whole name, so {@code spin}
 * or {@code mapping} are not redacted. Immutable.
 */
public final class Redaction {

  /** What a redacted value shows in a row. */
  public static final String MARKER = "[redacted]";

  /** Entries at least this long also match as the end of a longer name. */
  public static final int SUFFIX_MIN = 5;

  /** The built-in list, normalised. Written for dynlog; grouped by kind of secret. */
  private static final Set<String> BUILT_IN =
      Set.of(
          // passwords and passphrases
          "password",
          "passwd",
          "pwd",
          "pass",
          "passphrase",
          "passcode",
          "userpassword",
          "oldpassword",
          "newpassword",
          "masterpassword",
          "dbpassword",
          // secrets and keys
          "secret",
          "secretkey",
          "clientsecret",
          "apisecret",
          "appsecret",
          "sharedsecret",
          "apikey",
          "appkey",
          "accesskey",
          "accesskeyid",
          "secretaccesskey",
          "privatekey",
          "signingkey",
          "encryptionkey",
          "masterkey",
          "hmackey",
          "sshkey",
          "pem",
          "certkey",
          "salt",
          "nonce",
          "otp",
          "totp",
          "mnemonic",
          "recoverycode",
          // tokens and sessions
          "token",
          "accesstoken",
          "refreshtoken",
          "idtoken",
          "authtoken",
          "bearertoken",
          "csrftoken",
          "xsrftoken",
          "sessiontoken",
          "jwt",
          "oauthtoken",
          "githubtoken",
          "session",
          "sessionid",
          "sessionkey",
          "sid",
          "cookie",
          "setcookie",
          // authorization headers and credentials
          "auth",
          "authorization",
          "proxyauthorization",
          "credentials",
          "credential",
          "creds",
          "xapikey",
          "basicauth",
          // payment and identity
          "creditcard",
          "cardnumber",
          "ccnumber",
          "pan",
          "cvv",
          "cvc",
          "cvv2",
          "pin",
          "iban",
          "accountnumber",
          "routingnumber",
          "ssn",
          "socialsecuritynumber",
          "taxid",
          "passportnumber",
          "driverslicense",
          "dateofbirth",
          "dob");

  private static final Redaction DEFAULTS = new Redaction(BUILT_IN);
  private static final Redaction NONE = new Redaction(Set.of());

  private final Set<String> names;

  private Redaction(Collection<String> names) {
    this.names = Collections.unmodifiableSet(new TreeSet<>(names));
  }

  /** The built-in list: what the node agent and standalone {@code dynlog trace} apply. */
  public static Redaction defaults() {
    return DEFAULTS;
  }

  /** Redacts nothing ({@code --no-redact}). */
  public static Redaction none() {
    return NONE;
  }

  /**
   * {@code name} in lower case without {@code _ - $ @} (and without dots, spaces): {@code API_Key},
   * {@code api-key} and {@code apiKey} all become {@code apikey}. Null becomes "".
   */
  public static String normalise(String name) {
    if (name == null) return "";
    StringBuilder sb = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '_' || c == '-' || c == '$' || c == '@' || c == '.' || c == ' ') continue;
      sb.append(c);
    }
    return sb.toString().toLowerCase(Locale.ROOT);
  }

  /** The normalised names on the list, sorted. */
  public Set<String> names() {
    return names;
  }

  /** True when this redacts anything. */
  public boolean enabled() {
    return !names.isEmpty();
  }

  /** This list plus {@code more} (normalised): the seam for a policy's additions. */
  public Redaction with(Collection<String> more) {
    Set<String> all = new TreeSet<>(names);
    for (String n : more) all.add(checked(n));
    return new Redaction(all);
  }

  /** This list without {@code fewer} (normalised): the seam for a policy's exemptions. */
  public Redaction without(Collection<String> fewer) {
    Set<String> all = new TreeSet<>(names);
    for (String n : fewer) all.remove(normalise(n));
    return new Redaction(all);
  }

  private static String checked(String n) {
    String s = normalise(n);
    if (s.isEmpty()) throw new IllegalArgumentException("empty redaction name: '" + n + "'");
    return s;
  }

  /**
   * The list entry that {@code identifier} matches, or null: its normalised form is an entry, or
   * ends with an entry of at least {@value #SUFFIX_MIN} characters.
   */
  public String match(String identifier) {
    String n = normalise(identifier);
    if (n.isEmpty()) return null;
    if (names.contains(n)) return n;
    String best = null;
    for (int i = 1; i <= n.length() - SUFFIX_MIN; i++) {
      String tail = n.substring(i);
      if (names.contains(tail)) {
        best = tail;
        break; // the longest matching tail
      }
    }
    return best;
  }

  @Override
  public String toString() {
    return enabled() ? "redaction of " + names.size() + " names" : "no redaction";
  }
}
