/* inspect's JSON document (schema hugebench-inspect/1, docs/inspect.md). */
#include <jansson.h>
#include <stdio.h>

#include "inspect_report.h"


static json_t *unavailable(const char *why)
{
	char buf[300];

	snprintf(buf, sizeof(buf), "unavailable: %s", why);
	return json_string(buf);
}

static json_t *kind_json(const struct hb_procmem_kind *k, int folios, const char *why)
{
	json_t *o = json_object(), *fo;
	char name[48];

	json_object_set_new(o, "vmas", json_integer(k->vmas));
	json_object_set_new(o, "size_kib", json_integer((json_int_t)k->size_kib));
	json_object_set_new(o, "rss_kib", json_integer((json_int_t)k->rss_kib));
	json_object_set_new(o, "hugetlb_kib", json_integer((json_int_t)k->hugetlb_kib));
	json_object_set_new(o, "smaps_pmd_mapped_kib", json_integer((json_int_t)k->pmd_smaps_kib));
	json_object_set_new(o, "swap_kib", json_integer((json_int_t)k->swap_kib));
	json_object_set_new(o, "thp_eligible_kib", json_integer((json_int_t)k->eligible_kib));
	json_object_set_new(o, "madv_hugepage_kib", json_integer((json_int_t)k->hg_kib));
	json_object_set_new(o, "madv_nohugepage_kib", json_integer((json_int_t)k->nh_kib));
	if (!folios) {
		json_object_set_new(o, "folios", unavailable(why));
		return o;
	}
	fo = json_object();
	for (unsigned ord = 0; ord < HB_FOLIO_ORDERS; ord++) {
		if (!k->f.kib[ord])
			continue;
		hb_inspect_order_name(ord, name, sizeof(name));
		json_object_set_new(fo, name + 10, json_integer((json_int_t)k->f.kib[ord]));
	}
	json_object_set_new(o, "folio_kib", fo);
	json_object_set_new(o, "pmd_mapped_kib", json_integer((json_int_t)hb_inspect_pmd2m_kib(k)));
	json_object_set_new(o, "pte_mapped_2m_kib", json_integer((json_int_t)hb_inspect_pte2m_kib(k)));
	json_object_set_new(o, "partly_mapped_kib", json_integer((json_int_t)k->f.partial_kib));
	json_object_set_new(o, "zero_page_kib", json_integer((json_int_t)k->f.zero_kib));
	return o;
}

static json_t *kinds_json(const struct hb_procmem_kind *kinds, const struct hb_procmem_kind *t,
			  int folios, const char *why)
{
	json_t *o = json_object();

	for (int k = 0; k < HB_MAP_KINDS; k++)
		json_object_set_new(o, hb_map_kind_names[k], kind_json(&kinds[k], folios, why));
	json_object_set_new(o, "total", kind_json(t, folios, why));
	return o;
}

static json_t *zero_json(const struct hb_zero_scan *z)
{
	json_t *o = json_object();

	json_object_set_new(o, "thps", json_integer((json_int_t)z->thps));
	json_object_set_new(o, "zero_subpages", json_integer((json_int_t)z->zero_pages));
	json_object_set_new(o, "unreadable_blocks", json_integer((json_int_t)z->gone));
	json_object_set_new(o, "reclaim_kib_max_ptes_none_511", json_integer(0));
	json_object_set_new(o, "reclaim_kib_max_ptes_none_409",
			    json_integer((json_int_t)hb_zero_reclaim_kib(z, 409)));
	json_object_set_new(o, "reclaim_kib_max_ptes_none_0",
			    json_integer((json_int_t)hb_zero_reclaim_kib(z, 0)));
	json_object_set_new(o, "seconds", json_real(z->seconds));
	json_object_set_new(o, "mib_per_s", json_real(z->mib_per_s));
	return o;
}

