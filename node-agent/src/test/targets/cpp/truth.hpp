// Ground-truth recorder of the C++ target: one JSON line per traced call (see ../README.md).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace truth {

// A JSON value already rendered as text.
struct Json {
  std::string text;
};

Json num(long long v);
Json unum(unsigned long long v);
Json real(double v);
Json boolean(bool v);
Json str(const std::string& v);
Json cstr(const char* v);  // null for a null pointer
Json null();

// A JSON object built field by field, in declaration order.
class Object {
 public:
  Object& add(const std::string& name, const Json& value);
  Json json() const;

 private:
  std::string body_;
};

// Records one completed call of fn with its arguments and results. For overloaded functions,
// signature names the overload, e.g. "shop::price(int)".
void call(const char* fn, const Object& args, const Object& results, const char* signature = nullptr);

// Records a call of fn that threw an exception with message what instead of returning.
void threw(const char* fn, const Object& args, const std::string& what);

// Adds n calls of fn to the summary without printing them (quiet hot loops).
void count(const char* fn, long n);

// Whether per-call lines are suppressed (-quiet).
bool quiet();

// Configures the destination (nullptr = stdout) and whether per-call lines are printed.
void configure(const char* path, bool quiet, bool flush_each_line);

// Writes the summary line and flushes.
void summary();

}  // namespace truth

// Keeps a function out of line and its signature untouched by inter-procedural optimisation.
#if defined(__clang__)
#define TRACED __attribute__((noinline, used))
#else
#define TRACED __attribute__((noipa, used))
#endif
