/*
 * The probe agent: runs inside one host's namespace (`ip netns exec NS probe-agent CONFIG`), sends
 * sequence-numbered UDP probes to its peer at a constant rate and timestamps every probe it
 * receives on CLOCK_MONOTONIC. It speaks the protocol of probe-wire.ts: one JSON config argument,
 * JSON lines on stdin (go, stop) and on stdout (ready, result). If stdin closes before `stop`, the
 * harness is gone and the agent exits at once, silently.
 *
 * Written in C because inside User-mode Linux every syscall is costly and timers tick every 10 ms:
 * two node agents at 1000 probes/s took the whole CPU there. This one wakes once per tick and
 * sends what is due with one sendmmsg, reads arrivals in batches with recvmmsg, and takes each
 * arrival time from the kernel's receive timestamp, so a receiver that wakes late still reports
 * when the probe arrived.
 *
 * Exit status: 0 done (or stdin closed), 1 a system call failed before ready, 2 bad config or a bad
 * command, 3 the hard lifetime bound passed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Mirrors of probe-wire.ts (PROBE_MAGIC, PROBE_BYTES, PROBE_LIMITS) and of probe.ts's bounds. */
#define PROBE_MAGIC 0x424c5031u
#define PROBE_BYTES 12
#define MIN_RATE 1
#define MAX_RATE 10000
#define MAX_DURATION_MS 600000
#define MAX_PROBES 2000000
#define MAX_BURST 64
#define MAX_TICK_MS 100
#define MAX_DRAIN_MS 10000
/* Whatever happens to the harness, an agent does not outlive maxDurationMs + drainMs + this. */
#define LIFETIME_MARGIN_S 60

#define NS_PER_MS INT64_C(1000000)
#define NS_PER_S INT64_C(1000000000)
#define RX_BATCH 64
#define LINE_MAX_BYTES 4096

