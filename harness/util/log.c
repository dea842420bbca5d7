#include <stdarg.h>
#include <stdio.h>

#include "log.h"

int hb_log_quiet;

void hb_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("hugebench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void hb_info(const char *fmt, ...)
{
	va_list ap;

	if (hb_log_quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
