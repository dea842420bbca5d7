/*
 * `hugebench trace FILE`: what a trace from `hugebench record` holds: its header, events by
 * kind, the size histogram, the peak of live heap bytes and when, lifetimes, the allocation
 * rate over time, threads, forks (docs/record.md).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "log.h"
#include "options.h"
#include "trace.h"

static const struct hb_option trace_options[] = {
	HB_OPTION_DRY_RUN,
	HB_OPTION_HELP,
	{ 0 },
};

const struct hb_command hb_trace_command = {
	.name = "trace",
	.operands = "FILE",
	.summary = "what a trace from `hugebench record` holds",
	.about = "Reads FILE (a trace `hugebench record` wrote; a truncated one up to its last "
		 "whole record) and prints its header (command, allocator, machine, start), the "
		 "events by kind, the allocation sizes in power-of-two classes, the peak of live "
		 "heap bytes and when it was reached, how long blocks lived, the allocation rate "
		 "over time in 10 slices, the threads and the forks (docs/record.md).",
	.epilog = "exit status: 0 read, 2 FILE is not a readable trace.\n",
	.options = trace_options,
};

#define SIZE_CLASSES 41 /* 2^0 .. 2^40 */
#define LIFE_CLASSES 9	/* < 1 us, < 10 us, ... < 10 s, < 100 s, longer */
#define SLICES 10

struct stats {
	uint64_t kinds[HB_TR_NKINDS], sizes[SIZE_CLASSES], size_bytes[SIZE_CLASSES];
	uint64_t life[LIFE_CLASSES], live, peak, peak_t, end_t, allocs, frees, unknown_frees;
	uint64_t mapped, mapped_peak, threads, failed;
	uint64_t slice_allocs[SLICES], slice_bytes[SLICES], slice_live[SLICES];
	uint64_t duration;
};

static unsigned size_class(uint64_t n)
{
	unsigned c = 0;

	while (c + 1 < SIZE_CLASSES && (1ull << (c + 1)) <= n)
		c++;
	return n ? c : 0;
}

static unsigned life_class(uint64_t ns)
{
	unsigned c = 0;

	for (uint64_t lim = 1000; c + 1 < LIFE_CLASSES && ns >= lim; lim *= 10)
		c++;
	return c;
}

static void human(uint64_t b, char *buf, size_t len)
{
	if (b >= (1ull << 30))
		snprintf(buf, len, "%.2f GiB", (double)b / (1ull << 30));
	else if (b >= (1ull << 20))
		snprintf(buf, len, "%.1f MiB", (double)b / (1 << 20));
	else if (b >= 1024)
		snprintf(buf, len, "%.1f KiB", (double)b / 1024);
	else
		snprintf(buf, len, "%llu B", (unsigned long long)b);
}

/* The last record's time: the merge's order ends with the latest. */
static int last_time(struct hb_trace *t, uint64_t *end)
{
	*end = 0;
	for (size_t i = 0; i < t->nchunks; i++) {
		struct hb_trace_rec r;

		if (t->chunks[i].count &&
		    !hb_trace_read(t, t->chunks[i].first + t->chunks[i].count - 1, &r) &&
		    r.t_ns > *end)
			*end = r.t_ns;
	}
	return 0;
}

