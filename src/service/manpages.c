/* SPDX-License-Identifier: MIT */
/*
 * service/manpages.c - vigil(8) and vigil.conf(5), built into the binary
 * so that `vigil -i` can install them from a single file, as it installs
 * itself.  The Makefile makes this object depend on man/.
 */

/* .incbin paths are relative to the folder the compiler runs in: the
 * top of the tree, where make runs. */
__asm__(".section .rodata\n"
	".global svc_man_vigil_8\n"
	".type svc_man_vigil_8, @object\n"
	"svc_man_vigil_8:\n"
	".incbin \"man/vigil.8\"\n"
	".byte 0\n"
	".global svc_man_vigil_conf_5\n"
	".type svc_man_vigil_conf_5, @object\n"
	"svc_man_vigil_conf_5:\n"
	".incbin \"man/vigil.conf.5\"\n"
	".byte 0\n"
	".previous\n");
