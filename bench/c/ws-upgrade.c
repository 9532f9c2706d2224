/*
 * ws-upgrade: the "physical limit" reference for wsgate's CPU-per-handshake benchmark.
 *
 *   ws-upgrade <host> <port> <path> <count> <concurrency> [source-address ...]
 *
 * Opens TCP connections to an IPv4 host, sends one WebSocket upgrade request on each, checks
 * the response head for "HTTP/1.1 101" and the accept value of the fixed RFC 6455 sample key,
 * closes the socket and starts the next attempt, keeping <concurrency> attempts in flight until
 * <count> have finished (a closed loop). It does as little as a correct client can: one epoll
 * loop, the request built once, no per-attempt allocation, no frame parsing, so the CPU it
 * spends per handshake is close to what the kernel's TCP work alone costs.
 *
 * Prints one JSON line on stdout:
 *   {"mode":"c","upgraded":N,"failed":N,"seconds":S,"userUs":U,"systemUs":S}
 * upgraded + failed == count always (attempts never started because the run gave up count as
 * failed). Exit status: 0 if every attempt upgraded, 1 otherwise, 2 for bad arguments.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The RFC 6455 section 1.3 sample: a fixed key is fine because the server cannot tell, and it
 * lets the accept value be a constant instead of a SHA-1 per attempt. */
#define WS_KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define WS_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

#define ATTEMPT_TIMEOUT_NS (10LL * 1000000000LL)
#define RUN_TIMEOUT_NS (120LL * 1000000000LL)
/* Expired attempts are looked for at this interval rather than with a timer per attempt: a
 * 10 s limit does not need better than 100 ms resolution, and a sweep is cheap. */
#define SWEEP_INTERVAL_MS 100
/* Room for a response head. A 101 is normally ~130 bytes; gateways may add headers, but a head
 * that does not fit here is not a plain upgrade and counts as failed. */
#define HEAD_MAX 4096
#define MAX_EVENTS 256
#define MAX_CONCURRENCY 1000000UL

enum state { IDLE, CONNECTING, READING };

struct slot {
    int fd;
    enum state state;
    /* Bumped whenever the slot gets a new socket, and carried in the epoll event, so an event
     * for a socket closed earlier in the same epoll_wait batch is not applied to its successor. */
    uint32_t gen;
    size_t sent; /* bytes of the request written so far */
    size_t len;  /* bytes of the response held in head */
    int64_t started_ns;
    char head[HEAD_MAX];
};

static struct {
    struct sockaddr_in dest;
    struct sockaddr_in *sources;
    size_t nsources;
    size_t next_source;
    char *request;
    size_t request_len;
    int epfd;
    struct slot *slots;
    size_t nslots;
    unsigned long count;
    unsigned long started;
    unsigned long upgraded;
    unsigned long failed;
    size_t active;
} g;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void usage(const char *msg)
{
    fprintf(stderr,
            "ws-upgrade: %s\n"
            "usage: ws-upgrade <host> <port> <path> <count> <concurrency> [source-address ...]\n",
            msg);
    exit(2);
}

/* strtoul accepts signs, leading spaces and trailing junk; a benchmark argument should not. */
static int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static void finish(struct slot *s, int ok)
{
    /* A plain close, as a simple client would do after the upgrade; a reset (SO_LINGER 0)
     * would be cheaper but would not be what the compared clients do. */
    close(s->fd);
    s->fd = -1;
    s->state = IDLE;
    g.active--;
    if (ok)
        g.upgraded++;
    else
        g.failed++;
}

/* Starts the next attempt in slot s. Returns 1 if one is in flight, 0 if it failed at once
 * (already counted) so the caller moves on to the next attempt. */
