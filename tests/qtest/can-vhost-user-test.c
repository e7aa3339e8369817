/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QTest for vhost-user-can-pci with contrib/vhost-device-can behind it,
 * bridging to a vcan interface: the guest's queues driven through libqos,
 * the interface through this program's raw CAN sockets.  Frames both ways,
 * CAN FD decided by the interface's MTU, no echo of the guest's frames,
 * the daemon killed and restarted, the interface down and up, deleted and
 * made again.  tests/hostvm runs it in a Linux VM with vcan; on a host
 * without CAN sockets only the start-up errors are tested.
 */

#include "qemu/osdep.h"
#include "libqos/malloc-pc.h"
#include "can-virtio-pci-qtest.h"
#include "can-socketcan-qtest.h"

#define VUC_SLOT            5
#define VUC_PATH            "/machine/peripheral/vcan0/virtio-backend"
/* How long the daemon may take to come up or to notice a change */
#define SETTLE_US           (5 * G_USEC_PER_SEC)

/* QEMU with vhost-user-can-pci in VUC_SLOT, and the daemon behind it */
typedef struct VRig {
    QTestState *qts;
    QPCIBus *bus;
    QVirtioPCIDevice *pci;
    QGuestAllocator alloc;
    VCan vc;
    GPid daemon;
    char *dir;
    char *sock;
    char *log;
    char *args;
} VRig;

/*
 * The daemon: $VHOST_DEVICE_CAN, else where the build puts it beside the
 * QEMU binary (build/obj), else next to it (tests/hostvm's /qcan/bin)
 */
static char *daemon_binary(void)
{
    const char *env = g_getenv("VHOST_DEVICE_CAN");
    g_autofree char *dir = NULL;
    char *bin;

    if (env) {
        return g_strdup(env);
    }
    dir = g_path_get_dirname(g_getenv("QTEST_QEMU_BINARY"));
    bin = g_build_filename(dir, "contrib", "vhost-device-can",
                           "vhost-device-can", NULL);
    if (g_file_test(bin, G_FILE_TEST_IS_EXECUTABLE)) {
        return bin;
    }
    g_free(bin);
    bin = g_build_filename(dir, "vhost-device-can", NULL);
    if (!g_file_test(bin, G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_message("vhost-device-can is not built beside %s: "
                       "build it or set VHOST_DEVICE_CAN",
                       g_getenv("QTEST_QEMU_BINARY"));
    }
    g_assert_true(g_file_test(bin, G_FILE_TEST_IS_EXECUTABLE));
    return bin;
}

/* Wait for @path to exist, as a daemon's socket does once it listens */
static void wait_for_path(const char *path)
{
    int64_t end = g_get_monotonic_time() + SETTLE_US;

    while (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(10000);
    }
}

/* Start the daemon on socket r->sock; wait for @ready (r->sock if NULL) */
static void daemon_start(VRig *r, const char *ready)
{
    g_autofree char *bin = daemon_binary();
    g_autofree char *cmd = g_strdup_printf("exec %s -s %s %s 2>>%s", bin,
                                           r->sock, r->args, r->log);
    char *argv[] = { (char *)"/bin/sh", (char *)"-c", cmd, NULL };

    g_assert(g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                           NULL, NULL, &r->daemon, NULL));
    wait_for_path(ready ?: r->sock);
}

static void daemon_kill(VRig *r, int sig)
{
    int status;

    kill(r->daemon, sig);
    g_assert_cmpint(waitpid(r->daemon, &status, 0), ==, r->daemon);
    g_spawn_close_pid(r->daemon);
    r->daemon = 0;
    if (sig == SIGKILL) {
        /* it had no chance to remove its socket */
        unlink(r->sock);
    }
}

static unsigned log_count(VRig *r, const char *what)
{
    g_autofree char *text = NULL;
    unsigned n = 0;
    const char *p;

    if (!g_file_get_contents(r->log, &text, NULL, NULL)) {
        return 0;
    }
    for (p = text; (p = strstr(p, what)); p++) {
        n++;
    }
    return n;
}

