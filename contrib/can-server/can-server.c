/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-can-server: CAN buses served over TCP in the socketcand protocol,
 * for QEMU's can-host-socketcand, python-can (interface='socketcand') and
 * any other socketcand client.
 *
 * A bus here is a wire, not a pipe: a frame needs another node to
 * acknowledge it, or its sender gets an ACK error, as on a real bus with
 * one node; and nodes set to different bitrates destroy each other's
 * frames, so that nothing is delivered and both sides get error frames.
 * Each frame goes to every other client of its bus, in one order for all.
 *
 * BCM mode has socketcand's cyclic sends ("add", "update", "delete") and
 * subscriptions ("subscribe", "filter", "unsubscribe") done here, as the
 * protocol describes Linux's broadcast manager doing them; control mode
 * sends "< stat ... >" of the bus.  Timers are bounded: intervals of at
 * least a millisecond, a few jobs per client.
 *
 * --capture writes every frame of the buses, and the errors, to a pcapng
 * file with net/can's own records, one interface per bus; --display
 * prints them as can-display does, with the same code.
 *
 * A bus with if=IFNAME is also bridged to that host SocketCAN interface
 * through a raw CAN socket: the interface is one more node on the bus,
 * which acknowledges every frame while its socket is open.  A full
 * interface queue drops frames (counted), never stalls the clients; an
 * interface that goes down or away is logged, counted and looked for
 * again every IF_RETRY_US.
 *
 * One thread, one poll() loop, non-blocking sockets.  Each client's
 * output is bounded: a client that does not read is dropped, logged and
 * counted, and never stalls the others.  Lines, clients and buses are
 * limited; a malformed element is answered with "< error ... >" and
 * counted.
 */

#include "qemu/osdep.h"
#include <getopt.h>
#include <poll.h>
#include <net/if.h>
#include <linux/can.h>
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/sockets.h"
#include "net/can_candump.h"
#include "net/can_canopen.h"
#include "net/can_error_frame.h"
#include "net/can_pcap.h"
#include "net/can_raw_socket.h"
#include "net/can_socketcand.h"

/* linux/can/error.h's error classes and protocol error details */
#define CAN_ERR_PROT        0x00000008U
#define CAN_ERR_ACK         0x00000020U

#define DEFAULT_LISTEN      "127.0.0.1:29536"
#define DEFAULT_MAX_CLIENTS 64
#define MAX_BUSES           32
/* What a client may have waiting to be read: some hundreds of frames */
#define CLIENT_OUT_MAX      (64 * 1024)

/*
 * BCM mode: a cyclic send at most every millisecond (so that 64 clients
 * with all their jobs stay within what one thread serves), intervals up
 * to Linux's BCM limit of 400 days
 */
#define BCM_MIN_INTERVAL_US 1000
#define BCM_MAX_INTERVAL_S  (400 * 24 * 3600)
#define BCM_MAX_JOBS        16
#define BCM_MAX_SUBS        32
/* control mode's statistics */
#define STATS_MIN_MS        100
#define STATS_MAX_MS        3600000
/* how often an interface that went away is looked for again */
#define IF_RETRY_US         (1000 * 1000)

typedef enum ClientMode {
    MODE_NO_BUS,
    MODE_BCM,
    MODE_RAW,
    MODE_CONTROL,
} ClientMode;

typedef struct Bus {
    char name[SCD_BUS_NAME_MAX + 1];
    uint32_t bitrate;           /* 0: any */
    uint64_t frames;            /* delivered */
    uint64_t bytes;             /* their data bytes */
    uint64_t out_frames;        /* the copies written to clients */
    uint64_t out_bytes;
    uint64_t ack_errors;
    uint64_t bitrate_errors;    /* frames destroyed by a bitrate mismatch */

    /* --bus NAME,if=IFNAME: the host SocketCAN interface bridged */
    char ifname[IFNAMSIZ];      /* "": none */
    int if_fd;                  /* -1: not open (down, gone) */
    bool if_fd_frames;          /* its MTU carries CAN FD */
    int64_t if_retry;           /* monotonic us of the next reopen */
    uint64_t if_in;             /* frames read from it */
    uint64_t if_out;            /* frames written to it */
    uint64_t if_dropped;        /* not written: queue full, FD, closed */
    uint64_t if_errors;         /* times it went down or away */
} Bus;

/* A cyclic send of BCM mode ("< add ... >") */
typedef struct SendJob {
    qemu_can_frame frame;
    int64_t ival;               /* us */
    int64_t next;               /* monotonic us */
} SendJob;

/* A subscription of BCM mode ("< subscribe ... >", "< filter ... >") */
typedef struct Subscription {
    qemu_canid_t id;
    int64_t throttle;           /* us from one frame sent to the next */
    bool content;               /* a filter: only changes under @mask */
    uint8_t mask[QEMU_CAN_MAX_DLEN];
    bool seen;                  /* @last is the last frame taken */
    qemu_can_frame last;
    int64_t last_us;            /* when it came, real time */
    bool held;                  /* @last waits for the throttle */
    int64_t sent;               /* monotonic us of the last one sent */
} Subscription;

typedef struct Client {
    int fd;
    char *name;                 /* the peer's address, for logs */
    ClientMode mode;
    Bus *bus;
    uint32_t bitrate;           /* set by the bittiming command; 0: the bus's */
    ScdReader reader;
    GByteArray *out;
    bool closing;               /* close once the output is written */
    /*
     * Our extension, for clients that ask with "< nodes >": "< nodes N >"
     * whenever the number of other nodes on the bus changes
     */
    bool wants_nodes;
    int told_nodes;
    /*
     * And with "< bitrates >": "< bitrates R... >", the bitrates the other
     * nodes of the bus are at (ascending, each once; none declared, none
     * listed), whenever they change.  A client that knows them can destroy
     * its own node's frames at once as a wire would, instead of learning
     * of the mismatch from an error frame after the fact.
     */
    bool wants_bitrates;
    char *told_bitrates;

    SendJob jobs[BCM_MAX_JOBS];
    int n_jobs;
    Subscription subs[BCM_MAX_SUBS];
    int n_subs;
    int64_t stats_ival;         /* us; 0: no statistics */
    int64_t stats_next;         /* monotonic us */
} Client;

