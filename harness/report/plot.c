/* `hugebench plot DIR`: runs the per-workload chart writers, gnuplot, and the report. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "datadir.h"
#include "log.h"
#include "plot.h"
#include "commands.h"

void hb_gp_str(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	if (len < 3)
		return;
	buf[o++] = '\'';
	for (; *s && o + 3 < len; s++) {
		if (*s == '\'')
			buf[o++] = '\'';
		buf[o++] = *s == '\n' ? ' ' : *s;
	}
	buf[o++] = '\'';
	buf[o] = 0;
}

FILE *hb_plot_data(struct hb_plot *p, const char *name)
{
	char path[PATH_MAX + 128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", p->dir, name);
	f = fopen(path, "w");
	if (!f) {
		hb_err("plot: cannot write %s: %s", path, strerror(errno));
		p->failed++;
	}
	return f;
}

/* gnuplot with DIR/plots as its working directory; its complaints go to gnuplot.log. */
static int run_gnuplot(struct hb_plot *p, const char *script)
{
	char log[PATH_MAX + 32];
	int status = 0, fd;
	pid_t pid;

	snprintf(log, sizeof(log), "%s/gnuplot.log", p->dir);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		if (chdir(p->dir))
			_exit(127);
		execl(p->gnuplot, p->gnuplot, script, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

int hb_plot_chart(struct hb_plot *p, const char *workload, const char *name,
		  const char *template, const char *vars, int width, int height,
		  const char *caption)
{
	char file[160], tmpl[PATH_MAX + 8], title[600], png[PATH_MAX + 128];
	struct hb_chart *c;
	struct stat st;
	FILE *f;
	int rc;

	if (p->ncharts == HB_MAX_CHARTS)
		return -ENOSPC;
	c = &p->charts[p->ncharts++];
	snprintf(c->workload, sizeof(c->workload), "%s", workload);
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->caption, sizeof(c->caption), "%s", caption);
	snprintf(file, sizeof(file), "%s.gp", name);
	f = hb_plot_data(p, file);
	if (!f)
		return -EIO;
	hb_gp_str(p->tmpl, tmpl, sizeof(tmpl));
	hb_gp_str(p->d->machine, title, sizeof(title));
	fprintf(f, "# Written by hugebench plot: `gnuplot %s` in this directory redraws it.\n"
		   "hb_tmpl = %s\nmachine = %s\n%s\n", file, tmpl, title, vars);
	fprintf(f, "set terminal %s noenhanced size %d,%d font 'Sans,10'\nset output '%s.png'\n"
		   "load hb_tmpl.'/%s'\n", p->png_term, width, height, name, template);
	fprintf(f, "set terminal svg noenhanced size %d,%d font 'Sans,10' background 'white'\n"
		   "set output '%s.svg'\nload hb_tmpl.'/%s'\nunset output\n", width, height, name,
		template);
	if (fclose(f)) {
		p->failed++;
		return -EIO;
	}
	if (!p->gnuplot)
		return 0;
	rc = run_gnuplot(p, file);
	snprintf(png, sizeof(png), "%s/%s.png", p->dir, name);
	c->made = !rc && !stat(png, &st) && st.st_size > 0;
	if (!c->made) {
		hb_err("plot: gnuplot failed on %s/%s (see %s/gnuplot.log)", p->dir, file, p->dir);
		p->failed++;
	}
	return c->made ? 0 : -EIO;
}

void hb_params_label(const char *const *sets, size_t n, size_t i, char *buf, size_t len)
{
	const char *s = sets[i];
	size_t off = 0;

	buf[0] = 0;
	while (*s && off < len) {
		size_t kv = strcspn(s, ";"), k = strcspn(s, "=");
		char key[64], mine[256], other[256];
		int differs = 0;

		if (k < kv && k < sizeof(key)) {
			snprintf(key, sizeof(key), "%.*s", (int)k, s);
			hb_param_get(sets[i], key, mine, sizeof(mine));
			for (size_t j = 0; j < n && !differs; j++)
				differs = hb_param_get(sets[j], key, other, sizeof(other)) ||
					  strcmp(mine, other);
			if (differs && mine[0])
				off += (size_t)snprintf(buf + off, len - off, "%s%s=%s",
							off ? " " : "", key, mine);
		}
		s += kv + (s[kv] == ';');
	}
	if (!buf[0])
		snprintf(buf, len, "all");
}

int hb_plot_bars(struct hb_plot *p, const char *workload, const char *name, const char *metric,
		 const char *what, const char *ylabel, int logy, const char *const *params,
		 const char *const *labels, size_t nparams, const char *caption)
{
	const char *bk[HB_MAX_LIST];
	size_t nb = hb_rundata_backings(p->d, workload, bk, HB_MAX_LIST), any = 0;
	double lowest = 0, highest = 0;
	char file[128], vars[2048], t[256], y[256];
	struct hb_stat st;
	FILE *f;

	snprintf(file, sizeof(file), "%s.dat", name);
	f = hb_plot_data(p, file);
	if (!f)
		return -EIO;
	/* Only backings with this figure: a skipped backing is no empty series. */
	for (size_t b = 0, k = 0; b < nb; b++) {
		int has = 0;

		for (size_t i = 0; i < nparams && !has; i++) {
			hb_rundata_stat(p->d, workload, bk[b], params[i], metric, &st);
			has = st.n > 0;
		}
		if (has)
			bk[k++] = bk[b];
		if (b == nb - 1)
			nb = k;
	}
	fprintf(f, "set");
	for (size_t b = 0; b < nb; b++)
		fprintf(f, "\t%s\tmin\tmax", bk[b]);
	fprintf(f, "\n");
	for (size_t i = 0; i < nparams; i++) {
		int row = 0;

		for (size_t b = 0; b < nb; b++) {
			hb_rundata_stat(p->d, workload, bk[b], params[i], metric, &st);
			row |= st.n > 0;
		}
		if (!row)
			continue; /* a set without this figure: no empty group */
		/* Long labels would run off the chart; the report's table has them whole. */
		fprintf(f, "%.30s%s", labels[i], strlen(labels[i]) > 30 ? "..." : "");
		for (size_t b = 0; b < nb; b++) {
			hb_rundata_stat(p->d, workload, bk[b], params[i], metric, &st);
			if (st.n && (!logy || st.min > 0)) {
				fprintf(f, "\t%.6g\t%.6g\t%.6g", st.med, st.min, st.max);
				if (!any++ || st.min < lowest)
					lowest = st.min;
				if (st.max > highest)
					highest = st.max;
			} else {
				fprintf(f, "\t?\t?\t?");
			}
		}
		fprintf(f, "\n");
	}
	fclose(f);
	if (!any)
		return 0; /* nothing measured: no chart rather than an empty one */
	hb_gp_str(what, t, sizeof(t));
	hb_gp_str(ylabel, y, sizeof(y));
	snprintf(vars, sizeof(vars), "datafile = '%s'\nnseries = %zu\nwhat = %s\nylabel = %s\n"
		 "logy = %d\nngroups = %zu\nymin = %g\nyfmt = '%s'", file, nb, t, y, logy, nparams,
		 lowest / 3, /* on a log axis a bar at the axis floor would vanish */
		 highest >= 1e5 ? "%.1s%c" : "%g"); /* 2.5M, not 2.5e+06 */
	return hb_plot_chart(p, workload, name, "bars.gp", vars, 900, 560, caption);
}

/* pngcairo draws smoother text and lines; the libgd png terminal is the fallback. */
static const char *png_terminal(const char *gnuplot)
{
	char cmd[PATH_MAX + 128];

	snprintf(cmd, sizeof(cmd), "'%s' -e 'set terminal pngcairo' >/dev/null 2>&1", gnuplot);
	return system(cmd) == 0 ? "pngcairo" : "png";
}

static void usage(FILE *f)
{
	fprintf(f, "usage: hugebench plot DIR\n"
		   "  Charts (PNG and SVG, in DIR/plots/) and DIR/report.md + report.html from a\n"
		   "  results directory of `hugebench run` or `bench`; needs only the directory.\n");
}

int hb_cmd_plot(int argc, char **argv)
{
	static struct hb_plot p;
	struct hb_rundata d;
	char err[PATH_MAX + 256], probe[PATH_MAX + 16];

	int rc;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return HB_EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-') {
		usage(stderr);
		return HB_EXIT_USAGE;
	}
	if (hb_rundata_load(argv[1], &d, err, sizeof(err))) {
		hb_err("plot: %s", err);
		return HB_EXIT_USAGE;
	}
	if (d.meta_note[0])
		hb_err("plot: %s: charts are titled without the machine", d.meta_note);
	memset(&p, 0, sizeof(p));
	p.d = &d;
	snprintf(p.dir, sizeof(p.dir), "%s/plots", argv[1]);
	if (mkdir(p.dir, 0755) && errno != EEXIST) {
		hb_err("plot: cannot make %s: %s", p.dir, strerror(errno));
		rc = HB_EXIT_USAGE;
		goto out;
	}
	hb_data_path("plots", p.tmpl, sizeof(p.tmpl));
	snprintf(probe, sizeof(probe), "%s/bars.gp", p.tmpl);
#ifdef GNUPLOT_PATH
	p.gnuplot = GNUPLOT_PATH;
	if (access(p.gnuplot, X_OK)) {
		snprintf(p.why_none, sizeof(p.why_none), "gnuplot (%s) is not there any more: "
			 "apt-get install gnuplot-nox", GNUPLOT_PATH);
		p.gnuplot = NULL;
	}
#else
	snprintf(p.why_none, sizeof(p.why_none), "hugebench was built without gnuplot "
		 "(apt-get install gnuplot-nox, then ./configure && make)");
#endif
	if (p.gnuplot && access(probe, R_OK)) {
		snprintf(p.why_none, sizeof(p.why_none), "the chart templates are missing (%s)",
			 probe);
		p.gnuplot = NULL;
	}
	if (!p.gnuplot)
		hb_err("plot: no charts: %s; the report and the gnuplot scripts are still written",
		       p.why_none);
	p.png_term = p.gnuplot ? png_terminal(p.gnuplot) : "pngcairo";
	hb_plot_touch(&p);
	hb_plot_sparse(&p);
	hb_plot_forkcow(&p);
	hb_plot_churn(&p);
	rc = hb_report_write(&p);
	if (rc) {
		hb_err("plot: cannot write the report in %s: %s", argv[1], strerror(-rc));
		rc = HB_EXIT_INTERNAL;
		goto out;
	}
	printf("%s/report.md\n%s/report.html\n", argv[1], argv[1]);
	rc = p.failed ? HB_EXIT_INTERNAL : HB_EXIT_OK;
out:
	hb_rundata_free(&d);
	return rc;
}
