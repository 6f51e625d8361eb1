/* tinygen's QEMU TCG plugin: exact guest instruction counts at every call of a marker function.
 *
 * Built for the host by tinygen/profile/plugin.py; loaded as
 *   qemu-system-arm ... -plugin tg_insn_plugin.so,marker=0x<address>,out=<file>
 *
 * Every translation block adds its instruction count to a counter when it starts (an inline
 * add, the cheapest instrumentation QEMU offers). The marker function's entry begins a block
 * of its own (a call ends the caller's block), so that block instead gets a callback: it
 * appends the counter, which then holds every instruction executed before the marker, and
 * adds the block's own instructions afterwards. At exit the counts are written, one per line,
 * then the marker block's size and the total.
 *
 * Debian 12's QEMU 7.2 loads plugins (plugin API version 1) but ships no qemu-plugin.h, so
 * the few types and functions used here are declared below from QEMU 7.2's documented API.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- QEMU plugin API, version 1 (QEMU 7.2), the parts used here --------------------------------- */
typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t; /* only passed through */
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr,
                                              uint64_t imm);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;
/* ------------------------------------------------------------------------------------------------- */

static uint64_t executed;  /* guest instructions so far (one vCPU: Cortex-M machines have one) */
static uint64_t marker;    /* the marker function's address, Thumb bit cleared */
static uint64_t *marks;
static uint64_t marker_insns; /* instructions in the marker's block, counted after its mark */
static size_t n_marks, cap_marks;
static char out_path[4096];

static void on_marker(unsigned int vcpu, void *udata) {
    (void)vcpu;
    if (n_marks == cap_marks) {
        cap_marks = cap_marks ? 2 * cap_marks : 1024;
        marks = realloc(marks, cap_marks * sizeof *marks);
        if (!marks) abort();
    }
    marks[n_marks++] = executed;
    executed += (uint64_t)(uintptr_t)udata; /* the marker block's own instructions */
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    if (qemu_plugin_tb_vaddr(tb) == marker) {
        marker_insns = n;
        qemu_plugin_register_vcpu_tb_exec_cb(tb, on_marker, QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)n);
    } else
        qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &executed, n);
}

static void on_qemu_exit(qemu_plugin_id_t id, void *udata) {
    (void)id;
    (void)udata;
    FILE *f = fopen(out_path, "w");
    if (!f) return;
    for (size_t i = 0; i < n_marks; ++i) fprintf(f, "mark %" PRIu64 "\n", marks[i]);
    fprintf(f, "marker_insns %" PRIu64 "\n", marker_insns);
    fprintf(f, "total %" PRIu64 "\n", executed);
    fclose(f);
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                                               int argc, char **argv) {
    (void)info;
    for (int i = 0; i < argc; ++i) {
        if (strncmp(argv[i], "marker=", 7) == 0) marker = strtoull(argv[i] + 7, NULL, 0) & ~1ull;
        else if (strncmp(argv[i], "out=", 4) == 0) snprintf(out_path, sizeof out_path, "%s", argv[i] + 4);
    }
    if (!marker || !out_path[0]) {
        fprintf(stderr, "tg_insn_plugin: needs marker=0x<address> and out=<file>\n");
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
    return 0;
}
