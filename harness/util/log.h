/* One small logging helper: the harness talks to the user on stderr. Workloads never print. */
#ifndef HB_LOG_H
#define HB_LOG_H

/* "hugebench: <message>\n" on stderr. */
void hb_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress and notes on stderr; silenced by hb_log_quiet. */
void hb_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int hb_log_quiet;

#endif
