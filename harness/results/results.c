#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "log.h"
#include "results.h"
#include "schema.h"

int hb_results_open(struct hb_results *r, const char *dir, char *err, size_t errlen)
{
	char series[PATH_MAX + 8];
	int rc;

	memset(r, 0, sizeof(*r));
	if (dir) {
		snprintf(r->dir, sizeof(r->dir), "%s", dir);
	} else {
		char host[64] = "host", stamp[32];
		time_t now = time(NULL);
		struct tm tm;

		gethostname(host, sizeof(host) - 1);
		for (char *c = host; *c; c++)
			if (*c == '/' || *c == ' ')
				*c = '_';
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime_r(&now, &tm));
		snprintf(r->dir, sizeof(r->dir), "results/%s-%s", stamp, host);
	}
	snprintf(series, sizeof(series), "%s/series", r->dir);
	rc = hb_mkdir_p(series, 0755);
	if (rc)
		snprintf(err, errlen, "cannot create results directory '%s': %s", r->dir,
			 strerror(-rc));
	return rc;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

int hb_results_add(struct hb_results *r, const char *workload, const char *backing,
		   const char *params, int rep, const char *metric, const char *value,
		   const char *unit, const char *note)
{
	struct hb_row *row;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct hb_row *rows = realloc(r->rows, cap * sizeof(*rows));

		if (!rows)
			return -ENOMEM;
		r->rows = rows;
		r->cap = cap;
	}
	row = &r->rows[r->n];
	row->workload = dup_or_empty(workload);
	row->backing = dup_or_empty(backing);
	row->params = dup_or_empty(params);
	row->metric = dup_or_empty(metric);
	row->value = dup_or_empty(value);
	row->unit = dup_or_empty(unit);
	row->note = dup_or_empty(note);
	row->rep = rep;
	if (!row->workload || !row->backing || !row->params || !row->metric || !row->value ||
	    !row->unit || !row->note)
		abort(); /* out of memory while keeping results: nothing sane left */
	hb_row_type_value(row);
	r->n++;
	return 0;
}

int hb_results_addf(struct hb_results *r, const char *workload, const char *backing,
		    const char *params, int rep, const char *metric, double value,
		    const char *unit, const char *note)
{
	char v[64];

	snprintf(v, sizeof(v), "%.10g", value);
	return hb_results_add(r, workload, backing, params, rep, metric, v, unit, note);
}

int hb_atomic_write(const char *path, const char *data, size_t len)
{
	char tmp[PATH_MAX + 32];
	int fd, rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t w = write(fd, data, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		data += w;
		len -= (size_t)w;
	}
	if (!rc && fsync(fd))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

int hb_results_write_file(struct hb_results *r, const char *name, const char *data,
			  size_t len)
{
	char path[PATH_MAX * 2];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", r->dir, name);
	rc = hb_atomic_write(path, data, len);
	if (rc && !r->write_err) {
		r->write_err = rc;
		snprintf(r->write_path, sizeof(r->write_path), "%.4100s", path);
		hb_err("cannot write %s: %s (the earlier version, if any, is kept whole)", path,
		       strerror(-rc));
	}
	return rc;
}

int hb_results_write_csv(struct hb_results *r)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc;

	hb_csv_header(&buf, &len, &cap);
	for (size_t i = 0; i < r->n; i++)
		hb_row_to_csv(&r->rows[i], &buf, &len, &cap);
	rc = hb_results_write_file(r, "results.csv", buf, len);
	free(buf);
	return rc;
}

int hb_results_write_json(struct hb_results *r, const char *name, const json_t *j)
{
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	int rc;

	if (!text)
		return -ENOMEM;
	rc = hb_results_write_file(r, name, text, strlen(text));
	free(text);
	return rc;
}

void hb_results_free(struct hb_results *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct hb_row *row = &r->rows[i];

		free(row->workload);
		free(row->backing);
		free(row->params);
		free(row->metric);
		free(row->value);
		free(row->unit);
		free(row->note);
	}
	free(r->rows);
	r->rows = NULL;
	r->n = r->cap = 0;
}
