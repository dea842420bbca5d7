/*
 * advise's outputs (advise.h): a decision as a section of advise.md or of the report, and as
 * the files a user applies: apply.sh (sysfs writes, the old values saved for undo),
 * kernel-cmdline.txt, hugebench-advice.conf (a systemd drop-in) and ansible-vars.yml (for
 * deploy/ansible/apply.yml). Each file is written whole or not at all.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "advise.h"
#include "advise_service.h"

#include "fs.h"
#include "results.h"
#include "paired_fig.h"

/* A titled list: markdown lines under the title, an HTML <ul> (a paragraph would run them
 * together). */
void hb_advise_list(struct hb_doc *d, const char *title, const struct hb_adv_lines *l,
		    const char *none)
{
	if (!l->n && !none)
		return;
	fprintf(d->md, "%s%s%s\n", title, l->n ? "" : " ", l->n ? "" : none);
	fprintf(d->html, "<p>");
	hb_doc_html_esc(d->html, title);
	if (!l->n) {
		fputc(' ', d->html);
		hb_doc_html_esc(d->html, none);
	}
	fprintf(d->html, "</p>\n%s", l->n ? "<ul>\n" : "");
	for (size_t i = 0; i < l->n; i++) {
		fprintf(d->md, "- %s\n", l->s[i]);
		fprintf(d->html, "<li>");
		hb_doc_html_esc(d->html, l->s[i]);
		fprintf(d->html, "</li>\n");
	}
	fprintf(d->md, "\n");
	if (l->n)
		fprintf(d->html, "</ul>\n");
}

void hb_advise_doc(struct hb_doc *d, const struct hb_advice *a, int level)
{
	char line[1024];

	snprintf(line, sizeof(line), "Priority %s: %s", hb_adv_prio_names[a->prio],
		 a->no_runs ? "nothing decided" : a->backing[0] ? a->backing : "nothing fits");
	hb_doc_h(d, level, line);
	if (a->no_runs) {
		hb_doc_para(d, "No run to decide from: an inspect output says what the service gets "
			       "now, not which setting would do better. Make these runs (each pairs "
			       "the backings with 4k), then give them to advise together with the "
			       "inspect output:");
		hb_advise_list(d, "The runs that measure what this priority weighs:", &a->measure,
			       "none: no rule weighs in this priority.");
		return;
	}
	if (!a->backing[0]) {
		hb_advise_list(d, "No configuration in the runs fits --memory-limit, 4k included:",
			       &a->ruled, NULL);
		hb_advise_list(d, "The service's memory under each backing (from the inspect "
				  "output):", &a->memory, NULL);
		return;
	}
	snprintf(line, sizeof(line), "Use **%s**. How sure: %s.", a->backing,
		 hb_adv_sure_text[a->sure]);
	hb_doc_para(d, line);
	hb_advise_list(d, "Configuration:", &a->config, NULL);
	if (a->cmdline[0]) {
		snprintf(line, sizeof(line), "Kernel command line: `%s`.", a->cmdline);
		hb_doc_para(d, line);
	}
	hb_advise_list(d, "Evidence (each backing paired with 4k rep by rep):", &a->evidence,
		       "none decided in these runs.");
	hb_advise_list(d, "What it costs:", &a->cost, "nothing the runs decided.");
	if (a->predicted_kib > 0) {
		char iv[96];

		if (isfinite(a->predicted_hi) && a->predicted_lo > 0)
			snprintf(iv, sizeof(iv), "[%.0f-%.0f]", a->predicted_lo, a->predicted_hi);
		else
			snprintf(iv, sizeof(iv), "(no interval)");
		snprintf(line, sizeof(line), "The service's memory on %s, predicted: %.0f KiB %s, "
			 "%+.0f KiB (%+.0f%%) against the %.0f KiB it is charged now.", a->backing,
			 a->predicted_kib, iv, a->predicted_kib - a->service_kib,
			 (a->predicted_kib / a->service_kib - 1) * 100, a->service_kib);
		hb_doc_para(d, line);
	}
	hb_advise_list(d, "Ruled out by --memory-limit:", &a->ruled, NULL);
	hb_advise_list(d, "The service's memory under each backing (from the inspect output):",
		       &a->memory, NULL);
	hb_advise_list(d, "What the runs cannot tell yet:", &a->open, NULL);
	hb_advise_list(d, "Not measured by these runs:", &a->measure, NULL);
}

void hb_advise_service_doc(struct hb_doc *d, const struct hb_adv_service *s, int level)
{
	struct hb_adv_lines *l = calloc(1, sizeof(*l));

	if (!l)
		return;
	hb_doc_h(d, level, "The service now");
	hb_adv_service_lines(s, l);
	hb_advise_list(d, "What it gets from huge pages, and what it costs it (hugebench inspect):",
		       l, NULL);
	free(l);
}

void hb_advise_section(struct hb_doc *d, const struct hb_rundata *r)
{
	const struct hb_rundata *runs[1] = { r };
	struct hb_adv_opts o = { 0 };
	struct hb_advice *a = calloc(1, sizeof(*a));

	if (!a)
		return;
	if (!hb_advise_decide(runs, 1, HB_ADV_BALANCED, &o, a) &&
	    (a->evidence.n || a->open.n || a->cost.n)) {
		hb_doc_h(d, 2, "Decision (hugebench advise, balanced)");
		hb_doc_para(d, "What this run says to set when latency, throughput and memory weigh "
			       "alike, for a service that does not fork snapshots and has no "
			       "memory limit; `hugebench advise DIR` gives every priority and the "
			       "files to apply (docs/advise.md).");
		hb_advise_doc(d, a, 3);
	}
	free(a);
}

