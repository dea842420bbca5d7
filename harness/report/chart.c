/* The chart records, their data files and scripts, and gnuplot; the kinds in chart_<kind>.c,
 * which use these, and chart_draw.c, which calls the kinds. */
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
#include "chart.h"

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

/* pngcairo draws smoother text and lines; the libgd png terminal is the fallback. */
static const char *png_terminal(const char *gnuplot)
{
	char cmd[PATH_MAX + 128];

	snprintf(cmd, sizeof(cmd), "'%s' -e 'set terminal pngcairo' >/dev/null 2>&1", gnuplot);
	return system(cmd) == 0 ? "pngcairo" : "png";
}

int hb_plot_init(struct hb_plot *p, struct hb_rundata *d, const char *plots_dir)
{
	char probe[PATH_MAX + 16];

	memset(p, 0, sizeof(*p));
	p->d = d;
	snprintf(p->dir, sizeof(p->dir), "%s", plots_dir);
	if (mkdir(p->dir, 0755) && errno != EEXIST)
		return -errno;
	hb_data_path("plots", p->tmpl, sizeof(p->tmpl));
	snprintf(probe, sizeof(probe), "%s/bars.gp", p->tmpl);
#ifdef GNUPLOT_PATH
	p->gnuplot = GNUPLOT_PATH;
	if (access(p->gnuplot, X_OK)) {
		snprintf(p->why_none, sizeof(p->why_none), "gnuplot (%s) is not there any more: "
			 "apt-get install gnuplot-nox", GNUPLOT_PATH);
		p->gnuplot = NULL;
	}
#else
	snprintf(p->why_none, sizeof(p->why_none), "hugebench was built without gnuplot "
		 "(apt-get install gnuplot-nox, then ./configure && make)");
#endif
	if (p->gnuplot && access(probe, R_OK)) {
		snprintf(p->why_none, sizeof(p->why_none), "the chart templates are missing (%s)",
			 probe);
		p->gnuplot = NULL;
	}
	p->png_term = p->gnuplot ? png_terminal(p->gnuplot) : "pngcairo";
	return 0;
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

void hb_plot_skip(struct hb_plot *p, const char *workload, const char *name, const char *why)
{
	struct hb_chart *c;

	if (p->ncharts == HB_MAX_CHARTS)
		return;
	c = &p->charts[p->ncharts++];
	memset(c, 0, sizeof(*c));
	snprintf(c->workload, sizeof(c->workload), "%s", workload);
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->why_not, sizeof(c->why_not), "%s", why);
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