static __attribute__((noreturn, format(printf, 2, 3))) void fail(int status, const char *format,
                                                                  ...) {
  va_list args;
  va_start(args, format);
  fputs("probe-agent: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  exit(status);
}

/* ---- A strict reader for the few flat JSON objects of the protocol ---- */

struct json {
  const char *p;
};

static void skip_ws(struct json *j) {
  while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r') j->p++;
}

static bool expect(struct json *j, char c) {
  skip_ws(j);
  if (*j->p != c) return false;
  j->p++;
  return true;
}

/* A string without escapes (no key or address needs one), into out; false if not, or too long. */
static bool read_string(struct json *j, char *out, size_t cap) {
  if (!expect(j, '"')) return false;
  size_t n = 0;
  for (; *j->p != '"'; j->p++) {
    unsigned char c = (unsigned char)*j->p;
    if (c == '\0' || c == '\\' || c < 0x20 || n + 1 >= cap) return false;
    out[n++] = (char)c;
  }
  j->p++;
  out[n] = '\0';
  return true;
}

/* An integer as JSON.stringify writes one: -?(0|[1-9][0-9]*), at most 15 digits, no fraction. */
static bool read_integer(struct json *j, int64_t *out) {
  skip_ws(j);
  bool negative = *j->p == '-';
  if (negative) j->p++;
  if (j->p[0] == '0' && j->p[1] >= '0' && j->p[1] <= '9') return false;
  int digits = 0;
  int64_t value = 0;
  for (; *j->p >= '0' && *j->p <= '9'; j->p++) {
    if (++digits > 15) return false;
    value = value * 10 + (*j->p - '0');
  }
  if (digits == 0 || *j->p == '.' || *j->p == 'e' || *j->p == 'E') return false;
  *out = negative ? -value : value;
  return true;
}

/* After an object's '{': 1 with the next key read (and its ':'), 0 at '}', -1 on bad syntax. */
static int next_key(struct json *j, int *count, char *key, size_t cap) {
  skip_ws(j);
  if (*j->p == '}') {
    j->p++;
    return 0;
  }
  if (*count > 0 && !expect(j, ',')) return -1;
  if (!read_string(j, key, cap) || !expect(j, ':')) return -1;
  (*count)++;
  return 1;
}

static bool at_end(struct json *j) {
  skip_ws(j);
  return *j->p == '\0';
}

/* Length of the value text at p, up to its ',' or '}', for error messages. */
static int value_length(const char *p) {
  int n = 0;
  while (p[n] != '\0' && p[n] != ',' && p[n] != '}' && n < 40) n++;
  return n;
}

/* ---- Config: the single JSON argument ---- */

enum key {
  K_BIND,
  K_FAMILY,
  K_RATE,
  K_TICK_MS,
  K_MAX_DURATION_MS,
  K_DRAIN_MS,
  K_SESSION,
  K_NETNS,
  K_REALTIME,
  K_COUNT
};

static const struct {
  const char *name;
  int64_t min, max;
} KEYS[K_COUNT] = {
    [K_BIND] = {"bind", 0, 0},
    [K_FAMILY] = {"family", 4, 6},
    [K_RATE] = {"rate", MIN_RATE, MAX_RATE},
    [K_TICK_MS] = {"tickMs", 0, MAX_TICK_MS},
    [K_MAX_DURATION_MS] = {"maxDurationMs", 1, MAX_DURATION_MS},
    [K_DRAIN_MS] = {"drainMs", 0, MAX_DRAIN_MS},
    [K_SESSION] = {"session", 0, UINT32_MAX},
    [K_NETNS] = {"netns", 0, 0},
    [K_REALTIME] = {"realtime", 0, 1},
};

struct config {
  int family; /* AF_INET or AF_INET6 */
  struct sockaddr_storage bind;
  socklen_t bind_len;
  int64_t rate, tick_ms, max_duration_ms, drain_ms;
  uint32_t session;
  /* A namespace under /run/netns to enter ("" stays), and whether to ask for FIFO priority:
     done here rather than by `ip netns exec` and chrt, two execs (each ~100 ms in UML) fewer. */
  char netns[64];
  bool realtime;
};

/* Fills addr from text for the family; false if it is not an address of that family. */
static bool parse_address(int family, const char *text, uint16_t port,
                          struct sockaddr_storage *addr, socklen_t *len) {
  memset(addr, 0, sizeof *addr);
  if (family == AF_INET6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)addr;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    *len = sizeof *a;
    return inet_pton(AF_INET6, text, &a->sin6_addr) == 1;
  }
  struct sockaddr_in *a = (struct sockaddr_in *)addr;
  a->sin_family = AF_INET;
  a->sin_port = htons(port);
  *len = sizeof *a;
  return inet_pton(AF_INET, text, &a->sin_addr) == 1;
}

