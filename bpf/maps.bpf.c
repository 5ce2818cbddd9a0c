// SPDX-License-Identifier: GPL-2.0
/*
 * maps.bpf.c - every map and config global, defined once.  Family files
 * see them through common.bpf.h.
 */
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct events_map events SEC(".maps");
struct drops_map drops SEC(".maps");
struct scratches_map scratches SEC(".maps");
struct written_files_map written_files SEC(".maps");
struct times_prev_map times_prev SEC(".maps");
struct writers_map writers SEC(".maps");
struct pf_heads_map pf_heads SEC(".maps");
struct pf_states_map pf_states SEC(".maps");
struct filtered_map filtered SEC(".maps");

const volatile __u32 cfg_self_tgid = 0;
const volatile __u32 cfg_args_max = 65536;

/* Written by the loader whenever it arms: bit id of word id / 64 is set
 * while the config can log event id. */
__u64 cfg_wanted[4] = {};
__u64 cfg_urgent_kinds = 0;
