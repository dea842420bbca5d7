/*
 * advise's decision (advise.h): every rule of every workload in the runs gives items, one per
 * parameter set and backing, each that backing's figure paired with 4k's by the paired rule;
 * the choice is the backing with more decided wins than losses on the items of the priority.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advise_items.h"
#include "knob_table.h"
#include "paired_fig.h"
#include "sets.h"

#define DEAD 0.02 /* within 2% of 4k is no difference */
#define REF HB_ADV_REF
#define MAX_ITEMS 512
#define MAX_CAND 32

const char *const hb_adv_prio_names[HB_ADV_N] = { "latency", "throughput", "memory",
						  "balanced" };
const char *const hb_adv_sure_text[3] = {
	"not decided: no backing is better than 4k on more of the decided figures it weighs "
	"than it is worse, and some of them are still open, so the default stays",
	"partly decided: decided on some of the figures it weighs, others still open",
	"decided by the paired rule on every figure it weighs",
};

static const unsigned prio_mask[HB_ADV_N] = { HB_PRIO_LATENCY, HB_PRIO_THROUGHPUT,
					      HB_PRIO_MEMORY,
					      HB_PRIO_LATENCY | HB_PRIO_THROUGHPUT |
						      HB_PRIO_MEMORY };

int hb_adv_prio_parse(const char *name)
{
	for (int i = 0; i < HB_ADV_N; i++)
		if (!strcmp(name, hb_adv_prio_names[i]))
			return i;
	return -EINVAL;
}

/* The item's direction: its figure better or worse than 4k's, by the rule's better. */
static int direction(const struct hb_fig_cmp *c, enum hb_better better)
{
	int d = hb_fig_direction(c, DEAD);

	if (d == 2 || d == 0 || better == HB_NEITHER)
		return d == 2 ? 2 : 0;
	return better == HB_LOWER ? -d : d;
}

static int weighs(const struct hb_advice_rule *rule, int prio, const struct hb_adv_opts *o)
{
	return (rule->priorities & prio_mask[prio]) && (!rule->fork || o->fork_snapshots);
}

/* The parameters of set that differ from w's defaults, as `-p NAME=VALUE` words. */
static void set_args(const struct hb_workload *w, const char *set, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = 0;
	for (const struct hb_param *p = w->params; p && p->name && at < len; p++) {
		char v[160], def[160];

		if (hb_set_value(w->params, w->params_size, set, p->name, v, sizeof(v)) ||
		    hb_set_value(w->params, w->params_size, "", p->name, def, sizeof(def)) ||
		    !strcmp(v, def) || !v[0])
			continue;
		at += (size_t)snprintf(buf + at, len - at,
				       strpbrk(v, " ;,*?'\"$&|<>()") ? " -p '%s=%s'" : " -p %s=%s",
				       p->name, v);
	}
}

/* Items of every rule of every workload in the runs; the rules with nothing to compare name
 * their command in a->measure when they weigh. */
static size_t collect(const struct hb_rundata *const *runs, size_t nr, int prio,
		      const struct hb_adv_opts *o, struct item *it, struct hb_advice *a)
{
	size_t n = 0;

	for (int k = 0; hb_workloads[k]; k++) {
		const struct hb_workload *w = hb_workloads[k];
		const struct hb_outputs *out = hb_workload_outputs(w);

		for (const struct hb_advice_rule *rule = out ? out->advice : NULL;
		     rule && rule->metric; rule++) {
			size_t before = n;
			char cmd[512];

			for (size_t ri = 0; ri < nr; ri++) {
				const struct hb_rundata *r = runs[ri];
				const char *sets[HB_MAX_LIST], *bk[MAX_CAND];
				size_t ns, nb;

				if (!hb_rundata_has(r, w->name))
					continue;
				ns = hb_run_sets(r, w, rule->sets, sets, HB_MAX_LIST);
				nb = hb_rundata_backings(r, w->name, bk, MAX_CAND);
				for (size_t s = 0; s < ns; s++)
					for (size_t b = 0; b < nb && n < MAX_ITEMS; b++) {
						struct item *t = &it[n];

						if (!strcmp(bk[b], REF) ||
						    hb_fig_compare(r, w, sets[s], bk[b], rule->metric,
								   REF, rule->metric, -1, &t->c))
							continue;
						t->r = r;
						t->w = w;
						t->rule = rule;
						t->set = sets[s];
						hb_run_label(w, sets, ns, s, t->label, sizeof(t->label));
						snprintf(t->b, sizeof(t->b), "%s", bk[b]);
						t->dir = direction(&t->c, rule->better);
						t->weighs = weighs(rule, prio, o);
						n++;
					}
			}
			if (n == before && weighs(rule, prio, o) && rule->measure) {
				hb_adv_service_command(o->service, w, rule, cmd, sizeof(cmd));
				add(&a->measure, "%s: not in the runs (no set of %s paired with 4k): `%s`",
				    rule->label, w->name, cmd);
			}
		}
	}
	return n;
}

