/*
 * Counters: libpfm4 turns event names into perf_event_attr (PFM_OS_PERF_EVENT_EXT), the
 * kernel counts them on the calling thread. Without libpfm4 this file still builds and every
 * counter says why it is missing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef HAVE_LIBPFM
#include <perfmon/pfmlib_perf_event.h>
#include <sys/ioctl.h>
#endif

#include "counters.h"

#define PARANOID "/proc/sys/kernel/perf_event_paranoid"

int hb_counter_scale(uint64_t raw, uint64_t enabled, uint64_t running, double *scaled,
		     double *ratio)
{
	*scaled = 0;
	*ratio = 0;
	if (!enabled || !running)
		return -ENODATA;
	if (running > enabled)
		running = enabled; /* rounding in the kernel's clocks; never scale down */
	*ratio = (double)running / (double)enabled;
	*scaled = (double)raw * ((double)enabled / (double)running);
	return 0;
}

static int add(struct hb_counters *cs, const char *name, unsigned roles, char *err, size_t len)
{
	struct hb_counter *c;

	if (!*name) {
		snprintf(err, len, "--events: an empty event name (the list is comma-separated "
			 "libpfm4 event strings, or 'default')");
		return -EINVAL;
	}
	for (int i = 0; i < cs->n; i++)
		if (!strcmp(cs->c[i].name, name))
			return 0; /* counted once, first roles win */
	if (cs->n == HB_CTR_MAX) {
		snprintf(err, len, "--events: at most %d events", HB_CTR_MAX);
		return -EINVAL;
	}
	if (strlen(name) >= sizeof(cs->c[0].name)) {
		snprintf(err, len, "--events: event name '%.40s...' is longer than %zu characters",
			 name, sizeof(cs->c[0].name) - 1);
		return -EINVAL;
	}
	c = &cs->c[cs->n++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->roles = roles;
	c->fd = -1;
	c->leader = (int)(c - cs->c);
	return 0;
}

static int add_defaults(struct hb_counters *cs, char *err, size_t len)
{
	const struct hb_ctr_table *t = cs->pmu[0] ? hb_ctr_table_for(cs->pmu) : NULL;
	int rc = 0;

	if (!t)
		t = hb_ctr_table_for("perf");
	for (const struct hb_ctr_def *d = t->defs; d->name && !rc; d++)
		rc = add(cs, d->name, d->roles, err, len);
	for (const struct hb_ctr_def *d = hb_ctr_software; d->name && !rc; d++)
		rc = add(cs, d->name, d->roles, err, len);
	return rc;
}

#ifdef HAVE_LIBPFM

static int pfm_ready(char *why, size_t len)
{
	int rc = pfm_initialize();

	if (rc != PFM_SUCCESS) {
		snprintf(why, len, "libpfm4 could not initialise: %s", pfm_strerror(rc));
		return -ENODEV;
	}
	return 0;
}

/* The first core PMU libpfm4 detects that has a default table, else the first one at all. */
static void detect_pmu(struct hb_counters *cs)
{
	pfm_pmu_t p;

	pfm_for_all_pmus(p) {
		pfm_pmu_info_t info;

		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		if (pfm_get_pmu_info(p, &info) != PFM_SUCCESS || !info.is_present ||
		    info.type != PFM_PMU_TYPE_CORE)
			continue;
		if (!cs->pmu[0] || hb_ctr_table_for(info.name)) {
			snprintf(cs->pmu, sizeof(cs->pmu), "%s", info.name);
			if (hb_ctr_table_for(info.name))
				return;
		}
	}
}

static void paranoid_value(char *buf, size_t len)
{
	FILE *f = fopen(PARANOID, "r");

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		snprintf(buf, len, "unknown");
	buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

/* Why perf_event_open refused, in words a user can act on. */
static void open_reason(struct hb_counter *c, int e)
{
	char par[32];
	const char *name = strerrorname_np(e);

	c->err = -e;
	if (!name)
		name = "?";
	switch (e) {
	case ENOENT:
	case EOPNOTSUPP:
	case ENODEV:
		snprintf(c->why, sizeof(c->why),
			 "no PMU exposed for this event (perf_event_open: %s, %s); a VM has no "
			 "hardware counters unless the hypervisor exposes a virtual PMU", name,
			 strerror(e));
		break;
	case EACCES:
	case EPERM:
		paranoid_value(par, sizeof(par));
		snprintf(c->why, sizeof(c->why),
			 "not permitted (perf_event_open: %s) with kernel.perf_event_paranoid=%s; "
			 "allow it with `sysctl kernel.perf_event_paranoid=1` or give hugebench "
			 "CAP_PERFMON (setcap cap_perfmon+ep)", name, par);
		break;
	case EINVAL:
		snprintf(c->why, sizeof(c->why),
			 "the kernel refused this encoding (perf_event_open: EINVAL): the event "
			 "is unknown to this CPU's PMU driver");
		break;
	default:
		snprintf(c->why, sizeof(c->why), "perf_event_open: %s, %s", name, strerror(e));
	}
}

static int encode(struct hb_counters *cs, struct hb_counter *c, struct perf_event_attr *attr)
{
	pfm_perf_encode_arg_t arg;
	int rc;

	memset(attr, 0, sizeof(*attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = attr;
	arg.size = sizeof(arg);
	/* User space only: what an unprivileged run at perf_event_paranoid=2 may count too,
	 * so figures compare across privileges. */
	rc = pfm_get_os_event_encoding(c->name, PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
	if (rc != PFM_SUCCESS) {
		c->err = rc == PFM_ERR_NOTFOUND ? -ENOENT : -EINVAL;
		snprintf(c->why, sizeof(c->why), "%s (libpfm4: %s; detected PMU %s)",
			 rc == PFM_ERR_NOTFOUND ? "event unknown on this CPU" :
						  "libpfm4 cannot encode this event",
			 pfm_strerror(rc), cs->pmu[0] ? cs->pmu : "none");
		return -1;
	}
	attr->size = sizeof(*attr);
	attr->disabled = 1;
	attr->inherit = 0;
	attr->read_format = PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED |
			    PERF_FORMAT_TOTAL_TIME_RUNNING;
	c->hardware = attr->type != PERF_TYPE_SOFTWARE;
	return 0;
}

static int read_group(int fd, uint64_t *buf, size_t n)
{
	ssize_t r = read(fd, buf, n * sizeof(*buf));

	return r < (ssize_t)(3 * sizeof(*buf)) ? -EIO : 0;
}

/* Every member of the group led by lead, read at once. set_base: remember as the zero. */
static void read_members(struct hb_counters *cs, int lead, int set_base)
{
	uint64_t buf[3 + HB_CTR_MAX];

	if (read_group(cs->c[lead].fd, buf, 3 + HB_CTR_MAX))
		return;
	for (int i = 0; i < cs->n; i++) {
		struct hb_counter *c = &cs->c[i];

		if (c->fd < 0 || c->leader != lead || (uint64_t)c->pos >= buf[0])
			continue;
		if (set_base) {
			c->base_value = buf[3 + c->pos];
			c->base_enabled = buf[1];
			c->base_running = buf[2];
		} else {
			c->value = buf[3 + c->pos] - c->base_value;
			c->enabled = buf[1] - c->base_enabled;
			c->running = buf[2] - c->base_running;
		}
	}
}

static void close_one(struct hb_counter *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Opens c alone or under leader (-1: leads itself). */
static int open_one(struct hb_counters *cs, int i, struct perf_event_attr *attr, int leader)
{
	struct hb_counter *c = &cs->c[i];
	int fd;

	attr->disabled = leader < 0; /* members follow their leader */
	fd = (int)perf_event_open(attr, 0, -1, leader < 0 ? -1 : cs->c[leader].fd,
				  PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	c->fd = fd;
	c->leader = leader < 0 ? i : leader;
	c->pos = 0;
	if (leader >= 0)
		for (int j = 0; j < i; j++)
			if (cs->c[j].fd >= 0 && cs->c[j].leader == leader)
				c->pos++;
	c->err = 0;
	c->why[0] = 0;
	return 0;
}

/* Enable a moment and see whether the PMU ever scheduled the group: a group larger than the
 * free counters (e.g. beside the NMI watchdog) opens fine and then never counts. */
static int group_runs(struct hb_counters *cs, int lead)
{
	uint64_t buf[3 + HB_CTR_MAX];
	volatile uint64_t spin = 0;

	ioctl(cs->c[lead].fd, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
	for (int k = 0; k < 200000; k++)
		spin += (uint64_t)k;
	ioctl(cs->c[lead].fd, PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
	if (read_group(cs->c[lead].fd, buf, 3 + HB_CTR_MAX))
		return 0;
	return buf[2] > 0;
}

void hb_counters_open(struct hb_counters *cs)
{
	struct perf_event_attr *attrs = calloc(HB_CTR_MAX, sizeof(*attrs));
	int lead = -1, ok = 1, nhw = 0;
	char why[HB_CTR_WHY];

	if (!attrs)
		snprintf(why, sizeof(why), "out of memory");
	if (!attrs || pfm_ready(why, sizeof(why))) {
		for (int i = 0; i < cs->n; i++) {
			cs->c[i].err = -ENODEV;
			snprintf(cs->c[i].why, sizeof(cs->c[i].why), "%s", why);
		}
		free(attrs);
		return;
	}
	for (int i = 0; i < cs->n; i++) {
		if (encode(cs, &cs->c[i], &attrs[i]))
			continue;
		cs->c[i].hardware |= cs->group_all;
		nhw += cs->c[i].hardware;
	}
	/* Software events never multiplex: each alone. */
	for (int i = 0; i < cs->n; i++) {
		int e;

		if (cs->c[i].err || cs->c[i].hardware)
			continue;
		e = open_one(cs, i, &attrs[i], -1);
		if (e)
			open_reason(&cs->c[i], -e);
	}
	/* Hardware events: one group, so ratios between them (walk cycles / cycles) are exact. */
	for (int i = 0; i < cs->n && ok && nhw > 1; i++) {
		if (cs->c[i].err || !cs->c[i].hardware)
			continue;
		ok = open_one(cs, i, &attrs[i], lead) == 0;
		if (ok && lead < 0)
			lead = i;
	}
	if (ok && lead >= 0 && group_runs(cs, lead)) {
		cs->grouped = 1;
		read_members(cs, lead, 1);
		free(attrs);
		return;
	}
	/* The group cannot be opened or scheduled: each event alone, multiplexed. */
	for (int i = 0; i < cs->n; i++)
		if (cs->c[i].hardware && !cs->c[i].err)
			close_one(&cs->c[i]);
	for (int i = 0; i < cs->n; i++) {
		int e;

		if (cs->c[i].err || !cs->c[i].hardware)
			continue;
		e = open_one(cs, i, &attrs[i], -1);
		if (e)
			open_reason(&cs->c[i], -e);
	}
	free(attrs);
}

static void ioctl_leaders(struct hb_counters *cs, unsigned long req)
{
	for (int i = 0; i < cs->n; i++)
		if (cs->c[i].fd >= 0 && cs->c[i].leader == i)
			ioctl(cs->c[i].fd, req, PERF_IOC_FLAG_GROUP);
}

void hb_counters_enable(struct hb_counters *cs)
{
	ioctl_leaders(cs, PERF_EVENT_IOC_ENABLE);
	cs->enabled = 1;
}

void hb_counters_disable(struct hb_counters *cs)
{
	ioctl_leaders(cs, PERF_EVENT_IOC_DISABLE);
	cs->enabled = 0;
}

void hb_counters_read(struct hb_counters *cs)
{
	for (int i = 0; i < cs->n; i++)
		if (cs->c[i].fd >= 0 && cs->c[i].leader == i)
			read_members(cs, i, 0);
}

void hb_counters_close(struct hb_counters *cs)
{
	/* Members first: closing a leader would promote them to singletons. */
	for (int i = 0; i < cs->n; i++)
		if (cs->c[i].leader != i)
			close_one(&cs->c[i]);
	for (int i = 0; i < cs->n; i++)
		close_one(&cs->c[i]);
}

int hb_counters_init(struct hb_counters *cs, const char *events, char *err, size_t len)
{
	char why[HB_CTR_WHY];

	memset(cs, 0, sizeof(*cs));
	if (pfm_ready(why, sizeof(why)) == 0)
		detect_pmu(cs);
	return hb_counters_parse(cs, events, err, len);
}

#else /* !HAVE_LIBPFM */

#define NO_PFM "libpfm4 was not built in (apt-get install libpfm4-dev and re-run configure)"

void hb_counters_open(struct hb_counters *cs)
{
	for (int i = 0; i < cs->n; i++) {
		cs->c[i].err = -ENOSYS;
		snprintf(cs->c[i].why, sizeof(cs->c[i].why), "%s", NO_PFM);
	}
}

void hb_counters_enable(struct hb_counters *cs)
{
	cs->enabled = 1;
}

void hb_counters_disable(struct hb_counters *cs)
{
	cs->enabled = 0;
}

void hb_counters_read(struct hb_counters *cs)
{
	(void)cs;
}

void hb_counters_close(struct hb_counters *cs)
{
	(void)cs;
}

int hb_counters_init(struct hb_counters *cs, const char *events, char *err, size_t len)
{
	memset(cs, 0, sizeof(*cs));
	return hb_counters_parse(cs, events, err, len);
}

#endif

int hb_counters_parse(struct hb_counters *cs, const char *events, char *err, size_t len)
{
	char *copy, *save = NULL;
	int rc = 0;

	cs->n = 0;
	if (!events || !*events)
		return add_defaults(cs, err, len);
	copy = strdup(events);
	if (!copy)
		return -ENOMEM;
	if (copy[strlen(copy) - 1] == ',' || copy[0] == ',' || strstr(copy, ",,"))
		rc = add(cs, "", 0, err, len); /* names the empty entry */
	for (char *t = strtok_r(copy, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save))
		rc = !strcmp(t, "default") ? add_defaults(cs, err, len) : add(cs, t, 0, err, len);
	free(copy);
	return rc;
}