/* A counter of the daemon's, as SIGUSR1 makes it print them */
static uint64_t daemon_counter(VRig *r, const char *name)
{
    unsigned before = log_count(r, "stats socket=");
    int64_t end = g_get_monotonic_time() + SETTLE_US;
    g_autofree char *text = NULL;
    g_autofree char *key = g_strdup_printf(" %s=", name);
    const char *line, *p;

    kill(r->daemon, SIGUSR1);
    while (log_count(r, "stats socket=") == before) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(10000);
    }
    g_assert(g_file_get_contents(r->log, &text, NULL, NULL));
    line = g_strrstr(text, "stats socket=");
    p = strstr(line, key);
    g_assert(p);
    return g_ascii_strtoull(p + strlen(key), NULL, 10);
}

/* Wait until the daemon's log says @what @n times */
static void daemon_wait_log(VRig *r, const char *what, unsigned n)
{
    int64_t end = g_get_monotonic_time() + SETTLE_US;

    while (log_count(r, what) < n) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(10000);
    }
}

/*
 * The daemon on @args, then QEMU with the device on it, the guest's
 * memory shared with the daemon as vhost-user needs (the example of
 * docs/system/devices/can.rst, "vhost-user-can and vhost-device-can"),
 * the driver started with the features the device offers among @features
 */
static VCan *vrig_start(VRig *r, const char *args, uint64_t features)
{
    r->dir = g_dir_make_tmp("can-vhost-user-XXXXXX", NULL);
    g_assert(r->dir);
    r->sock = g_build_filename(r->dir, "vcan.sock", NULL);
    r->log = g_build_filename(r->dir, "daemon.log", NULL);
    r->args = g_strdup(args);
    daemon_start(r, NULL);
    r->qts = qtest_initf("-nodefaults -machine pc,memory-backend=mem -m 256M "
                         "-object memory-backend-memfd,id=mem,size=256M,"
                         "share=on "
                         "-chardev socket,id=chr0,path=%s,reconnect-ms=100 "
                         "-device vhost-user-can-pci,addr=0x%x,id=vcan0,"
                         "chardev=chr0", r->sock, VUC_SLOT);
    r->bus = qpci_new_pc(r->qts, NULL);
    pc_alloc_init(&r->alloc, r->qts, ALLOC_NO_FLAGS);
    r->pci = vcan_pci_find(&r->vc, r->bus, &r->alloc, VUC_SLOT);
    vcan_negotiate(&r->vc, qvirtio_get_features(r->vc.vdev) & features);
    g_assert_cmpuint(vcan_control(&r->vc, VIRTIO_CAN_SET_CTRL_MODE_START),
                     ==, VIRTIO_CAN_RESULT_OK);
    return &r->vc;
}

static void vrig_stop(VRig *r)
{
    vcan_cleanup(&r->vc);
    vcan_pci_release(&r->pci);
    alloc_destroy(&r->alloc);
    qpci_free_pc(r->bus);
    qtest_quit(r->qts);
    if (r->daemon) {
        daemon_kill(r, SIGTERM);
    }
    unlink(r->log);
    rmdir(r->dir);
    g_free(r->dir);
    g_free(r->sock);
    g_free(r->log);
    g_free(r->args);
}

static uint64_t vuc_connections(VRig *r)
{
    QDict *rsp = qtest_qmp(r->qts, "{ 'execute': 'qom-get', 'arguments': "
                           "{ 'path': %s, 'property': 'connections' } }",
                           VUC_PATH);
    uint64_t value;

    g_assert(qdict_haskey(rsp, "return"));
    value = qdict_get_int(rsp, "return");
    qobject_unref(rsp);
    return value;
}