static struct cand *cand_of(struct cand *c, size_t *nc, const char *b)
{
	for (size_t i = 0; i < *nc; i++)
		if (!strcmp(c[i].b, b))
			return &c[i];
	if (*nc >= MAX_CAND)
		return NULL;
	memset(&c[*nc], 0, sizeof(c[0]));
	snprintf(c[*nc].b, sizeof(c[0].b), "%s", b);
	return &c[(*nc)++];
}

static void item_text(const struct item *t, char *buf, size_t len)
{
	char fig[160];

	hb_fig_text(&t->c, fig, sizeof(fig));
	snprintf(buf, len, "%s %s vs 4k, %s (%s [%s]): %s", t->w->name, t->b, t->rule->label,
		 t->rule->metric, t->label, fig);
}

/* "+42% charged memory after frees", "512x resident memory ...". */
static void change_text(const struct item *t, char *buf, size_t len)
{
	if (t->c.median >= 2)
		snprintf(buf, len, "%.3gx the %s", t->c.median, t->rule->label);
	else
		snprintf(buf, len, "%+.0f%% %s", (t->c.median - 1) * 100, t->rule->label);
}

/* The configuration the backing stands for, and the settings of the set its evidence came
 * from (the workload's knob and allocator parameters). */
static void sys_set(struct hb_advice *a, const char *path, const char *value)
{
	if (a->nsys >= HB_ADV_SETTINGS)
		return;
	snprintf(a->sys_path[a->nsys], sizeof(a->sys_path[0]), "%.127s", path);
	snprintf(a->sys_value[a->nsys++], sizeof(a->sys_value[0]), "%.47s", value);
}

/* Whether s, a ", "-joined list, holds name. */
static int in_joined(const char *s, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = s; (p = strstr(p, name)); p += n)
		if ((p == s || p[-1] == ' ') && (p[n] == ',' || !p[n]))
			return 1;
	return 0;
}

/* The knob and allocator parameters of the evidence's set into the configuration. */
static void set_settings(struct hb_advice *a, const struct item *from)
{
	for (const struct hb_param *p = from->w->params; p && p->name; p++) {
		char v[192];

		if (!p->role || hb_set_value(from->w->params, from->w->params_size, from->set,
					     p->name, v, sizeof(v)))
			continue;
		if (p->role == &hb_role_knob && p->keep && strcmp(v, p->keep)) {
			const struct hb_knob_def *k = hb_knob_def_find(p->knob);

			if (k)
				sys_set(a, k->path, v);
			add(&a->config, "`%s=%s` (as in the evidence's cells)", p->knob, v);
		} else if (p->role == &hb_role_allocator && a->allocator[0] &&
			   strcmp(a->allocator, v)) {
			size_t l = strlen(a->allocators);

			if (!l)
				l = (size_t)snprintf(a->allocators, sizeof(a->allocators), "%.63s",
						     a->allocator);
			if (l < sizeof(a->allocators) && !in_joined(a->allocators, v))
				snprintf(a->allocators + l, sizeof(a->allocators) - l, ", %.63s", v);
			a->allocator_conflict = 1;
		} else if (p->role == &hb_role_allocator && !a->allocator[0]) {
			snprintf(a->allocator, sizeof(a->allocator), "%.63s", v);
			for (const struct hb_param *q = from->w->params; q->name; q++)
				if (q->role == &hb_role_allocator_conf)
					hb_set_value(from->w->params, from->w->params_size,
						     from->set, q->name, a->allocator_conf,
						     sizeof(a->allocator_conf));
		}
	}
}

