// Traced functions of the C++ target. Each one is kept out of line (TRACED) so that -O2 builds
// keep a real call with the System V x86-64 calling convention.
#pragma once

#include <string>

namespace shop {

// Two INTEGER eightbytes: passed in two registers.
struct Money {
  long units;
  int nanos;
};

// 32 bytes: passed and returned in memory.
struct Big {
  long a;
  long b;
  long c;
  long d;
};

// One INTEGER and one SSE eightbyte.
struct Mixed {
  int count;
  double price;
};

// Not trivially copyable (user-provided copy constructor and destructor): passed by invisible
// reference.
class Tag {
 public:
  Tag(int id, const char* label);
  Tag(const Tag& other);
  ~Tag();
  int id;
  char label[16];
};

class Cart {
 public:
  Cart(std::string owner, int items, long cents);
  int count() const;
  int add(int n);
  long total(long discount) const;
  std::string describe(const std::string& prefix) const;

  std::string owner;
  int items;
  long cents;
};

Money addMoney(Money a, Money b);
long sumBig(int head, Big b, int tail);
Big makeBig(long seed);
double mixedTotal(Mixed m);
int tagId(Tag t, int extra);
int bump(int& counter, const long& by);
// std::string by value: not trivially copyable, so passed by invisible reference.
std::string greet(std::string name, int times);
int price(int n);
int price(const char* code);
int price(double weight);
double scale(double x, int k);
long fact(int n);
long hot(long a, long b, long c);
// Throws std::invalid_argument when b is 0; g++ -O2 moves that path to a separate .cold range.
long ratio(long a, long b);

}  // namespace shop

extern "C" int login(const char* user);