static void parse_config(const char *text, struct config *c) {
  static const char *const ALLOWED =
      "bind, family, rate, tickMs, maxDurationMs, drainMs, session, netns, realtime";
  struct json j = {text};
  char key[32];
  char bind[INET6_ADDRSTRLEN] = "";
  int64_t values[K_COUNT] = {0};
  unsigned seen = 0;
  int count = 0;
  if (!expect(&j, '{')) fail(2, "config: not a JSON object: %.40s", text);
  for (;;) {
    int r = next_key(&j, &count, key, sizeof key);
    if (r < 0) fail(2, "config: bad JSON at offset %td: %.40s", j.p - text, j.p);
    if (r == 0) break;
    int k = 0;
    while (k < K_COUNT && strcmp(KEYS[k].name, key) != 0) k++;
    if (k == K_COUNT) fail(2, "config: unknown key \"%s\" (allowed: %s)", key, ALLOWED);
    if (seen & (1u << k)) fail(2, "config: key \"%s\" given twice", key);
    seen |= 1u << k;
    skip_ws(&j);
    const char *value = j.p;
    if (k == K_BIND) {
      if (!read_string(&j, bind, sizeof bind)) {
        fail(2, "config: bind is %.*s: expected an IP address string", value_length(value), value);
      }
    } else if (k == K_NETNS) {
      if (!read_string(&j, c->netns, sizeof c->netns) || c->netns[0] == '.' ||
          strspn(c->netns, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
              strlen(c->netns)) {
        fail(2, "config: netns is %.*s: expected a namespace name (letters, digits, _ . -)",
             value_length(value), value);
      }
    } else if (!read_integer(&j, &values[k]) || values[k] < KEYS[k].min ||
               values[k] > KEYS[k].max || (k == K_FAMILY && values[k] == 5)) {
      if (k == K_FAMILY) {
        fail(2, "config: family is %.*s: allowed is 4 or 6", value_length(value), value);
      }
      fail(2, "config: %s is %.*s: allowed is an integer from %" PRId64 " to %" PRId64, key,
           value_length(value), value, KEYS[k].min, KEYS[k].max);
    }
  }
  if (!at_end(&j)) fail(2, "config: unexpected text after the object: %.40s", j.p);
  for (int k = 0; k < K_COUNT; k++) {
    if (!(seen & (1u << k))) {
      fail(2, "config: missing key \"%s\" (required: %s)", KEYS[k].name, ALLOWED);
    }
  }
  c->family = values[K_FAMILY] == 6 ? AF_INET6 : AF_INET;
  if (!parse_address(c->family, bind, 0, &c->bind, &c->bind_len)) {
    fail(2, "config: bind \"%s\" is not an IPv%" PRId64 " address", bind, values[K_FAMILY]);
  }
  c->rate = values[K_RATE];
  c->tick_ms = values[K_TICK_MS];
  c->max_duration_ms = values[K_MAX_DURATION_MS];
  c->drain_ms = values[K_DRAIN_MS];
  c->session = (uint32_t)values[K_SESSION];
  c->realtime = values[K_REALTIME] == 1;
}

/* ---- Clocks ---- */

static int64_t clock_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static int64_t monotonic_ns(void) { return clock_ns(CLOCK_MONOTONIC); }

/*
 * CLOCK_REALTIME minus CLOCK_MONOTONIC, to put the kernel's receive timestamps (realtime) on the
 * monotonic axis: a realtime read bracketed by two monotonic reads, the tightest bracket of a few.
 */
static struct {
  int64_t offset_ns;
  int64_t best_width_ns; /* the tightest bracket seen so far; 0 before the first */
  int misses;
  int64_t next_refresh_ns;
} clocks;

static void measure_clock_offset(int samples) {
  int64_t width = INT64_MAX, offset = 0;
  for (int i = 0; i < samples; i++) {
    int64_t before = monotonic_ns();
    int64_t real = clock_ns(CLOCK_REALTIME);
    int64_t after = monotonic_ns();
    if (after - before < width) {
      width = after - before;
      offset = real - (before + (after - before) / 2);
    }
  }
  // A bracket far wider than the best means we were preempted between the reads: keep the old
  // estimate, unless that keeps happening.
  bool wide = clocks.best_width_ns > 0 && width > 2 * clocks.best_width_ns + 20000;
  if (wide && ++clocks.misses < 3) return;
  clocks.misses = 0;
  clocks.offset_ns = offset;
  if (width < 1) width = 1;
  if (clocks.best_width_ns == 0 || width < clocks.best_width_ns) clocks.best_width_ns = width;
}

/* ---- The agent ---- */

enum phase { WAITING, SENDING, DRAINING };

static struct config config;
static int sock = -1;
static enum phase phase = WAITING;
static bool connected = false;
static struct sockaddr_storage peer;
static socklen_t peer_len;

/* What was sent: send time of each probe (ns, monotonic), indexed by sequence number. */
static int64_t *tx_ns;
static uint32_t sent, capacity;
/* What arrived from the peer, in arrival order. */
static uint32_t *rx_seq;
static int64_t *rx_ns;
static uint32_t received, rx_capacity;
static uint64_t send_errors, foreign, overflow;
static bool timed_out = false;
/*
 * While sending, read arrivals only when waking to send: the kernel timestamps them anyway, and it
 * halves the wake-ups. Only with kernel timestamps and a receive buffer that holds a few ticks.
 */
static bool batch_receive = false;

/* The send schedule: probe `base_seq + k` is due at `base_ns + k / rate`. */
static int64_t deadline_ns, base_ns, next_wake_ns, drain_end_ns;
static uint32_t base_seq;

static int64_t due_at(uint32_t seq) {
  return base_ns + (int64_t)(seq - base_seq) * NS_PER_S / config.rate;
}

static void begin_drain(int64_t now) {
  phase = DRAINING;
  drain_end_ns = now + config.drain_ms * NS_PER_MS;
}

/* Sends probes sent..sent+n-1 in one sendmmsg (more only after a refused one). */
static void send_probes(uint32_t n, int64_t now) {
  static uint32_t words[MAX_BURST][3];
  static struct iovec iov[MAX_BURST];
  static struct mmsghdr msgs[MAX_BURST];
  for (uint32_t i = 0; i < n; i++) {
    words[i][0] = htonl(PROBE_MAGIC);
    words[i][1] = htonl(config.session);
    words[i][2] = htonl(sent + i);
    iov[i] = (struct iovec){.iov_base = words[i], .iov_len = PROBE_BYTES};
    msgs[i] = (struct mmsghdr){0};
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    if (!connected) {
      msgs[i].msg_hdr.msg_name = &peer;
      msgs[i].msg_hdr.msg_namelen = peer_len;
    }
    tx_ns[sent + i] = now;
  }
  // A refused send (no route while a link is down, an ICMP error queued by the peer's stop) loses
  // that probe; try the rest once more, then count them all lost: the cause is likely to persist.
  uint32_t done = 0;
  int failures = 0;
  while (done < n) {
    int r = sendmmsg(sock, msgs + done, n - done, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r > 0) {
      done += (uint32_t)r;
      continue;
    }
    send_errors++;
    done++;
    if (++failures >= 2) {
      send_errors += n - done;
      done = n;
    }
  }
  sent += n;
}

/* At a wake while sending: sends every probe that is due, and plans the next wake. */
static void send_due(int64_t now) {
  if (now >= deadline_ns || sent >= capacity) {
    timed_out = true;
    begin_drain(now);
    return;
  }
  int64_t due = (now - base_ns) * config.rate / NS_PER_S + 1 - (int64_t)(sent - base_seq);
  // After a stall (no CPU, a coarse timer), catch up with one bounded burst and skip the rest:
  // the schedule restarts from now. Each probe's real send time is recorded either way.
  bool skip = due > MAX_BURST;
  if (skip) due = MAX_BURST;
  if (due > (int64_t)(capacity - sent)) due = capacity - sent;
  if (due > 0) send_probes((uint32_t)due, now);
  if (skip) {
    base_seq = sent;
    base_ns = now + NS_PER_S / config.rate;
  }
  // Wake on a grid of ticks from the start (not a tick after this late wake: that would drift),
  // or later if nothing is due by then.
  int64_t next = due_at(sent), grid = next_wake_ns + config.tick_ms * NS_PER_MS;
  next_wake_ns = next > grid ? next : grid;
}

/* The kernel's receive timestamp of a datagram on the monotonic clock, or -1 if it has none. */
static int64_t arrival_ns(struct msghdr *h) {
  for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      struct timespec ts;
      memcpy(&ts, CMSG_DATA(c), sizeof ts);
      if (ts.tv_sec == 0 && ts.tv_nsec == 0) return -1;
      return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec - clocks.offset_ns;
    }
  }
  return -1;
}