void *hb_inspect_json(const struct hb_inspect *s)
{
	struct hb_inspect_finding fi[HB_INSPECT_MAX_FINDINGS];
	json_t *o = json_object(), *procs = json_array(), *cgs = json_array(), *fs = json_array();
	json_t *thp = json_object(), *sizes = json_object();
	unsigned n;
	int pm;
	double cov = hb_inspect_anon_coverage(s, &pm);

	json_object_set_new(o, "schema", json_string("hugebench-inspect/1"));
	json_object_set_new(o, "t_s", json_real(s->t));
	json_object_set_new(o, "read_s", json_real(s->read_s));
	json_object_set_new(thp, "enabled", json_string(s->thp.enabled));
	json_object_set_new(thp, HB_THP_DEFRAG_KNOB, json_string(s->thp.defrag));
	json_object_set_new(thp, "shmem_enabled", json_string(s->thp.shmem_enabled));
	json_object_set_new(thp, "max_ptes_none", json_string(s->thp.max_ptes_none));
	json_object_set_new(thp, "shrink_underused", json_string(s->thp.shrink_underused));
	for (unsigned i = 0; i < s->thp.nsizes; i++) {
		char k[24];

		snprintf(k, sizeof(k), "%uK", s->thp.size[i].kib);
		json_object_set_new(sizes, k, json_string(s->thp.size[i].enabled));
	}
	json_object_set_new(thp, "mthp", sizes);
	json_object_set_new(o, "thp", thp);
	for (size_t i = 0; i < s->nproc; i++) {
		const struct hb_inspect_proc *p = &s->proc[i];
		json_t *po = json_object(), *al, *env;

		json_object_set_new(po, "pid", json_integer(p->mem.pid));
		json_object_set_new(po, "state", json_string(p->mem.state == HB_PROC_OK ? "ok" :
							     p->mem.state == HB_PROC_GONE ? "gone" :
							     p->mem.state == HB_PROC_UNREADABLE ? "unreadable" :
											    "kernel-thread"));
		json_array_append_new(procs, po);
		if (p->mem.state != HB_PROC_OK) {
			json_object_set_new(po, "why", json_string(p->why));
			continue;
		}
		json_object_set_new(po, "comm", json_string(p->mem.comm));
		json_object_set_new(po, "thp_enabled", p->mem.thp_enabled < 0 ?
							       unavailable("not in /proc/PID/status") :
							       json_integer(p->mem.thp_enabled));
		json_object_set_new(po, "kinds", kinds_json(p->mem.kind, &p->mem.total,
							    p->mem.folios, p->mem.why_folios));
		al = json_object();
		env = json_array();
		json_object_set_new(al, "name", json_string(p->alloc_ok ? p->alloc.name : "unknown"));
		json_object_set_new(al, "how", json_string(p->alloc_ok ? p->alloc.how : ""));
		for (unsigned e = 0; p->alloc_ok && e < p->alloc.nenv; e++)
			json_array_append_new(env, json_string(p->alloc.env[e]));
		json_object_set_new(al, "env", p->alloc_ok && p->alloc.env_why[0] ?
						       unavailable(p->alloc.env_why) : env);
		if (p->alloc_ok && p->alloc.env_why[0])
			json_decref(env);
		json_object_set_new(al, "malloc_conf_link", json_string(p->alloc.malloc_conf_link));
		json_object_set_new(po, "allocator", al);
		if (p->zero_done)
			json_object_set_new(po, "zero_scan", zero_json(&p->zero));
	}
	json_object_set_new(o, "processes", procs);
	json_object_set_new(o, "total", kinds_json(s->kind, &s->total, s->folios, s->why_folios));
	json_object_set_new(o, "anon_huge_coverage_pct",
			    cov >= 0 ? json_real(cov) : unavailable("no anonymous memory"));
	json_object_set_new(o, "coverage_source", json_string(pm ? "pagemap" : "smaps"));
	for (unsigned i = 0; i < s->ncg; i++) {
		const struct hb_inspect_cg *c = &s->cg[i];
		json_t *co = json_object(), *st = json_object();

		json_object_set_new(co, "dir", json_string(c->info.dir));
		json_object_set_new(co, "version", json_integer(c->info.version));
		json_object_set_new(co, "root", json_boolean(c->root));
		json_object_set_new(co, "charged_kib", c->info.have_charged ?
							       json_integer((json_int_t)c->info.charged_kib) :
							       unavailable(c->info.why));
		json_object_set_new(co, "procs", json_integer(c->nprocs));
		json_object_set_new(co, "procs_rss_kib", json_integer((json_int_t)c->procs_rss_kib));
		json_object_set_new(co, "file_kib", c->info.have_file ?
							    json_integer((json_int_t)c->info.file_kib) :
							    unavailable("not in memory.stat"));
		if (!c->root && c->info.have_charged && !c->procs_unread)
			json_object_set_new(co, "beyond_rss_kib",
					    json_integer((json_int_t)c->info.charged_kib -
							 (json_int_t)c->procs_rss_kib -
							 (json_int_t)(c->info.have_file ?
									      c->info.file_kib : 0)));
		else
			json_object_set_new(co, "beyond_rss_kib",
					    unavailable(c->root ? "the root cgroup" :
							c->procs_unread ? "a process unreadable" :
									  c->info.why));
		for (unsigned j = 0; j < c->info.nstat; j++)
			json_object_set_new(st, c->info.stat[j].name,
					    json_integer((json_int_t)c->info.stat[j].value));
		json_object_set_new(co, "memory_stat_thp", st);
		json_array_append_new(cgs, co);
	}
	json_object_set_new(o, "cgroups", cgs);
	if (s->zero_done)
		json_object_set_new(o, "zero_scan", s->zero.thps || !s->zero_why[0] ?
							    zero_json(&s->zero) :
							    unavailable(s->zero_why));
	n = hb_inspect_findings(s, fi, HB_INSPECT_MAX_FINDINGS);
	for (unsigned i = 0; i < n; i++) {
		json_t *fo = json_object();

		json_object_set_new(fo, "id", json_string(fi[i].id));
		json_object_set_new(fo, "figure", json_real(fi[i].figure));
		json_object_set_new(fo, "text", json_string(fi[i].text));
		json_object_set_new(fo, "setting", json_string(fi[i].setting));
		json_array_append_new(fs, fo);
	}
	json_object_set_new(o, "findings", fs);
	return o;
}

