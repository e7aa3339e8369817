/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QTest for CAN FD bit timing on a timed can-bus (timing=on, with the
 * bitrate and data-bitrate properties), seen through the two cores of one
 * CTU CAN FD PCI board: core 0 sends, core 1 receives.  The CTU model
 * hands its frames to the bus at once (can_bus_client_send()), so the
 * time a frame takes is the bus's alone, and core 1's RX frame count
 * shows the virtual time it arrives.  A can-capture of the bus, read back
 * with tshark, must show the same frames at the same times, and the bus
 * errors as SocketCAN error frames.
 *
 * A frame's time is nominal_bits * 1e9 / bitrate + data_bits * 1e9 /
 * data_bitrate ns, each term rounded down.  The bit counts below follow
 * ISO 11898-1:2015 and were worked out independently of the model with
 * this /usr/bin/python3 script (dynamic stuffing after five equal bits,
 * stuff bits counting toward the next run; in FD frames no dynamic stuff
 * bit right after the data, and fixed stuff bits in the CRC field: one
 * before the stuff count, one after every 4th bit; the data phase runs
 * from the bit after BRS to the end of the CRC field, and the CRC
 * delimiter counts as a data bit: the rate switches at the sample points
 * of BRS and of the CRC delimiter, so the two together last one nominal
 * and one data bit whatever the sample points):
 *
 *   def bits(v, n):                              # MSB first
 *       return [(v >> (n - 1 - i)) & 1 for i in range(n)]
 *
 *   def stuffed(b, after_last):                  # length with stuff bits
 *       n = run = 0; prev = None
 *       for i, x in enumerate(b):
 *           n += 1; run = run + 1 if x == prev else 1; prev = x
 *           if run == 5 and (after_last or i < len(b) - 1):
 *               n += 1; prev = 1 - x; run = 1
 *       return n
 *
 *   def frame(ident, ext, data, fd=False, brs=False, esi=False):
 *       b = [0] + bits(ident >> 18 if ext else ident, 11)   # SOF, id
 *       if ext:
 *           b += [1, 1] + bits(ident & 0x3ffff, 18)  # SRR, IDE, id 17..0
 *       payload = [x for d in data for x in bits(d, 8)]
 *       if not fd:                     # RTR, IDE/r1, r0, DLC, data, CRC
 *           b += [0, 0, 0] + bits(len(data), 4) + payload
 *           crc = 0
 *           for x in b:
 *               f = x ^ (crc >> 14); crc = (crc << 1) & 0x7fff
 *               crc ^= 0x4599 if f else 0
 *           return stuffed(b + bits(crc, 15), True) + 13, 0
 *       b += [0] + ([] if ext else [0]) + [1, 0, int(brs)]  # RRS..BRS
 *       arb = stuffed(b, False)        # SOF..BRS, stuff bits before BRS
 *       dlc = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64]
 *       b += [int(esi)] + bits(dlc.index(len(data)), 4) + payload
 *       crc = 4 + (17 if len(data) <= 16 else 21)   # stuff count, CRC
 *       n = stuffed(b, False) + 1 + crc // 4 + crc  # fixed stuff bits
 *       return (arb + 12, n - arb + 1) if brs else (n + 13, 0)
 *
 *   inc = [i + 1 for i in range(16)]
 *   print(frame(0x123, False, inc[:8]))                      # classic
 *   print(frame(0x123, False, inc[:8], True))                # FD, no BRS
 *   print(frame(0x123, False, inc, True, True))              # CRC-17
 *   print(frame(0x1abcdef0, True, [(7 * i + 3) & 0xff
 *                                  for i in range(64)], True, True))
 *   print(frame(0x555, False, [0x55, 0x1f], True, True))     # tail
 *   print(frame(0x000, False, [0] * 64, True, True))         # zeros
 *   print(frame(0x123, False, [0x07] + [0x87] * 63, True, True))
 *   inc64 = [i + 1 for i in range(64)]
 *   print(frame(0x123, False, inc64, True, True, True))      # ESI
 *   print(frame(0x123, False, inc64, True, True))
 *
 * The 13 bits added at the end are CRC delimiter, ACK slot, ACK
 * delimiter, EOF (7) and the interframe space (3), all nominal, but with
 * BRS the CRC delimiter is one of the data bits.  It prints (119, 0) (the
 * classic frame of can-sja1000-test and of
 * tests/guest/scenarios/timing-wire-rate.sh), (134, 0), (29, 173),
 * (50, 568), (29, 49), (31, 652), (29, 677), (29, 575), (29, 574).  In
 * the "tail" frame the data ends with five recessive bits: a dynamic
 * stuff bit there would make 50 data bits.  In the "cascade" one every
 * 4th bit is a stuff bit once the first run of five starts, because each
 * stuff bit begins the next run: without that rule it would be 551 data
 * bits.  The last two differ in ESI alone: set, it makes a run of six
 * recessive bits with BRS and the DLC (15), so one stuff bit more.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "qobject/qdict.h"
