package dev.dynlog.api.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generates the CRD YAML from the model with fabric8's crd-generator and compares it with the
 * checked-in files in {@code crds/} and in the Helm chart's {@code crds/}. Regenerate both with
 * {@code mvn -pl api test -Dtest=CrdFilesUpToDateTest -Ddynlog.crds.update=true}.
 */
class CrdFilesUpToDateTest {

  private static final String UPDATE_PROPERTY = "dynlog.crds.update";

  @Test
  void checkedInCrdsEqualGeneratedOnes(@TempDir Path generated) throws IOException {
    generate(generated);
    TreeSet<String> names = fileNames(generated);
    assertEquals(
        new TreeSet<>(
            List.of("tracepointassignments.dynlog.dev-v1.yml", "tracepoints.dynlog.dev-v1.yml")),
        names,
        "generated CRD files");

    for (String property : List.of("dynlog.crds.dir", "dynlog.chart.crds.dir")) {
      compareOrUpdate(generated, dir(property), names);
    }
  }

  /**
   * Fields of Kubernetes' own types embedded in the model (a LabelSelector, Conditions): their
   * schema comes from fabric8's model classes, which carry no descriptions; the fields holding them
   * are described.
   */
  private static final List<String> KUBERNETES_TYPES =
      List.of("Tracepoint.spec.target.selector.", "Tracepoint.status.conditions[].");

  /**
   * {@code kubectl explain} shows a schema node's description: the kind, spec, status and every
   * field of dynlog's model must have one.
   */
  @Test
  void everyKindAndFieldIsDescribed(@TempDir Path generated) throws IOException {
    generate(generated);
    List<String> undescribed = new ArrayList<>();
    for (String name : fileNames(generated)) {
      CustomResourceDefinition crd =
          Serialization.unmarshal(
              Files.readString(generated.resolve(name)), CustomResourceDefinition.class);
      for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
        collectUndescribed(
            crd.getSpec().getNames().getKind(),
            version.getSchema().getOpenAPIV3Schema(),
            undescribed);
      }
    }
    assertEquals(List.of(), undescribed, "schema nodes without a description");
  }

  private static void collectUndescribed(String path, JSONSchemaProps schema, List<String> out) {
    if ((schema.getDescription() == null || schema.getDescription().isBlank())
        && KUBERNETES_TYPES.stream().noneMatch(path::startsWith)) {
      out.add(path);
    }
    if (schema.getProperties() != null) {
      schema
          .getProperties()
          .forEach((name, child) -> collectUndescribed(path + "." + name, child, out));
    }
    if (schema.getItems() != null && schema.getItems().getSchema() != null) {
      JSONSchemaProps items = schema.getItems().getSchema();
      if (items.getProperties() != null) {
        items
            .getProperties()
            .forEach((name, child) -> collectUndescribed(path + "[]." + name, child, out));
      }
    }
  }

  private static void generate(Path generated) {
    new CRDGenerator()
        .inOutputDir(generated.toFile())
        .forCRDVersions("v1")
        .customResourceClasses(Tracepoint.class, TracepointAssignment.class)
        .withPostProcessor(
            new CRDPostProcessor() {
              @Override
              public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
                return describeKind(keepDeclaredColumnOrder(crd));
              }
            })
        .generate();
  }

  private static void compareOrUpdate(Path generated, Path checkedIn, TreeSet<String> names)
      throws IOException {
    if (Boolean.getBoolean(UPDATE_PROPERTY)) {
      Files.createDirectories(checkedIn);
      for (String name : names) {
        Files.copy(
            generated.resolve(name), checkedIn.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
      System.out.println("updated CRDs in " + checkedIn);
      return;
    }
    assertTrue(Files.isDirectory(checkedIn), "missing CRD folder " + checkedIn);
    assertEquals(
        names,
        fileNames(checkedIn),
        "files in " + checkedIn + " (regenerate with -D" + UPDATE_PROPERTY + "=true)");
    for (String name : names) {
      List<String> want = Files.readAllLines(generated.resolve(name));
      List<String> have = Files.readAllLines(checkedIn.resolve(name));
      for (int i = 0; i < Math.max(want.size(), have.size()); i++) {
        String w = i < want.size() ? want.get(i) : "<end of file>";
        String h = i < have.size() ? have.get(i) : "<end of file>";
        if (!w.equals(h)) {
          fail(
              checkedIn.resolve(name)
                  + " differs from the model at line "
                  + (i + 1)
                  + ":\n  generated:  "
                  + w
                  + "\n  checked in: "
                  + h
                  + "\nRegenerate: mvn -pl api test -Dtest=CrdFilesUpToDateTest -D"
                  + UPDATE_PROPERTY
                  + "=true");
        }
      }
    }
  }

  /**
   * The generator takes descriptions from properties only ({@code @JsonPropertyDescription}); the
   * kind's, its spec's and its status's come from their classes' {@code @JsonClassDescription}.
   */
  private static HasMetadata describeKind(HasMetadata generated) {
    CustomResourceDefinition crd = (CustomResourceDefinition) generated;
    Class<?> model = model(crd);
    Type[] specAndStatus =
        ((ParameterizedType) model.getGenericSuperclass()).getActualTypeArguments();
    for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
      JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
      root.setDescription(classDescription(model));
      List<String> parts = List.of("spec", "status");
      for (int i = 0; i < parts.size(); i++) {
        JSONSchemaProps part = root.getProperties().get(parts.get(i));
        if (part != null && part.getDescription() == null) {
          part.setDescription(classDescription((Class<?>) specAndStatus[i]));
        }
      }
    }
    return crd;
  }

  private static String classDescription(Class<?> type) {
    JsonClassDescription description = type.getAnnotation(JsonClassDescription.class);
    assertTrue(
        description != null && !description.value().isBlank(),
        type.getName() + " needs a @JsonClassDescription (kubectl explain shows it)");
    return description.value();
  }

  private static Class<?> model(CustomResourceDefinition crd) {
    return crd.getSpec().getNames().getKind().equals("Tracepoint")
        ? Tracepoint.class
        : TracepointAssignment.class;
  }

  /**
   * The generator sorts printer columns by JSON path; kubectl shows them in CRD order, so put them
   * back in the order the model declares them (Phase, Attached, ..., Age).
   */
  private static HasMetadata keepDeclaredColumnOrder(HasMetadata generated) {
    CustomResourceDefinition crd = (CustomResourceDefinition) generated;
    Class<?> model = model(crd);
    List<String> order =
        Arrays.stream(model.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
    for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
      version
          .getAdditionalPrinterColumns()
          .sort(Comparator.comparingInt(c -> order.indexOf(c.getName())));
    }
    return crd;
  }

  private static Path dir(String property) {
    String dir = System.getProperty(property);
    assertTrue(dir != null, "system property " + property + " is not set (see api/pom.xml)");
    return Path.of(dir).toAbsolutePath().normalize();
  }

  private static TreeSet<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yml"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