typedef struct Server {
    int listen_fd;
    Bus buses[MAX_BUSES];
    int n_buses;
    Client **clients;
    int n_clients;
    int max_clients;

    uint64_t accepted;
    uint64_t refused;           /* over the client limit */
    uint64_t malformed;
    uint64_t unsupported;
    uint64_t bcm_errors;        /* BCM commands refused: limits, no job */
    uint64_t slow_dropped;

    bool display;               /* --display */
    bool display_canopen;       /* --display=canopen */
    FILE *capture;              /* --capture, until a write fails */
    const char *capture_path;
    GByteArray *capture_buf;
    uint64_t captured;
} Server;

static volatile sig_atomic_t quit_requested, stats_requested;

static void on_signal(int sig)
{
    if (sig == SIGUSR1) {
        stats_requested = 1;
    } else {
        quit_requested = 1;
    }
}

static int64_t now_us(void)
{
    return g_get_real_time();
}

static int64_t now_mono(void)
{
    return g_get_monotonic_time();
}

static void print_stats(Server *s)
{
    int i;

    printf("stats: clients=%d accepted=%" PRIu64 " refused=%" PRIu64
           " malformed=%" PRIu64 " unsupported=%" PRIu64
           " bcm-errors=%" PRIu64 " slow-dropped=%" PRIu64
           " captured=%" PRIu64 "\n",
           s->n_clients, s->accepted, s->refused, s->malformed,
           s->unsupported, s->bcm_errors, s->slow_dropped, s->captured);
    for (i = 0; i < s->n_buses; i++) {
        Bus *b = &s->buses[i];

        printf("stats: bus=%s frames=%" PRIu64 " bytes=%" PRIu64
               " out-frames=%" PRIu64 " out-bytes=%" PRIu64
               " ack-errors=%" PRIu64 " bitrate-errors=%" PRIu64 "\n",
               b->name, b->frames, b->bytes, b->out_frames, b->out_bytes,
               b->ack_errors, b->bitrate_errors);
        if (b->ifname[0]) {
            printf("stats: bus=%s if=%s up=%d if-in=%" PRIu64
                   " if-out=%" PRIu64 " if-dropped=%" PRIu64
                   " if-errors=%" PRIu64 "\n", b->name, b->ifname,
                   b->if_fd >= 0, b->if_in, b->if_out, b->if_dropped,
                   b->if_errors);
        }
    }
    fflush(stdout);
}

/* Queue @len bytes for @c; a client that lets too much wait is dropped */
static void client_write(Server *s, Client *c, const char *buf, size_t len)
{
    ssize_t n = 0;

    if (c->closing) {
        return;
    }
    if (!c->out->len) {
        n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            c->closing = true;
            return;
        }
        n = MAX(n, 0);
    }
    if (c->out->len + len - n > CLIENT_OUT_MAX) {
        s->slow_dropped++;
        fprintf(stderr, "qemu-can-server: %s does not read: dropped with "
                "%u bytes unread (%" PRIu64 " clients dropped so far)\n",
                c->name, c->out->len, s->slow_dropped);
        g_byte_array_set_size(c->out, 0);
        c->closing = true;
        return;
    }
    g_byte_array_append(c->out, (const guint8 *)buf + n, len - n);
}

static void client_say(Server *s, Client *c, const char *text)
{
    client_write(s, c, text, strlen(text));
}

static void client_error(Server *s, Client *c, const char *why)
{
    g_autofree char *line = g_strdup_printf("< error %s >", why);

    client_say(s, c, line);
}

static void client_error_frame(Server *s, Client *c, uint32_t err_class)
{
    char line[SCD_OUTPUT_MAX];
    size_t n = scd_format_error_frame(err_class, now_us(), line);

    client_write(s, c, line, n);
}

static uint32_t client_bitrate(const Client *c)
{
    return c->bitrate ? c->bitrate : c->bus->bitrate;
}

static bool bitrates_differ(const Client *a, const Client *b)
{
    uint32_t ra = client_bitrate(a), rb = client_bitrate(b);

    return ra && rb && ra != rb;
}

/* @frame, sent by @sender on @bus at @stamp (us), into the capture */
static void capture_frame(Server *s, Bus *bus, const qemu_can_frame *frame,
                          const char *sender, int64_t stamp)
{
    g_autofree char *comment = g_strdup_printf("sender: %s", sender);

    g_byte_array_set_size(s->capture_buf, 0);
    can_pcapng_packet(s->capture_buf, bus - s->buses, stamp * 1000, frame,
                      comment);
    if (fwrite(s->capture_buf->data, s->capture_buf->len, 1,
               s->capture) != 1) {
        /* a failed write ends the capture */
        fprintf(stderr, "qemu-can-server: --capture %s: %s; capture ended "
                "after %" PRIu64 " frames\n", s->capture_path,
                strerror(errno), s->captured);
        fclose(s->capture);
        s->capture = NULL;
        return;
    }
    s->captured++;
}

/*
 * @event on @bus at @stamp (us), for --capture and --display: a frame, or
 * the error frame that says what happened to it
 */
static void bus_event(Server *s, Bus *bus, const CanBusEvent *event,
                      int64_t stamp)
{
    const qemu_can_frame *frame = event->frame;
    qemu_can_frame err;

    if (can_error_frame_of_event(event, &err)) {
        frame = &err;
    }
    if (s->capture) {
        capture_frame(s, bus, frame, event->client, stamp);
    }
    if (s->display) {
        g_autoptr(GString) line = g_string_new(NULL);

        can_candump_format_shown(line, stamp * 1000, bus->name, frame,
                                 s->display_canopen ?
                                 can_canopen_describe : NULL, event->client);
        fputs(line->str, stdout);
    }
}

/* @frame written to @c, a client of @bus */
static void bus_out(Server *s, Bus *bus, Client *c, const char *line,
                    size_t n, const qemu_can_frame *frame)
{
    bus->out_frames++;
    bus->out_bytes += frame->can_dlc;
    client_write(s, c, line, n);
}

