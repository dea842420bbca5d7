/*
 * /proc/buddyinfo: the free blocks of each order (2^order pages), per node and zone, and the
 * kernel's unusable-free-space index computed from them (mm/vmstat.c, unusable_free_index):
 * for order j, the share of the free pages that sit in blocks smaller than 2^j pages and so
 * cannot serve an allocation of order j. For j = 9 on x86-64: 0 when every free page is in a
 * free block of 2 MiB or more, 1 when none is.
 *
 * Machine-wide, the index counts only the zones an anonymous huge page may come from: Normal,
 * DMA32 and Movable (HighMem too, on 32-bit). DMA (the first 16 MiB, kept for old devices)
 * and Device are left out: they would move the index without ever serving a THP fault.
 */
#ifndef HB_BUDDYINFO_H
#define HB_BUDDYINFO_H
#include <stddef.h>
#include <stdint.h>

#define HB_BUDDY_MAX_ORDERS 16 /* x86-64 has 11 (0..10); arm64 with 64 KiB pages has 14 */
#define HB_BUDDY_MAX_ZONES 64

struct hb_buddy_zone {
	int node;
	char name[16];	  /* "Normal", "DMA32", ... */
	unsigned norders; /* columns on its line */
	uint64_t free[HB_BUDDY_MAX_ORDERS]; /* free blocks of each order */
};

struct hb_buddyinfo {
	unsigned nzones;
	struct hb_buddy_zone z[HB_BUDDY_MAX_ZONES];
};

/* Parses buddyinfo text ("Node 0, zone   Normal  12 3 ..." lines). Returns 0, or -EINVAL on
 * a malformed line, no zone at all, or too many zones/orders (never reads past text's NUL). */
int hb_buddyinfo_parse(const char *text, struct hb_buddyinfo *b);
/* Reads and parses path (/proc/buddyinfo, or a fixture). text (may be NULL) gets the file as
 * read, for the record. Returns 0 or -errno (-EINVAL for bad content, -EFBIG over the size). */
int hb_buddyinfo_read(const char *path, struct hb_buddyinfo *b, char *text, size_t len);
/* Does the machine-wide index count this zone (see above)? */
int hb_buddyinfo_zone_counted(const char *name);
/* Over the counted zones: free pages (4 KiB on x86-64), and the free pages in blocks of order
 * >= order. */
uint64_t hb_buddyinfo_free_pages(const struct hb_buddyinfo *b);
uint64_t hb_buddyinfo_free_pages_from(const struct hb_buddyinfo *b, unsigned order);
/* The unusable-free-space index for order over the counted zones, 0..1. Like the kernel, 0
 * when there is no free page at all. */
double hb_buddyinfo_unusable_index(const struct hb_buddyinfo *b, unsigned order);

#endif
