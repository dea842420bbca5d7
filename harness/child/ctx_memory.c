/* ctx.h: both views of the cell's memory (the process's smaps, the cell's memory cgroup). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ctx_impl.h"
#include "smaps.h"
#include "vmstat.h"

static int resident_kib(struct hb_ctx *ctx, uint64_t *kib)
{
	struct hb_smaps s;
	char path[48];
	int rc = hb_smaps_read_rollup(hb_ctx_rollup_path(ctx, path, sizeof(path)), &s);

	if (!rc)
		*kib = hb_smaps_resident_kib(&s);
	return rc;
}

void hb_ctx_memory_metrics(struct hb_ctx *ctx, const char *suffix)
{
	char name[64];
	uint64_t kib;

	snprintf(name, sizeof(name), "rss_kib%s%s", suffix ? "_" : "", suffix ? suffix : "");
	if (resident_kib(ctx, &kib) == 0)
		hb_metric(ctx, name, (double)kib, "KiB", ctx->servers[0] ?
			  "the server's Rss + Private_Hugetlb + Shared_Hugetlb (its smaps_rollup)" :
			  "Rss + Private_Hugetlb + Shared_Hugetlb (smaps_rollup)");
	else
		hb_ctx_metric_text(ctx, name, "unavailable", "cannot read /proc/self/smaps_rollup");
	snprintf(name, sizeof(name), "charged_kib%s%s", suffix ? "_" : "", suffix ? suffix : "");
	if (!ctx->cg.dir[0])
		return; /* the parent reports once why there is no charged view */
	if (hb_cgroup_charged_kib(&ctx->cg, &kib) == 0)
		hb_metric(ctx, name, (double)kib, "KiB",
			  ctx->cell->backing.ops->charged_note ?: "memory cgroup of the cell");
	else
		hb_ctx_metric_text(ctx, name, "unavailable", "cannot read the cell's memory cgroup");
}

int hb_memory_read(struct hb_ctx *ctx, struct hb_mem_view *v)
{
	struct hb_smaps s;
	int rc = hb_smaps_read_rollup("/proc/self/smaps_rollup", &s);

	memset(v, 0, sizeof(*v));
	if (rc)
		return rc;
	v->rss_kib = s.rss_kib;
	v->private_dirty_kib = s.private_dirty_kib;
	v->hugetlb_kib = s.private_hugetlb_kib + s.shared_hugetlb_kib;
	v->anon_huge_kib = s.anon_huge_kib;
	v->resident_kib = hb_smaps_resident_kib(&s);
	v->charged_ok = ctx->cg.dir[0] && hb_cgroup_charged_kib(&ctx->cg, &v->charged_kib) == 0;
	return 0;
}

int hb_memory_limit(struct hb_ctx *ctx, uint64_t bytes)
{
	if (!ctx->cg.dir[0])
		return -ENOENT;
	return hb_cgroup_set_limit(&ctx->cg, bytes);
}

int hb_memory_events(struct hb_ctx *ctx, uint64_t *oom_kills, uint64_t *failcnt)
{
	if (!ctx->cg.dir[0])
		return -ENOENT;
	return hb_cgroup_events(&ctx->cg, oom_kills, failcnt);
}

int hb_vmstat_now(struct hb_ctx *ctx, struct hb_vmstat *v)
{
	(void)ctx;
	return hb_vmstat_read("/proc/vmstat", v);
}

void hb_memory_snapshot(struct hb_ctx *ctx, const char *suffix)
{
	hb_ctx_memory_metrics(ctx, suffix);
}
