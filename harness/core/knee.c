/* The knee of a latency curve: the rule is in knee.h. */
#include <errno.h>

#include "knee.h"

int hb_knee_find(const uint64_t *size, const double *ns, size_t n, uint64_t llc_bytes,
		 double rise, size_t *plateau)
{
	size_t p = n;

	if (!size || !ns || rise <= 0)
		return -EINVAL;
	for (size_t i = 1; i < n; i++)
		if (size[i] <= size[i - 1] || !(ns[i] > 0))
			return -EINVAL;
	if (n < 2)
		return -ENOENT;
	if (llc_bytes) {
		for (size_t i = 0; i < n && p == n; i++)
			if (size[i] >= 4 * llc_bytes)
				p = i;
	} else {
		double best = 0;

		for (size_t i = 1; i < n; i++)
			if (ns[i] / ns[i - 1] > best) {
				best = ns[i] / ns[i - 1];
				p = i;
			}
	}
	if (p == n)
		return -ENOENT;
	*plateau = p;
	for (size_t i = p + 1; i < n; i++)
		if (ns[i] >= (1 + rise) * ns[p])
			return (int)i;
	return -ENOENT;
}
