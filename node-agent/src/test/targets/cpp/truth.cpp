#include "truth.hpp"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace truth {
namespace {

FILE* out = stdout;
bool quiet_lines = false;
bool flush_lines = false;
std::map<std::string, long> counts;

std::string escape(const std::string& s) {
  std::string r = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': r += "\\\""; break;
      case '\\': r += "\\\\"; break;
      case '\n': r += "\\n"; break;
      case '\t': r += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          r += buf;
        } else {
          r += static_cast<char>(c);
        }
    }
  }
  return r + "\"";
}

}  // namespace

Json num(long long v) { return {std::to_string(v)}; }
Json unum(unsigned long long v) { return {std::to_string(v)}; }
Json real(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return {buf};
}
Json boolean(bool v) { return {v ? "true" : "false"}; }
Json str(const std::string& v) { return {escape(v)}; }
Json cstr(const char* v) { return v ? str(v) : null(); }
Json null() { return {"null"}; }

Object& Object::add(const std::string& name, const Json& value) {
  if (!body_.empty()) body_ += ",";
  body_ += escape(name) + ":" + value.text;
  return *this;
}

Json Object::json() const { return {"{" + body_ + "}"}; }

void configure(const char* path, bool quiet, bool flush_each_line) {
  if (path != nullptr) {
    out = std::fopen(path, "w");
    if (out == nullptr) {
      std::perror(path);
      std::exit(2);
    }
  }
  quiet_lines = quiet;
  flush_lines = flush_each_line;
}

void call(const char* fn, const Object& args, const Object& results, const char* signature) {
  counts[fn]++;
  if (quiet_lines) return;
  std::string sig = signature == nullptr ? "" : ",\"signature\":" + escape(signature);
  std::fprintf(out, "{\"fn\":%s%s,\"args\":%s,\"results\":%s}\n", escape(fn).c_str(), sig.c_str(),
               args.json().text.c_str(), results.json().text.c_str());
  if (flush_lines) std::fflush(out);
}

void threw(const char* fn, const Object& args, const std::string& what) {
  counts[fn]++;
  if (quiet_lines) return;
  std::fprintf(out, "{\"fn\":%s,\"args\":%s,\"panic\":%s}\n", escape(fn).c_str(), args.json().text.c_str(),
               escape(what).c_str());
  if (flush_lines) std::fflush(out);
}

void count(const char* fn, long n) { counts[fn] += n; }

bool quiet() { return quiet_lines; }

void summary() {
  long total = 0;
  Object calls;
  for (const auto& [fn, n] : counts) {
    calls.add(fn, num(n));
    total += n;
  }
  std::fprintf(out, "{\"summary\":{\"total\":%ld,\"calls\":%s}}\n", total, calls.json().text.c_str());
  std::fflush(out);
}

}  // namespace truth