#include "can-ctucan-qtest.h"
#include "can-sja1000-qtest.h"

/* The CTU CAN FD PCI board: both cores in BAR1, 0x4000 bytes apart */
#define CTUCAN_SLOT             4
#define CTUCAN_CORES_BAR        1
#define CTUCAN_CORE_SPAN        0x4000
#define TX_CORE                 0
#define RX_CORE                 1

/* A Kvaser PCIcan beside it: SJA1000 channel 0 at the start of BAR1 */
#define KVASER_SLOT             5
#define KVASER_SJA_BAR          1

#define NS_PER_S                1000000000ull

typedef struct Rig {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar;
    uint64_t busy_ns;       /* the bus's busy-ns after the last check */
} Rig;

/* The rates of a timed bus; data_bitrate 0 leaves it unset */
typedef struct BusRates {
    uint32_t bitrate;
    uint32_t data_bitrate;
} BusRates;

/* A frame as the CTU registers describe it */
typedef struct Frame {
    uint32_t id;            /* 11 or 29 bits */
    bool ext;
    bool fdf;
    bool brs;
    bool esi;
    uint8_t len;            /* payload bytes; a valid (FD) length */
    uint8_t (*byte)(unsigned i);    /* payload byte i */
} Frame;

/* A frame with its bit counts from the script above */
typedef struct TimedCase {
    const char *name;
    BusRates rates;
    Frame frame;
    unsigned nominal_bits;
    unsigned data_bits;
} TimedCase;

static uint8_t byte_count(unsigned i)
{
    return i + 1;
}

static uint8_t byte_step7(unsigned i)
{
    return 7 * i + 3;
}

/* 0x55 then 0x1f: the data ends with five recessive bits */
static uint8_t byte_ends_recessive(unsigned i)
{
    return i ? 0x1f : 0x55;
}

static uint8_t byte_zero(unsigned i)
{
    return 0;
}

/* Runs of 5 then 4 equal bits: a stuff bit after every 4 data bits */
static uint8_t byte_stuff_cascade(unsigned i)
{
    return i ? 0x87 : 0x07;
}

static uint32_t ctu_read(Rig *r, int core, uint32_t reg)
{
    return qpci_io_readl(r->dev, r->bar, core * CTUCAN_CORE_SPAN + reg);
}

static void ctu_write(Rig *r, int core, uint32_t reg, uint32_t value)
{
    qpci_io_writel(r->dev, r->bar, core * CTUCAN_CORE_SPAN + reg, value);
}

static unsigned rx_frames(Rig *r)
{
    return RX_STATUS_RXFRC(ctu_read(r, RX_CORE, CTU_RX_STATUS));
}

static uint64_t bus_property(Rig *r, const char *name)
{
    QDict *rsp = qtest_qmp(r->qts, "{'execute': 'qom-get', 'arguments': "
                           "{'path': '/objects/b0', 'property': %s}}", name);
    uint64_t value;

    g_assert(qdict_haskey(rsp, "return"));
    value = qdict_get_int(rsp, "return");
    qobject_unref(rsp);
    return value;
}

static char *bus_options(const BusRates *rates)
{
    if (!rates->data_bitrate) {
        return g_strdup_printf("timing=on,bitrate=%u", rates->bitrate);
    }
    return g_strdup_printf("timing=on,bitrate=%u,data-bitrate=%u",
                           rates->bitrate, rates->data_bitrate);
}

