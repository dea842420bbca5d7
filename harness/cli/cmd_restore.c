/*
 * `hugebench restore`, and the look every command takes first at what a crashed run left:
 * restored as root, described with the way to restore it otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "knobs.h"
#include "log.h"
#include "options.h"

/* Lists what the dead run pid left, each entry with its value now; returns how many. */
static unsigned describe(const struct hb_knobs *k, long pid, FILE *f)
{
	char now[64];

	for (unsigned i = 0; i < k->n; i++) {
		const struct hb_knob_saved *s = &k->saved[i];

		if (s->is_dir)
			fprintf(f, "  cgroup %s (made by a crashed hugebench run pid %ld)\n",
				s->path, pid);
		else if (hb_knob_read(k, s->path, now, sizeof(now)))
			fprintf(f, "  %s (left by a crashed hugebench run pid %ld: was %s)\n",
				s->path, pid, s->value);
		else
			fprintf(f, "  %s is %s (left by a crashed hugebench run pid %ld: was %s)\n",
				s->path, now, pid, s->value);
	}
	return k->n;
}

/* Without root: what root's state file says a crashed run left. 1 when something is left.
 * quiet: nothing said when the file cannot be read (every command looks, only restore says). */
static int describe_left(const char *how, int quiet)
{
	struct hb_knobs *k = malloc(sizeof(*k));
	char path[PATH_MAX];
	long pid;
	int rc;

	if (!k)
		return 0;
	hb_knobs_root_state_path(path, sizeof(path));
	hb_knobs_init(k, "", path);
	rc = hb_knobs_peek(k, &pid);
	if (rc == 1) {
		hb_err("a hugebench run (pid %ld) did not finish and left machine settings changed "
		       "(%s); %s:", pid, k->state_path, how);
		describe(k, pid, stderr);
	} else if (rc < 0 && rc != -EBUSY && !quiet) {
		hb_err("cannot read %s (%s): if a hugebench run crashed, `sudo hugebench restore` "
		       "puts back what it changed", k->state_path, strerror(-rc));
	}
	free(k);
	return rc == 1;
}

void hb_stale_state_check(void)
{
	hb_recover_stale_knobs();
	if (geteuid() != 0)
		describe_left("`sudo hugebench restore` puts them back", 1);
}

static const struct hb_option restore_options[] = {
	HB_OPTION_DRY_RUN,
	HB_OPTION_HELP,
	{ 0 },
};

const struct hb_command hb_restore_command = {
	.name = "restore",
	.summary = "put back what an unfinished run left changed (needs root)",
	.about = "Puts back the machine settings (THP and mTHP modes, khugepaged, hugetlb pools, "
		 "memory cgroups) a hugebench run that did not finish left changed, from its state "
		 "file. Needs root. Exit 0 when restored or nothing was left, 1 when it cannot (not "
		 "root, a running hugebench holds them, or a write failed).",
	.options = restore_options,
};

/* --dry-run: what restore would put back, from the state file, read only. */
static int restore_dry_run(void)
{
	struct hb_knobs *k = malloc(sizeof(*k));
	char path[PATH_MAX];
	long pid = 0;
	int rc;

	if (!k)
		return HB_EXIT_INTERNAL;
	hb_knobs_root_state_path(path, sizeof(path));
	hb_knobs_init(k, "", geteuid() == 0 ? NULL : path);
	rc = hb_knobs_peek(k, &pid);
	if (rc == 1)
		printf("restore: --dry-run: would put back %u setting%s a hugebench run (pid %ld) "
		       "left changed (%s)%s; nothing was changed\n", k->n, k->n == 1 ? "" : "s",
		       pid, k->state_path, geteuid() == 0 ? "" : ", as root");
	else if (rc == -EBUSY)
		printf("restore: --dry-run: a running hugebench (pid %ld) holds the saved settings "
		       "(%s): nothing to restore; nothing was changed\n", pid, k->state_path);
	else
		printf("restore: --dry-run: nothing to restore%s%s%s; nothing was changed\n",
		       rc < 0 ? " that can be read (" : "", rc < 0 ? strerror(-rc) : "",
		       rc < 0 ? ")" : "");
	free(k);
	return HB_EXIT_OK;
}

int hb_cmd_restore(int argc, char **argv)
{
	static char report[8192];
	struct hb_knobs *k;
	long pid = 0;
	int rc, dry_run = 0;

	rc = hb_opt_flags(&hb_restore_command, argc, argv, 0, NULL, &dry_run);
	if (rc)
		return rc > 0 ? HB_EXIT_OK : HB_EXIT_USAGE;
	if (optind < argc) {
		hb_err("restore: unexpected argument '%s'", argv[optind]);
		hb_opt_usage(&hb_restore_command, stderr);
		return HB_EXIT_USAGE;
	}
	if (dry_run)
		return restore_dry_run();
	k = malloc(sizeof(*k));
	if (!k)
		return HB_EXIT_INTERNAL;
	hb_knobs_init(k, "", NULL);
	rc = hb_knobs_recover(k, report, sizeof(report));
	if (rc == 1) {
		fprintf(stderr, "%s", report);
		printf("restored the machine settings a hugebench run left changed (listed on "
		       "stderr)\n");
		rc = HB_EXIT_OK;
	} else if (rc == -EBUSY) {
		hb_knobs_init(k, "", NULL);
		hb_knobs_peek(k, &pid);
		hb_err("a running hugebench (pid %ld) holds the saved settings (%s); it puts them "
		       "back itself when it ends", pid, k->state_path);
		rc = HB_EXIT_INTERNAL;
	} else if (rc < 0) {
		hb_err("could not restore every setting from %s (%s):\n%s", k->state_path,
		       strerror(-rc), report);
		rc = HB_EXIT_INTERNAL;
	} else if (geteuid() != 0 &&
		   describe_left("restoring them needs root: sudo hugebench restore", 0)) {
		rc = HB_EXIT_INTERNAL;
	} else {
		printf("nothing to restore: no hugebench run left machine settings changed\n");
		rc = HB_EXIT_OK;
	}
	free(k);
	return rc;
}
