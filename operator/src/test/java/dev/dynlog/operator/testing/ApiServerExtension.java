package dev.dynlog.operator.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.reflect.Field;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.ModifierSupport;

/**
 * The extension behind {@link ApiServerTest}. Before the class it takes the shared {@link
 * TestApiServer}'s client (starting the server on first use), makes a {@link Fixtures} and starts
 * the class's {@link TestOperator}, if it names one; it injects them into {@link
 * ApiServerTest.Inject} fields and resolves parameters of their types; after the class it closes
 * the operator. Nested classes share those of their enclosing class.
 */
public final class ApiServerExtension
    implements BeforeAllCallback, AfterAllCallback, TestInstancePostProcessor, ParameterResolver {

  private static final Namespace NAMESPACE = Namespace.create(ApiServerExtension.class);
  private static final String KEY = "resources";

  /**
   * What one test class gets; not AutoCloseable, so that the store never closes the shared client.
   */
  private record Resources(KubernetesClient client, Fixtures fixtures, TestOperator operator) {

    Object get(Class<?> type, Class<?> testClass) {
      if (type == KubernetesClient.class) {
        return client;
      }
      if (type == Fixtures.class) {
        return fixtures;
      }
      if (type == TestOperator.class) {
        if (operator == null) {
          throw new IllegalStateException(
              testClass.getSimpleName()
                  + " starts no operator: "
                  + "set @ApiServerTest(identity = ...)");
        }
        return operator;
      }
      throw new IllegalArgumentException(
          "cannot inject a "
              + type.getName()
              + ": only "
              + "KubernetesClient, Fixtures and TestOperator");
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    if (resources(context) == null) {
      KubernetesClient client = TestApiServer.get().client();
      Fixtures fixtures = new Fixtures(client);
      TestOperator operator =
          AnnotationSupport.findAnnotation(testClass, ApiServerTest.class)
              .filter(config -> !config.identity().isEmpty())
              .map(
                  config ->
                      TestOperator.start(
                          config.identity(),
                          config.lease().isEmpty() ? config.identity() + "-lease" : config.lease()))
              .orElse(null);
      context.getStore(NAMESPACE).put(KEY, new Resources(client, fixtures, operator));
    }
    inject(context, testClass, null, ModifierSupport::isStatic);
  }

  @Override
  public void postProcessTestInstance(Object testInstance, ExtensionContext context) {
    inject(context, testInstance.getClass(), testInstance, ModifierSupport::isNotStatic);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    // Only what this class started: remove() does not reach an enclosing class's store.
    Resources resources = context.getStore(NAMESPACE).remove(KEY, Resources.class);
    if (resources != null && resources.operator() != null) {
      resources.operator().close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == KubernetesClient.class || type == Fixtures.class || type == TestOperator.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    try {
      return resources(context)
          .get(parameter.getParameter().getType(), context.getRequiredTestClass());
    } catch (IllegalStateException e) {
      throw new ParameterResolutionException(e.getMessage(), e);
    }
  }

  private static Resources resources(ExtensionContext context) {
    return context.getStore(NAMESPACE).get(KEY, Resources.class);
  }

  private static void inject(
      ExtensionContext context, Class<?> testClass, Object instance, Predicate<Field> which) {
    for (Field field :
        AnnotationSupport.findAnnotatedFields(testClass, ApiServerTest.Inject.class, which)) {
      try {
        field.setAccessible(true);
        field.set(instance, resources(context).get(field.getType(), testClass));
      } catch (IllegalAccessException | RuntimeException e) {
        throw new ExtensionConfigurationException(
            "cannot inject " + field + ": " + e.getMessage(), e);
      }
    }
  }
}