static Subscription *find_sub(Client *c, qemu_canid_t id)
{
    int i;

    for (i = 0; i < c->n_subs; i++) {
        if (c->subs[i].id == id) {
            return &c->subs[i];
        }
    }
    return NULL;
}

static void bcm_deliver(Server *s, Client *c, Subscription *sub, int64_t now)
{
    char line[SCD_OUTPUT_MAX];
    size_t n = scd_format_bcm_frame(&sub->last, sub->last_us, line);

    sub->held = false;
    sub->sent = now;
    bus_out(s, c->bus, c, line, n, &sub->last);
}

static bool content_changed(const Subscription *sub,
                            const qemu_can_frame *frame)
{
    int i;

    for (i = 0; i < QEMU_CAN_MAX_DLEN; i++) {
        if ((frame->data[i] ^ sub->last.data[i]) & sub->mask[i]) {
            return true;
        }
    }
    return false;
}

/*
 * @frame, come at @stamp, for a client in BCM mode: only through a
 * subscription of its identifier (remote frames have other identifiers,
 * CAN FD frames are not BCM mode's); through a filter only when the bits
 * under its mask change; with a throttle, at most one frame per interval,
 * the newest, the others dropped as the BCM drops them.
 */
static void bcm_receive(Server *s, Client *c, const qemu_can_frame *frame,
                        int64_t stamp, int64_t now)
{
    Subscription *sub;

    if (frame->flags & QEMU_CAN_FRMF_TYPE_FD) {
        return;
    }
    sub = find_sub(c, frame->can_id);
    if (!sub || (sub->content && sub->seen && !content_changed(sub, frame))) {
        return;
    }
    sub->seen = true;
    sub->last = *frame;
    sub->last_us = stamp;
    if (now - sub->sent < sub->throttle) {
        sub->held = true;
        return;
    }
    bcm_deliver(s, c, sub, now);
}

static void if_lost(Bus *bus, const char *why)
{
    bus->if_errors++;
    fprintf(stderr, "qemu-can-server: bus %s: interface %s: %s; looking for "
            "it every %d s (%" PRIu64 " times lost)\n", bus->name,
            bus->ifname, why, IF_RETRY_US / G_USEC_PER_SEC, bus->if_errors);
    close(bus->if_fd);
    bus->if_fd = -1;
    bus->if_retry = now_mono() + IF_RETRY_US;
}

/* @frame onto the interface of @bus, or dropped and counted */
static void if_write(Bus *bus, const qemu_can_frame *frame)
{
    struct canfd_frame cf = { .can_id = frame->can_id,
                              .len = frame->can_dlc };
    bool fd = frame->flags & QEMU_CAN_FRMF_TYPE_FD;

    if (bus->if_fd < 0 || (fd && !bus->if_fd_frames)) {
        bus->if_dropped++;
        return;
    }
    if (fd) {
        cf.flags = CANFD_FDF |
                   (frame->flags & QEMU_CAN_FRMF_BRS ? CANFD_BRS : 0) |
                   (frame->flags & QEMU_CAN_FRMF_ESI ? CANFD_ESI : 0);
    } else {
        ((struct can_frame *)&cf)->len8_dlc = frame->len8_dlc;
    }
    if (!(frame->can_id & QEMU_CAN_RTR_FLAG)) {
        memcpy(cf.data, frame->data, frame->can_dlc);
    }
    if (write(bus->if_fd, &cf, fd ? CANFD_MTU : CAN_MTU) >= 0) {
        bus->if_out++;
    } else if (errno == ENOBUFS || errno == EAGAIN) {
        /* the interface's queue is full: the clients never wait for it */
        bus->if_dropped++;
    } else {
        bus->if_dropped++;
        if_lost(bus, strerror(errno));
    }
}

/*
 * @c (NULL: the interface of @bus) puts @frame on @bus.  A node at
 * another bitrate sees stuff errors and destroys the frame with its error
 * flag; with nobody else there, nobody acknowledges it.  Else every other
 * node has it.  The interface takes any bitrate.
 */
static void bus_put(Server *s, Bus *bus, Client *c, const char *sender,
                    const qemu_can_frame *frame)
{
    char line[SCD_OUTPUT_MAX];
    bool peers = c && bus->if_fd >= 0, mismatch = false;
    int64_t stamp = now_us(), now = now_mono();
    size_t n;
    int i;

    for (i = 0; i < s->n_clients; i++) {
        Client *o = s->clients[i];

        if (o == c || o->bus != bus || o->closing) {
            continue;
        }
        peers = true;
        mismatch |= c && bitrates_differ(c, o);
    }
    if (mismatch) {
        /* the receivers at the other bitrate see stuff errors */
        bus_event(s, bus, &(CanBusEvent) {
            .type = CAN_BUS_EVENT_ERROR_FLAG, .client = sender,
            .frame = frame, .error.kind = CAN_BUS_ERROR_STUFF,
        }, stamp);
        bus->bitrate_errors++;
        /* everyone saw the error flag: the frame is lost for all */
        for (i = 0; i < s->n_clients; i++) {
            Client *o = s->clients[i];

            if (o->bus == bus && !o->closing) {
                client_error_frame(s, o, CAN_ERR_PROT);
            }
        }
        return;
    }
    if (!peers && !c) {
        /* the host's nodes had it; nobody here to take it */
        return;
    }
    if (!peers) {
        bus_event(s, bus, &(CanBusEvent) {
            .type = CAN_BUS_EVENT_ACK_ERROR, .client = sender,
            .frame = frame,
        }, stamp);
        bus->ack_errors++;
        if (c) {
            client_error_frame(s, c, CAN_ERR_ACK);
        }
        return;
    }
    bus_event(s, bus, &(CanBusEvent) {
        .type = CAN_BUS_EVENT_FRAME, .client = sender, .frame = frame,
    }, stamp);
    bus->frames++;
    bus->bytes += frame->can_dlc;
    n = scd_format_frame(frame, stamp, line);
    for (i = 0; i < s->n_clients; i++) {
        Client *o = s->clients[i];

        if (o == c || o->bus != bus) {
            continue;
        }
        if (o->mode == MODE_RAW) {
            bus_out(s, bus, o, line, n, frame);
        } else if (o->mode == MODE_BCM) {
            bcm_receive(s, o, frame, stamp, now);
        }
    }
    if (c && bus->ifname[0]) {
        if_write(bus, frame);
    }
}