/* A file into dir, whole or not at all. */
static int put(const char *dir, const char *name, const char *text, char *err, size_t len)
{
	char path[PATH_MAX];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	rc = hb_atomic_write(path, text, strlen(text));
	if (rc)
		snprintf(err, len, "%s: %s", path, strerror(-rc));
	return rc;
}

#define CAT(...) (at += (size_t)snprintf(buf + at, at < cap ? cap - at : 0, __VA_ARGS__))

static void apply_sh(const struct hb_advice *a, char *buf, size_t cap)
{
	size_t at = 0;

	CAT("#!/bin/bash\n# hugebench advise, priority %s: %s (%s).\n"
	    "# Writes the sysfs settings below; the values they replace are saved first into\n"
	    "# undo.sh beside this script (UNDO=FILE to choose), which puts them back.\n"
	    "# Takes effect at once, until the next boot: kernel-cmdline.txt makes it stay.\n"
	    "set -eu\nundo=${UNDO:-$(dirname \"$0\")/undo.sh}\n"
	    "printf '#!/bin/bash\\n# written by apply.sh: the values it replaced\\n' > \"$undo\"\n"
	    "set_knob() {\n\tlocal f=$1 v=$2 cur\n"
	    "\tif [ ! -w \"$f\" ]; then echo \"apply.sh: $f: absent or not writable (root? this "
	    "kernel?)\" >&2; return 1; fi\n"
	    "\tcur=$(cat \"$f\")\n\tcase $cur in *'['*) cur=${cur#*[}; cur=${cur%%%%]*} ;; esac\n"
	    "\tprintf 'echo %%s > %%s\\n' \"$cur\" \"$f\" >> \"$undo\"\n"
	    "\techo \"$v\" > \"$f\"\n\techo \"$f = $v (was $cur)\"\n}\n",
	    hb_adv_prio_names[a->prio], a->backing, hb_adv_sure_text[a->sure]);
	for (size_t i = 0; i < a->nsys; i++)
		CAT("set_knob '%s' '%s'\n", a->sys_path[i], a->sys_value[i]);
	CAT("chmod +x \"$undo\"\n");
}

static void dropin(const struct hb_advice *a, char *buf, size_t cap)
{
	size_t at = 0;

	CAT("# hugebench advise, priority %s: %s.\n"
	    "# A systemd drop-in for the service: copy to\n"
	    "# /etc/systemd/system/SERVICE.service.d/hugebench-advice.conf, then\n"
	    "# systemctl daemon-reload && systemctl restart SERVICE.\n"
	    "# The per-process part of the choice goes through the service's allocator (jemalloc's\n"
	    "# thp option, glibc's hugetlb tunable): that is the wrapper used here, not prctl.\n"
	    "[Service]\n", hb_adv_prio_names[a->prio], a->backing);
	if (!a->nenv)
		CAT("# Nothing per process: the system settings (apply.sh) carry the choice.\n");
	for (size_t i = 0; i < a->nenv; i++)
		CAT("Environment=\"%s\"\n", a->env[i]);
}

static void ansible_vars(const struct hb_advice *a, char *buf, size_t cap)
{
	size_t at = 0;

	CAT("# hugebench advise, priority %s: %s (%s).\n"
	    "# For deploy/ansible/apply.yml: ansible-playbook -i HOSTS deploy/ansible/apply.yml "
	    "-e @ansible-vars.yml\n---\nhugebench_priority: %s\nhugebench_backing: \"%s\"\n"
	    "hugebench_sysfs:%s\n", hb_adv_prio_names[a->prio], a->backing,
	    hb_adv_sure_text[a->sure], hb_adv_prio_names[a->prio], a->backing,
	    a->nsys ? "" : " []");
	for (size_t i = 0; i < a->nsys; i++)
		CAT("  - { path: \"%s\", value: \"%s\" }\n", a->sys_path[i], a->sys_value[i]);
	CAT("hugebench_kernel_cmdline: \"%s\"\nhugebench_environment:%s\n", a->cmdline,
	    a->nenv ? "" : " []");
	for (size_t i = 0; i < a->nenv; i++)
		CAT("  - \"%s\"\n", a->env[i]);
	CAT("# The systemd unit the drop-in goes to; empty: none.\nhugebench_service: \"\"\n");
}

int hb_advise_files(const char *dir, const struct hb_advice *a, char *err, size_t len)
{
	size_t cap = 16384;
	char *buf = malloc(cap);
	int rc;

	if (!buf)
		return -ENOMEM;
	rc = hb_mkdir_p(dir, 0755);
	if (rc) {
		snprintf(err, len, "%s: %s", dir, strerror(-rc));
		free(buf);
		return rc;
	}
	apply_sh(a, buf, cap);
	rc = put(dir, "apply.sh", buf, err, len);
	if (!rc) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/apply.sh", dir);
		chmod(path, 0755);
		snprintf(buf, cap, "%s\n", a->cmdline);
		rc = put(dir, "kernel-cmdline.txt", buf, err, len);
	}
	if (!rc) {
		dropin(a, buf, cap);
		rc = put(dir, "hugebench-advice.conf", buf, err, len);
	}
	if (!rc) {
		ansible_vars(a, buf, cap);
		rc = put(dir, "ansible-vars.yml", buf, err, len);
	}
	free(buf);
	return rc;
}