/* The guest's frame @m must leave on the host socket @fd as @want */
static void guest_sends(VCan *v, int fd, const VMsg *m,
                        const struct canfd_frame *want, bool fd_frame)
{
    struct canfd_frame got;

    g_assert_cmpuint(vcan_tx(v, m), ==, VIRTIO_CAN_RESULT_OK);
    assert_frame_eq(&got, sock_recv(fd, &got), want, fd_frame);
}

/* The host's frame @f must reach the guest as @want */
static void host_sends(VCan *v, int fd, const struct canfd_frame *f,
                       bool fd_frame, const VMsg *want)
{
    uint64_t addr;
    uint32_t head = vcan_rx_post(v, 1, &addr);
    VMsg got;

    sock_send(fd, f, fd_frame);
    vcan_rx(v, head, addr, &got);
    g_assert_cmphex(got.flags, ==, want->flags);
    g_assert_cmphex(got.can_id, ==, want->can_id);
    g_assert_cmpuint(got.length, ==, want->length);
    if (!(want->flags & VIRTIO_CAN_FLAGS_RTR)) {
        g_assert_cmpmem(got.data, got.length, want->data, want->length);
    }
}

/* A classic frame of @len bytes 0x10.. on the host side */
static struct canfd_frame host_frame(canid_t id, uint8_t len)
{
    struct canfd_frame f = { .can_id = id, .len = len };
    unsigned i;

    for (i = 0; i < len; i++) {
        f.data[i] = 0x10 + i;
    }
    return f;
}

/*
 * Start-up without a backend: errors that say what is missing
 */

static void assert_qemu_refuses(const char *args, const char *message)
{
    g_autofree char *cmd = g_strdup_printf("%s -machine pc -nodefaults "
                                           "-display none %s",
                                           g_getenv("QTEST_QEMU_BINARY"),
                                           args);
    g_autofree char *err = NULL;
    g_auto(GStrv) argv = NULL;
    int status;

    g_assert(g_shell_parse_argv(cmd, NULL, &argv, NULL));
    g_assert(g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                          NULL, NULL, &err, &status, NULL));
    g_assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (!strstr(err, message)) {
        g_test_message("stderr: %s", err);
    }
    g_assert_nonnull(strstr(err, message));
}

static void test_no_backend(void)
{
    g_autofree char *dir = g_dir_make_tmp("can-vhost-user-XXXXXX", NULL);
    g_autofree char *sock = g_build_filename(dir, "none.sock", NULL);
    g_autofree char *chr = g_strdup_printf("-chardev socket,id=c0,path=%s",
                                           sock);
    g_autofree char *a = NULL;

    /* the chardev itself says that nobody listens */
    a = g_strdup_printf("%s -device vhost-user-can-pci,chardev=c0", chr);
    assert_qemu_refuses(a, "Failed to connect to");
    g_free(a);
    /* with reconnect-ms, the device would wait: not for a missing socket */
    a = g_strdup_printf("%s,reconnect-ms=1000 "
                        "-device vhost-user-can-pci,chardev=c0", chr);
    assert_qemu_refuses(a, "(chardev 'c0'): start vhost-device-can -s");
    assert_qemu_refuses("-device vhost-user-can-pci",
                        "vhost-user-can needs chardev=ID");
    rmdir(dir);
}

