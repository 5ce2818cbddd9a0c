/* SPDX-License-Identifier: MIT */
#ifndef VIGIL_VERSION_H
#define VIGIL_VERSION_H

#define VIGIL_VERSION "0.1.0"
/* Newest Sysmon schema this binary understands (configs, -s). */
#define VIGIL_SCHEMA_VERSION "4.91"

#endif /* VIGIL_VERSION_H */