static int start(struct slot *s)
{
    g.started++;
    s->gen++;
    s->sent = 0;
    s->len = 0;
    s->started_ns = now_ns();
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        g.failed++;
        return 0;
    }
    int one = 1;
    /* The request is one small write and the response one small read: Nagle would only delay. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (g.nsources > 0) {
#ifdef IP_BIND_ADDRESS_NO_PORT
        /* Without it, bind() picks a port before the destination is known, so every source
         * address is limited to one port range in total instead of one per destination. */
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
#endif
        struct sockaddr_in *src = &g.sources[g.next_source];
        g.next_source = (g.next_source + 1) % g.nsources;
        if (bind(fd, (struct sockaddr *)src, sizeof *src) < 0) {
            close(fd);
            g.failed++;
            return 0;
        }
    }
    if (connect(fd, (struct sockaddr *)&g.dest, sizeof g.dest) < 0 && errno != EINPROGRESS) {
        close(fd);
        g.failed++;
        return 0;
    }
    /* Edge-triggered with both directions at once: one epoll_ctl per attempt and no MOD when the
     * attempt moves from writing to reading. The request fits a fresh socket's send buffer, so
     * the single EPOLLOUT edge on connect is normally the only one needed. */
    struct epoll_event ev = {
        .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
        .data.u64 = ((uint64_t)s->gen << 32) | (uint64_t)(s - g.slots),
    };
    if (epoll_ctl(g.epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        close(fd);
        g.failed++;
        return 0;
    }
    s->fd = fd;
    s->state = CONNECTING;
    g.active++;
    return 1;
}

/* Keeps slot s busy while attempts remain, skipping past attempts that fail immediately. */
static void refill(struct slot *s)
{
    while (g.started < g.count)
        if (start(s))
            return;
}

/* Returns 1 once the request is fully written, 0 if still waiting, -1 on error. */
static int send_request(struct slot *s)
{
    while (s->sent < g.request_len) {
        ssize_t n = send(s->fd, g.request + s->sent, g.request_len - s->sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            /* Still connecting, or the send buffer is full: the next EPOLLOUT edge resumes. */
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOTCONN)
                return 0;
            return -1;
        }
        s->sent += (size_t)n;
    }
    return 1;
}

/* Returns 1 for a valid upgrade, 0 for a failed attempt, -1 if the head is still incomplete. */
static int read_head(struct slot *s)
{
    for (;;) {
        if (s->len == HEAD_MAX)
            return 0;
        ssize_t n = recv(s->fd, s->head + s->len, HEAD_MAX - s->len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            /* Edge-triggered: the socket is drained, the rest comes with a later edge. */
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return -1;
            return 0;
        }
        if (n == 0)
            return 0; /* closed before a complete head */
        /* The terminator may straddle two reads, so look back three bytes into the old data. */
        size_t from = s->len >= 3 ? s->len - 3 : 0;
        s->len += (size_t)n;
        char *end = memmem(s->head + from, s->len - from, "\r\n\r\n", 4);
        if (end == NULL)
            continue;
        size_t head_len = (size_t)(end - s->head) + 4;
        static const char status[] = "HTTP/1.1 101";
        size_t sl = sizeof status - 1;
        /* "HTTP/1.1 1010" is no 101: the code must end at a space or the end of the line. */
        if (head_len < sl + 1 || memcmp(s->head, status, sl) != 0 || (s->head[sl] != ' ' && s->head[sl] != '\r'))
            return 0;
        return memmem(s->head, head_len, WS_ACCEPT, sizeof WS_ACCEPT - 1) != NULL;
    }
}

