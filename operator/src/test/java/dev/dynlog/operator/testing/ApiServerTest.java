package dev.dynlog.operator.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test class against the shared {@link TestApiServer} through {@link
 * ApiServerExtension}: its admin {@link KubernetesClient}, a {@link Fixtures} and, when {@link
 * #identity} is set, a {@link TestOperator} started before the class and closed after it, go into
 * {@link Inject} fields and into parameters of those types.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(ApiServerExtension.class)
public @interface ApiServerTest {

  /** Identity of the operator started for the class; empty (the default) starts none. */
  String identity() default "";

  /** Lease the operator competes for in "default"; empty means {@code <identity>-lease}. */
  String lease() default "";

  /**
   * Marks a field (static: set before the class; instance: set on each test instance) of type
   * {@link KubernetesClient}, {@link Fixtures} or {@link TestOperator} to be injected.
   */
  @Target(ElementType.FIELD)
  @Retention(RetentionPolicy.RUNTIME)
  @Documented
  @interface Inject {}
}