static int pass(struct hb_trace *t, struct stats *s, FILE *f)
{
	struct hb_trace_merge *m;
	struct hb_addrmap live, maps;
	struct hb_trace_rec r;
	int rc, nforks = 0;

	last_time(t, &s->duration);
	if (hb_addrmap_init(&live) || hb_addrmap_init(&maps))
		return -ENOMEM;
	if ((rc = hb_trace_merge_open(t, &m)))
		goto out;
	while ((rc = hb_trace_merge_next(m, &r)) > 0) {
		struct hb_trace_effect e;
		struct hb_addrmap_ent old, *n;
		unsigned sl = s->duration ? (unsigned)((r.t_ns * SLICES) / (s->duration + 1)) : 0;
		int fresh;

		s->kinds[r.kind < HB_TR_NKINDS ? r.kind : 0]++;
		s->failed += (r.flags & HB_TRF_FAILED) != 0;
		s->end_t = r.t_ns;
		s->threads += r.kind == HB_TR_THREAD;
		if (r.kind == HB_TR_FORK && nforks++ < 20)
			fprintf(f, "  fork at %.3f s: child %llu%s\n", (double)r.t_ns / 1e9,
				(unsigned long long)r.aux, r.flags & HB_TRF_FAILED ? " (failed)" : "");
		if (r.kind == HB_TR_FORK_END && nforks <= 20)
			fprintf(f, "  fork's child %llu ended at %.3f s\n", (unsigned long long)r.aux,
				(double)r.t_ns / 1e9);
		if (r.kind == HB_TR_MARK)
			fprintf(f, "  mark %llu at %.3f s, %llu live bytes\n",
				(unsigned long long)r.aux, (double)r.t_ns / 1e9,
				(unsigned long long)s->live);
		if (r.kind == HB_TR_STOP)
			fprintf(f, "  recording stopped at %.3f s (--max-size)\n",
				(double)r.t_ns / 1e9);
		hb_trace_effect(&r, &e);
		if (e.freed) {
			if (hb_addrmap_del(&live, e.freed, &old)) {
				s->live -= old.a;
				s->life[life_class(r.t_ns - old.b)]++;
				s->frees++;
			} else {
				s->unknown_frees++;
			}
		}
		if (e.alloc && e.resized && (n = hb_addrmap_get(&live, e.alloc))) {
			s->live += e.size - n->a;
			n->a = e.size;
		} else if (e.alloc && !e.resized) {
			if (!(n = hb_addrmap_put(&live, e.alloc, &fresh))) {
				rc = -ENOMEM;
				break;
			}
			if (!fresh) /* a block the trace never saw end (the allocator reused it) */
				s->live -= n->a;
			n->a = e.size;
			n->b = r.t_ns;
			s->live += e.size;
			s->allocs++;
			s->sizes[size_class(e.size)]++;
			s->size_bytes[size_class(e.size)] += e.size;
			s->slice_allocs[sl]++;
			s->slice_bytes[sl] += e.size;
		}
		if (e.unmap && hb_addrmap_del(&maps, e.unmap, &old))
			s->mapped -= old.a;
		if (e.map && (n = hb_addrmap_put(&maps, e.map, &fresh))) {
			s->mapped += e.map_len - (fresh ? 0 : n->a);
			n->a = e.map_len;
		}
		if (s->mapped > s->mapped_peak)
			s->mapped_peak = s->mapped;
		if (s->live > s->peak) {
			s->peak = s->live;
			s->peak_t = r.t_ns;
		}
		s->slice_live[sl] = s->live;
	}
	hb_trace_merge_close(m);
out:
	hb_addrmap_free(&live);
	hb_addrmap_free(&maps);
	return rc < 0 ? rc : 0;
}

