#include "shop.hpp"

#include <cstring>
#include <stdexcept>

#include "truth.hpp"

namespace shop {

Tag::Tag(int id_, const char* label_) : id(id_) {
  std::strncpy(label, label_, sizeof label - 1);
  label[sizeof label - 1] = '\0';
}

Tag::Tag(const Tag& other) : id(other.id) { std::memcpy(label, other.label, sizeof label); }

Tag::~Tag() { id = -1; }

Cart::Cart(std::string owner_, int items_, long cents_)
    : owner(std::move(owner_)), items(items_), cents(cents_) {}

TRACED int Cart::count() const { return items; }

TRACED int Cart::add(int n) {
  items += n;
  return items;
}

TRACED long Cart::total(long discount) const { return items * cents - discount; }

TRACED std::string Cart::describe(const std::string& prefix) const {
  return prefix + ": " + owner + " has " + std::to_string(items) + " items";
}

TRACED Money addMoney(Money a, Money b) {
  Money r{a.units + b.units, a.nanos + b.nanos};
  if (r.nanos >= 1000000000) {
    r.units++;
    r.nanos -= 1000000000;
  }
  return r;
}

TRACED long sumBig(int head, Big b, int tail) { return head * 1000L + b.a + b.b + b.c + b.d + tail; }

TRACED Big makeBig(long seed) { return Big{seed, seed * 2, seed * 3, seed * 4}; }

TRACED double mixedTotal(Mixed m) { return m.count * m.price; }

TRACED int tagId(Tag t, int extra) { return t.id * 10 + extra + static_cast<int>(std::strlen(t.label)); }

TRACED int bump(int& counter, const long& by) {
  counter += static_cast<int>(by);
  return counter;
}

TRACED std::string greet(std::string name, int times) {
  std::string r;
  for (int i = 0; i < times; i++) r += "hi " + name + "! ";
  return r;
}

TRACED int price(int n) { return n * 100; }

TRACED int price(const char* code) { return code == nullptr ? -1 : static_cast<int>(std::strlen(code)) * 7; }

TRACED int price(double weight) { return static_cast<int>(weight * 3); }

TRACED double scale(double x, int k) { return x * k; }

TRACED long fact(int n) {
  long r = n <= 1 ? 1 : n * fact(n - 1);
  truth::call("shop::fact", truth::Object().add("n", truth::num(n)), truth::Object().add("$0", truth::num(r)));
  return r;
}

TRACED long hot(long a, long b, long c) { return a ^ (b + c); }

TRACED long ratio(long a, long b) {
  if (b == 0) throw std::invalid_argument("ratio: division by zero, a=" + std::to_string(a));
  return a / b;
}

}  // namespace shop

extern "C" TRACED int login(const char* user) {
  if (user == nullptr || user[0] == '\0') return -1;
  return std::strcmp(user, "alice") == 0 || std::strcmp(user, "bob") == 0 ? 1 : 0;
}