static void record(const unsigned char *buf, unsigned len, int flags, int64_t at) {
  uint32_t words[3];
  if (len != PROBE_BYTES || (flags & MSG_TRUNC)) {
    foreign++;
    return;
  }
  memcpy(words, buf, sizeof words);
  if (ntohl(words[0]) != PROBE_MAGIC || ntohl(words[1]) != config.session) {
    foreign++;
  } else if (received < rx_capacity) {
    rx_seq[received] = ntohl(words[2]);
    rx_ns[received] = at;
    received++;
  } else {
    overflow++;
  }
}

/* Reads every datagram waiting, RX_BATCH per recvmmsg. */
static void receive_all(void) {
  static unsigned char bufs[RX_BATCH][PROBE_BYTES + 4];
  static union {
    struct cmsghdr align;
    char bytes[CMSG_SPACE(sizeof(struct timespec))];
  } controls[RX_BATCH];
  static struct iovec iov[RX_BATCH];
  static struct mmsghdr msgs[RX_BATCH];
  for (int errors = 0; errors < 16;) {
    for (int i = 0; i < RX_BATCH; i++) {
      iov[i] = (struct iovec){.iov_base = bufs[i], .iov_len = sizeof bufs[i]};
      msgs[i] = (struct mmsghdr){0};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_control = controls[i].bytes;
      msgs[i].msg_hdr.msg_controllen = sizeof controls[i].bytes;
    }
    int n = recvmmsg(sock, msgs, RX_BATCH, MSG_DONTWAIT, NULL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR) continue;
      // A queued socket error: an ICMP port unreachable from a peer that already stopped, say.
      send_errors++;
      errors++;
      continue;
    }
    int64_t read_at = -1;
    for (int i = 0; i < n; i++) {
      int64_t at = arrival_ns(&msgs[i].msg_hdr);
      if (at < 0) {
        if (read_at < 0) read_at = monotonic_ns();
        at = read_at;
      }
      record(bufs[i], msgs[i].msg_len, msgs[i].msg_hdr.msg_flags, at);
    }
    if (n < RX_BATCH) return;
  }
}

