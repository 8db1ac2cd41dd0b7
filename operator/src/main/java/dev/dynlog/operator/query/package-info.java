/**
 * The aggregated query API {@code query.dynlog.dev/v1alpha1} (APIService {@code
 * v1alpha1.query.dynlog.dev}), served by the operator Deployment on HTTPS ({@code
 * DYNLOG_QUERY_PORT}, {@link dev.dynlog.operator.query.QuerySettings}).
 *
 * <p>{@link dev.dynlog.operator.query.QueryServer} answers discovery and {@code GET
 * .../namespaces/NS/tracepoints/NAME/events}: {@link
 * dev.dynlog.operator.query.FrontProxyAuthenticator} trusts the request only when its client
 * certificate chains to the request-header CA of {@code
 * kube-system/extension-apiserver-authentication} ({@link
 * dev.dynlog.operator.query.RequestHeaderConfig}) and takes the user from the proxy's headers
 * ({@link dev.dynlog.operator.query.Caller}); {@link dev.dynlog.operator.query.AccessReviewer} asks
 * a SubjectAccessReview; {@link dev.dynlog.operator.query.EventsParameters} checks the parameters
 * with the agent's rules; {@link dev.dynlog.operator.query.EventsFanOut} asks the agent of every
 * node in the Tracepoint's TracepointAssignments ({@code status.agent}) through {@link
 * dev.dynlog.operator.query.AgentClient} and merges their rows by time ({@link
 * dev.dynlog.operator.query.RowMerger}); {@code FollowFanOut} interleaves their live follows. What
 * failed is said as {@link dev.dynlog.operator.query.Warnings}; errors as Kubernetes {@link
 * dev.dynlog.operator.query.KubeStatus}.
 *
 * <p>May use: {@code dev.dynlog.api} (the custom resources). Libraries: JDK {@code
 * com.sun.net.httpserver} (HTTPS) and {@code java.net.http} (agents), fabric8 client, Jackson.
 */
package dev.dynlog.operator.query;
