/* Machine-wide /proc/vmstat counters a cell reports as deltas (other processes count too). */
#ifndef HB_VMSTAT_H
#define HB_VMSTAT_H
#include <stdint.h>

#include "memtypes.h" /* enum hb_vmstat_id, struct hb_vmstat */

/* Names as in /proc/vmstat, which are also the metric names. */
const char *hb_vmstat_name(enum hb_vmstat_id id);
/* Reads "path" (normally /proc/vmstat). Returns 0 or -errno. */
int hb_vmstat_read(const char *path, struct hb_vmstat *out);

#endif
