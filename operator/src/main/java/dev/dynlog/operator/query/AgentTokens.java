package dev.dynlog.operator.query;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer token the operator shows agents: its service account's token, read from a file on each
 * use (the kubelet rotates it), else the OAuth token of the operator's client configuration.
 */
final class AgentTokens {

  private static final Logger LOG = LoggerFactory.getLogger(AgentTokens.class);

  private AgentTokens() {}

  /** A supplier of the token, or of null when there is none. */
  static Supplier<String> of(KubernetesClient client, Path tokenFile) {
    if (tokenFile != null) {
      return () -> {
        try {
          return Files.readString(tokenFile, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
          LOG.warn("cannot read the agent token file {}: {}", tokenFile, e.toString());
          return null;
        }
      };
    }
    Config config = client.getConfiguration();
    return () ->
        config.getOauthToken() != null ? config.getOauthToken() : config.getAutoOAuthToken();
  }
}
