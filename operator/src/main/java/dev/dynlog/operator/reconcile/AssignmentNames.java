package dev.dynlog.operator.reconcile;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic assignment names: {@code <tracepoint>-<node>-<hash>}. The same (Tracepoint, node)
 * always gives the same name, so a restarted operator or two racing reconciles can never create a
 * duplicate; the hash keeps names distinct when truncated or when dots make two pairs spell alike.
 */
public final class AssignmentNames {

  private static final int MAX_NAME = 253;
  private static final int HASH_CHARS = 8;

  private AssignmentNames() {}

  /** The assignment name for a Tracepoint and a node. */
  public static String of(String tracepoint, String node) {
    String hash = hash(tracepoint + "/" + node);
    String base = tracepoint + "-" + node;
    int room = MAX_NAME - HASH_CHARS - 1;
    if (base.length() > room) {
      base = base.substring(0, room);
    }
    base = base.replaceAll("[-.]+$", "");
    return base + "-" + hash;
  }

  private static String hash(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_CHARS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
