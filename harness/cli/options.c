/* The command option tables' walker (options.h): getopt_long's options and the help text. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#define HELP_COLUMN 30 /* where an option's help begins */
#define WIDTH 92       /* where text is wrapped */

static int has_short(const struct hb_option *o)
{
	return o->key > 0 && o->key < HB_OPT_LONG_ONLY;
}

/* An optional value: its arg is written "[=NAME]" and given as --name=VALUE. */
static int optional(const struct hb_option *o)
{
	return o->arg && o->arg[0] == '[' && o->arg[1] == '=';
}

/* What goes between the option's name and its arg in the help: a space, or nothing. */
static const char *arg_sep(const struct hb_option *o)
{
	return !o->arg || optional(o) ? "" : " ";
}

void hb_opt_begin(struct hb_opt_parser *p, const struct hb_command *cmd)
{
	char *s = p->optstring;
	size_t n = 0;

	memset(p, 0, sizeof(*p));
	p->cmd = cmd;
	if (!cmd->name)
		*s++ = '+'; /* the top level: its options end at the command */
	for (const struct hb_option *o = cmd->options; o->name && n < HB_MAX_OPTIONS; o++, n++) {
		p->longopts[n] = (struct option){ o->name,
						  optional(o) ? optional_argument :
						  o->arg      ? required_argument :
								no_argument,
						  NULL, o->key };
		if (!has_short(o))
			continue;
		*s++ = (char)o->key;
		if (o->arg)
			*s++ = ':';
		if (optional(o))
			*s++ = ':';
	}
	*s = 0;
}

int hb_opt_next(struct hb_opt_parser *p, int argc, char **argv)
{
	/* getopt keeps state between scans (the ordering, where it moved the operands to),
	 * which only optind = 0 resets. */
	if (!p->scanning) {
		optind = 0;
		p->scanning = 1;
	}
	return getopt_long(argc, argv, p->optstring, p->longopts, NULL);
}

void hb_opt_scan(const struct hb_command *cmd, int argc, char **argv, int *dry_run,
		 const char **operand)
{
	char **copy = calloc((size_t)argc + 1, sizeof(*copy));
	struct hb_opt_parser p;
	int c, saved_opterr = opterr;

	*dry_run = 0;
	*operand = NULL;
	if (!copy)
		return;
	memcpy(copy, argv, (size_t)argc * sizeof(*copy)); /* getopt moves what it reads */
	opterr = 0;
	hb_opt_begin(&p, cmd);
	while ((c = hb_opt_next(&p, argc, copy)) != -1)
		*dry_run |= c == HB_OPT_DRY_RUN;
	opterr = saved_opterr;
	if (optind < argc)
		*operand = copy[optind];
	free(copy);
}

int hb_opt_flags(const struct hb_command *cmd, int argc, char **argv, int flag_key, int *flag,
		 int *dry_run)
{
	struct hb_opt_parser p;
	int c;

	hb_opt_begin(&p, cmd);
	while ((c = hb_opt_next(&p, argc, argv)) != -1) {
		if (c == 'h') {
			hb_opt_help(cmd, stdout);
			return 1;
		}
		if (c == HB_OPT_DRY_RUN) {
			*dry_run = 1;
		} else if (flag && c == flag_key) {
			*flag = 1;
		} else {
			hb_opt_usage(cmd, stderr);
			return -EINVAL;
		}
	}
	return 0;
}

/* Writes text from column col (the cursor is at *at), wrapped at WIDTH; a "\n" in the text
 * breaks the line. */
static void wrap(FILE *f, const char *text, int col, int *at)
{
	while (*text) {
		size_t word = strcspn(text, " \n");

		if (*at > col && *at + 1 + (int)word > WIDTH) {
			fprintf(f, "\n%*s", col, "");
			*at = col;
		} else if (*at > col) {
			fputc(' ', f);
			(*at)++;
		}
		fprintf(f, "%.*s", (int)word, text);
		*at += (int)word;
		text += word;
		if (*text == '\n') {
			fprintf(f, "\n%*s", col, "");
			*at = col;
			text++;
		}
		text += strspn(text, " ");
	}
}

