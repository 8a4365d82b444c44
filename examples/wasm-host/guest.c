// The guest of examples/wasm-host.ts: a freestanding wasm32 module (no libc)
// that prints through a host import shaped like WASI's fd_write, then plays
// a hostile guest, then grows its own memory and prints from the new page.
//
// Rebuild with ./build.sh (clang and lld for wasm32); the .wasm is committed.

typedef unsigned int u32;

struct iovec {
  const void *base;
  u32 len;
};

// The host's function: gathers `count` iovecs at `iovs`, writes them to `fd`,
// stores the byte count at `nwritten`; returns 0 or an errno (21 EFAULT, 28 EINVAL).
__attribute__((import_module("host"), import_name("fd_write")))
int fd_write(int fd, const struct iovec *iovs, int count, u32 *nwritten);

static const char hello[] = "Hello from the guest, ";
static const char world[] = "through two iovecs!\n";

static struct iovec iovs[4];
static u32 written;

static u32 length(const char *s) {
  u32 n = 0;
  while (s[n] != 0) n++;
  return n;
}

// Prints two strings with one fd_write; returns the errno.
__attribute__((export_name("greet")))
int greet(void) {
  iovs[0] = (struct iovec){hello, length(hello)};
  iovs[1] = (struct iovec){world, length(world)};
  return fd_write(1, iovs, 2, &written);
}

__attribute__((export_name("written")))
u32 written_count(void) { return written; }

// A hostile call, chosen by `kind`; returns the host's errno.
__attribute__((export_name("hostile")))
int hostile(int kind) {
  u32 end = __builtin_wasm_memory_size(0) * 65536;
  iovs[0] = (struct iovec){hello, length(hello)};
  switch (kind) {
    case 0: // the iovec array at 0xFFFFFFF0: the host receives it as -16
      return fd_write(1, (const struct iovec *)0xFFFFFFF0u, 1, &written);
    case 1: // one good buffer, then one that runs past the end of memory
      iovs[1] = (struct iovec){(const void *)(end - 4), 100};
      return fd_write(1, iovs, 2, &written);
    case 2: // a length of 0xFFFFFFFF
      iovs[1] = (struct iovec){world, 0xFFFFFFFFu};
      return fd_write(1, iovs, 2, &written);
    case 3: // 1025 iovecs: more than IOV_MAX
      return fd_write(1, iovs, 1025, &written);
    case 4: // a good buffer but the result pointer is past the end
      return fd_write(1, iovs, 1, (u32 *)(end + 64));
    default: // a negative count
      return fd_write(1, iovs, -1, &written);
  }
}

// Grows memory by one page and prints a string it writes there; returns the errno.
__attribute__((export_name("grow_and_print")))
int grow_and_print(void) {
  u32 old_pages = __builtin_wasm_memory_grow(0, 1);
  if (old_pages == (u32)-1) return -1;
  char *page = (char *)(old_pages * 65536);
  const char *msg = "Printed from a page the guest grew between two host calls.\n";
  u32 n = length(msg);
  for (u32 i = 0; i < n; i++) page[i] = msg[i];
  // The iovec array lives in the new page too, right after the text.
  struct iovec *v = (struct iovec *)(page + 128);
  v[0] = (struct iovec){page, n};
  return fd_write(1, v, 1, (u32 *)(page + 192));
}
