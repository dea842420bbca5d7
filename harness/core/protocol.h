/*
 * The cell protocol: what a cell's child tells the parent, one line per message on a socket,
 * fields separated by tabs. Both sides go through this module, so the letters and the field
 * rules exist once. A line is shorter than PIPE_BUF, so one write() reaches the parent whole
 * even when the child dies right after it.
 */
#ifndef HB_PROTOCOL_H
#define HB_PROTOCOL_H
#include <stddef.h>

enum hb_msg_kind {
	HB_MSG_METRIC = 'M',   /* M name value unit note: one result row */
	HB_MSG_GAUGE = 'G',    /* G name value: a live value for the time series */
	HB_MSG_PHASE = 'P',    /* P name: a phase began; an empty name: it ended. The child
				* then waits for HB_PHASE_ACK */
	HB_MSG_FALLBACK = 'F', /* F why: the backing did not give what it was asked for */
	HB_MSG_ERROR = 'E',    /* E why: the child failed */
};

/* The one byte the parent writes back (the channel is a socket pair) once it has taken its
 * samples of a phase boundary: the child's next step does not run beside them. */
#define HB_PHASE_ACK 'k'

/* Longest field each side keeps (bytes, without the terminating NUL); longer ones are cut. */
#define HB_MSG_NAME_MAX	 159 /* counter metrics are "pmu:<libpfm4 event>" */
#define HB_MSG_VALUE_MAX 127
#define HB_MSG_UNIT_MAX	 31
#define HB_MSG_NOTE_MAX	 511
/* One encoded line with its newline fits in this (and is below PIPE_BUF, 4096 on Linux). */
#define HB_MSG_LINE_MAX 1024

struct hb_msg {
	enum hb_msg_kind kind;
	const char *name;  /* M, G: the figure; P: the phase ("" when it ended) */
	const char *value; /* M: the value as text (encode: NULL prints num with %.10g) */
	double num;	   /* G; M when value is NULL (encode) or numeric (decode) */
	int numeric;	   /* decode: value is a whole number (M), always for G */
	const char *unit;  /* M */
	const char *note;  /* M: may be ""; F, E: why */
};

/*
 * m as one line ending in '\n' (and a NUL) into buf (len >= HB_MSG_LINE_MAX). Every field
 * has tabs, newlines and carriage returns turned into spaces and is cut to its maximum; NULL
 * fields are empty. Returns the line's length (without the NUL), or -EINVAL (unknown kind) /
 * -ENOSPC (buf too small).
 */
int hb_msg_encode(const struct hb_msg *m, char *buf, size_t len);
/*
 * One line (without its '\n') into m, whose strings then point into line (changed in place).
 * 0, or -EINVAL when the line is malformed: unknown kind, wrong number of fields, an empty
 * metric or gauge name, a gauge value that is not a number. m is then not to be used.
 */
int hb_msg_decode(char *line, struct hb_msg *m);
/* Encodes m and writes it with one write() (retried on EINTR). 0 or -errno. */
int hb_msg_write(int fd, const struct hb_msg *m);

#endif
