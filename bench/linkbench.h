/* difbench --link-btf: time to link type relocations (linkbench.c). */
#ifndef DIFBENCH_LINKBENCH_H
#define DIFBENCH_LINKBENCH_H

/* Links a module with nrel relocations against the BTF file `btf`,
 * batches times (BTF load included); prints the figures. 0, or 1 when a
 * link failed. */
int linkbench(const char *btf, unsigned nrel, unsigned batches, int json);

#endif