/* One CTU board on a timed bus b0, both cores enabled, and @extra */
static void rig_start_with(Rig *r, const BusRates *rates, const char *extra)
{
    g_autofree char *opts = bus_options(rates);
    int core;

    memset(r, 0, sizeof(*r));
    r->qts = qtest_initf("-machine pc -nodefaults -object can-bus,id=b0,%s "
                         "-device ctucan_pci,canbus0=b0,canbus1=b0,addr=0x%x "
                         "%s", opts, CTUCAN_SLOT, extra);
    r->bus = qpci_new_pc(r->qts, NULL);
    r->dev = qpci_device_find(r->bus, QPCI_DEVFN(CTUCAN_SLOT, 0));
    g_assert(r->dev);
    qpci_device_enable(r->dev);
    r->bar = qpci_iomap(r->dev, CTUCAN_CORES_BAR, NULL);
    for (core = 0; core < 2; core++) {
        g_assert_cmphex(ctu_read(r, core, CTU_DEVICE_ID) & 0xffff, ==,
                        CTU_ID);
        ctu_write(r, core, CTU_MODE, MODE_FDE | SETTINGS_ENA);
    }
    /*
     * The model sends the ready buffer of the highest priority and never
     * one of priority 0: buffer 0 first, then 1, 2, 3.
     */
    ctu_write(r, TX_CORE, CTU_TX_PRIORITY, 0x1234);
    r->busy_ns = bus_property(r, "busy-ns");
}

static void rig_start(Rig *r, const BusRates *rates)
{
    rig_start_with(r, rates, "");
}

static void rig_stop(Rig *r)
{
    g_free(r->dev);
    qpci_free_pc(r->bus);
    qtest_quit(r->qts);
}

/* ISO 11898-1 table 5: the DLC of a payload length */
static uint8_t len_to_dlc(uint8_t len)
{
    static const uint8_t dlc_len[16] = {
        0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64
    };
    uint8_t dlc;

    for (dlc = 0; dlc < ARRAY_SIZE(dlc_len); dlc++) {
        if (dlc_len[dlc] == len) {
            return dlc;
        }
    }
    g_assert_not_reached();
}

static uint32_t frame_format_word(const Frame *f)
{
    return len_to_dlc(f->len) | (f->ext ? FFW_IDE : 0) |
           (f->fdf ? FFW_FDF : 0) | (f->brs ? FFW_BRS : 0) |
           (f->esi ? FFW_ESI : 0);
}

static uint32_t identifier_word(const Frame *f)
{
    return f->ext ? f->id : f->id << IDW_BASE_SHIFT;
}

static unsigned data_words(const Frame *f)
{
    return DIV_ROUND_UP(f->len, 4);
}

static uint32_t data_word(const Frame *f, unsigned w)
{
    uint32_t value = 0;
    unsigned i;

    /* byte 4w in bits 7..0 */
    for (i = 0; i < 4 && 4 * w + i < f->len; i++) {
        value |= (uint32_t)f->byte(4 * w + i) << (8 * i);
    }
    return value;
}

/* Fill TX buffer @n of the sending core as a driver does */
static void load_tx_buffer(Rig *r, unsigned n, const Frame *f)
{
    uint32_t base = CTU_TXTB(n);
    unsigned w, words = data_words(f);
    uint32_t rwcnt = FRAME_HEADER_WORDS - 1 + words;

    ctu_write(r, TX_CORE, base, frame_format_word(f) | rwcnt << 11);
    ctu_write(r, TX_CORE, base + 4, identifier_word(f));
    ctu_write(r, TX_CORE, base + 8, 0);
    ctu_write(r, TX_CORE, base + 12, 0);
    for (w = 0; w < words; w++) {
        ctu_write(r, TX_CORE, base + 4 * (FRAME_HEADER_WORDS + w),
                  data_word(f, w));
    }
}

/* Read the oldest frame of the receiving core and compare it with @f */
static void assert_rx_frame(Rig *r, const Frame *f)
{
    uint32_t ffw = ctu_read(r, RX_CORE, CTU_RX_DATA);
    unsigned w, words = data_words(f);

    g_assert_cmphex(ffw & FFW_FLAGS, ==,
                    frame_format_word(f) & FFW_FLAGS);
    g_assert_cmpuint(FFW_DLC(ffw), ==, len_to_dlc(f->len));
    g_assert_cmpuint(FFW_RWCNT(ffw), ==, FRAME_HEADER_WORDS - 1 + words);
    g_assert_cmphex(ctu_read(r, RX_CORE, CTU_RX_DATA), ==,
                    identifier_word(f));
    ctu_read(r, RX_CORE, CTU_RX_DATA);      /* timestamp, not modelled */
    ctu_read(r, RX_CORE, CTU_RX_DATA);
    for (w = 0; w < words; w++) {
        g_assert_cmphex(ctu_read(r, RX_CORE, CTU_RX_DATA), ==,
                        data_word(f, w));
    }
}

