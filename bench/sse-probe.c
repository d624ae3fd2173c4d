/*
 * sse-probe: N SSE clients in one epoll loop, stamping every state frame with
 * the time the kernel received it on that client's socket (SO_TIMESTAMPNS),
 * moved to CLOCK_MONOTONIC, the clock Node's process.hrtime.bigint() reads
 * (libuv uv_hrtime). The latency bench drives it over stdin/stdout, so what
 * it measures is the server and the kernel: neither a JavaScript client
 * reading N sockets in one event loop nor the probe's own scheduling.
 *
 *   sse-probe PORT N
 *
 * Opens N connections to 127.0.0.1:PORT with GET /demo_sse (50 at a time,
 * each batch waiting for its first frames), and prints
 *   ready <highest id seen>
 * once every client has its first state frame. Then, per line on stdin:
 *   above <X>   waits until every client has a frame with id > X and prints
 *               ok <id> <ns> <ns> ...   (the highest such first id, then the
 *               CLOCK_MONOTONIC ns of each client's first such frame, in
 *               connection order)
 * Any failure prints "error <what>" and exits 1. EOF on stdin exits 0.
 *
 * Frames are found by their "id: <n>" line; the body may be chunked
 * (Transfer-Encoding: chunked, as Node sends it) or raw (as the board does).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HISTORY 16     /* frames remembered per client (a trial makes 1) */
#define LINE_MAX_LEN 512

typedef struct {
  int64_t id;
  uint64_t at_ns;
} frame_mark_t;

typedef struct {
  int fd;
  bool head_done;
  bool chunked;
  char head[4096];
  size_t head_len;
  /* chunked decoder */
  int64_t chunk_left; /* payload bytes left in this chunk; -1 = size line next */
  bool chunk_crlf;    /* the CRLF after a chunk's payload is next */
  char size_line[32];
  size_t size_len;
  /* SSE line splitter */
  char line[LINE_MAX_LEN];
  size_t line_len;
  int64_t pending_id; /* id: of the frame being read, -1 if none yet */
  frame_mark_t hist[HISTORY];
  unsigned hist_next; /* frames recorded so far */
} client_t;

static client_t *s_clients;
static int s_n;

static int64_t ts_ns(const struct timespec *ts)
{
  return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static uint64_t now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts_ns(&ts);
}

static void fail(const char *what, int index)
{
  if (index >= 0) printf("error client %d: %s\n", index, what);
  else printf("error %s\n", what);
  fflush(stdout);
  exit(1);
}

/* One SSE line (without '\n'); a blank line ends the frame. */
static void on_line(client_t *c, uint64_t at)
{
  if (c->line_len > 0 && c->line[c->line_len - 1] == '\r') c->line_len--;
  if (c->line_len == 0) {
    if (c->pending_id >= 0) {
      c->hist[c->hist_next % HISTORY] = (frame_mark_t){c->pending_id, at};
      c->hist_next++;
    }
    c->pending_id = -1;
    return;
  }
  c->line[c->line_len] = '\0';
  if (strncmp(c->line, "id:", 3) == 0) c->pending_id = strtoll(c->line + 3 + (c->line[3] == ' '), NULL, 10);
}

static void on_payload(client_t *c, const char *p, size_t n, uint64_t at)
{
  for (size_t i = 0; i < n; i++) {
    if (p[i] == '\n') {
      on_line(c, at);
      c->line_len = 0;
    } else if (c->line_len < LINE_MAX_LEN - 1) {
      c->line[c->line_len++] = p[i];
    }
  }
}

static void on_body(client_t *c, int index, const char *p, size_t n, uint64_t at)
{
  if (!c->chunked) {
    on_payload(c, p, n, at);
    return;
  }
  while (n > 0) {
    if (c->chunk_crlf) {
      if (*p == '\n') c->chunk_crlf = false;
      p++, n--;
    } else if (c->chunk_left < 0) {
      if (*p == '\n') {
        c->size_line[c->size_len] = '\0';
        c->chunk_left = strtoll(c->size_line, NULL, 16);
        c->size_len = 0;
        if (c->chunk_left == 0) fail("the server ended the stream", index);
      } else if (c->size_len < sizeof c->size_line - 1) {
        c->size_line[c->size_len++] = *p;
      }
      p++, n--;
    } else {
      size_t take = n < (size_t)c->chunk_left ? n : (size_t)c->chunk_left;
      on_payload(c, p, take, at);
      p += take, n -= take;
      c->chunk_left -= (int64_t)take;
      if (c->chunk_left == 0) {
        c->chunk_left = -1;
        c->chunk_crlf = true;
      }
    }
  }
}

