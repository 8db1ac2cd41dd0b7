package dev.dynlog.kube;

import dev.dynlog.http.QueryAuthenticator;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reviews a query API bearer token with the API server (a {@code TokenReview},
 * authentication.k8s.io/v1, through the agent's own client, which needs {@code create
 * tokenreviews}) and allows it when the API server authenticates it as one of the allowed users
 * ({@code --query-clients}, by default the operator's service account). Not cached: wrap it in a
 * {@code http.CachedAuthenticator}.
 */
public final class TokenReviewAuthenticator implements QueryAuthenticator {

  /** The user the operator's pods authenticate as: the chart's service account. */
  public static final String OPERATOR_USER = "system:serviceaccount:dynlog-system:dynlog-operator";

  private final KubernetesClient client;
  private final Set<String> allowedUsers;

  /** Allows tokens of {@code allowedUsers} (at least one), as reviewed through {@code client}. */
  public TokenReviewAuthenticator(KubernetesClient client, List<String> allowedUsers) {
    if (allowedUsers.isEmpty()) {
      throw new IllegalArgumentException("--query-clients needs at least one user name");
    }
    this.client = client;
    this.allowedUsers = new TreeSet<>(allowedUsers);
  }

  @Override
  public Verdict review(String token) {
    TokenReview review = new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build();
    TokenReviewStatus status;
    try {
      status = client.authentication().v1().tokenReviews().create(review).getStatus();
    } catch (KubernetesClientException e) {
      String why =
          e.getStatus() != null && e.getStatus().getMessage() != null
              ? e.getStatus().getMessage()
              : e.getMessage();
      return Verdict.unavailable(
          "cannot review the bearer token with the API server: " + scrub(why, token));
    } catch (RuntimeException e) {
      return Verdict.unavailable(
          "cannot review the bearer token with the API server: " + scrub(e.toString(), token));
    }
    if (status == null || !Boolean.TRUE.equals(status.getAuthenticated())) {
      String error = status == null ? null : status.getError();
      return Verdict.denied(
          "the bearer token is not valid"
              + (error == null || error.isBlank() ? "" : " (" + scrub(error, token) + ")"));
    }
    String user = status.getUser() == null ? null : status.getUser().getUsername();
    if (user != null && allowedUsers.contains(user)) return Verdict.allowed();
    return Verdict.denied(
        "user '"
            + user
            + "' may not read this node agent's query API; it answers only "
            + String.join(", ", allowedUsers)
            + " (--query-clients): read rows through the aggregated query API");
  }

  /** {@code text} with any occurrence of the token replaced, so that no answer carries it. */
  private static String scrub(String text, String token) {
    return text == null ? "" : text.replace(token, "<token>");
  }
}
