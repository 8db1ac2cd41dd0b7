// cpptarget calls the traced functions of shop.cpp and prints the ground truth of every call as
// one JSON line (see ../README.md for the format and the flags).
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <stdexcept>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "shop.hpp"
#include "truth.hpp"

using truth::Object;

namespace {

volatile std::sig_atomic_t stop_requested = 0;

void on_signal(int) { stop_requested = 1; }

truth::Json money(const shop::Money& m) {
  return Object().add("units", truth::num(m.units)).add("nanos", truth::num(m.nanos)).json();
}

truth::Json big(const shop::Big& b) {
  return Object()
      .add("a", truth::num(b.a))
      .add("b", truth::num(b.b))
      .add("c", truth::num(b.c))
      .add("d", truth::num(b.d))
      .json();
}

truth::Json cart(const shop::Cart& c) {
  return Object()
      .add("owner", truth::str(c.owner))
      .add("items", truth::num(c.items))
      .add("cents", truth::num(c.cents))
      .json();
}

Object ret(const truth::Json& v) { return Object().add("$0", v); }

const char* const kUsers[] = {"alice", "bob", "mallory", "", "carol"};

void basic(int i) {
  const char* user = kUsers[i % 5];
  int ok = login(user);
  truth::call("login", Object().add("user", truth::cstr(user)), ret(truth::num(ok)));

  shop::Cart c("erin", 3 + i % 4, 250);
  int n = c.count();
  truth::call("shop::Cart::count", Object().add("this", cart(c)), ret(truth::num(n)));

  shop::Cart before = c;
  n = c.add(2);
  truth::call("shop::Cart::add", Object().add("this", cart(before)).add("n", truth::num(2)), ret(truth::num(n)));

  long total = c.total(100 + i);
  truth::call("shop::Cart::total", Object().add("this", cart(c)).add("discount", truth::num(100 + i)),
              ret(truth::num(total)));

  std::string prefix = "cart#" + std::to_string(i);
  std::string d = c.describe(prefix);
  truth::call("shop::Cart::describe", Object().add("this", cart(c)).add("prefix", truth::str(prefix)),
              ret(truth::str(d)));
}

void abi(int i) {
  shop::Money a{10 + i, 750000000}, b{i % 7, 500000000};
  shop::Money s = shop::addMoney(a, b);
  truth::call("shop::addMoney", Object().add("a", money(a)).add("b", money(b)), ret(money(s)));

  shop::Big bg{1 + i, 2, 3, 4};
  long sb = shop::sumBig(7, bg, 8 + i);
  truth::call("shop::sumBig", Object().add("head", truth::num(7)).add("b", big(bg)).add("tail", truth::num(8 + i)),
              ret(truth::num(sb)));

  shop::Big made = shop::makeBig(5 + i);
  truth::call("shop::makeBig", Object().add("seed", truth::num(5 + i)), ret(big(made)));

  shop::Mixed m{3 + i, 2.5};
  double mt = shop::mixedTotal(m);
  truth::call("shop::mixedTotal",
              Object().add("m", Object().add("count", truth::num(m.count)).add("price", truth::real(m.price)).json()),
              ret(truth::real(mt)));

  shop::Tag t(4 + i, "fragile");
  int tid = shop::tagId(t, 2);
  truth::call("shop::tagId",
              Object()
                  .add("t", Object().add("id", truth::num(t.id)).add("label", truth::str(t.label)).json())
                  .add("extra", truth::num(2)),
              ret(truth::num(tid)));

  int counter = 40 + i;
  const long by = 2;
  int before = counter;
  int bumped = shop::bump(counter, by);
  truth::call("shop::bump", Object().add("counter", truth::num(before)).add("by", truth::num(by)),
              ret(truth::num(bumped)));

  std::string who = "gus";
  std::string greeting = shop::greet(who, 1 + i % 2);
  truth::call("shop::greet", Object().add("name", truth::str(who)).add("times", truth::num(1 + i % 2)),
              ret(truth::str(greeting)));

  int p = shop::price(3 + i);
  truth::call("shop::price", Object().add("n", truth::num(3 + i)), ret(truth::num(p)), "shop::price(int)");
  const char* code = (i % 2 == 0) ? "SKU-1" : "SKU-22";
  p = shop::price(code);
  truth::call("shop::price", Object().add("code", truth::cstr(code)), ret(truth::num(p)), "shop::price(const char*)");
  p = shop::price(1.5 + i);
  truth::call("shop::price", Object().add("weight", truth::real(1.5 + i)), ret(truth::num(p)), "shop::price(double)");

  double sc = shop::scale(1.25, 4 + i);
  truth::call("shop::scale", Object().add("x", truth::real(1.25)).add("k", truth::num(4 + i)), ret(truth::real(sc)));
}

void recursion(int) { shop::fact(6); }

// Calls shop::ratio twice; the second call throws, caught here one frame above.
void throws(int i) {
  for (long b : {2L, 0L}) {
    long a = 84 + i;
    Object args = Object().add("a", truth::num(a)).add("b", truth::num(b));
    try {
      long r = shop::ratio(a, b);
      truth::call("shop::ratio", args, ret(truth::num(r)));
    } catch (const std::invalid_argument& e) {
      truth::threw("shop::ratio", args, e.what());
    }
  }
}

long hot_calls = 100000;

// Calls shop::hot back to back; quiet runs count the calls in one step so the loop measures the
// calls themselves. Prints the loop's timing on stderr.
void hot(int) {
  long acc = 0;
  auto start = std::chrono::steady_clock::now();
  if (truth::quiet()) {
    for (long i = 0; i < hot_calls; i++) acc += shop::hot(i, i * 2, acc & 0xff);
  } else {
    for (long i = 0; i < hot_calls; i++) {
      long a = i, b = i * 2, c = acc & 0xff;
      long r = shop::hot(a, b, c);
      acc += r;
      truth::call("shop::hot", Object().add("a", truth::num(a)).add("b", truth::num(b)).add("c", truth::num(c)),
                  ret(truth::num(r)));
    }
  }
  long ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
  if (truth::quiet()) truth::count("shop::hot", hot_calls);
  std::fprintf(stderr, "cpptarget: hot calls=%ld elapsed_ns=%ld ns_per_call=%.1f acc=%ld\n", hot_calls, ns,
               hot_calls > 0 ? static_cast<double>(ns) / hot_calls : 0.0, acc);
}

const std::map<std::string, void (*)(int)> kScenarios = {{"basic", basic}, {"abi", abi}, {"recursion", recursion}, {"throw", throws}, {"hot", hot}};

[[noreturn]] void usage(const std::string& problem) {
  std::fprintf(stderr,
               "cpptarget: %s\n"
               "flags: -scenario=basic,abi,recursion,throw,hot|all (all but hot) -hot-calls=N -iterations=N (0 = until -duration or SIGTERM)\n"
               "       -duration=D -sleep=D -start-delay=D (D like 250ms, 2s) -wait-stdin -out=FILE -quiet\n",
               problem.c_str());
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string scenario = "all", out;
  long iterations = 1;
  std::chrono::nanoseconds duration{0}, sleep{0}, start_delay{0};
  bool wait_stdin = false, quiet = false;
  for (int a = 1; a < argc; a++) {
    std::string arg = argv[a];
    if (arg.rfind("--", 0) == 0) arg = arg.substr(1);
    std::string key = arg, value;
    size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      key = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    // Go-style durations: a number and a unit (ns, us, ms, s, m), e.g. 250ms.
    auto period = [&]() {
      char* end = nullptr;
      double v = std::strtod(value.c_str(), &end);
      std::string unit = end == nullptr ? "" : end;
      static const std::map<std::string, double> kUnits = {
          {"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}};
      auto u = kUnits.find(unit);
      if (value.empty() || end == value.c_str() || v < 0 || (u == kUnits.end() && !(v == 0 && unit.empty()))) {
        usage("bad duration for " + key + ": '" + value + "' (use e.g. 250ms, 2s)");
      }
      return std::chrono::nanoseconds(static_cast<long long>(v * (u == kUnits.end() ? 0 : u->second)));
    };
    auto number = [&]() {
      char* end = nullptr;
      long v = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || v < 0) usage("bad value for " + key + ": '" + value + "'");
      return v;
    };
    if (key == "-scenario") scenario = value;
    else if (key == "-iterations") iterations = number();
    else if (key == "-duration") duration = period();
    else if (key == "-sleep") sleep = period();
    else if (key == "-start-delay") start_delay = period();
    else if (key == "-hot-calls") hot_calls = number();
    else if (key == "-out") out = value;
    else if (key == "-wait-stdin") wait_stdin = true;
    else if (key == "-quiet") quiet = true;
    else usage("unknown flag " + arg);
  }
  std::vector<void (*)(int)> run;
  std::stringstream names(scenario == "all" ? "basic,abi,recursion,throw" : scenario);
  for (std::string name; std::getline(names, name, ',');) {
    auto it = kScenarios.find(name);
    if (it == kScenarios.end()) usage("unknown scenario '" + name + "'; known: basic, abi, recursion, throw, hot, all");
    run.push_back(it->second);
  }
  truth::configure(out.empty() ? nullptr : out.c_str(), quiet, sleep.count() > 0 || iterations == 0);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);

  std::fprintf(stderr, "cpptarget: ready pid=%d\n", static_cast<int>(getpid()));
  if (wait_stdin) {
    std::string line;
    std::getline(std::cin, line);
  }
  std::this_thread::sleep_for(start_delay);
  auto deadline = std::chrono::steady_clock::now() + duration;
  for (long i = 0; (iterations == 0 || i < iterations) && !stop_requested; i++) {
    for (auto fn : run) fn(static_cast<int>(i));
    if (iterations == 0 && duration.count() > 0 && std::chrono::steady_clock::now() >= deadline) break;
    if (sleep.count() > 0) std::this_thread::sleep_for(sleep);
  }
  truth::summary();
  return 0;
}