/* ISO 11898-1 bits to ns: each phase rounded down on its own */
static int64_t frame_ns(const BusRates *rates, unsigned nominal_bits,
                        unsigned data_bits)
{
    uint32_t data_rate = rates->data_bitrate ?: rates->bitrate;

    return nominal_bits * NS_PER_S / rates->bitrate +
           data_bits * NS_PER_S / data_rate;
}

/*
 * Queue @n frames in TX buffers 0..n-1 with one TX_COMMAND on an idle bus:
 * frame k must reach the receiving core exactly at @end_ns[k] after it,
 * not 1 ns sooner.  The bus's busy-ns must grow by the last end time, so
 * that a failure also shows the wire time the bus gave.
 */
static void assert_arrivals(Rig *r, const Frame *frames, unsigned n,
                            const int64_t *end_ns)
{
    uint32_t cmd = TX_COMMAND_TXCR;
    int64_t now = 0;
    unsigned k;

    g_assert_cmpuint(rx_frames(r), ==, 0);
    for (k = 0; k < n; k++) {
        load_tx_buffer(r, k, &frames[k]);
        cmd |= TX_COMMAND_TXB(k);
    }
    ctu_write(r, TX_CORE, CTU_TX_COMMAND, cmd);
    for (k = 0; k < n; k++) {
        qtest_clock_step(r->qts, end_ns[k] - 1 - now);
        if (rx_frames(r) != k) {
            g_test_message("frame %u: %u frames received %" PRId64
                           " ns after TX_COMMAND, expected %u", k,
                           rx_frames(r), end_ns[k] - 1, k);
        }
        g_assert_cmpuint(rx_frames(r), ==, k);
        qtest_clock_step(r->qts, 1);
        now = end_ns[k];
        if (rx_frames(r) != k + 1) {
            g_test_message("frame %u: %u frames received %" PRId64
                           " ns after TX_COMMAND, expected %u", k,
                           rx_frames(r), now, k + 1);
        }
        g_assert_cmpuint(rx_frames(r), ==, k + 1);
    }
    g_assert_cmpint(bus_property(r, "busy-ns") - r->busy_ns, ==, end_ns[n - 1]);
    r->busy_ns = bus_property(r, "busy-ns");
    if (rx_frames(r) == n) {
        for (k = 0; k < n; k++) {
            assert_rx_frame(r, &frames[k]);
        }
        g_assert_cmpuint(rx_frames(r), ==, 0);
    }
}

#define RATES_500K_2M   { .bitrate = 500000, .data_bitrate = 2000000 }
#define RATES_500K      { .bitrate = 500000 }

static const TimedCase timed_cases[] = {
    {
        /* the bus's bitrate, not the 1 Mbit/s of an unknown sender */
        "classic-8-bytes-at-bitrate", RATES_500K,
        { .id = 0x123, .len = 8, .byte = byte_count },
        119, 0,
    }, {
        /* a classic frame ignores data-bitrate */
        "classic-8-bytes-ignores-data-bitrate", RATES_500K_2M,
        { .id = 0x123, .len = 8, .byte = byte_count },
        119, 0,
    }, {
        "fd-8-bytes-no-brs", RATES_500K_2M,
        { .id = 0x123, .fdf = true, .len = 8, .byte = byte_count },
        134, 0,
    }, {
        "fd-brs-16-bytes-crc17", RATES_500K_2M,
        { .id = 0x123, .fdf = true, .brs = true, .len = 16,
          .byte = byte_count },
        29, 173,
    }, {
        "fd-brs-extended-64-bytes-crc21", RATES_500K_2M,
        { .id = 0x1abcdef0, .ext = true, .fdf = true, .brs = true,
          .len = 64, .byte = byte_step7 },
        50, 568,
    }, {
        "fd-brs-no-dynamic-stuff-bit-after-data", RATES_500K_2M,
        { .id = 0x555, .fdf = true, .brs = true, .len = 2,
          .byte = byte_ends_recessive },
        29, 49,
    }, {
        "fd-brs-stuff-bits-zeros", RATES_500K_2M,
        { .id = 0x000, .fdf = true, .brs = true, .len = 64,
          .byte = byte_zero },
        31, 652,
    }, {
        "fd-brs-stuff-bits-start-the-next-run", RATES_500K_2M,
        { .id = 0x123, .fdf = true, .brs = true, .len = 64,
          .byte = byte_stuff_cascade },
        29, 677,
    }, {
        /* ESI recessive, after BRS and before DLC 15: a stuff bit more */
        "fd-brs-esi-stuff-bit", RATES_500K_2M,
        { .id = 0x123, .fdf = true, .brs = true, .esi = true, .len = 64,
          .byte = byte_count },
        29, 575,
    }, {
        "fd-brs-no-esi", RATES_500K_2M,
        { .id = 0x123, .fdf = true, .brs = true, .len = 64,
          .byte = byte_count },
        29, 574,
    }, {
        /* without data-bitrate the data phase stays at the bitrate */
        "fd-brs-without-data-bitrate", RATES_500K,
        { .id = 0x123, .fdf = true, .brs = true, .len = 16,
          .byte = byte_count },
        29, 173,
    },
};

