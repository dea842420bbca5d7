/*
 * A cell's child that needs its own process image: an allocator under test must be in
 * LD_PRELOAD and start-up tunables (GLIBC_TUNABLES, MALLOC_CONF) are read before main, so a
 * plain fork cannot give them. The forked child execs the harness itself as
 * `hugebench __cell ...` with the cell described on the command line (parameters one
 * NAME=VALUE each, parsed back by the parameter table) and the extra environment.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cell.h"
#include "log.h"

#define FIXED_ARGS 11 /* hugebench __cell workload backing rep seed fd cgdir cgversion id events */

extern char **environ;

static int env_name_len(const char *var)
{
	const char *eq = strchr(var, '=');

	return eq ? (int)(eq - var) : (int)strlen(var);
}

int hb_cell_exec(const struct hb_cell *cell, const struct hb_child_env *extra, int fd,
		 const char *cgroup_dir, int cgroup_version)
{
	const struct hb_param *t = cell->w->params;
	char nums[4][32], *argv[FIXED_ARGS + 1 + 64], **envp;
	size_t nenv = 0, np = 0;
	int a = 0;

	for (const struct hb_param *p = t; p->name; p++)
		np++;
	if (np > 64)
		return -E2BIG;
	snprintf(nums[0], sizeof(nums[0]), "%d", cell->rep);
	snprintf(nums[1], sizeof(nums[1]), "%llu", (unsigned long long)cell->seed);
	snprintf(nums[2], sizeof(nums[2]), "%d", fd);
	snprintf(nums[3], sizeof(nums[3]), "%d", cgroup_version);
	argv[a++] = "hugebench";
	argv[a++] = "__cell";
	argv[a++] = (char *)cell->w->name;
	argv[a++] = (char *)cell->backing.name;
	argv[a++] = nums[0];
	argv[a++] = nums[1];
	argv[a++] = nums[2];
	argv[a++] = (char *)(cgroup_dir && *cgroup_dir ? cgroup_dir : "-");
	argv[a++] = nums[3];
	argv[a++] = (char *)cell->id;
	argv[a++] = (char *)(cell->events && *cell->events ? cell->events : "-"); /* "-": default */
	for (const struct hb_param *p = t; p->name; p++) {
		char v[900];
		size_t len;

		hb_param_format_value(p, cell->params, v, sizeof(v));
		len = strlen(p->name) + strlen(v) + 2;
		argv[a] = malloc(len);
		if (!argv[a])
			return -ENOMEM;
		snprintf(argv[a++], len, "%s=%s", p->name, v);
	}
	argv[a] = NULL;

	/* The harness's environment, with the extra variables replacing same-named ones. */
	for (char **e = environ; *e; e++)
		nenv++;
	envp = calloc(nenv + (size_t)extra->n + 1, sizeof(*envp));
	if (!envp)
		return -ENOMEM;
	nenv = 0;
	for (char **e = environ; *e; e++) {
		int keep = 1;

		for (int i = 0; i < extra->n; i++)
			if (env_name_len(*e) == env_name_len(extra->var[i]) &&
			    !strncmp(*e, extra->var[i], (size_t)env_name_len(*e)))
				keep = 0;
		if (keep)
			envp[nenv++] = *e;
	}
	for (int i = 0; i < extra->n; i++)
		envp[nenv++] = (char *)extra->var[i];
	envp[nenv] = NULL;
	execve("/proc/self/exe", argv, envp);
	return -errno;
}

/* `hugebench __cell ...` (main.c): the child side of hb_cell_exec. */
int hb_cell_exec_main(int argc, char **argv)
{
	static struct hb_cell cell;
	char err[512], *end;
	void *params;
	int fd, cgv;

	if (argc < FIXED_ARGS) {
		hb_err("__cell: internal command, run by the harness only");
		return 2;
	}
	cell.w = hb_workload_find(argv[2]);
	if (!cell.w || hb_backing_parse(argv[3], &cell.backing, err, sizeof(err))) {
		hb_err("__cell: unknown workload '%s' or backing '%s'", argv[2], argv[3]);
		return 2;
	}
	cell.rep = atoi(argv[4]);
	cell.seed = strtoull(argv[5], &end, 10);
	fd = atoi(argv[6]);
	cgv = atoi(argv[8]);
	snprintf(cell.id, sizeof(cell.id), "%s", argv[9]);
	cell.events = strcmp(argv[10], "-") ? argv[10] : NULL;
	params = calloc(1, cell.w->params_size);
	if (!params || hb_params_defaults(cell.w->params, params, err, sizeof(err))) {
		hb_err("__cell: %s", params ? err : "out of memory");
		return 1;
	}
	for (int i = FIXED_ARGS; i < argc; i++)
		if (hb_params_set_arg(cell.w->params, params, argv[i], err, sizeof(err))) {
			hb_err("__cell: %s", err);
			return 2;
		}
	cell.params = params;
	cell.params_text = "";
	return hb_cell_child(&cell, fd, strcmp(argv[7], "-") ? argv[7] : "", cgv);
}