static void on_bytes(client_t *c, int index, const char *p, size_t n, uint64_t at)
{
  if (c->head_done) {
    on_body(c, index, p, n, at);
    return;
  }
  size_t room = sizeof c->head - 1 - c->head_len;
  size_t take = n < room ? n : room;
  memcpy(c->head + c->head_len, p, take);
  c->head_len += take;
  c->head[c->head_len] = '\0';
  char *end = strstr(c->head, "\r\n\r\n");
  if (!end) {
    if (c->head_len == sizeof c->head - 1) fail("response head over 4 KiB", index);
    return;
  }
  if (strncmp(c->head, "HTTP/1.1 200", 12) != 0) {
    *strchr(c->head, '\r') = '\0';
    fail(c->head, index);
  }
  c->head_done = true;
  c->chunked = strcasestr(c->head, "\r\ntransfer-encoding: chunked") != NULL;
  size_t head_bytes = (size_t)(end + 4 - c->head);
  size_t consumed_before = c->head_len - take;
  on_body(c, index, p + (head_bytes - consumed_before), n - (head_bytes - consumed_before), at);
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC now, from the closest of 3 paired reads. */
static int64_t realtime_offset_ns(void)
{
  int64_t best = 0;
  uint64_t best_gap = UINT64_MAX;
  for (int k = 0; k < 3; k++) {
    struct timespec a, r, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    clock_gettime(CLOCK_REALTIME, &r);
    clock_gettime(CLOCK_MONOTONIC, &b);
    uint64_t ma = (uint64_t)ts_ns(&a);
    uint64_t mb = (uint64_t)ts_ns(&b);
    if (mb - ma < best_gap) {
      best_gap = mb - ma;
      best = ts_ns(&r) - (int64_t)(ma + (mb - ma) / 2);
    }
  }
  return best;
}

/* The kernel's receive time of the bytes just read (SO_TIMESTAMPNS, on
 * CLOCK_REALTIME) moved to the monotonic clock by `offset` (realtime −
 * monotonic); 0 when there is none. */
static uint64_t rx_time(struct msghdr *m, int64_t offset)
{
  for (struct cmsghdr *h = CMSG_FIRSTHDR(m); h; h = CMSG_NXTHDR(m, h)) {
    if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_TIMESTAMPNS) {
      struct timespec ts;
      memcpy(&ts, CMSG_DATA(h), sizeof ts);
      return (uint64_t)(ts_ns(&ts) - offset);
    }
  }
  return 0;
}

static void read_client(int index, int64_t offset)
{
  client_t *c = &s_clients[index];
  char buf[16384];
  char control[CMSG_SPACE(sizeof(struct timespec))];
  for (;;) {
    struct iovec v = {.iov_base = buf, .iov_len = sizeof buf};
    struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    ssize_t r = recvmsg(c->fd, &m, MSG_DONTWAIT);
    uint64_t at = r > 0 ? rx_time(&m, offset) : 0;
    if (at == 0) at = now_ns();
    if (r > 0) {
      on_bytes(c, index, buf, (size_t)r, at);
      continue;
    }
    if (r == 0) fail("the server closed the connection", index);
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    if (errno == EINTR) continue;
    fail(strerror(errno), index);
  }
}

static int open_client(uint16_t port)
{
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) fail("socket() failed: raise ulimit -n", -1);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) fail("connect() to the server failed", -1);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  char req[128];
  int len = snprintf(req, sizeof req, "GET /demo_sse HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nAccept: text/event-stream\r\n\r\n", port);
  if (send(fd, req, (size_t)len, 0) != len) fail("send() of the request failed", -1);
  return fd;
}

/* The first frame of client c with id > x, or NULL. */
static const frame_mark_t *first_above(const client_t *c, int64_t x)
{
  unsigned count = c->hist_next < HISTORY ? c->hist_next : HISTORY;
  for (unsigned k = c->hist_next - count; k != c->hist_next; k++) {
    const frame_mark_t *m = &c->hist[k % HISTORY];
    if (m->id > x) return m;
  }
  return NULL;
}

static bool all_above(int64_t x)
{
  for (int i = 0; i < s_n; i++)
    if (!first_above(&s_clients[i], x)) return false;
  return true;
}

static bool all_have_frames(int upto)
{
  for (int i = 0; i < upto; i++)
    if (s_clients[i].hist_next == 0) return false;
  return true;
}