static void on_event(struct epoll_event *ev)
{
    struct slot *s = &g.slots[(uint32_t)ev->data.u64];
    if (s->state == IDLE || s->gen != (uint32_t)(ev->data.u64 >> 32))
        return; /* stale: the socket this was for is already closed */
    int result = -1;
    /* Read first: EPOLLHUP/EPOLLERR may come together with the last bytes of a valid head, and a
     * refused connect shows up as a recv error, so no separate SO_ERROR check is needed. */
    if (s->state == READING || (ev->events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
        result = read_head(s);
    if (result == -1 && s->state == CONNECTING && (ev->events & EPOLLOUT)) {
        int sent = send_request(s);
        if (sent < 0)
            result = 0;
        else if (sent > 0)
            s->state = READING;
    }
    if (result == -1 && (ev->events & (EPOLLHUP | EPOLLERR)))
        result = 0; /* nothing more will arrive */
    if (result == -1)
        return;
    finish(s, result);
    refill(s);
}

static void sweep(int64_t now)
{
    for (size_t i = 0; i < g.nslots; i++) {
        struct slot *s = &g.slots[i];
        if (s->state != IDLE && now - s->started_ns >= ATTEMPT_TIMEOUT_NS) {
            finish(s, 0);
            refill(s);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 6)
        usage("too few arguments");
    const char *host = argv[1];
    const char *path = argv[3];
    unsigned long port, concurrency;

    memset(&g.dest, 0, sizeof g.dest);
    g.dest.sin_family = AF_INET;
    if (inet_pton(AF_INET, host, &g.dest.sin_addr) != 1)
        usage("host must be an IPv4 address literal such as 127.0.0.1");
    if (parse_ulong(argv[2], 1, 65535, &port) < 0)
        usage("port must be 1..65535");
    g.dest.sin_port = htons((uint16_t)port);
    /* Anything that could split or end the request line would make the request malformed. */
    if (path[0] != '/' || strpbrk(path, " \r\n") != NULL)
        usage("path must start with / and contain no spaces or line breaks");
    if (parse_ulong(argv[4], 1, 1000000000UL, &g.count) < 0)
        usage("count must be 1..1000000000");
    if (parse_ulong(argv[5], 1, MAX_CONCURRENCY, &concurrency) < 0)
        usage("concurrency must be 1..1000000");

    g.nsources = (size_t)(argc - 6);
    if (g.nsources > 0) {
        g.sources = calloc(g.nsources, sizeof *g.sources);
        if (g.sources == NULL)
            usage("out of memory");
        for (size_t i = 0; i < g.nsources; i++) {
            g.sources[i].sin_family = AF_INET;
            g.sources[i].sin_port = 0;
            if (inet_pton(AF_INET, argv[6 + i], &g.sources[i].sin_addr) != 1)
                usage("source addresses must be IPv4 address literals");
        }
    }

    /* Built once: the per-attempt cost should be the socket work, not string formatting. */
    int len = snprintf(NULL, 0,
                       "GET %s HTTP/1.1\r\nHost: %s:%lu\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " WS_KEY "\r\n\r\n",
                       path, host, port);
    g.request = malloc((size_t)len + 1);
    if (g.request == NULL)
        usage("out of memory");
    snprintf(g.request, (size_t)len + 1,
             "GET %s HTTP/1.1\r\nHost: %s:%lu\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " WS_KEY "\r\n\r\n",
             path, host, port);
    g.request_len = (size_t)len;

    /* High concurrency needs one descriptor per attempt; the soft limit is often far below the
     * hard one, and running out would show up as failed attempts rather than as a clear error. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    g.nslots = concurrency < g.count ? (size_t)concurrency : (size_t)g.count;
    g.slots = calloc(g.nslots, sizeof *g.slots);
    if (g.slots == NULL)
        usage("out of memory for that concurrency");
    for (size_t i = 0; i < g.nslots; i++)
        g.slots[i].fd = -1;
    g.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (g.epfd < 0) {
        perror("ws-upgrade: epoll_create1");
        return 1;
    }

    int64_t t0 = now_ns();
    int64_t next_sweep = t0 + SWEEP_INTERVAL_MS * 1000000LL;
    for (size_t i = 0; i < g.nslots; i++)
        refill(&g.slots[i]);

    struct epoll_event events[MAX_EVENTS];
    /* Every attempt either finishes, fails, or expires by the sweep, and the run itself is
     * capped, so this loop ends even against a server that never answers. */
    while (g.upgraded + g.failed < g.count) {
        int n = epoll_wait(g.epfd, events, MAX_EVENTS, SWEEP_INTERVAL_MS);
        if (n < 0 && errno != EINTR) {
            perror("ws-upgrade: epoll_wait");
            break;
        }
        for (int i = 0; i < n; i++)
            on_event(&events[i]);
        int64_t now = now_ns();
        if (now - t0 >= RUN_TIMEOUT_NS) {
            fprintf(stderr, "ws-upgrade: gave up after %lld s\n", (long long)(RUN_TIMEOUT_NS / 1000000000LL));
            break;
        }
        if (now >= next_sweep) {
            sweep(now);
            next_sweep = now + SWEEP_INTERVAL_MS * 1000000LL;
        }
    }
    double seconds = (double)(now_ns() - t0) / 1e9;

    /* Whatever is still open or never started when the run gave up is a failed attempt, so the
     * totals always add up to count. */
    for (size_t i = 0; i < g.nslots; i++)
        if (g.slots[i].state != IDLE)
            finish(&g.slots[i], 0);
    g.failed = g.count - g.upgraded;

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    long long user_us = (long long)ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec;
    long long sys_us = (long long)ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec;
    printf("{\"mode\":\"c\",\"upgraded\":%lu,\"failed\":%lu,\"seconds\":%.6f,\"userUs\":%lld,\"systemUs\":%lld}\n",
           g.upgraded, g.failed, seconds, user_us, sys_us);
    fflush(stdout);
    return g.upgraded == g.count ? 0 : 1;
}