/* The daemon run with @args to its end: its exit status and stderr */
static int daemon_run(const char *args, char **err)
{
    g_autofree char *bin = daemon_binary();
    g_autofree char *cmd = g_strdup_printf("%s %s", bin, args);
    g_auto(GStrv) argv = NULL;
    int status;

    g_assert(g_shell_parse_argv(cmd, NULL, &argv, NULL));
    g_assert(g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                          NULL, NULL, err, &status, NULL));
    g_assert(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void assert_daemon_refuses(const char *args, const char *message)
{
    g_autofree char *err = NULL;

    g_assert_cmpint(daemon_run(args, &err), ==, 1);
    if (!strstr(err, message)) {
        g_test_message("stderr: %s", err);
    }
    g_assert_nonnull(strstr(err, message));
}

/* What the daemon says of bad options and interfaces, and -d's sockets */
static void test_daemon_options(void)
{
    g_autofree char *dir = g_dir_make_tmp("can-vhost-user-XXXXXX", NULL);
    g_autofree char *sock = g_build_filename(dir, "vcan.sock", NULL);
    g_autofree char *a = NULL;
    VRig r = { .dir = dir, .log = g_build_filename(dir, "log", NULL) };

    assert_daemon_refuses("-i vcan0 -o vcan0", "-s/--socket-path is needed");
    assert_daemon_refuses("-s x", "name the interfaces: -i IF -o IF");
    assert_daemon_refuses("-s x -c 2 -d vcan0",
                          "-c must be the number of interfaces of -d");
    if (can_sockets_missing()) {
        assert_daemon_refuses("-s x -d vcan0", "cannot open a CAN socket");
        g_free(r.log);
        rmdir(dir);
        return;
    }
    assert_daemon_refuses("-s x -d can9", "vhost-device-can: no interface "
                          "'can9' on the host");
    assert_daemon_refuses("-s x -i lo -o lo", "'lo' is not a CAN interface");
    if (!have_interfaces("vcan0", "vcan1", NULL)) {
        g_free(r.log);
        rmdir(dir);
        return;
    }
    /* the example of docs/system/devices/can.rst: one socket per device */
    r.sock = g_strdup(sock);
    r.args = g_strdup("-d \"vcan0 vcan1\"");
    a = g_strdup_printf("%s0", sock);
    daemon_start(&r, a);
    g_free(a);
    a = g_strdup_printf("%s1", sock);
    wait_for_path(a);
    g_assert_false(g_file_test(sock, G_FILE_TEST_EXISTS));
    daemon_kill(&r, SIGTERM);
    /* it leaves no socket behind, and told its counters */
    g_assert_false(g_file_test(a, G_FILE_TEST_EXISTS));
    g_assert_cmpuint(log_count(&r, "stats socket="), ==, 2);
    unlink(r.log);
    g_free(r.log);
    g_free(r.sock);
    g_free(r.args);
    rmdir(dir);
}

/*
 * With the daemon, on vcan
 */

static void test_frames_both_ways(void)
{
    static const struct { uint32_t flags, id; uint16_t len; } kinds[] = {
        { 0, 0x123, 8 },
        { VIRTIO_CAN_FLAGS_EXTENDED, 0x1abcdef0, 5 },
        { VIRTIO_CAN_FLAGS_RTR, 0x7ff, 3 },
        { VIRTIO_CAN_FLAGS_EXTENDED | VIRTIO_CAN_FLAGS_RTR, 0x1, 0 },
        { 0, 0x000, 0 },
    };
    VRig r = { 0 };
    VCan *v;
    int fd;
    unsigned i;

    if (!have_interfaces("vcan0", NULL)) {
        return;
    }
    fd = sock_open("vcan0");
    v = vrig_start(&r, "-i vcan0 -o vcan0", F_ALL);
    /* the config space comes from the daemon: status, BUSOFF clear */
    g_assert_cmphex(vcan_status(v), ==, 0);
    for (i = 0; i < ARRAY_SIZE(kinds); i++) {
        VMsg m = tx_msg(kinds[i].flags, kinds[i].id, kinds[i].len);
        canid_t id = kinds[i].id |
            (kinds[i].flags & VIRTIO_CAN_FLAGS_EXTENDED ? CAN_EFF_FLAG : 0) |
            (kinds[i].flags & VIRTIO_CAN_FLAGS_RTR ? CAN_RTR_FLAG : 0);
        struct canfd_frame f = host_frame(id, kinds[i].len);

        m.msg_type = VIRTIO_CAN_TX;
        guest_sends(v, fd, &m, &f, false);
        m.msg_type = VIRTIO_CAN_RX;
        host_sends(v, fd, &f, false, &m);
    }
    g_assert_cmpuint(daemon_counter(&r, "tx"), ==, ARRAY_SIZE(kinds));
    g_assert_cmpuint(daemon_counter(&r, "rx"), ==, ARRAY_SIZE(kinds));
    vrig_stop(&r);
    close(fd);
}

/* CAN FD on an interface whose MTU carries it, not on one whose MTU does not */
static void test_fd_by_mtu(void)
{
    VRig r = { 0 };
    VMsg m = tx_msg(VIRTIO_CAN_FLAGS_FD | VIRTIO_CAN_FLAGS_EXTENDED,
                    0x1234567, 64);
    struct canfd_frame f = host_frame(0x1234567 | CAN_EFF_FLAG, 64);
    VCan *v;
    int fd;

    if (!have_interfaces("vcan0", "vcan2", NULL)) {
        return;
    }
    f.flags = CANFD_FDF;
    fd = sock_open("vcan0");
    v = vrig_start(&r, "-i vcan0 -o vcan0", F_ALL);
    g_assert_true(v->vdev->features & BIT_ULL(VIRTIO_CAN_F_CAN_FD));
    guest_sends(v, fd, &m, &f, true);
    m.msg_type = VIRTIO_CAN_RX;
    host_sends(v, fd, &f, true, &m);
    vrig_stop(&r);
    close(fd);

    /* vcan2 has the classic MTU (16): FD is not offered, FD frames refused */
    v = vrig_start(&r, "-d vcan2", F_ALL);
    g_assert_false(v->vdev->features & BIT_ULL(VIRTIO_CAN_F_CAN_FD));
    m.msg_type = VIRTIO_CAN_TX;
    g_assert_cmpuint(vcan_tx(v, &m), ==, VIRTIO_CAN_RESULT_NOT_OK);
    g_assert_cmpuint(daemon_counter(&r, "tx-rejected"), ==, 1);
    vrig_stop(&r);
}

/* The guest's own frames never come back to it; others' do, in order */
static void test_no_echo(void)
{
    VRig r = { 0 };
    struct canfd_frame got, sentinel = host_frame(0x55, 1);
    uint64_t addr[2];
    uint32_t head;
    VMsg m;
    VCan *v;
    int fd, i;

    if (!have_interfaces("vcan0", NULL)) {
        return;
    }
    fd = sock_open("vcan0");
    v = vrig_start(&r, "-i vcan0 -o vcan0", F_ALL);
    head = vcan_rx_post(v, 2, addr);
    for (i = 0; i < 8; i++) {
        m = tx_msg(0, 0x100 + i, 2);
        g_assert_cmpuint(vcan_tx(v, &m), ==, VIRTIO_CAN_RESULT_OK);
        g_assert_cmpint(sock_recv(fd, &got), ==, CAN_MTU);
    }
    /* after the guest's frames on the wire: the first the guest receives */
    sock_send(fd, &sentinel, false);
    vcan_rx(v, head, addr[0], &m);
    g_assert_cmphex(m.can_id, ==, 0x55);
    g_assert_cmpuint(daemon_counter(&r, "rx"), ==, 1);
    g_assert_cmpuint(daemon_counter(&r, "rx-own"), ==, 0);
    vrig_stop(&r);
    close(fd);
}

/* The daemon killed and started again: the device carries on with it */
static void test_daemon_restart(void)
{
    VRig r = { 0 };
    struct canfd_frame f = host_frame(0x321, 4);
    int64_t end;
    VMsg m = tx_msg(0, 0x321, 4);
    VCan *v;
    int fd;

    if (!have_interfaces("vcan0", NULL)) {
        return;
    }
    fd = sock_open("vcan0");
    v = vrig_start(&r, "-i vcan0 -o vcan0", F_ALL);
    g_assert_cmpuint(vuc_connections(&r), ==, 1);
    daemon_kill(&r, SIGKILL);
    daemon_start(&r, NULL);
    end = g_get_monotonic_time() + SETTLE_US;
    while (vuc_connections(&r) < 2) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(10000);
    }
    /* the guest does nothing: it said START to the first daemon */
    guest_sends(v, fd, &m, &f, false);
    m.msg_type = VIRTIO_CAN_RX;
    host_sends(v, fd, &f, false, &m);
    vrig_stop(&r);
    close(fd);
}

