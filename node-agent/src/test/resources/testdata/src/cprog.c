/*
 * dynlog test fixture (C): functions whose parameters exercise the System V x86-64 calling
 * convention. Built at -O0 and -O2 by ../build.sh; the binaries are checked in next to it.
 * noipa keeps every function out of line with its declared signature even at -O2.
 */
#define KEEP __attribute__((noipa))

struct point { long x; long y; };              /* 16 bytes: two INTEGER eightbytes, RDI/RSI-like */
struct mixed { double d; long n; };            /* SSE + INTEGER */
struct big { long a, b, c; };                  /* 24 bytes: passed in memory */
struct node { int id; const char *name; struct node *next; };

volatile long sink;

KEEP long add_ints(int a, long b, unsigned char c, short d) { return a + b + c + d; }
KEEP long point_sum(struct point p, long k) { return p.x * k + p.y; }
KEEP double mixed_val(struct mixed m, int k) { return m.d * k + m.n; }
KEEP long big_sum(long head, struct big b, long tail) { return head + b.a + b.b + b.c + tail; }
KEEP struct big make_big(long seed, long step) {
  struct big b = {seed, seed + step, seed + 2 * step};
  return b;
}
KEEP long many(long a, long b, long c, long d, long e, long f, long g, long h) {
  return a + b + c + d + e + f + g + h;
}
KEEP int name_len(const char *s) {
  int n = 0;
  while (s[n]) n++;
  return n;
}
KEEP int node_id(const struct node *n) { return n->next ? n->next->id : n->id; }

int main(int argc, char **argv) {
  struct point p = {argc, 2};
  struct mixed m = {1.5, argc};
  struct big b = make_big(argc, 3);
  struct node tail = {7, "tail", 0};
  struct node head = {argc, argv[0], &tail};
  sink = add_ints(argc, 2, 3, 4) + point_sum(p, 5) + (long) mixed_val(m, 2) + big_sum(1, b, 2)
      + many(1, 2, 3, 4, 5, 6, 7, argc) + name_len(argv[0]) + node_id(&head);
  return 0;
}