static void go(const struct sockaddr_storage *to, socklen_t to_len, int64_t now) {
  peer = *to;
  peer_len = to_len;
  // Connected, so each send skips the route and address lookup, and ICMP errors reach us.
  if (connect(sock, (struct sockaddr *)&peer, peer_len) == 0) {
    connected = true;
  } else {
    send_errors++;
    fprintf(stderr, "probe-agent: connect: %s (sending unconnected)\n", strerror(errno));
  }
  phase = SENDING;
  base_ns = next_wake_ns = now;
  deadline_ns = now + config.max_duration_ms * NS_PER_MS;
  base_seq = 0;
}

static bool read_true(struct json *j) {
  skip_ws(j);
  if (strncmp(j->p, "true", 4) != 0) return false;
  j->p += 4;
  return true;
}

/* The peer of a go command: its object {"peer":ADDR,"port":N}, '{' not yet read. */
static void read_go(struct json *j, const char *line, struct sockaddr_storage *to, socklen_t *len) {
  char field[16], address[INET6_ADDRSTRLEN] = "";
  int64_t port = -1;
  int count = 0, r;
  if (!expect(j, '{')) fail(2, "stdin: bad go: %.60s", line);
  while ((r = next_key(j, &count, field, sizeof field)) == 1) {
    bool ok = strcmp(field, "peer") == 0   ? read_string(j, address, sizeof address)
              : strcmp(field, "port") == 0 ? read_integer(j, &port)
                                           : false;
    if (!ok) fail(2, "stdin: go: bad field \"%s\": %.60s", field, line);
  }
  if (r < 0) fail(2, "stdin: bad go: %.60s", line);
  if (port < 1 || port > 65535) fail(2, "stdin: go: port missing or outside 1-65535: %.60s", line);
  if (!parse_address(config.family, address, (uint16_t)port, to, len)) {
    fail(2, "stdin: go: peer \"%s\" is not an IPv%d address", address,
         config.family == AF_INET6 ? 6 : 4);
  }
}

/* One command line from the harness: {"go":{"peer":ADDR,"port":N}} or {"stop":true}. */
static void handle_command(const char *line, int64_t now) {
  struct json j = {line};
  char key[16];
  int count = 0;
  struct sockaddr_storage to;
  socklen_t to_len = 0;
  if (at_end(&j)) return;
  if (!expect(&j, '{') || next_key(&j, &count, key, sizeof key) != 1) {
    fail(2, "stdin: not a command: %.60s", line);
  }
  bool is_go = strcmp(key, "go") == 0;
  if (is_go) {
    read_go(&j, line, &to, &to_len);
  } else if (strcmp(key, "stop") != 0) {
    fail(2, "stdin: unknown command \"%s\" (allowed: go, stop)", key);
  } else if (!read_true(&j)) {
    fail(2, "stdin: bad stop: %.60s", line);
  }
  if (next_key(&j, &count, key, sizeof key) != 0 || !at_end(&j)) {
    fail(2, "stdin: one command per line: %.60s", line);
  }
  // A second go, or a stop after stop, changes nothing.
  if (is_go && phase == WAITING) go(&to, to_len, now);
  if (!is_go && phase != DRAINING) begin_drain(now);
}

