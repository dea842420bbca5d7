/*
 * A run's record (meta.json) read back, in one place: every field a report, chart, analysis or
 * compare uses is a typed member here, read once, so a misspelt field is a compile error
 * rather than a silent 0. A record from another machine or an older hugebench may lack any
 * field: text is then NULL and a number's has_ flag 0. compare's machine differences need
 * every key, whatever it is; the generic walk over them (hb_record_leaves) is here too.
 */
#ifndef HB_MACHINE_RECORD_H
#define HB_MACHINE_RECORD_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* One cache of topology.caches. */
struct hb_record_cache {
	int level;	     /* 1, 2, 3; 0 unknown */
	const char *type;    /* "data", "instruction", "unified"; NULL unknown */
	uint64_t size_bytes; /* 0 unknown */
};

/* One entry of the matrix the run ran: a workload, its parameters, its backings. */
struct hb_record_entry {
	const char *workload, *params; /* NULL when missing */
	const char **backings;	      /* nbackings of them; NULL for one that is not text */
	size_t nbackings;
};

struct hb_machine_record {
	const char *hostname, *command, *kind, *start, *end; /* end: NULL until it finished */
	int reps, has_reps;
	int complete; /* the run finished (1 only when recorded so) */
	struct {
		const char *release;
	} kernel;
	struct {
		const char *name;   /* "KVM", "none"; records before it was kept lack it */
		const char *vendor; /* the cpuid vendor string those records have instead */
	} hypervisor;
	struct {
		const char *model;
		int online_cpus, has_online_cpus;
		struct {
			/* what all levels of the dTLB cover with 4K, 2M and 1G pages */
			uint64_t reach_4k_bytes, reach_2m_bytes, reach_1g_bytes;
			int has_reach_4k_bytes, has_reach_2m_bytes, has_reach_1g_bytes;
			/* entries of the L1 dTLB for 4K and 2M pages, of the L2 for 4K */
			int l1d_4k, l1d_2m, l2_4k;
			int has_l1d_4k, has_l1d_2m, has_l2_4k;
		} tlb;
	} cpu;
	struct {
		const char *enabled;
		/* the THP knob of how hard a fault tries for a huge page (always, defer, madvise,
		 * ...: /sys/kernel/mm/transparent_hugepage/ of the same name) */
		const char *fault_compaction;
	} thp;
	struct {
		uint64_t llc_bytes;
		int has_llc_bytes;
		struct hb_record_cache *caches;
		size_t ncaches;
	} topology;
	struct hb_record_entry *entries;
	size_t nentries;
	/* The record as read, which the text fields point into: only for this module's
	 * generic walk and copy. */
	json_t *json;
};

/* Reads the record at path (a meta.json) into r. 0, or -EINVAL / -ENOMEM with note saying
 * why; r is then an empty record (every field missing), still to be freed. */
int hb_record_load(const char *path, struct hb_machine_record *r, char *note, size_t len);
/* The record of j (a run's own meta, before it is written); r holds a reference to j. 0 or
 * -ENOMEM (r then empty). */
int hb_record_from_json(json_t *j, struct hb_machine_record *r);
void hb_record_free(struct hb_machine_record *r);
/* Whether the record has any field at all (a missing meta.json reads as one without). */
int hb_record_empty(const struct hb_machine_record *r);

/* Every value of the record that is not an object, as its dotted path ("thp.enabled") and its
 * text (see hb_record_leaf_text), in the record's order; paths longer than 95 characters are
 * left out. */
typedef void (*hb_record_leaf_fn)(const char *path, const char *text, void *arg);
void hb_record_leaves(const struct hb_machine_record *r, hb_record_leaf_fn fn, void *arg);
/* The text of the value at a dotted path as the walk gives it: a string as it is, a number
 * or boolean as written, "(absent)", "(null)" or "(object)". */
void hb_record_leaf_text(const struct hb_machine_record *r, const char *path, char *buf,
			 size_t len);
/* The record as indented JSON with sorted keys (a copy to write elsewhere); free() it. NULL
 * when out of memory. */
char *hb_record_dump(const struct hb_machine_record *r);

#endif