static void bus_send(Server *s, Client *c, const qemu_can_frame *frame)
{
    bus_put(s, c->bus, c, c->name, frame);
}

static Bus *find_bus(Server *s, const char *name)
{
    int i;

    for (i = 0; i < s->n_buses; i++) {
        if (!strcmp(s->buses[i].name, name)) {
            return &s->buses[i];
        }
    }
    return NULL;
}

/* "< BUS B bitrate sample_point tq prop_seg phase_seg1 phase_seg2 sjw brp >" */
static void cmd_bittiming(Server *s, Client *c, const ScdElement *el)
{
    uint32_t v, bitrate = 0;
    int i;

    if (el->words != 10) {
        s->malformed++;
        client_error(s, c, "bittiming needs 8 numbers");
        return;
    }
    for (i = 2; i < 10; i++) {
        if (!scd_parse_uint(el->word[i], UINT32_MAX, &v)) {
            s->malformed++;
            client_error(s, c, "bittiming needs 8 numbers");
            return;
        }
        if (i == 2) {
            bitrate = v;
        }
    }
    if (!find_bus(s, el->word[0])) {
        client_error(s, c, "no such bus");
        return;
    }
    c->bitrate = bitrate;
    client_say(s, c, "< ok >");
}

static bool is_send(const char *cmd)
{
    return !strcmp(cmd, "send") || !strcmp(cmd, "sendrtr") ||
           !strcmp(cmd, "fdsend");
}

static void bcm_refuse(Server *s, Client *c, const char *why)
{
    s->bcm_errors++;
    client_error(s, c, why);
}

/* "SECS USECS" in words @first and @first + 1, as Linux's BCM takes it */
static bool parse_interval(const ScdElement *el, int first, int64_t *us,
                           const char **why)
{
    uint32_t secs, usecs;

    if (!scd_parse_uint(el->word[first], BCM_MAX_INTERVAL_S, &secs) ||
        !scd_parse_uint(el->word[first + 1], G_USEC_PER_SEC - 1, &usecs)) {
        *why = "bad interval";
        return false;
    }
    *us = (int64_t)secs * G_USEC_PER_SEC + usecs;
    return true;
}

static SendJob *find_job(Client *c, qemu_canid_t id)
{
    int i;

    for (i = 0; i < c->n_jobs; i++) {
        if (c->jobs[i].frame.can_id == id) {
            return &c->jobs[i];
        }
    }
    return NULL;
}

/* "< add SECS USECS ID LEN DATA... >": a cyclic send of ID, new or anew */
static void cmd_add(Server *s, Client *c, const ScdElement *el)
{
    qemu_can_frame frame;
    const char *why = "add needs an interval, an identifier and a length";
    SendJob *job;
    int64_t ival;

    if (el->words < 5 || !parse_interval(el, 1, &ival, &why) ||
        !scd_parse_can(el, 3, &frame, &why)) {
        s->malformed++;
        client_error(s, c, why);
        return;
    }
    if (ival < BCM_MIN_INTERVAL_US) {
        bcm_refuse(s, c, "interval below 1000 us");
        return;
    }
    job = find_job(c, frame.can_id);
    if (!job) {
        if (c->n_jobs == BCM_MAX_JOBS) {
            bcm_refuse(s, c, "too many send jobs");
            return;
        }
        job = &c->jobs[c->n_jobs++];
    }
    job->frame = frame;
    job->ival = ival;
    /* as the BCM starts it: the first frame after one interval */
    job->next = now_mono() + ival;
}

/* "< update ID LEN DATA... >": new content, the same timer */
static void cmd_update(Server *s, Client *c, const ScdElement *el)
{
    qemu_can_frame frame;
    const char *why;
    SendJob *job;

    if (!scd_parse_can(el, 1, &frame, &why)) {
        s->malformed++;
        client_error(s, c, why);
        return;
    }
    job = find_job(c, frame.can_id);
    if (!job) {
        bcm_refuse(s, c, "no such send job");
        return;
    }
    job->frame = frame;
}

/* "< subscribe SECS USECS ID >" and "< filter SECS USECS ID LEN MASK... >" */
static void cmd_subscribe(Server *s, Client *c, const ScdElement *el)
{
    bool content = !strcmp(el->word[0], "filter");
    qemu_can_frame mask = { 0 };
    const char *why = content ?
        "filter needs an interval, an identifier and a length" :
        "subscribe needs an interval and an identifier";
    Subscription *sub;
    int64_t throttle;

    if ((content ? el->words < 5 : el->words != 4) ||
        !parse_interval(el, 1, &throttle, &why) ||
        !(content ? scd_parse_can(el, 3, &mask, &why) :
          scd_parse_id(el->word[3], &mask.can_id, &why))) {
        s->malformed++;
        client_error(s, c, why);
        return;
    }
    sub = find_sub(c, mask.can_id);
    if (!sub) {
        if (c->n_subs == BCM_MAX_SUBS) {
            bcm_refuse(s, c, "too many subscriptions");
            return;
        }
        sub = &c->subs[c->n_subs++];
    }
    *sub = (Subscription) {
        .id = mask.can_id,
        .throttle = throttle,
        .content = content,
        /* long enough ago that the first frame goes at once */
        .sent = now_mono() - throttle,
    };
    memcpy(sub->mask, mask.data, sizeof(sub->mask));
}

/* "< delete ID >" and "< unsubscribe ID >" */
static void cmd_delete(Server *s, Client *c, const ScdElement *el)
{
    bool job = !strcmp(el->word[0], "delete");
    qemu_canid_t id;
    const char *why = "an identifier is needed";
    int i;

    if (el->words != 2 || !scd_parse_id(el->word[1], &id, &why)) {
        s->malformed++;
        client_error(s, c, why);
        return;
    }
    if (job) {
        SendJob *j = find_job(c, id);

        if (!j) {
            bcm_refuse(s, c, "no such send job");
            return;
        }
        i = j - c->jobs;
        memmove(j, j + 1, (--c->n_jobs - i) * sizeof(*j));
    } else {
        Subscription *sub = find_sub(c, id);

        if (!sub) {
            bcm_refuse(s, c, "no such subscription");
            return;
        }
        i = sub - c->subs;
        memmove(sub, sub + 1, (--c->n_subs - i) * sizeof(*sub));
    }
}

