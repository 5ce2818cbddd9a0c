/* SPDX-License-Identifier: MIT */
/*
 * util/log.c - stderr logging.  The level is the one piece of process-wide
 * state outside main(): logging is process-wide by nature.
 */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static enum log_level current = LOG_LVL_INFO;

void log_set_level(enum log_level level)
{
	current = level;
}

static void emit(enum log_level level, const char *tag, const char *fmt,
		 va_list ap) __attribute__((format(printf, 3, 0)));
static void emit(enum log_level level, const char *tag, const char *fmt,
		 va_list ap)
{
	char line[1024];

	if (level > current)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "vigil: %s%s\n", tag, line);
}

#define LOG_FN(name, level, tag)           \
	void name(const char *fmt, ...)    \
	{                                  \
		va_list ap;                \
		va_start(ap, fmt);         \
		emit(level, tag, fmt, ap); \
		va_end(ap);                \
	}

LOG_FN(log_error, LOG_LVL_ERROR, "error: ")
LOG_FN(log_warn, LOG_LVL_WARN, "warning: ")
LOG_FN(log_info, LOG_LVL_INFO, "")
LOG_FN(log_debug, LOG_LVL_DEBUG, "debug: ")