static void test_frame_time(const void *data)
{
    const TimedCase *c = data;
    int64_t end = frame_ns(&c->rates, c->nominal_bits, c->data_bits);
    Rig r;

    rig_start(&r, &c->rates);
    assert_arrivals(&r, &c->frame, 1, &end);
    rig_stop(&r);
}

/*
 * Two frames queued together: the second takes the wire when the first
 * (its interframe space included) has left it, and arrives one frame time
 * of its own later.  1 Mbit/s and 4 Mbit/s: 1000 and 250 ns a bit.
 */
static void test_back_to_back(void)
{
    static const BusRates rates = { .bitrate = 1000000,
                                    .data_bitrate = 4000000 };
    static const Frame frames[] = {
        { .id = 0x123, .fdf = true, .brs = true, .len = 16,
          .byte = byte_count },
        { .id = 0x123, .len = 8, .byte = byte_count },
    };
    int64_t end[2];
    Rig r;

    end[0] = frame_ns(&rates, 29, 173);         /* 72250 ns */
    end[1] = end[0] + frame_ns(&rates, 119, 0); /* + 119000 ns */
    rig_start(&r, &rates);
    /* an idle gap first: the bus starts from rest, not from time 0 */
    qtest_clock_step(r.qts, 100000);
    assert_arrivals(&r, frames, 2, end);
    rig_stop(&r);
}

/*
 * What Debian's tshark reads from capture @file: the @fields (-e) of the
 * records that match @filter (-Y), one line a record; NULL, the test
 * skipped, without tshark.
 */
static char *tshark_read(const char *file, const char *filter,
                         const char *const *fields)
{
    g_autofree char *tshark = g_find_program_in_path("tshark");
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    char *out = NULL;
    int status;

    if (!tshark) {
        g_test_skip("tshark is not installed");
        return NULL;
    }
    g_ptr_array_add(argv, tshark);
    g_ptr_array_add(argv, (char *)"-r");
    g_ptr_array_add(argv, (char *)file);
    g_ptr_array_add(argv, (char *)"-Y");
    g_ptr_array_add(argv, (char *)filter);
    g_ptr_array_add(argv, (char *)"-T");
    g_ptr_array_add(argv, (char *)"fields");
    g_ptr_array_add(argv, (char *)"-E");
    g_ptr_array_add(argv, (char *)"separator= ");
    for (; *fields; fields++) {
        g_ptr_array_add(argv, (char *)"-e");
        g_ptr_array_add(argv, (char *)*fields);
    }
    g_ptr_array_add(argv, NULL);
    g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL,
                               G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                               NULL, &status, NULL));
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_test_message("tshark -Y '%s':", filter);
    g_test_message("%s", out);
    return out;
}

/* A capture file in a new temporary folder, and its removal */
static char *capture_file(void)
{
    g_autofree char *dir = g_dir_make_tmp("can-fd-timing-XXXXXX", NULL);

    g_assert_nonnull(dir);
    return g_build_filename(dir, "b0.pcapng", NULL);
}

static void capture_remove(const char *file)
{
    g_autofree char *dir = g_path_get_dirname(file);

    unlink(file);
    rmdir(dir);
}

/*
 * A can-capture of the bus, read by Debian's tshark: CAN FD records with
 * their BRS and ESI flags, lengths and data, classic ones without, and
 * timestamps that are the frames' ends, each frame of a back-to-back
 * burst exactly its own wire time after the one before.
 */