static const struct {
    const char *name;
    void (*run)(Server *s, Client *c, const ScdElement *el);
} bcm_commands[] = {
    { "add", cmd_add },
    { "update", cmd_update },
    { "delete", cmd_delete },
    { "subscribe", cmd_subscribe },
    { "filter", cmd_subscribe },
    { "unsubscribe", cmd_delete },
    /* the protocol's, but not done here */
    { "muxfilter", NULL },
};

/* "< statistics MS >": "< stat ... >" every MS milliseconds, 0: none */
static void cmd_statistics(Server *s, Client *c, const ScdElement *el)
{
    uint32_t ms;

    if (el->words != 2 || !scd_parse_uint(el->word[1], STATS_MAX_MS, &ms) ||
        (ms && ms < STATS_MIN_MS)) {
        s->malformed++;
        client_error(s, c, "statistics needs 0 or 100 to 3600000 ms");
        return;
    }
    c->stats_ival = (int64_t)ms * 1000;
    c->stats_next = now_mono() + c->stats_ival;
}

/*
 * "< stat rbytes rpackets tbytes tpackets >", as socketcand reports its
 * interface: here what the bus took from its nodes (frames delivered,
 * data bytes) and what it wrote out to them
 */
static void send_stat(Server *s, Client *c)
{
    g_autofree char *line = g_strdup_printf(
        "< stat %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " >",
        c->bus->bytes, c->bus->frames, c->bus->out_bytes,
        c->bus->out_frames);

    client_say(s, c, line);
}

/* A periodic timer's next expiry after @now: late, it does not burst */
static int64_t next_period(int64_t due, int64_t ival, int64_t now)
{
    due += ival;
    return due > now ? due : now + ival;
}

/* Run the cyclic sends, throttled frames and statistics that are due */
static void run_timers(Server *s)
{
    int64_t now = now_mono();
    int i, j;

    for (i = 0; i < s->n_clients; i++) {
        Client *c = s->clients[i];

        for (j = 0; j < c->n_jobs && !c->closing; j++) {
            SendJob *job = &c->jobs[j];

            if (job->next <= now) {
                job->next = next_period(job->next, job->ival, now);
                bus_send(s, c, &job->frame);
            }
        }
        for (j = 0; j < c->n_subs; j++) {
            Subscription *sub = &c->subs[j];

            if (sub->held && sub->sent + sub->throttle <= now) {
                bcm_deliver(s, c, sub, now);
            }
        }
        if (c->stats_ival && c->stats_next <= now) {
            c->stats_next = next_period(c->stats_next, c->stats_ival, now);
            send_stat(s, c);
        }
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

/* "< bitrates R... >" of the nodes of @c's bus but @c */
static char *bitrates_line(Server *s, Client *c)
{
    g_autofree uint32_t *rates = g_new(uint32_t, s->n_clients);
    GString *line = g_string_new("< bitrates");
    int i, n = 0;

    for (i = 0; i < s->n_clients; i++) {
        Client *o = s->clients[i];

        if (o != c && o->bus == c->bus && !o->closing && client_bitrate(o)) {
            rates[n++] = client_bitrate(o);
        }
    }
    qsort(rates, n, sizeof(*rates), cmp_u32);
    for (i = 0; i < n; i++) {
        if (!i || rates[i] != rates[i - 1]) {
            g_string_append_printf(line, " %" PRIu32, rates[i]);
        }
    }
    g_string_append(line, " >");
    return g_string_free(line, false);
}

/*
 * Tell the clients that asked how many other nodes their bus has, when
 * that changed: a node alone gets no acknowledgement; and at which
 * bitrates they are
 */
static void tell_nodes(Server *s)
{
    int i, j, n;

    for (i = 0; i < s->n_clients; i++) {
        Client *c = s->clients[i];

        if (c->closing) {
            continue;
        }
        if (c->wants_bitrates) {
            g_autofree char *line = bitrates_line(s, c);

            if (g_strcmp0(line, c->told_bitrates)) {
                client_say(s, c, line);
                g_free(c->told_bitrates);
                c->told_bitrates = g_steal_pointer(&line);
            }
        }
        if (!c->wants_nodes) {
            continue;
        }
        /* the interface, while open, is a node that acknowledges */
        n = c->bus->if_fd >= 0;
        for (j = 0; j < s->n_clients; j++) {
            Client *o = s->clients[j];

            n += o != c && o->bus == c->bus && !o->closing;
        }
        if (n != c->told_nodes) {
            g_autofree char *line = g_strdup_printf("< nodes %d >", n);

            c->told_nodes = n;
            client_say(s, c, line);
        }
    }
}

/* When run_timers() has something to do next; INT64_MAX: never */
static int64_t next_timer(Server *s)
{
    int64_t next = INT64_MAX;
    int i, j;

    for (i = 0; i < s->n_clients; i++) {
        Client *c = s->clients[i];

        for (j = 0; j < c->n_jobs; j++) {
            next = MIN(next, c->jobs[j].next);
        }
        for (j = 0; j < c->n_subs; j++) {
            if (c->subs[j].held) {
                next = MIN(next, c->subs[j].sent + c->subs[j].throttle);
            }
        }
        if (c->stats_ival) {
            next = MIN(next, c->stats_next);
        }
    }
    return next;
}

/* A BCM command in @el: true if it is one */
static bool bcm_command(Server *s, Client *c, const ScdElement *el)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(bcm_commands); i++) {
        if (strcmp(el->word[0], bcm_commands[i].name)) {
            continue;
        }
        if (c->mode != MODE_BCM) {
            s->malformed++;
            client_error(s, c, "not in BCM mode");
        } else if (!bcm_commands[i].run) {
            s->unsupported++;
            client_error(s, c, "not supported by qemu-can-server");
        } else {
            bcm_commands[i].run(s, c, el);
        }
        return true;
    }
    return false;
}

