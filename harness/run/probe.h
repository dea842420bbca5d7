/*
 * The host-speed probe: before each repetition of each cell the parent times two fixed loops,
 * a chain of dependent integer steps (the core's speed) and a chain of dependent loads over a
 * small buffer mapped with 4 KiB pages only (the core's cache and load path, never a huge page
 * and so never what a backing changes). A few milliseconds each, timed by the wall clock, so a
 * host that is slower or shared shows in them as it shows in the cells' times. compare divides
 * times and rates by the ratio of two runs' probes when those differ beyond their noise
 * (compare.h).
 */
#ifndef HB_RUN_PROBE_H
#define HB_RUN_PROBE_H

#define HB_PROBE_CPU_METRIC "host_probe_cpu_ns"
#define HB_PROBE_LOAD_METRIC "host_probe_load_ns"

struct hb_probe {
	double cpu_ns;	/* per step of the integer chain */
	double load_ns; /* per load of the pointer chase */
};

/* Runs both loops: 0, or -errno when the buffer cannot be mapped (then nothing is filled). */
int hb_probe_run(struct hb_probe *p);

#endif