static void configure(struct hb_advice *a, const struct item *const *from, size_t nfrom)
{
	const char *b = a->backing, *thp = "/sys/kernel/mm/transparent_hugepage";
	char path[128], size[16];
	int per_process = 0;

	if (!strcmp(b, "thp-always")) {
		sys_set(a, "/sys/kernel/mm/transparent_hugepage/enabled", "always");
		snprintf(a->cmdline, sizeof(a->cmdline), "transparent_hugepage=always");
		add(&a->config, "THP system-wide: `enabled=always` (every process's anonymous "
				"memory may be huge)");
	} else if (!strcmp(b, "thp-never")) {
		sys_set(a, "/sys/kernel/mm/transparent_hugepage/enabled", "never");
		snprintf(a->cmdline, sizeof(a->cmdline), "transparent_hugepage=never");
		add(&a->config, "THP off system-wide: `enabled=never`");
	} else if (!strncmp(b, "mthp-", 5)) {
		snprintf(size, sizeof(size), "%s", b + 5);
		size[strcspn(size, "kKmM")] = 0;
		snprintf(path, sizeof(path), "%s/hugepages-%skB/enabled", thp,
			 strchr(b + 5, 'm') || strchr(b + 5, 'M') ? "2048" : size);
		sys_set(a, path, "always");
		snprintf(a->cmdline, sizeof(a->cmdline), "thp_anon=%sK:always", size);
		add(&a->config, "mTHP: size %s always (`%s`), the other sizes as they are", b + 5,
		    path);
	} else if (!strncmp(b, "hugetlb-", 8)) {
		int mb = !strcmp(b + 8, "1g") ? 1024 : 2;
		double pages = ceil(a->footprint_kib / (mb * 1024.0));

		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%dkB/nr_hugepages",
			 mb * 1024);
		snprintf(size, sizeof(size), "%.0f", pages);
		sys_set(a, "/sys/kernel/mm/transparent_hugepage/enabled", "madvise");
		if (pages > 0) {
			sys_set(a, path, size);
			snprintf(a->cmdline, sizeof(a->cmdline),
				 "transparent_hugepage=madvise hugepagesz=%s hugepages=%s",
				 mb == 2 ? "2M" : "1G", size);
			add(&a->config, "hugetlb pool: %s pages of %d MiB (the largest memory of "
					"a %s cell in the runs, %.0f KiB; size it to the service's own "
					"mappings)", size, mb, b, a->footprint_kib);
		} else {
			snprintf(a->cmdline, sizeof(a->cmdline), "transparent_hugepage=madvise");
			add(&a->config, "hugetlb pool: no memory figure of %s in the runs: reserve "
					"what the service maps (`nr_hugepages`, `hugepagesz=%s "
					"hugepages=N`); not set by the files", b,
			    mb == 2 ? "2M" : "1G");
		}
		add(&a->config, "the service must map the pool itself (MAP_HUGETLB, SHM_HUGETLB, "
				"PostgreSQL `huge_pages=on`); Redis cannot");
	} else {
		sys_set(a, "/sys/kernel/mm/transparent_hugepage/enabled", "madvise");
		snprintf(a->cmdline, sizeof(a->cmdline), "transparent_hugepage=madvise");
		per_process = !strcmp(b, "thp");
		add(&a->config, per_process ?
			"THP per process: system `enabled=madvise`; the service asks for huge "
			"pages itself (MADV_HUGEPAGE; through its allocator, below)" :
			"no huge pages for the service: system `enabled=madvise`, which gives none "
			"to a process that does not ask (MADV_HUGEPAGE)");
	}
	for (size_t i = 0; i < nfrom; i++)
		set_settings(a, from[i]);
	if (a->allocator_conflict) {
		add(&a->config, "allocator: the evidence covers %s alike: keep the service's own",
		    a->allocators);
		a->allocator[0] = a->allocator_conf[0] = 0;
	}
	/* The allocator carries the per-process choice: jemalloc's thp option asks for (or
	 * refuses) huge pages on its own memory; glibc 2.35+ asks with its hugetlb tunable. */
	if (!strncmp(a->allocator, "jemalloc", 8)) {
		const char *thp_opt = per_process ? "thp:always" : !strcmp(b, REF) ? "thp:never" : "";

		snprintf(a->env[a->nenv++], sizeof(a->env[0]), "MALLOC_CONF=%s%s%s",
			 a->allocator_conf, a->allocator_conf[0] && thp_opt[0] ? "," : "",
			 thp_opt);
		add(&a->config, "allocator: jemalloc, `%s` (the service must use jemalloc: "
				"linked, or LD_PRELOAD=libjemalloc.so.2)", a->env[0]);
	} else if (!strcmp(a->allocator, "glibc") && per_process) {
		snprintf(a->env[a->nenv++], sizeof(a->env[0]), "GLIBC_TUNABLES=glibc.malloc.hugetlb=1");
		add(&a->config, "allocator: glibc, `GLIBC_TUNABLES=glibc.malloc.hugetlb=1` (malloc "
				"madvises its heap for THP; glibc 2.35 or later)");
	} else if (a->allocator[0]) {
		add(&a->config, "allocator: %s%s%s (as in the evidence's cells)", a->allocator,
		    a->allocator_conf[0] ? " " : "", a->allocator_conf);
	}
}

static void choose(struct hb_advice *a, struct cand *c, size_t nc, int any_open)
{
	struct cand *best = NULL;

	for (size_t i = 0; i < nc; i++) {
		int score = c[i].wins - c[i].losses;

		if (c[i].ruled || score <= 0)
			continue;
		if (!best || score > best->wins - best->losses ||
		    (score == best->wins - best->losses && c[i].logsum < best->logsum))
			best = &c[i];
	}
	if (best) {
		snprintf(a->backing, sizeof(a->backing), "%s", best->b);
		a->sure = best->open ? HB_ADV_PARTLY : HB_ADV_DECIDED;
		return;
	}
	snprintf(a->backing, sizeof(a->backing), "%s", REF);
	a->sure = any_open ? HB_ADV_UNDECIDED : HB_ADV_DECIDED;
}