void hb_opt_usage(const struct hb_command *cmd, FILE *f)
{
	char head[64], item[160];
	int col, at;

	col = at = snprintf(head, sizeof(head), "usage: hugebench%s%s", cmd->name ? " " : "",
			    cmd->name ? cmd->name : "");
	fputs(head, f);
	if (cmd->operands && !cmd->operands_last) {
		fprintf(f, " %s", cmd->operands);
		at += 1 + (int)strlen(cmd->operands);
	}
	col++;
	for (const struct hb_option *o = cmd->options; o->name; o++) {
		int len;

		if (o->usage && !*o->usage)
			continue;
		if (o->usage)
			len = snprintf(item, sizeof(item), "[%s]", o->usage);
		else
			len = snprintf(item, sizeof(item), "[--%s%s%s]", o->name, arg_sep(o),
				       o->arg ? o->arg : "");
		if (at + 1 + len > WIDTH) {
			fprintf(f, "\n%*s%s", col, "", item);
			at = col + len;
		} else {
			fprintf(f, " %s", item);
			at += 1 + len;
		}
	}
	if (cmd->operands && cmd->operands_last)
		fprintf(f, "%s%*s%s", at + 1 + (int)strlen(cmd->operands) > WIDTH ? "\n" : "",
			at + 1 + (int)strlen(cmd->operands) > WIDTH ? col : 1, "", cmd->operands);
	fputc('\n', f);
}

void hb_opt_print_options(const struct hb_command *cmd, FILE *f)
{
	for (const struct hb_option *o = cmd->options; o->name; o++) {
		char label[96];
		int at;

		if (has_short(o))
			at = snprintf(label, sizeof(label), "  -%c, --%s%s%s", o->key, o->name,
				      arg_sep(o), o->arg ? o->arg : "");
		else
			at = snprintf(label, sizeof(label), "      --%s%s%s", o->name, arg_sep(o),
				      o->arg ? o->arg : "");
		fputs(label, f);
		if (at + 2 > HELP_COLUMN)
			fprintf(f, "\n%*s", HELP_COLUMN, "");
		else
			fprintf(f, "%*s", HELP_COLUMN - at, "");
		at = HELP_COLUMN;
		wrap(f, o->help, HELP_COLUMN, &at);
		fputc('\n', f);
	}
}

void hb_opt_help(const struct hb_command *cmd, FILE *f)
{
	int at = 2;

	hb_opt_usage(cmd, f);
	if (cmd->about) {
		fputs("  ", f);
		wrap(f, cmd->about, 2, &at);
		fputc('\n', f);
	}
	if (cmd->about_data)
		cmd->about_data(f);
	hb_opt_print_options(cmd, f);
	if (cmd->epilog)
		fputs(cmd->epilog, f);
}

int hb_options_check(const struct hb_command *const *cmds, char *err, size_t len)
{
	const char *letter[HB_OPT_LONG_ONLY] = { 0 };

	for (size_t i = 0; cmds[i]; i++) {
		const char *cmd = cmds[i]->name ? cmds[i]->name : "hugebench";
		size_t n = 0;

		for (const struct hb_option *o = cmds[i]->options; o->name; o++, n++) {
			if (n == HB_MAX_OPTIONS || !o->help || !o->key) {
				snprintf(err, len, "%s: option --%s: %s", cmd, o->name,
					 n == HB_MAX_OPTIONS ? "more rows than HB_MAX_OPTIONS" :
					 "no help or no key");
				return -EINVAL;
			}
			for (const struct hb_option *q = cmds[i]->options; q < o; q++)
				if (q->key == o->key || !strcmp(q->name, o->name)) {
					snprintf(err, len, "%s: --%s and --%s share a name or key",
						 cmd, q->name, o->name);
					return -EINVAL;
				}
			if (!has_short(o))
				continue;
			if (letter[o->key] && strcmp(letter[o->key], o->name)) {
				snprintf(err, len, "-%c is --%s in one command and --%s in %s",
					 o->key, letter[o->key], o->name, cmd);
				return -EINVAL;
			}
			letter[o->key] = o->name;
		}
	}
	return 0;
}