static void client_element(Server *s, Client *c, const char *text,
                           size_t len)
{
    ScdElement el;
    qemu_can_frame frame;
    const char *why;
    const char *cmd;

    if (!scd_split(text, len, &el, &why)) {
        s->malformed++;
        client_error(s, c, why);
        return;
    }
    cmd = el.word[0];
    if (!strcmp(cmd, "echo") && el.words == 1) {
        client_say(s, c, "< echo >");
        return;
    }
    if (c->mode == MODE_NO_BUS) {
        if (!strcmp(cmd, "open") && el.words == 2) {
            c->bus = find_bus(s, el.word[1]);
            if (!c->bus) {
                /* the protocol's answer: an error, and the connection ends */
                client_error(s, c, "no such bus");
                c->closing = true;
                return;
            }
            c->mode = MODE_BCM;
            client_say(s, c, "< ok >");
        } else if (el.words >= 2 && !strcmp(el.word[1], "B")) {
            cmd_bittiming(s, c, &el);
        } else {
            s->malformed++;
            client_error(s, c, "unknown command");
        }
        return;
    }
    if (!strcmp(cmd, "rawmode") || !strcmp(cmd, "bcmmode") ||
        !strcmp(cmd, "controlmode")) {
        c->mode = cmd[0] == 'r' ? MODE_RAW : cmd[0] == 'b' ? MODE_BCM :
                  MODE_CONTROL;
        /* a new mode starts afresh, as socketcand's new socket does */
        c->n_jobs = 0;
        c->n_subs = 0;
        c->stats_ival = 0;
        client_say(s, c, "< ok >");
        return;
    }
    if (is_send(cmd) && c->mode != MODE_CONTROL) {
        if (!scd_parse_send(&el, &frame, &why)) {
            s->malformed++;
            client_error(s, c, why);
            return;
        }
        bus_send(s, c, &frame);
        return;
    }
    if (bcm_command(s, c, &el)) {
        return;
    }
    if (!strcmp(cmd, "nodes") && el.words == 1) {
        /* told at the end of this round of the loop */
        c->wants_nodes = true;
        c->told_nodes = -1;
        return;
    }
    if (!strcmp(cmd, "bitrates") && el.words == 1) {
        c->wants_bitrates = true;
        g_clear_pointer(&c->told_bitrates, g_free);
        return;
    }
    if (!strcmp(cmd, "statistics") && c->mode == MODE_CONTROL) {
        cmd_statistics(s, c, &el);
        return;
    }
    s->malformed++;
    client_error(s, c, "unknown command");
}

typedef struct ClientInput {
    Server *s;
    Client *c;
} ClientInput;

static void input_element(void *opaque, const char *text, size_t len)
{
    ClientInput *in = opaque;

    client_element(in->s, in->c, text, len);
}

static void input_error(void *opaque, const char *why)
{
    ClientInput *in = opaque;

    in->s->malformed++;
    client_error(in->s, in->c, why);
}

static bool input_more(void *opaque)
{
    ClientInput *in = opaque;

    return !in->c->closing;
}

static const ScdReaderOps input_ops = {
    .element = input_element,
    .error = input_error,
    .more = input_more,
};

static void client_free(Client *c)
{
    close(c->fd);
    g_byte_array_free(c->out, true);
    g_free(c->name);
    g_free(c->told_bitrates);
    g_free(c);
}

static char *peer_name(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char host[NI_MAXHOST], serv[NI_MAXSERV];

    if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0 ||
        getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), serv,
                    sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV)) {
        return g_strdup_printf("client fd %d", fd);
    }
    return g_strdup_printf("client %s:%s", host, serv);
}

static void server_accept(Server *s)
{
    int fd = qemu_accept(s->listen_fd, NULL, NULL);
    Client *c;

    if (fd < 0) {
        return;
    }
    qemu_socket_set_nonblock(fd);
    /*
     * One line is one frame on the wire: held back by Nagle's algorithm
     * until the previous one is acknowledged, frames would reach a
     * guest's controller in bursts its receive FIFO cannot hold.
     */
    socket_set_nodelay(fd);
    if (s->n_clients == s->max_clients) {
        static const char full[] = "< error too many clients >";

        s->refused++;
        if (send(fd, full, strlen(full), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
            /* it learns it from the closed connection */
        }
        close(fd);
        return;
    }
    c = g_new0(Client, 1);
    c->fd = fd;
    c->name = peer_name(fd);
    c->out = g_byte_array_new();
    s->clients[s->n_clients++] = c;
    s->accepted++;
    client_say(s, c, "< hi >");
}

static void client_readable(Server *s, Client *c)
{
    char buf[4096];
    ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);

    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        /* closed, or half-closed: nothing more will come */
        c->closing = true;
        g_byte_array_set_size(c->out, 0);
        return;
    }
    if (n > 0) {
        ClientInput in = { .s = s, .c = c };

        scd_reader_feed(&c->reader, buf, n, &input_ops, &in);
    }
}

static void client_writable(Client *c)
{
    ssize_t n = send(c->fd, c->out->data, c->out->len,
                     MSG_NOSIGNAL | MSG_DONTWAIT);

    if (n > 0) {
        g_byte_array_remove_range(c->out, 0, n);
    } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        g_byte_array_set_size(c->out, 0);
        c->closing = true;
    }
}

/*
 * The interface of @bus: its socket, CAN FD when the interface's MTU
 * carries it, our own frames not read back; false, with why in @errp,
 * when the interface is missing, not CAN, or down.
 */
static bool if_open(Bus *bus, Error **errp)
{
    CanRawSocketInfo info;
    int fd = can_raw_socket_open(bus->ifname, CAN_RAW_SOCKET_MUST_BE_UP,
                                 &info, errp);

    if (fd < 0) {
        return false;
    }
    bus->if_fd = fd;
    bus->if_fd_frames = info.fd_mtu;
    return true;
}

