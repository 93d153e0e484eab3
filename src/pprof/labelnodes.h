/*
 * labelnodes.h: pprof's -tagroot and -tagleaf (Go 1.19 internal/driver
 * tagroot.go, addLabelNodes): pseudo stack frames made of label values,
 * added at the root or the leaf of every sample before the filters run.
 */
#ifndef FW_LABELNODES_H
#define FW_LABELNODES_H

#include "pprof/profile.h"

/* For each sample and each key of the comma-separated lists rootkeys and
 * leafkeys (NULL or "" off; empty keys are dropped, as in pprof), adds a
 * frame whose function name is the sample's values of that label joined
 * by "," (string values first, then numeric ones formatted in output_unit,
 * pprof's ScaledLabel) and whose file name is the key; a sample without the
 * label gets a frame with an empty name. The first root key becomes the
 * outermost frame, the last leaf key the innermost. Appends pprof's
 * "TagRoot expression matched no samples" / "TagLeaf ..." lines to warnings
 * (may be NULL) when a list is given and no sample has any of its labels.
 * 0, or -ENOMEM with err set. */
int fw_label_nodes_add(struct fw_profile *p, const char *rootkeys, const char *leafkeys,
		       const char *output_unit, struct fw_buf *warnings, struct fw_error *err);

#endif
