// dynlog test fixture (C++): namespaces, methods (this), overloads, and a class that is not
// trivially copyable (passed by invisible reference). No standard library, to stay small.
// g++ 12 does not emit DW_AT_calling_convention; Tag's destructor is kept out of line, InlineTag's
// copy constructor and destructor are inlined everywhere: only the class's member declarations in
// DWARF show that InlineTag is not trivially copyable (passed by invisible reference too).
#define KEEP __attribute__((noipa))

namespace shop {

struct Money {
  long units;
  int cents;
};

class Tag {
 public:
  explicit Tag(int id) : id(id) {}
  Tag(const Tag &other) : id(other.id + 1) {}
  KEEP ~Tag() { id = -1; }
  int id;
};

class InlineTag {
 public:
  explicit InlineTag(int id) : id(id) {}
  InlineTag(const InlineTag &other) : id(other.id + 2) {}
  ~InlineTag() { id = -2; }
  int id;
};

class Cart {
 public:
  KEEP long add(long n, Money m) {
    count += n;
    total += m.units * 100 + m.cents;
    return total;
  }
  KEEP long size() const { return count; }
  long count = 0;
  long total = 0;
};

KEEP long price(int n) { return n * 100L; }
KEEP long price(const char *code) { return code[0]; }
KEEP int tagId(Tag t, int extra) { return t.id + extra; }
KEEP int inlineTagId(InlineTag t, int extra) { return t.id + extra; }

}  // namespace shop

volatile long sink;

int main(int argc, char **argv) {
  shop::Cart cart;
  shop::Tag tag(argc);
  shop::InlineTag inlineTag(argc);
  sink = cart.add(argc, shop::Money{3, 25}) + cart.size() + shop::price(argc) + shop::price(argv[0])
      + shop::tagId(tag, 2) + shop::inlineTagId(inlineTag, 3);
  return 0;
}
