/*
 * The raw NDJSON floor for the protocol rows: a child that reads request lines on stdin and
 * answers each with {"id":…,"ok":true,"result":{}} on stdout, doing nothing else. It reads with
 * read(2) and answers everything one read returned with one write(2), so pipelined requests are
 * batched the way any sidecar could batch them; the difference between this and a real sidecar is
 * the cost of the sidecar's own parsing, dispatch and encoding. Exits on stdin EOF.
 */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char in[1 << 16];
static size_t used;
static char out[1 << 18];
static size_t outlen;

static void flush_out(void) {
  size_t off = 0;
  while (off < outlen) {
    ssize_t n = write(1, out + off, outlen - off);
    if (n <= 0) exit(1);
    off += (size_t)n;
  }
  outlen = 0;
}

/* Appends the answer for one request line: its "id" string copied as is, else null. */
static void answer(const char *line, size_t len) {
  const char *id = NULL;
  size_t idlen = 0;
  const char *p = memmem(line, len, "\"id\":\"", 6);
  if (p) {
    id = p + 6;
    const char *end = memchr(id, '"', (size_t)(line + len - id));
    idlen = end ? (size_t)(end - id) : 0;
  }
  if (outlen + idlen + 64 > sizeof out) flush_out();
  if (id) {
    memcpy(out + outlen, "{\"id\":\"", 7), outlen += 7;
    memcpy(out + outlen, id, idlen), outlen += idlen;
    memcpy(out + outlen, "\",\"ok\":true,\"result\":{}}\n", 25), outlen += 25;
  } else {
    memcpy(out + outlen, "{\"id\":null,\"ok\":true,\"result\":{}}\n", 34), outlen += 34;
  }
}

int main(void) {
  for (;;) {
    ssize_t n = read(0, in + used, sizeof in - used);
    if (n <= 0) break;
    used += (size_t)n;
    size_t start = 0;
    for (;;) {
      char *nl = memchr(in + start, '\n', used - start);
      if (!nl) break;
      answer(in + start, (size_t)(nl - (in + start)));
      start = (size_t)(nl - in) + 1;
    }
    memmove(in, in + start, used - start);
    used -= start;
    if (used == sizeof in) used = 0; /* an over-long line: drop it rather than stall */
    flush_out();
  }
  flush_out();
  return 0;
}