/* Down: the guest's frames fail and are counted; up: they go again */
static void test_link_down_up(void)
{
    VRig r = { 0 };
    struct canfd_frame f = host_frame(0x42, 1);
    VMsg m = tx_msg(0, 0x42, 1);
    VCan *v;
    int fd;

    if (!have_interfaces("vcan1", NULL)) {
        return;
    }
    fd = sock_open("vcan1");
    v = vrig_start(&r, "-i vcan1 -o vcan1", F_ALL);
    set_link("vcan1", false);
    daemon_wait_log(&r, "vcan1 is down", 1);
    g_assert_cmpuint(vcan_tx(v, &m), ==, VIRTIO_CAN_RESULT_NOT_OK);
    g_assert_cmpuint(daemon_counter(&r, "tx-failed"), ==, 1);
    set_link("vcan1", true);
    guest_sends(v, fd, &m, &f, false);
    g_assert_cmpuint(daemon_counter(&r, "if-down"), ==, 1);
    vrig_stop(&r);
    close(fd);
}

static void ip(const char *args)
{
    g_autofree char *cmd = g_strdup_printf("/sbin/ip %s", args);
    int status;

    g_assert(g_spawn_command_line_sync(cmd, NULL, NULL, &status, NULL));
    g_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Deleted and made again: the daemon finds the new interface by name */
static void test_link_recreated(void)
{
    VRig r = { 0 };
    struct canfd_frame f = host_frame(0x77, 2);
    VMsg m = tx_msg(0, 0x77, 2);
    VCan *v;
    int fd;

    if (!have_interfaces("vcan1", NULL)) {
        return;
    }
    v = vrig_start(&r, "-i vcan1 -o vcan1", F_ALL);
    ip("link del vcan1");
    daemon_wait_log(&r, "vcan1 is gone", 1);
    g_assert_cmpuint(vcan_tx(v, &m), ==, VIRTIO_CAN_RESULT_NOT_OK);
    ip("link add vcan1 type vcan");
    ip("link set vcan1 up");
    daemon_wait_log(&r, "vcan1 is back", 1);
    fd = sock_open("vcan1");
    guest_sends(v, fd, &m, &f, false);
    m.msg_type = VIRTIO_CAN_RX;
    host_sends(v, fd, &f, false, &m);
    g_assert_cmpuint(daemon_counter(&r, "if-gone"), ==, 1);
    g_assert_cmpuint(daemon_counter(&r, "if-back"), ==, 1);
    g_assert_cmpuint(daemon_counter(&r, "tx-failed"), ==, 1);
    vrig_stop(&r);
    close(fd);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/can-vhost-user/no-backend", test_no_backend);
    qtest_add_func("/can-vhost-user/daemon-options", test_daemon_options);
    qtest_add_func("/can-vhost-user/frames-both-ways", test_frames_both_ways);
    qtest_add_func("/can-vhost-user/fd-by-mtu", test_fd_by_mtu);
    qtest_add_func("/can-vhost-user/no-echo", test_no_echo);
    qtest_add_func("/can-vhost-user/daemon-restart", test_daemon_restart);
    qtest_add_func("/can-vhost-user/link-down-up", test_link_down_up);
    qtest_add_func("/can-vhost-user/link-recreated", test_link_recreated);
    return g_test_run();
}