static void print_stats(const struct hb_trace *t, const struct stats *s, FILE *f)
{
	static const char *const life_names[LIFE_CLASSES] = {
		"< 1 us", "1-10 us", "10-100 us", "0.1-1 ms", "1-10 ms", "10-100 ms", "0.1-1 s",
		"1-10 s", ">= 10 s",
	};
	uint64_t events = 0;
	char a[32], b[32];

	for (unsigned k = 1; k < HB_TR_NKINDS; k++)
		events += k == HB_TR_CHUNK ? 0 : s->kinds[k];
	fprintf(f, "events by kind (%llu, %.1f bytes of trace each; %llu failed calls):\n",
		(unsigned long long)events, events ? (double)t->size / (double)events : 0.0,
		(unsigned long long)s->failed);
	for (unsigned k = 1; k < HB_TR_NKINDS; k++)
		if (s->kinds[k] && k != HB_TR_CHUNK)
			fprintf(f, "  %-20s %llu\n", hb_trace_kind_name(k),
				(unsigned long long)s->kinds[k]);
	fprintf(f, "allocation sizes (%llu blocks):\n", (unsigned long long)s->allocs);
	for (unsigned c = 0; c < SIZE_CLASSES; c++)
		if (s->sizes[c]) {
			human(1ull << c, a, sizeof(a));
			human(s->size_bytes[c], b, sizeof(b));
			fprintf(f, "  >= %-10s %10llu blocks %5.1f%%  %s\n", a,
				(unsigned long long)s->sizes[c],
				100.0 * (double)s->sizes[c] / (double)s->allocs, b);
		}
	human(s->peak, a, sizeof(a));
	human(s->live, b, sizeof(b));
	fprintf(f, "live heap bytes: peak %s at %.3f s; %s at the end (%.3f s)\n", a,
		(double)s->peak_t / 1e9, b, (double)s->end_t / 1e9);
	human(s->mapped_peak, a, sizeof(a));
	fprintf(f, "the program's own anonymous mappings: peak %s\n", a);
	fprintf(f, "lifetimes of the %llu blocks freed (%llu still live at the end; %llu frees "
		"of blocks the trace did not see begin):\n", (unsigned long long)s->frees,
		(unsigned long long)(s->allocs - s->frees < s->allocs ? s->allocs - s->frees : 0),
		(unsigned long long)s->unknown_frees);
	for (unsigned c = 0; c < LIFE_CLASSES; c++)
		if (s->life[c])
			fprintf(f, "  %-10s %llu\n", life_names[c], (unsigned long long)s->life[c]);
	fprintf(f, "allocation rate over time (%d slices of %.3f s):\n", SLICES,
		(double)s->duration / 1e9 / SLICES);
	for (unsigned i = 0, had = 0; i < SLICES; i++) {
		double secs = (double)s->duration / 1e9 / SLICES;
		uint64_t live_end = had ? s->slice_live[had - 1] : 0;

		if (s->slice_allocs[i] || s->slice_live[i])
			had = i + 1, live_end = s->slice_live[i];

		human(s->slice_bytes[i], a, sizeof(a));
		human(live_end, b, sizeof(b));
		fprintf(f, "  %7.3f s  %10.0f allocs/s  %s allocated, %s live at its end\n",
			(double)i * secs, secs > 0 ? (double)s->slice_allocs[i] / secs : 0.0, a, b);
	}
	fprintf(f, "threads: %llu; forks: %llu (%llu ended in the trace)\n",
		(unsigned long long)s->threads, (unsigned long long)s->kinds[HB_TR_FORK],
		(unsigned long long)s->kinds[HB_TR_FORK_END]);
}

int hb_cmd_trace(int argc, char **argv)
{
	struct hb_trace t;
	struct stats *s;
	char err[PATH_MAX + 256], buf[2048];
	int rc, dry_run = 0;
	time_t start;

	rc = hb_opt_flags(&hb_trace_command, argc, argv, 0, NULL, &dry_run);
	if (rc)
		return rc > 0 ? HB_EXIT_OK : HB_EXIT_USAGE;
	if (argc - optind != 1) {
		hb_opt_usage(&hb_trace_command, stderr);
		return HB_EXIT_USAGE;
	}
	if (hb_trace_open(argv[optind], &t, err, sizeof(err))) {
		hb_err("trace: %s", err);
		return HB_EXIT_USAGE;
	}
	if (dry_run) {
		printf("trace: --dry-run: would read %s (%llu records)\n", argv[optind],
		       (unsigned long long)t.nrecs);
		hb_trace_close(&t);
		return HB_EXIT_OK;
	}
	start = (time_t)(t.hdr.start_realtime_ns / 1000000000ull);
	printf("trace %s: format %u, %llu bytes, %llu records%s\n", argv[optind], t.hdr.version,
	       (unsigned long long)t.size, (unsigned long long)t.nrecs,
	       t.tail_bytes ? " and a partial one (cut short: read up to the last whole record)" :
			      "");
	for (const char *k = "command\0allocator\0machine\0"; *k; k += strlen(k) + 1)
		if (!hb_trace_field(&t, k, buf, sizeof(buf)))
			printf("%s: %s\n", k, buf);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", gmtime(&start));
	printf("started: %s, pid %u\n", buf, t.hdr.pid);
	s = calloc(1, sizeof(*s));
	if (!s || (rc = pass(&t, s, stdout))) {
		hb_err("trace: %s: %s", argv[optind], strerror(s ? -rc : ENOMEM));
		free(s);
		hb_trace_close(&t);
		return HB_EXIT_INTERNAL;
	}
	print_stats(&t, s, stdout);
	free(s);
	hb_trace_close(&t);
	return HB_EXIT_OK;
}
