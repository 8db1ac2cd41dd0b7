/**
 * The node agent's link to Kubernetes: the informer on the node's {@code TracepointAssignment}s
 * ({@link dev.dynlog.kube.AssignmentWatcher}, field selector {@code spec.nodeName}) and the writes
 * of their status subresource by server-side apply ({@link dev.dynlog.kube.StatusWriter}, field
 * manager {@code dynlog-agent}; with {@code status.agent}, where the agent serves its query API),
 * and the review of query API callers' bearer tokens ({@link
 * dev.dynlog.kube.TokenReviewAuthenticator}, a TokenReview allowed for {@code --query-clients}
 * only). The agent's logic is in {@link dev.dynlog.agent.NodeAgent}, which knows nothing of the API
 * server.
 *
 * <p>May use: agent, api, http (the {@code QueryAuthenticator} it implements), and fabric8's
 * client.
 */
package dev.dynlog.kube;