static void test_capture_in_tshark(void)
{
    static const BusRates rates = RATES_500K_2M;
    static const Frame frames[] = {
        { .id = 0x123, .fdf = true, .brs = true, .len = 16,
          .byte = byte_count },
        { .id = 0x123, .len = 8, .byte = byte_count },
        { .id = 0x123, .fdf = true, .brs = true, .esi = true, .len = 64,
          .byte = byte_count },
        { .id = 0x123, .fdf = true, .len = 8, .byte = byte_count },
    };
    /* frame k's end, in ns after TX_COMMAND; bit counts as above */
    int64_t end[ARRAY_SIZE(frames)];
    static const char *const fields[] = {
        "frame.time_epoch", "can.id", "can.len", "canfd.flags.brs",
        "canfd.flags.esi", "data.data", NULL
    };
    g_autofree char *file = capture_file();
    g_autofree char *extra = g_strdup_printf("-object can-capture,id=cap0,"
                                             "canbus=b0,file=%s", file);
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;
    unsigned k;
    Rig r;

    end[0] = frame_ns(&rates, 29, 173);
    end[1] = end[0] + frame_ns(&rates, 119, 0);
    end[2] = end[1] + frame_ns(&rates, 29, 575);
    end[3] = end[2] + frame_ns(&rates, 134, 0);
    rig_start_with(&r, &rates, extra);
    assert_arrivals(&r, frames, ARRAY_SIZE(frames), end);
    rig_stop(&r);
    out = tshark_read(file, "can || canfd", fields);
    capture_remove(file);
    if (!out) {
        return;
    }
    lines = g_strsplit(out, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, ARRAY_SIZE(frames) + 1);
    if (g_strv_length(lines) != ARRAY_SIZE(frames) + 1) {
        return;
    }
    {
        /* id (0x123), length, BRS, ESI, data */
        static const char *want[] = {
            "291 16 1 0 0102030405060708090a0b0c0d0e0f10",
            /* a classic record has no FD flags to show */
            "291 8   0102030405060708",
            "291 64 1 1 0102030405060708090a0b0c0d0e0f10111213141516171819"
            "1a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30313233343536"
            "3738393a3b3c3d3e3f40",
            "291 8 0 0 0102030405060708",
        };
        int64_t prev = 0;

        for (k = 0; k < ARRAY_SIZE(frames); k++) {
            g_auto(GStrv) secs = g_strsplit(lines[k], ".", 2);
            g_autofree char *ns_str = g_strndup(secs[1], 9);
            int64_t ts = g_ascii_strtoll(secs[0], NULL, 10) * NS_PER_S +
                         g_ascii_strtoll(ns_str, NULL, 10);

            g_assert_cmpstr(strchr(lines[k], ' ') + 1, ==, want[k]);
            if (k) {
                g_assert_cmpint(ts - prev, ==, end[k] - end[k - 1]);
            }
            prev = ts;
        }
    }
}

/* How many records of capture @file tshark finds for @filter */
static int capture_count(const char *file, const char *filter)
{
    static const char *const fields[] = { "frame.number", NULL };
    g_autofree char *out = tshark_read(file, filter, fields);
    int n = 0;
    char *p;

    if (!out) {
        return -1;
    }
    for (p = out; (p = strchr(p, '\n')); p++) {
        n++;
    }
    return n;
}

/*
 * What the capture of test_bus_bitrate_mismatch shows, as SocketCAN error
 * frames (linux/can/error.h): each destroyed attempt as a protocol
 * violation, a stuff error in ID bits 28..21 (location 0x02, where the
 * SJA1000 flags it); the SJA1000's warning (REC 96) and passive (REC 128)
 * states as controller problems with its counters; the one frame that
 * got through.  On matched bitrates, the frame alone.
 */
static void assert_capture_errors(const char *file, bool mismatch)
{
    g_autofree char *tshark = g_find_program_in_path("tshark");

    if (!tshark) {
        return;
    }
    g_assert_cmpint(capture_count(file, "can.flags.err == 0"), ==, 1);
    g_assert_cmpint(capture_count(file, "can.err.prot.type.stuff == 1 && "
                                  "can.err.prot.location == 0x02"), ==,
                    mismatch ? 15 : 0);
    g_assert_cmpint(capture_count(file, "can.err.ctrl.rx_warning == 1"), ==,
                    mismatch);
    g_assert_cmpint(capture_count(file, "can.err.ctrl.rx_passive == 1"), ==,
                    mismatch);
    g_assert_cmpint(capture_count(file, "can.flags.err == 1"), ==,
                    mismatch ? 17 : 0);
}

/*
 * A bus bitrate makes the CTU's frames subject to bitrate mismatch.  An
 * SJA1000 on the bus (a Kvaser PCIcan's channel, 16 MHz, BTR1 0x1c:
 * BTR0 0x00 is 500 kbit/s, 0x01 250 kbit/s) programmed for the bus's
 * 500 kbit/s receives the frame like core 1.  At 250 kbit/s it cannot
 * follow it: it flags a stuff error as the first node to see one (REC 9,
 * as docs/system/devices/can.rst says), and while error active its flag
 * destroys the frame for core 1 too.  The bus repeats the frame, as the
 * CTU would on a real bus: 15 attempts take the SJA1000's REC to 135,
 * error passive, and the 16th reaches core 1 (once) while the SJA1000
 * counts 9 more.
 */
