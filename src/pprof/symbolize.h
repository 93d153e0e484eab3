/*
 * symbolize.h: the notes `go tool pprof` (Go 1.19) prints on stderr when it
 * looks for local binaries to symbolize a profile with. flarewatch never
 * symbolizes from a binary; it prints the same notes, in pprof's order, as
 * far as deciding them needs no more than a stat, an open and the first
 * 8 bytes of a file (never executed, never parsed further).
 *
 * pprof's steps (internal/driver/fetch.go, internal/symbolizer, and
 * cmd/pprof's objTool, which opens files with cmd/internal/objfile and
 * knows no build IDs):
 *  - locateBinaries, for every mapping of every profile read, whatever
 *    -symbolize says: each directory D of PPROF_BINARY_PATH (':'-separated;
 *    unset or empty: $HOME/pprof/binaries) is tried for D/BUILDID/BASE,
 *    the sorted entries of D/BUILDID/, D/FILE/BUILDID (with a build ID),
 *    D/BASE and D/FILE (with a file name); the first that opens as an
 *    object file replaces the mapping's file, unless the mapping has a
 *    build ID: then pprof says "Ignoring local file PATH: build-id mismatch
 *    (ID != )" (its object files have no build ID) and goes on.
 *  - Symbolize's local step (unless -symbolize is none/no or remote) on
 *    the merged profile, each used mapping in pprof's merged order (the
 *    first source's mapping 0, then by first use), skipping those already
 *    symbolized (unless force), [vdso]-like ones and http URLs:
 *    "Main binary filename not available." (mapping 0 without a file),
 *    "Local symbolization failed for BASE[ (build ID ID)]: open FILE: WHY",
 *    then once "Some binary filenames not available. ..." when a file
 *    name was missing or a file could not be opened.
 *
 * Where pprof would open an object file (ELF, Mach-O, PE/COFF, Plan 9,
 * XCOFF, a Go object or archive, judged by its magic number) and so
 * symbolize from it or fail in its parser, flarewatch prints one note of
 * its own instead, "flarewatch: not symbolizing BASE from local binary
 * FILE (flarewatch does not read local binaries)"; so for a file that is not
 * a regular file or a folder (a device, a FIFO: never opened),
 * "flarewatch: not symbolizing BASE from FILE: not a regular file".
 * Every name is written with its unsafe characters and invalid bytes
 * escaped (outtext.h's escapes), cut after FW_OUT_TEXT_MAX bytes; not
 * redacted (the reports print the same names raw on stdout). A folder's entries are tried
 * 4096 at most, and 65536 files for a whole profile (then one note says
 * flarewatch stopped looking).
 */
#ifndef FW_SYMBOLIZE_H
#define FW_SYMBOLIZE_H

#include "base/util.h"
#include "pprof/funcname.h"
#include "pprof/profile.h"

/* Appends to *locate the notes of pprof's locateBinaries (they come before
 * pprof's notes on the profiles it could not read) and to *notes those of
 * its local symbolizer for mode s (after the notes on the -symbolize
 * options), for the merged profile p. binary_path: $PPROF_BINARY_PATH,
 * home: $HOME (NULL: unset). -ENOMEM (err set) or 0. */
int fw_symbolize_notes(const struct fw_profile *p, const struct fw_symbolize *s, const char *binary_path,
		       const char *home, struct fw_buf *locate, struct fw_buf *notes, struct fw_error *err);

/* pprof's unsourceMappings, after symbolizing: a mapping without a build ID
 * whose file name parses as an absolute URL (net/url.Parse: "http://...",
 * but also "C:\\dir\\x.exe") loses its file name, so reports neither show
 * it (top's "File:" line) nor name its unknown locations after it. */
void fw_symbolize_unsource(struct fw_profile *p);

#endif