/* Read what the interface of @bus has, onto the bus */
static void if_readable(Server *s, Bus *bus)
{
    struct canfd_frame cf;
    qemu_can_frame frame;
    ssize_t len;
    int i;

    /* a bounded batch, so that a busy interface never starves the clients */
    for (i = 0; i < 64 && bus->if_fd >= 0; i++) {
        len = read(bus->if_fd, &cf, sizeof(cf));
        if (len < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                if_lost(bus, strerror(errno));
            }
            return;
        }
        if ((len != CAN_MTU && len != CANFD_MTU) ||
            (cf.can_id & CAN_ERR_FLAG) ||
            cf.len > (len == CAN_MTU ? CAN_MAX_DLEN : CANFD_MAX_DLEN)) {
            continue;
        }
        memset(&frame, 0, sizeof(frame));
        frame.can_id = cf.can_id;
        frame.can_dlc = cf.len;
        if (len == CANFD_MTU) {
            frame.flags = QEMU_CAN_FRMF_TYPE_FD |
                          (cf.flags & CANFD_BRS ? QEMU_CAN_FRMF_BRS : 0) |
                          (cf.flags & CANFD_ESI ? QEMU_CAN_FRMF_ESI : 0);
        } else if (cf.len == CAN_MAX_DLEN) {
            frame.len8_dlc = ((struct can_frame *)&cf)->len8_dlc;
        }
        if (!(cf.can_id & CAN_RTR_FLAG)) {
            memcpy(frame.data, cf.data, cf.len);
        }
        bus->if_in++;
        bus_put(s, bus, NULL, bus->ifname, &frame);
    }
}

/* Look again for the interfaces that went away, when it is time */
static void if_retry(Bus *bus)
{
    Error *err = NULL;

    if (!bus->ifname[0] || bus->if_fd >= 0 || now_mono() < bus->if_retry) {
        return;
    }
    if (if_open(bus, &err)) {
        fprintf(stderr, "qemu-can-server: bus %s: interface %s is back\n",
                bus->name, bus->ifname);
    } else {
        error_free(err);
        bus->if_retry = now_mono() + IF_RETRY_US;
    }
}

/*
 * Drop the clients that are closing, with one last try at what they have
 * to read (an error saying why): one that does not read loses it.
 */
static void server_reap(Server *s)
{
    int i, j = 0;

    for (i = 0; i < s->n_clients; i++) {
        Client *c = s->clients[i];

        if (c->closing) {
            if (c->out->len) {
                client_writable(c);
            }
            client_free(c);
        } else {
            s->clients[j++] = c;
        }
    }
    s->n_clients = j;
}

static void server_run(Server *s)
{
    g_autofree struct pollfd *pfd = g_new(struct pollfd,
                                          s->max_clients + 1 + MAX_BUSES);
    sigset_t handled, during_poll;
    struct timespec wait = { 0 };
    int64_t next;
    int i, n;

    /*
     * The signals wake only ppoll(), which unblocks them while it waits:
     * one that comes before is not lost in the gap before the wait.
     */
    sigemptyset(&handled);
    sigaddset(&handled, SIGINT);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGUSR1);
    sigprocmask(SIG_BLOCK, &handled, &during_poll);
    sigdelset(&during_poll, SIGINT);
    sigdelset(&during_poll, SIGTERM);
    sigdelset(&during_poll, SIGUSR1);

    while (!quit_requested) {
        if (stats_requested) {
            stats_requested = 0;
            print_stats(s);
        }
        run_timers(s);
        for (i = 0; i < s->n_buses; i++) {
            if_retry(&s->buses[i]);
        }
        server_reap(s);
        tell_nodes(s);
        if (s->capture) {
            /* what the loop captured is in the file before it waits */
            fflush(s->capture);
        }
        fflush(stdout);
        next = next_timer(s);
        for (i = 0; i < s->n_buses; i++) {
            if (s->buses[i].ifname[0] && s->buses[i].if_fd < 0) {
                next = MIN(next, s->buses[i].if_retry);
            }
        }
        if (next != INT64_MAX) {
            next = MAX(next - now_mono(), 0);
            wait.tv_sec = next / G_USEC_PER_SEC;
            wait.tv_nsec = next % G_USEC_PER_SEC * 1000;
        }
        pfd[0] = (struct pollfd) { .fd = s->listen_fd, .events = POLLIN };
        n = s->n_clients;
        for (i = 0; i < n; i++) {
            Client *c = s->clients[i];

            pfd[i + 1] = (struct pollfd) {
                .fd = c->fd,
                .events = (c->closing ? 0 : POLLIN) |
                          (c->out->len ? POLLOUT : 0),
            };
        }
        for (i = 0; i < s->n_buses; i++) {
            pfd[n + 1 + i] = (struct pollfd) {
                .fd = s->buses[i].if_fd, .events = POLLIN,
            };
        }
        if (ppoll(pfd, n + 1 + s->n_buses, next == INT64_MAX ? NULL : &wait,
                  &during_poll) < 0) {
            if (errno == EINTR) {
                continue;
            }
            perror("qemu-can-server: ppoll");
            return;
        }
        /* the clients polled, before accept() adds any */
        for (i = 0; i < n; i++) {
            Client *c = s->clients[i];

            if (pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)) {
                client_readable(s, c);
            }
            if (pfd[i + 1].revents & POLLOUT) {
                client_writable(c);
            }
        }
        for (i = 0; i < s->n_buses; i++) {
            if (pfd[n + 1 + i].revents) {
                if_readable(s, &s->buses[i]);
            }
        }
        if (pfd[0].revents & POLLIN) {
            server_accept(s);
        }
    }
}