static void test_bus_bitrate_mismatch(const void *data)
{
    const bool mismatch = *(const bool *)data;
    const BusRates rates = RATES_500K;
    const Frame f = { .id = 0x123, .len = 8, .byte = byte_count };
    g_autofree char *opts = bus_options(&rates);
    g_autofree char *file = capture_file();
    SJAChan sja = { 0 };
    Rig r;

    memset(&r, 0, sizeof(r));
    r.qts = qtest_initf("-machine pc -nodefaults -object can-bus,id=b0,%s "
                        "-device ctucan_pci,canbus0=b0,canbus1=b0,addr=0x%x "
                        "-device kvaser_pci,canbus=b0,addr=0x%x "
                        "-object can-capture,id=cap0,canbus=b0,file=%s",
                        opts, CTUCAN_SLOT, KVASER_SLOT, file);
    r.bus = qpci_new_pc(r.qts, NULL);
    r.dev = qpci_device_find(r.bus, QPCI_DEVFN(CTUCAN_SLOT, 0));
    sja.dev = qpci_device_find(r.bus, QPCI_DEVFN(KVASER_SLOT, 0));
    g_assert(r.dev && sja.dev);
    qpci_device_enable(r.dev);
    qpci_device_enable(sja.dev);
    r.bar = qpci_iomap(r.dev, CTUCAN_CORES_BAR, NULL);
    sja.bar = qpci_iomap(sja.dev, KVASER_SJA_BAR, NULL);
    ctu_write(&r, TX_CORE, CTU_MODE, MODE_FDE | SETTINGS_ENA);
    ctu_write(&r, RX_CORE, CTU_MODE, MODE_FDE | SETTINGS_ENA);
    ctu_write(&r, TX_CORE, CTU_TX_PRIORITY, 0x1234);

    sja_pelican_setup(&sja, 0, 0);
    if (mismatch) {
        sja_wr(&sja, A_MOD, R_MOD_RM_MASK);
        sja_wr(&sja, A_BTR0, 0x01);
        sja_wr(&sja, A_MOD, 0);
    }

    load_tx_buffer(&r, 0, &f);
    ctu_write(&r, TX_CORE, CTU_TX_COMMAND,
              TX_COMMAND_TXCR | TX_COMMAND_TXB(0));
    qtest_clock_step(r.qts, frame_ns(&rates, 119, 0));
    if (mismatch) {
        g_assert_cmpuint(rx_frames(&r), ==, 0);
        g_assert_cmpuint(sja_rd(&sja, A_RMC), ==, 0);
        g_assert_cmpuint(sja_rd(&sja, A_RXERR), ==, 9);
        /* 16 frames and their error frames take far less than 100 ms */
        qtest_clock_step(r.qts, 100 * 1000 * 1000);
        g_assert_cmpuint(rx_frames(&r), ==, 1);
        assert_rx_frame(&r, &f);
        g_assert_cmpuint(rx_frames(&r), ==, 0);
        g_assert_cmpuint(sja_rd(&sja, A_RMC), ==, 0);
        g_assert_cmpuint(sja_rd(&sja, A_RXERR), ==, 144);
        g_assert_cmpuint(bus_property(&r, "error-frames"), ==, 15);
    } else {
        g_assert_cmpuint(rx_frames(&r), ==, 1);
        assert_rx_frame(&r, &f);
        g_assert_cmpuint(sja_rd(&sja, A_RMC), ==, 1);
        g_assert_cmpuint(sja_rd(&sja, A_RXERR), ==, 0);
    }
    g_free(sja.dev);
    rig_stop(&r);
    assert_capture_errors(file, mismatch);
    capture_remove(file);
}