static void open_line(struct hb_advice *a, const struct item *t)
{
	char text[320], args[256];
	int reps = hb_fig_reps_needed(&t->c, 1 - DEAD, 1 + DEAD);

	item_text(t, text, sizeof(text));
	set_args(t->w, t->set, args, sizeof(args));
	if (reps > 0)
		add(&a->open, "%s. %d repetitions would decide it if the ratios keep their spread: "
			      "`hugebench run %s -b 4k,%s%s --reps %d`", text, reps, t->w->name, t->b,
		    args, reps);
	else
		add(&a->open, "%s. Not decided within %d repetitions at this spread: the "
			      "difference, if any, is below what this machine's noise lets the rule "
			      "see", text, HB_PAIRED_CAP);
}

int hb_advise_decide(const struct hb_rundata *const *runs, size_t nr, int prio,
		     const struct hb_adv_opts *o, struct hb_advice *a)
{
	struct item *it = calloc(MAX_ITEMS, sizeof(*it));
	struct cand c[MAX_CAND];
	size_t n, nc = 0;
	const struct item *from[MAX_CAND];
	size_t nfrom = 0;
	char text[400], ch[128];
	int any_open = 0;

	memset(a, 0, sizeof(*a));
	a->prio = prio;
	if (!it)
		return -ENOMEM;
	n = collect(runs, nr, prio, o, it, a);
	if (!nr) {
		/* an inspect output alone: what the service gets now, and the commands */
		a->no_runs = 1;
		a->sure = HB_ADV_UNDECIDED;
		free(it);
		return 0;
	}
	cand_of(c, &nc, REF);
	for (size_t i = 0; i < n; i++) {
		struct cand *k = cand_of(c, &nc, it[i].b);

		if (!k || !it[i].weighs)
			continue;
		k->wins += it[i].dir == 1;
		k->losses += it[i].dir == -1;
		k->open += it[i].dir == 2;
		any_open |= it[i].dir == 2;
		if (it[i].dir == 1 || it[i].dir == -1)
			k->logsum += log(it[i].c.median) * (it[i].rule->better == HB_LOWER ? 1 : -1);
	}
	hb_adv_limit(a, o, it, n, c, nc);
	choose(a, c, nc, any_open);
	if (cand_of(c, &nc, REF)->ruled && !strcmp(a->backing, REF)) {
		a->backing[0] = 0; /* nothing that fits is known to be better, and 4k does not fit */
		a->sure = HB_ADV_DECIDED;
		free(it);
		return 0;
	}
	if (cand_of(c, &nc, a->backing)->scaled) {
		const struct cand *k = cand_of(c, &nc, a->backing);

		a->predicted_kib = k->pred;
		a->predicted_lo = k->pred_lo;
		a->predicted_hi = k->pred_hi;
		a->service_kib = o->service->fig[HB_SVC_CHARGED].v;
	}
	a->footprint_kib = cand_of(c, &nc, a->backing)->footprint;
	for (size_t i = 0; i < n && !a->footprint_kib; i++) {
		struct hb_stat st;

		if (strcmp(it[i].b, a->backing))
			continue;
		hb_rundata_stat(it[i].r, it[i].w->name, a->backing, it[i].set, "rss_kib", &st);
		if (st.n && st.med > a->footprint_kib)
			a->footprint_kib = st.med;
	}
	for (size_t i = 0; i < n; i++) {
		const struct item *t = &it[i];
		int mine = !strcmp(t->b, a->backing);

		item_text(t, text, sizeof(text));
		change_text(t, ch, sizeof(ch));
		if (t->weighs && (mine || !strcmp(a->backing, REF)) && t->dir != 2)
			add(&a->evidence, "%s: %s", text,
			    t->dir == 1 ? "better" : t->dir == -1 ? "worse" : "the same");
		if (t->weighs && t->dir == 2)
			any_open = 1, open_line(a, t);
		if (t->rule->fork && !o->fork_snapshots)
			continue; /* a cost only to a service that forks */
		if (mine && t->dir == -1)
			add(&a->cost, "%s (%s vs 4k, %s %s)", ch, t->b, t->w->name, t->label);
		else if (!strcmp(a->backing, REF) && t->dir == 1)
			add(&a->cost, "forgoes %s's %s (%s %s, paired with 4k)", t->b, ch,
			    t->w->name, t->label);
		if (t->weighs && ((mine && t->dir == 1) || !strcmp(a->backing, REF)) &&
		    nfrom < MAX_CAND)
			from[nfrom++] = t;
	}
	configure(a, from, nfrom);
	free(it);
	return 0;
}
