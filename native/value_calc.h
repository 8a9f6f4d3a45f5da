// Value of a dimension over the exporter's window (SPEC §3.1, §1.4), exact to the reference's
// x87 long double arithmetic and "%0.7Lf" printing.
#pragma once
#include <cstdint>

#include "ld.h"

namespace rrdb {

/** Chart-level ring state (SPEC §1.4); all dimensions of a chart share it. */
struct ChartMeta {
  uint32_t entries;
  uint32_t current_entry;
  uint64_t counter;
  int64_t last_updated;
  int64_t update_every;
};

/**
 * From the META_* layout of lib/kernels/types.ts. Out-of-range or non-integer numbers are clamped
 * so that no arithmetic below can overflow (the TypeScript facade rejects them before they get here).
 */
ChartMeta ChartMetaFromArray(const double* meta);

/**
 * SPEC §3.1 steps 1-8: *a / *b = the aligned, clamped window (*b is the reported timestamp).
 * false = the window is outside the database (every dimension is NaN; *a and *b untouched), also
 * for metadata that cannot describe a ring (entries == 0, update_every <= 0).
 */
bool AlignWindow(const ChartMeta& m, int64_t after, int64_t before, int64_t* a, int64_t* b);

/**
 * SPEC §3.1 steps 10-11 for one dimension whose slots start at `slots` (entries of them), over the
 * window [a, b] returned by AlignWindow: writes "%0.7Lf" of the sum or average to out (>= 64 bytes,
 * not NUL-terminated) and returns its length, or -1 when no slot in the window exists (NaN).
 */
int WriteDimValue(const uint32_t* slots, const ChartMeta& m, int64_t a, int64_t b, bool sum, char* out);

/**
 * The slots the window [a, b] of AlignWindow covers (SPEC §1.4 query): [start, start + first) then
 * [0, wrapped). All dimensions of a chart share it, so the formatters compute it once per chart.
 */
struct WindowSlots {
  uint32_t start;
  uint32_t first;
  uint32_t wrapped;
};
WindowSlots WindowSlotsOf(const ChartMeta& m, int64_t a, int64_t b);

/**
 * WriteDimValue with the chart's WindowSlotsOf(m, a, b) (the same bytes). integer_path = IntegerPathEnabled(),
 * read once per chart. out needs 64 bytes.
 */
int WriteDimValueIn(const uint32_t* slots, const ChartMeta& m, const WindowSlots& w, int64_t a, int64_t b, bool sum,
                    bool integer_path, char* out);
/** Whether the integer fast path may be used (false only under the _setPaths test hook). */
bool IntegerPathEnabled();

/** The same value exactly as an Ld; false = NaN (no existing slot). */
bool DimValueLd(const uint32_t* slots, const ChartMeta& m, int64_t a, int64_t b, bool sum, Ld* out);

/** The same value as the nearest double; NaN when no slot exists. */
double DimValueDouble(const uint32_t* slots, const ChartMeta& m, int64_t a, int64_t b, bool sum);

/** Test hooks: WriteDimValue restricted to one path. The fast path returns -2 when it declines. */
int WriteDimValueFast(const uint32_t* slots, const ChartMeta& m, int64_t a, int64_t b, bool sum, char* out);
int WriteDimValueSoft(const uint32_t* slots, const ChartMeta& m, int64_t a, int64_t b, bool sum, char* out);
#if RRDB_HAVE_X87_LD
int WriteDimValueX87(const uint32_t* slots, const ChartMeta& m, int64_t a, int64_t b, bool sum, char* out);
#endif

}  // namespace rrdb