/* The limits themselves are valid, and set once for all */
static void test_limits_accepted(void)
{
    static const BusRates limits[] = {
        { .bitrate = 1, .data_bitrate = 1 },
        { .bitrate = 1000000, .data_bitrate = 16000000 },
    };
    QDict *rsp;
    Rig r;
    int i;

    for (i = 0; i < ARRAY_SIZE(limits); i++) {
        rig_start(&r, &limits[i]);
        g_assert_cmpuint(bus_property(&r, "bitrate"), ==,
                         limits[i].bitrate);
        g_assert_cmpuint(bus_property(&r, "data-bitrate"), ==,
                         limits[i].data_bitrate);
        rsp = qtest_qmp(r.qts, "{'execute': 'qom-set', 'arguments': "
                        "{'path': '/objects/b0', 'property': 'bitrate', "
                        "'value': 250000}}");
        g_assert(qdict_haskey(rsp, "error"));
        qobject_unref(rsp);
        rsp = qtest_qmp(r.qts, "{'execute': 'qom-set', 'arguments': "
                        "{'path': '/objects/b0', 'property': "
                        "'data-bitrate', 'value': 2000000}}");
        g_assert(qdict_haskey(rsp, "error"));
        qobject_unref(rsp);
        g_assert_cmpuint(bus_property(&r, "bitrate"), ==,
                         limits[i].bitrate);
        g_assert_cmpuint(bus_property(&r, "data-bitrate"), ==,
                         limits[i].data_bitrate);
        rig_stop(&r);
    }
}

typedef struct BadOption {
    const char *name;
    const char *option;     /* appended to -object can-bus,id=b0, */
    const char *property;   /* the message must name it (or what is missing) */
} BadOption;

static const BadOption bad_options[] = {
    { "bitrate-0", "timing=on,bitrate=0", "bitrate" },
    { "bitrate-2000000", "timing=on,bitrate=2000000", "bitrate" },
    { "data-bitrate-0", "timing=on,bitrate=500000,data-bitrate=0",
      "data-bitrate" },
    { "data-bitrate-20000000",
      "timing=on,bitrate=500000,data-bitrate=20000000", "data-bitrate" },
    /* without timing they would do nothing: say so */
    { "bitrate-without-timing", "bitrate=500000", "timing=on" },
    { "data-bitrate-without-timing", "data-bitrate=2000000", "timing=on" },
};

/*
 * QEMU must exit with status 1 and a message naming the property.  QEMU is
 * run directly, since libqtest takes a QEMU that exits at start for a
 * fatal error of the whole test program.  A -device of no such model
 * follows: devices are made after every -object, so a QEMU that wrongly
 * accepts the option exits too, on the device, and the test fails on the
 * message instead of hanging.
 */
static void test_bad_option(const void *data)
{
    const BadOption *bad = data;
    const char *qemu = g_getenv("QTEST_QEMU_BINARY");
    g_autofree char *cmd = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status;

    g_assert(qemu);
    cmd = g_strdup_printf("%s -machine none -nodefaults -display none "
                          "-object can-bus,id=b0,%s "
                          "-device no-such-device-sentinel", qemu,
                          bad->option);
    g_assert_true(g_spawn_command_line_sync(cmd, &out, &err, &status, NULL));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    if (!strstr(err, bad->property) ||
        (!strcmp(bad->property, "bitrate") && strstr(err, "data-bitrate"))) {
        g_test_message("%s: QEMU said \"%s\", which does not name %s",
                       bad->option, g_strchomp(err), bad->property);
        g_test_fail();
    }
}

static const bool mismatch_cases[] = { false, true };

int main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    /* a failing check marks its test failed; the others still run */
    g_test_set_nonfatal_assertions();

    for (i = 0; i < ARRAY_SIZE(timed_cases); i++) {
        g_autofree char *path = g_strdup_printf("/can-fd-timing/frame/%s",
                                                timed_cases[i].name);

        qtest_add_data_func(path, &timed_cases[i], test_frame_time);
    }
    qtest_add_func("/can-fd-timing/back-to-back", test_back_to_back);
    qtest_add_func("/can-fd-timing/capture-in-tshark",
                   test_capture_in_tshark);
    /* a build may have CTU CAN FD without the SJA1000 boards */
    if (qtest_has_device("kvaser_pci")) {
        qtest_add_data_func("/can-fd-timing/bitrate/sja1000-at-bus-bitrate",
                            &mismatch_cases[0], test_bus_bitrate_mismatch);
        qtest_add_data_func("/can-fd-timing/bitrate/sja1000-mismatched",
                            &mismatch_cases[1], test_bus_bitrate_mismatch);
    }
    qtest_add_func("/can-fd-timing/options/limits-accepted",
                   test_limits_accepted);
    for (i = 0; i < ARRAY_SIZE(bad_options); i++) {
        g_autofree char *path =
            g_strdup_printf("/can-fd-timing/options/%s-rejected",
                            bad_options[i].name);

        qtest_add_data_func(path, &bad_options[i], test_bad_option);
    }
    return g_test_run();
}
