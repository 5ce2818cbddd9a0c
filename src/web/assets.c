/* SPDX-License-Identifier: MIT */
/*
 * web/assets.c - the viewer's pages (web/ in the source tree), built into
 * the binary so that `vigil web` needs no files and loads nothing from
 * anywhere else.  The Makefile makes this object depend on web/.
 */
#include <string.h>

#include "internal.h"

/* .incbin paths are relative to the top of the tree, where make runs. */
#define ASSET(sym, file)                       \
	".global " #sym "\n"                   \
	".type " #sym ", @object\n" #sym ":\n" \
	".incbin \"" file "\"\n"               \
	".global " #sym "_end\n" #sym "_end:\n"

__asm__(".section .rodata\n" ASSET(web_index_html, "web/index.html")
		ASSET(web_app_js, "web/app.js")
			ASSET(web_app_css, "web/app.css")
				ASSET(web_login_html, "web/login.html")
					ASSET(web_login_js,
					      "web/login.js") ".previous\n");

extern const unsigned char web_index_html[], web_index_html_end[];
extern const unsigned char web_app_js[], web_app_js_end[];
extern const unsigned char web_app_css[], web_app_css_end[];
extern const unsigned char web_login_html[], web_login_html_end[];
extern const unsigned char web_login_js[], web_login_js_end[];

#define HTML "text/html; charset=utf-8"
#define JS   "text/javascript; charset=utf-8"
#define CSS  "text/css; charset=utf-8"

bool web_asset_find(const char *path, struct web_asset *a)
{
	/* Sizes are link-time values: fill the table on each call. */
	const struct {
		const char *path, *type;
		const unsigned char *start, *end;
	} table[] = {
		{ "/", HTML, web_index_html, web_index_html_end },
		{ "/app.js", JS, web_app_js, web_app_js_end },
		{ "/app.css", CSS, web_app_css, web_app_css_end },
		{ "/login", HTML, web_login_html, web_login_html_end },
		{ "/login.js", JS, web_login_js, web_login_js_end },
		{ "/login.css", CSS, web_app_css, web_app_css_end },
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strcmp(path, table[i].path) != 0)
			continue;
		*a = (struct web_asset){
			.path = table[i].path,
			.type = table[i].type,
			.data = table[i].start,
			.len = (size_t)(table[i].end - table[i].start),
		};
		return true;
	}
	return false;
}
