/* SPDX-License-Identifier: MIT */
/*
 * util/log.h - daemon diagnostics on standard error (never events).
 *
 * One line per condition, prefixed "vigil: "; repeated conditions are the
 * caller's to rate-limit.  log_set_level() picks what is printed.
 */
#ifndef VIGIL_LOG_H
#define VIGIL_LOG_H

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_set_level(enum log_level level);
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* VIGIL_LOG_H */