static char line[LINE_MAX_BYTES];
static size_t line_length;
static bool stdin_open = true;

/* Reads what stdin has and runs each complete line; exits at EOF unless already stopped. */
static void read_commands(int64_t now) {
  ssize_t r = read(STDIN_FILENO, line + line_length, sizeof line - 1 - line_length);
  if (r < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (r <= 0) {
    // The harness is gone (or closed our stdin without `stop`): nobody will read a result.
    if (phase != DRAINING) exit(0);
    stdin_open = false;
    return;
  }
  line_length += (size_t)r;
  line[line_length] = '\0';
  char *start = line;
  for (char *end; (end = strchr(start, '\n')) != NULL; start = end + 1) {
    *end = '\0';
    handle_command(start, now);
  }
  line_length -= (size_t)(start - line);
  memmove(line, start, line_length);
  if (line_length == sizeof line - 1) {
    fail(2, "stdin: a line longer than %zu bytes", sizeof line - 1);
  }
}

static void print_ms(int64_t ns) {
  int64_t us = (ns + 500) / 1000;
  printf("%" PRId64 ".%03" PRId64, us / 1000, us % 1000);
}

static void report(void) {
  fputs("{\"result\":{\"txMs\":[", stdout);
  for (uint32_t i = 0; i < sent; i++) {
    if (i > 0) putchar(',');
    print_ms(tx_ns[i]);
  }
  printf("],\"sendErrors\":%" PRIu64 ",\"rxSeq\":[", send_errors);
  for (uint32_t i = 0; i < received; i++) printf(i > 0 ? ",%" PRIu32 : "%" PRIu32, rx_seq[i]);
  fputs("],\"rxMs\":[", stdout);
  for (uint32_t i = 0; i < received; i++) {
    if (i > 0) putchar(',');
    print_ms(rx_ns[i]);
  }
  printf("],\"foreign\":%" PRIu64 ",\"overflow\":%" PRIu64 ",\"timedOut\":%s}}\n", foreign,
         overflow, timed_out ? "true" : "false");
  if (fflush(stdout) != 0) fail(1, "writing the result: %s", strerror(errno));
}

static void on_alarm(int signo) {
  (void)signo;
  _exit(3);
}

static void setup(void) {
  int64_t probes = (config.rate * config.max_duration_ms + 999) / 1000 + MAX_BURST;
  capacity = (uint32_t)(probes < MAX_PROBES ? probes : MAX_PROBES);
  // The peer sends at most as many as we do; a little more room for duplicates.
  rx_capacity = capacity + capacity / 8;
  tx_ns = malloc(sizeof *tx_ns * capacity);
  rx_ns = malloc(sizeof *rx_ns * rx_capacity);
  rx_seq = malloc(sizeof *rx_seq * rx_capacity);
  if (tx_ns == NULL || rx_ns == NULL || rx_seq == NULL) fail(1, "out of memory");

  // Sleeps end within a microsecond of when they should, not the default 50 µs.
  prctl(PR_SET_TIMERSLACK, 1000UL);
  struct sigaction alarm_action = {.sa_handler = on_alarm};
  sigaction(SIGALRM, &alarm_action, NULL);
  alarm((unsigned)((config.max_duration_ms + config.drain_ms + 999) / 1000 + LIFETIME_MARGIN_S));

  if (config.netns[0] != '\0') {
    char path[96];
    snprintf(path, sizeof path, "/run/netns/%s", config.netns);
    int ns = open(path, O_RDONLY | O_CLOEXEC);
    if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) fail(1, "enter namespace %s: %s", path, strerror(errno));
    close(ns);
  }
  bool realtime = false;
  if (config.realtime) {
    struct sched_param param = {.sched_priority = 10};
    realtime = sched_setscheduler(0, SCHED_FIFO, &param) == 0;
    if (!realtime) fprintf(stderr, "probe-agent: no real-time priority: %s\n", strerror(errno));
  }
  sock = socket(config.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (sock < 0) fail(1, "socket: %s", strerror(errno));
  int on = 1;
  bool timestamps = setsockopt(sock, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == 0;
  if (!timestamps) {
    fprintf(stderr, "probe-agent: SO_TIMESTAMPNS: %s (arrivals timed when read)\n",
            strerror(errno));
  }
  // Room for thousands of probes, so a receiver short of CPU loses none.
  int rcvbuf = 4 << 20;
  socklen_t rcvbuf_len = sizeof rcvbuf;
  if (setsockopt(sock, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0) {
    setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  }
  getsockopt(sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &rcvbuf_len);
  // Four ticks of the peer's probes (it sends at our rate), at a generous 2 KiB of buffer each.
  int64_t needed = 4 * 2048 * (config.rate * config.tick_ms / 1000 + 1);
  batch_receive = timestamps && rcvbuf >= needed;
  if (bind(sock, (struct sockaddr *)&config.bind, config.bind_len) != 0) {
    char text[INET6_ADDRSTRLEN] = "?";
    const void *addr = config.family == AF_INET6
                           ? (const void *)&((struct sockaddr_in6 *)&config.bind)->sin6_addr
                           : (const void *)&((struct sockaddr_in *)&config.bind)->sin_addr;
    inet_ntop(config.family, addr, text, sizeof text);
    fail(1, "bind %s: %s", text, strerror(errno));
  }
  struct sockaddr_storage local;
  socklen_t local_len = sizeof local;
  if (getsockname(sock, (struct sockaddr *)&local, &local_len) != 0) {
    fail(1, "getsockname: %s", strerror(errno));
  }
  uint16_t port = config.family == AF_INET6 ? ((struct sockaddr_in6 *)&local)->sin6_port
                                            : ((struct sockaddr_in *)&local)->sin_port;
  measure_clock_offset(16);
  printf("{\"ready\":{\"port\":%u,\"realtime\":%s}}\n", (unsigned)ntohs(port),
         realtime ? "true" : "false");
  if (fflush(stdout) != 0) fail(1, "writing ready: %s", strerror(errno));
}

int main(int argc, char **argv) {
  if (argc != 2) fail(2, "usage: probe-agent '<json config>' (see probe-wire.ts AgentConfig)");
  parse_config(argv[1], &config);
  static char out[1 << 16];
  setvbuf(stdout, out, _IOFBF, sizeof out);
  setup();
  clocks.next_refresh_ns = monotonic_ns() + NS_PER_S;

  for (;;) {
    int64_t now = monotonic_ns();
    if (phase == SENDING && now >= next_wake_ns) {
      send_due(now);
      if (batch_receive) receive_all();
    }
    if (phase == DRAINING && now >= drain_end_ns) break;
    if (now >= clocks.next_refresh_ns) {
      measure_clock_offset(3);
      clocks.next_refresh_ns = now + NS_PER_S;
    }
    struct timespec timeout, *wait = NULL;
    if (phase != WAITING) {
      int64_t until = (phase == SENDING ? next_wake_ns : drain_end_ns) - now;
      if (until < 0) until = 0;
      timeout = (struct timespec){.tv_sec = until / NS_PER_S, .tv_nsec = until % NS_PER_S};
      wait = &timeout;
    }
    struct pollfd fds[2] = {
        {.fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
        {.fd = sock, .events = phase == SENDING && batch_receive ? 0 : POLLIN},
    };
    if (ppoll(fds, 2, wait, NULL) < 0) {
      if (errno == EINTR) continue;
      fail(1, "poll: %s", strerror(errno));
    }
    if (fds[1].revents != 0) receive_all();
    if (fds[0].revents != 0) read_commands(monotonic_ns());
  }
  // Whatever is still queued arrived within the drain.
  receive_all();
  report();
  return 0;
}