/* "--bus NAME[,bitrate=N][,if=IFNAME]" */
static bool add_bus(Server *s, const char *arg)
{
    g_auto(GStrv) parts = g_strsplit(arg, ",", -1);
    Error *err = NULL;
    Bus *b;
    int i;

    if (s->n_buses == MAX_BUSES) {
        fprintf(stderr, "qemu-can-server: at most %d buses\n", MAX_BUSES);
        return false;
    }
    if (!parts[0] || !parts[0][0] || strlen(parts[0]) > SCD_BUS_NAME_MAX ||
        strpbrk(parts[0], " \t<>")) {
        fprintf(stderr, "qemu-can-server: bus name '%s': 1 to %d characters, "
                "no blanks or brackets\n", parts[0] ? parts[0] : "",
                SCD_BUS_NAME_MAX);
        return false;
    }
    if (find_bus(s, parts[0])) {
        fprintf(stderr, "qemu-can-server: bus '%s' given twice\n", parts[0]);
        return false;
    }
    b = &s->buses[s->n_buses];
    memset(b, 0, sizeof(*b));
    pstrcpy(b->name, sizeof(b->name), parts[0]);
    b->if_fd = -1;
    for (i = 1; parts[i]; i++) {
        if (g_str_has_prefix(parts[i], "if=")) {
            const char *ifname = parts[i] + strlen("if=");

            if (!ifname[0] || strlen(ifname) >= sizeof(b->ifname)) {
                fprintf(stderr, "qemu-can-server: --bus %s: '%s' is not "
                        "if=IFNAME (1..%zu characters)\n", arg, parts[i],
                        sizeof(b->ifname) - 1);
                return false;
            }
            pstrcpy(b->ifname, sizeof(b->ifname), ifname);
            continue;
        }
        if (!g_str_has_prefix(parts[i], "bitrate=") ||
            !scd_parse_uint(parts[i] + strlen("bitrate="), 10000000,
                            &b->bitrate) || !b->bitrate) {
            fprintf(stderr, "qemu-can-server: --bus %s: '%s' is not "
                    "bitrate=N (1..10000000 bit/s) or if=IFNAME\n", arg,
                    parts[i]);
            return false;
        }
    }
    if (b->ifname[0] && !if_open(b, &err)) {
        error_reportf_err(err, "qemu-can-server: --bus %s: ", arg);
        return false;
    }
    s->n_buses++;
    return true;
}

/* The capture file, with its section header and one interface per bus */
static bool open_capture(Server *s)
{
    int i;

    s->capture = fopen(s->capture_path, "wb");
    if (!s->capture) {
        fprintf(stderr, "qemu-can-server: --capture %s: %s\n",
                s->capture_path, strerror(errno));
        return false;
    }
    s->capture_buf = g_byte_array_new();
    can_pcapng_section_header(s->capture_buf, "qemu-can-server");
    for (i = 0; i < s->n_buses; i++) {
        can_pcapng_interface(s->capture_buf, s->buses[i].name);
    }
    if (fwrite(s->capture_buf->data, s->capture_buf->len, 1,
               s->capture) != 1 || fflush(s->capture)) {
        fprintf(stderr, "qemu-can-server: --capture %s: %s\n",
                s->capture_path, strerror(errno));
        return false;
    }
    return true;
}

static void usage(FILE *f)
{
    fprintf(f,
"Usage: qemu-can-server [OPTIONS]\n"
"Serve CAN buses to socketcand clients (QEMU's can-host-socketcand,\n"
"python-can's socketcand interface) over TCP.\n"
"\n"
"  -l, --listen ADDR:PORT   address to listen on (default " DEFAULT_LISTEN ")\n"
"  -b, --bus NAME[,bitrate=N][,if=IFNAME]\n"
"                           a bus clients open by NAME; its nodes' bitrate\n"
"                           (bit/s) unless they set theirs; bridged to host\n"
"                           SocketCAN interface IFNAME, which must be up\n"
"                           (repeatable, at least one, at most %d)\n"
"  -c, --max-clients N      clients at once (default %d)\n"
"  -w, --capture FILE       every frame of the buses, and the errors, to\n"
"                           FILE in pcapng (one interface per bus)\n"
"  -d, --display[=canopen]  print them on stdout as candump does, or\n"
"                           also decoded as CANopen objects\n"
"  -h, --help               this text\n"
"\n"
"SIGUSR1 prints the counters; SIGINT and SIGTERM print them and exit.\n",
            MAX_BUSES, DEFAULT_MAX_CLIENTS);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "listen", required_argument, NULL, 'l' },
        { "bus", required_argument, NULL, 'b' },
        { "max-clients", required_argument, NULL, 'c' },
        { "capture", required_argument, NULL, 'w' },
        { "display", optional_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    Server s = { .max_clients = DEFAULT_MAX_CLIENTS };
    const char *listen_addr = DEFAULT_LISTEN;
    g_autoptr(SocketAddress) addr = NULL;
    struct sigaction sa = { .sa_handler = on_signal };
    Error *err = NULL;
    uint32_t v;
    int opt;

    while ((opt = getopt_long(argc, argv, "l:b:c:w:d::h", longopts,
                              NULL)) != -1) {
        switch (opt) {
        case 'l':
            listen_addr = optarg;
            break;
        case 'b':
            if (!add_bus(&s, optarg)) {
                return 1;
            }
            break;
        case 'c':
            if (!scd_parse_uint(optarg, 4096, &v) || !v) {
                fprintf(stderr, "qemu-can-server: --max-clients: 1..4096\n");
                return 1;
            }
            s.max_clients = v;
            break;
        case 'w':
            s.capture_path = optarg;
            break;
        case 'd':
            if (optarg && strcmp(optarg, "canopen")) {
                fprintf(stderr, "qemu-can-server: --display=%s: only "
                        "--display or --display=canopen\n", optarg);
                return 1;
            }
            s.display = true;
            s.display_canopen = optarg != NULL;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 1;
        }
    }
    if (optind < argc || !s.n_buses) {
        fprintf(stderr, "qemu-can-server: %s\n", optind < argc ?
                "unexpected arguments" : "no bus: give --bus NAME");
        usage(stderr);
        return 1;
    }
    addr = socket_parse(listen_addr, &err);
    if (addr && addr->type != SOCKET_ADDRESS_TYPE_INET) {
        error_setg(&err, "'%s' is not ADDR:PORT", listen_addr);
    }
    if (!err) {
        s.listen_fd = socket_listen(addr, 16, &err);
    }
    if (err) {
        error_reportf_err(err, "qemu-can-server: --listen %s: ", listen_addr);
        return 1;
    }
    if (s.capture_path && !open_capture(&s)) {
        return 1;
    }
    qemu_socket_set_nonblock(s.listen_fd);
    s.clients = g_new0(Client *, s.max_clients);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    printf("qemu-can-server: listening on %s\n", listen_addr);
    fflush(stdout);
    server_run(&s);
    print_stats(&s);
    if (s.capture) {
        fclose(s.capture);
    }
    return 0;
}
