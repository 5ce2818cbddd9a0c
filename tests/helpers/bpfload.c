/* SPDX-License-Identifier: MIT */
/*
 * bpfload - load a trivial socket filter named "vigil_probe" with
 * bpf(BPF_PROG_LOAD), for event 100's test, and print "id=N" (the kernel's
 * program id).  Exits 1 when the kernel refuses.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	struct bpf_insn insns[] = {
		/* r0 = 0; exit: accept no bytes of any packet */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_prog_info info;
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (__u64)(unsigned long)insns;
	attr.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	attr.license = (__u64)(unsigned long)"GPL";
	strncpy(attr.prog_name, "vigil_probe", sizeof(attr.prog_name) - 1);
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0) {
		fprintf(stderr, "bpfload: BPF_PROG_LOAD: %s\n",
			strerror(errno));
		return 1;
	}
	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = (__u32)fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (__u64)(unsigned long)&info;
	if (syscall(SYS_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)) < 0) {
		fprintf(stderr, "bpfload: info: %s\n", strerror(errno));
		return 1;
	}
	printf("id=%u\n", info.id);
	close(fd);
	return 0;
}