/* Reads whatever is ready on the sockets; true if stdin is readable too. */
static bool pump_once(int ep, int timeout_ms)
{
  struct epoll_event ev[256];
  bool input = false;
  int k = epoll_wait(ep, ev, 256, timeout_ms);
  if (k < 0 && errno != EINTR) fail("epoll_wait failed", -1);
  /* Once per batch: the offset moves only by NTP slewing (at most 500 ppm),
   * nothing over the microseconds a batch takes. */
  int64_t offset = k > 0 ? realtime_offset_ns() : 0;
  for (int i = 0; i < k; i++) {
    if (ev[i].data.u32 == UINT32_MAX) input = true;
    else read_client((int)ev[i].data.u32, offset);
  }
  return input;
}

static void print_above(int64_t x)
{
  int64_t id = x;
  for (int i = 0; i < s_n; i++) {
    int64_t first = first_above(&s_clients[i], x)->id;
    if (first > id) id = first;
  }
  printf("ok %lld", (long long)id);
  for (int i = 0; i < s_n; i++) printf(" %llu", (unsigned long long)first_above(&s_clients[i], x)->at_ns);
  printf("\n");
  fflush(stdout);
}

int main(int argc, char **argv)
{
  if (argc != 3) {
    fprintf(stderr, "usage: sse-probe PORT N\n");
    return 2;
  }
  long port = strtol(argv[1], NULL, 10);
  s_n = (int)strtol(argv[2], NULL, 10);
  if (port <= 0 || port > 65535 || s_n <= 0) fail("PORT must be 1-65535 and N > 0", -1);
  s_clients = calloc((size_t)s_n, sizeof *s_clients);
  if (!s_clients) fail("out of memory", -1);
  int ep = epoll_create1(0);
  uint64_t deadline = 0;
  /* In batches, so the server's accept queue never overflows (a dropped SYN
   * costs a 1 s retransmit). */
  for (int opened = 0; opened < s_n;) {
    int upto = opened + 50 < s_n ? opened + 50 : s_n;
    for (; opened < upto; opened++) {
      client_t *c = &s_clients[opened];
      c->fd = open_client((uint16_t)port);
      c->chunk_left = -1;
      c->pending_id = -1;
      struct epoll_event e = {.events = EPOLLIN, .data.u32 = (uint32_t)opened};
      epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &e);
    }
    deadline = now_ns() + 10000000000ull;
    while (!all_have_frames(upto)) {
      if (now_ns() > deadline) fail("not every client got its first frame within 10 s", -1);
      pump_once(ep, 100);
    }
  }
  int64_t highest = -1;
  for (int i = 0; i < s_n; i++) {
    const client_t *c = &s_clients[i];
    int64_t id = c->hist[(c->hist_next - 1) % HISTORY].id;
    if (id > highest) highest = id;
  }
  printf("ready %lld\n", (long long)highest);
  fflush(stdout);

  /* One loop for sockets and commands: the sockets are read the moment
   * their bytes arrive, whether or not a command is pending. */
  struct epoll_event in = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
  epoll_ctl(ep, EPOLL_CTL_ADD, STDIN_FILENO, &in);
  char cmd[256];
  size_t cmd_len = 0;
  bool waiting = false;
  int64_t above = 0;
  for (;;) {
    if (waiting && all_above(above)) {
      print_above(above);
      waiting = false;
    }
    if (waiting && now_ns() > deadline) fail("not every client got the frame within 10 s", -1);
    /* Sleeping in epoll_wait: on 2 cores a busy-polling probe takes the CPU
     * the server needs for its writes (measured: p99 twice as high). The
     * stamps are the kernel's, so the probe's own wake-up is not in them. */
    if (!pump_once(ep, 100)) continue;
    ssize_t r = read(STDIN_FILENO, cmd + cmd_len, sizeof cmd - 1 - cmd_len);
    if (r == 0) return 0;
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      fail("reading stdin failed", -1);
    }
    cmd_len += (size_t)r;
    char *nl;
    while ((nl = memchr(cmd, '\n', cmd_len)) != NULL) {
      *nl = '\0';
      long long x;
      if (waiting || sscanf(cmd, "above %lld", &x) != 1) fail("unknown or overlapping command (expected: above <id>)", -1);
      waiting = true;
      above = x;
      deadline = now_ns() + 10000000000ull;
      size_t used = (size_t)(nl + 1 - cmd);
      memmove(cmd, nl + 1, cmd_len - used);
      cmd_len -= used;
    }
    if (cmd_len == sizeof cmd - 1) fail("command line too long", -1);
  }
}
