/* BM25 scoring over posting blocks, and the best k passages, for retrieval/engines/native.py.
 *
 * A block holds the postings of some passages (one segment's, or a part of it): for each
 * term, the passages that contain it (ascending, numbered within the block) and the term's
 * frequency there, bit-packed in groups (blocks.h). A question's terms are handed over as
 * ranges, one per (term, block).
 * Scores are added into a buffer of every passage, remembering which passages were touched,
 * so that choosing the best k and clearing the buffer cost the postings read, not a pass
 * over the whole corpus.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "blocks.h"

enum { OKAPI = 0, BM25L = 1, BM25PLUS = 2 };

/* One (term, block) range. */
typedef struct {
    const Group *groups;  /* the term's groups in the block */
    const uint8_t *data;  /* the block's packed bits */
    int64_t count;        /* postings in the range */
    int64_t base;         /* the block's first passage in the whole index */
    int64_t size;         /* passages in the block: a posting beyond it is never read */
    double idf;
    int64_t data_len;     /* bytes of ``data``: nothing beyond is read */
} Range;

static inline double weight(int variant, double idf, double tf, double norm, double k1,
                            double delta) {
    if (variant == BM25L) {
        double ctd = tf / norm;
        return idf * tf * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta);
    }
    return idf * tf * (k1 + 1) / (tf + k1 * norm);  /* Okapi; BM25+ without its constant */
}

/* The first index in docs[from..count) whose value is >= target (galloping: cheap when
 * the answer is near ``from``). */
static int64_t gallop(const int32_t *docs, int64_t count, int64_t from, int64_t target) {
    int64_t step = 1, lo = from, hi = from;
    while (hi < count && docs[hi] < target) {
        lo = hi + 1;
        hi += step;
        step <<= 1;
    }
    if (hi > count) hi = count;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (docs[mid] < target) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Better: higher score, or the same score and earlier in the corpus. */
static inline int better(double sa, int64_t a, double sb, int64_t b) {
    return sa > sb || (sa == sb && a < b);
}

/* Offer passage ``p`` with score ``s`` to the best ``k`` kept so far (a min-heap of
 * ``*found`` entries: the worst at 0). */
static void offer(double s, int64_t p, int64_t k, int64_t *found, int64_t *ids, double *out) {
    if (*found < k) {
        int64_t c = (*found)++;
        while (c > 0) { /* sift up */
            int64_t parent = (c - 1) / 2;
            if (!better(out[parent], ids[parent], s, p)) break;
            out[c] = out[parent];
            ids[c] = ids[parent];
            c = parent;
        }
        out[c] = s;
        ids[c] = p;
        return;
    }
    if (!better(s, p, out[0], ids[0])) return;
    int64_t c = 0;
    for (;;) { /* sift down */
        int64_t l = 2 * c + 1, r = l + 1, worst = c;
        double ws = s;
        int64_t wi = p;
        if (l < *found && better(ws, wi, out[l], ids[l])) {
            worst = l;
            ws = out[l];
            wi = ids[l];
        }
        if (r < *found && better(ws, wi, out[r], ids[r])) worst = r;
        if (worst == c) break;
        out[c] = out[worst];
        ids[c] = ids[worst];
        c = worst;
    }
    out[c] = s;
    ids[c] = p;
}

/* BM25L's weights of one range added into ``acc`` (unpacked group by group). */
static void add_range_bm25l(const Range *range, const float *block_norm, int64_t size,
                            double k1, double delta, double *acc) {
    int32_t docs[GROUP];
    uint8_t tf[GROUP];
    int64_t prev = -1;
    for (int64_t done = 0, g = 0; done < range->count; done += GROUP, g++) {
        int64_t n = range->count - done < GROUP ? range->count - done : GROUP;
        if (!unpack_group(&range->groups[g], range->data, range->data_len, n, prev, size, docs,
                          tf))
            return; /* damaged: the rest of the range is not read */
        prev = docs[n - 1];
        for (int64_t i = 0; i < n; i++)
            acc[docs[i]] += weight(BM25L, range->idf, (double)tf[i], block_norm[docs[i]], k1,
                                   delta);
    }
}

/* The best ``k`` passages (positive scores only) for the ranges of a question, best first,
 * into ``ids`` and ``out``; returns how many. ``ranges`` come block after block: the
 * weights of one block's ranges are added into ``acc`` (room for the largest block's
 * passages, zero on entry and on return), which stays in the cache, then the block's
 * passages are offered to the best k as ``acc`` is cleared. ``norm``: 1 - b + b * length /
 * average length of each passage; ``dead``: 1 for a removed passage (or NULL). */
int64_t marjaa_top_blocks(const Range *ranges, int64_t n_ranges, const float *norm,
                          const uint8_t *dead, int64_t passages, int variant, double k1,
                          double delta, int64_t k, double *acc, int64_t *ids, double *out) {
    int64_t found = 0;
    int64_t r = 0;
    while (r < n_ranges) {
        int64_t base = ranges[r].base, size = ranges[r].size;
        if (base < 0 || base + size > passages) return -1; /* never out of bounds */
        const float *block_norm = norm + base;
        for (; r < n_ranges && ranges[r].base == base; r++) {
            const Range *range = &ranges[r];
            if (variant == BM25L) {
                add_range_bm25l(range, block_norm, size, k1, delta, acc);
                continue;
            }
            /* Okapi (and BM25+ without its constant): the common case, unpacked as it is
             * added, without a pass through a buffer */
            float c = (float)(range->idf * (k1 + 1)), kf = (float)k1;
            int64_t doc = -1, n_groups = (range->count + GROUP - 1) / GROUP;
            for (int64_t g = 0; g < n_groups; g++) {
                const Group *group = &range->groups[g];
                int64_t n = range->count - g * GROUP < GROUP ? range->count - g * GROUP : GROUP;
                unsigned doc_bits = group->doc_bits, tf_bits = group->tf_bits;
                if (doc_bits > 16 || tf_bits > 8 ||
                    (int64_t)group->offset + group_bytes(n, doc_bits, tf_bits) + PADDING >
                        range->data_len)
                    break; /* damaged: the rest of the range is not read */
                const uint8_t *at = range->data + group->offset;
                uint32_t mask = (1u << doc_bits) - 1;
                uint64_t bit = 0;
                if (tf_bits == 0) { /* every frequency 1 */
                    for (int64_t i = 0; i < n; i++, bit += doc_bits) {
                        doc += (int64_t)bits_at(at, bit, mask) + 1;
                        if (doc >= size) break;
                        acc[doc] += (double)(c / (1.0f + kf * block_norm[doc]));
                    }
                } else {
                    uint32_t tf_mask = (1u << tf_bits) - 1;
                    uint64_t tf_bit = (uint64_t)n * doc_bits;
                    for (int64_t i = 0; i < n; i++, bit += doc_bits, tf_bit += tf_bits) {
                        doc += (int64_t)bits_at(at, bit, mask) + 1;
                        if (doc >= size) break;
                        float t = (float)(bits_at(at, tf_bit, tf_mask) + 1);
                        acc[doc] += (double)(c * t / (t + kf * block_norm[doc]));
                    }
                }
                if (doc != group->last) break; /* damaged (or past the block) */
            }
        }
        /* Passages come in corpus order, so one that only ties the worst of a full best k
         * is never better than it: it must beat ``floor`` (0 while the best k are not all
         * found), a branch rarely taken once they are. Every entry is cleared. */
        double floor = found < k ? 0.0 : out[0];
        for (int64_t local = 0; local < size; local++) {
            double s = acc[local];
            acc[local] = 0.0;
            if (s > floor && !(dead && dead[base + local])) {
                offer(s, base + local, k, &found, ids, out);
                floor = found < k ? 0.0 : out[0];
            }
        }
    }
    /* heap -> best first (insertion sort: k is small) */
    for (int64_t i = 1; i < found; i++) {
        double s = out[i];
        int64_t p = ids[i], j = i - 1;
        while (j >= 0 && better(s, p, out[j], ids[j])) {
            out[j + 1] = out[j];
            ids[j + 1] = ids[j];
            j--;
        }
        out[j + 1] = s;
        ids[j + 1] = p;
    }
    return found;
}

/* The weight of each range's term in each of ``candidates`` (``m`` passages of the index,
 * ascending): out[row[r] * m + j] for range r, where the passage has the term (the rest of
 * ``out`` is left as it is). Groups whose last passage lies before a candidate are skipped
 * unread; the group that may hold it is unpacked and searched. */
void marjaa_term_weights(const Range *ranges, int64_t n_ranges, const int64_t *row,
                         const int64_t *candidates, int64_t m, const float *norm,
                         int variant, double k1, double delta, double *out) {
    int32_t docs[GROUP];
    uint8_t tf[GROUP];
    for (int64_t r = 0; r < n_ranges; r++) {
        const Range *range = &ranges[r];
        int64_t n_groups = (range->count + GROUP - 1) / GROUP;
        int64_t g = 0, open = -1, n = 0, at = 0;
        for (int64_t j = 0; j < m; j++) {
            int64_t local = candidates[j] - range->base;
            if (local < 0) continue;
            if (local >= range->size) break;
            while (g < n_groups && range->groups[g].last < local) g++;
            if (g >= n_groups) break;
            if (g != open) {
                int64_t prev = g ? range->groups[g - 1].last : -1;
                n = range->count - g * GROUP < GROUP ? range->count - g * GROUP : GROUP;
                if (!unpack_group(&range->groups[g], range->data, range->data_len, n, prev,
                                  range->size, docs, tf))
                    break;
                open = g;
                at = 0;
            }
            at = gallop(docs, n, at, local);
            if (at < n && docs[at] == local)
                out[row[r] * m + j] = weight(variant, range->idf, (double)tf[at],
                                             norm[candidates[j]], k1, delta);
        }
    }
}

/* marjaa_top_blocks on two threads: the ranges split at the block boundary nearest half
 * their postings, each half into its own buffer and best k (``acc`` has room for two
 * buffers, ``ids``/``out`` for two lists of k), the two lists then merged. The answer is
 * the same as on one thread: every passage is scored by one of them, in the same order.
 * With fewer than ``two_threads_from`` postings, one thread does it all. */
typedef struct {
    const Range *ranges;
    int64_t n_ranges;
    const float *norm;
    const uint8_t *dead;
    int64_t passages;
    int variant;
    double k1, delta;
    int64_t k;
    double *acc;
    int64_t *ids;
    double *out;
    int64_t found;
} Half;

static void *run_half(void *argument) {
    Half *h = (Half *)argument;
    h->found = marjaa_top_blocks(h->ranges, h->n_ranges, h->norm, h->dead, h->passages,
                                 h->variant, h->k1, h->delta, h->k, h->acc, h->ids, h->out);
    return NULL;
}

int64_t marjaa_top_blocks_2(const Range *ranges, int64_t n_ranges, const float *norm,
                            const uint8_t *dead, int64_t passages, int variant, double k1,
                            double delta, int64_t k, double *acc, int64_t block_room,
                            int64_t *ids, double *out, int64_t two_threads_from) {
    int64_t total = 0, half = 0, split = 0;
    for (int64_t r = 0; r < n_ranges; r++) total += ranges[r].count;
    if (total >= two_threads_from) {
        for (int64_t r = 1; r < n_ranges; r++) {
            half += ranges[r - 1].count;
            if (ranges[r].base != ranges[r - 1].base && 2 * half >= total) {
                split = r; /* the first range of the block after the half */
                break;
            }
        }
    }
    if (split == 0) /* few postings, or one block */
        return marjaa_top_blocks(ranges, n_ranges, norm, dead, passages, variant, k1, delta, k,
                                 acc, ids, out);
    Half first = {ranges, split, norm, dead, passages, variant, k1, delta, k, acc, ids, out, 0};
    Half second = {ranges + split, n_ranges - split, norm, dead, passages, variant, k1, delta,
                   k, acc + block_room, ids + k, out + k, 0};
    pthread_t thread;
    int started = pthread_create(&thread, NULL, run_half, &second) == 0;
    run_half(&first);
    if (started) pthread_join(thread, NULL);
    else run_half(&second);
    if (first.found < 0 || second.found < 0) return -1;
    /* merge the two best-first lists (the first half's passages come first in the corpus) */
    int64_t merged_ids[k > 0 ? k : 1];
    double merged[k > 0 ? k : 1];
    int64_t a = 0, b = 0, n = 0;
    while (n < k && (a < first.found || b < second.found)) {
        int take_a = b >= second.found ||
                     (a < first.found && better(out[a], ids[a], out[k + b], ids[k + b]));
        if (take_a) {
            merged[n] = out[a];
            merged_ids[n++] = ids[a++];
        } else {
            merged[n] = out[k + b];
            merged_ids[n++] = ids[k + b++];
        }
    }
    memcpy(out, merged, (size_t)n * sizeof(double));
    memcpy(ids, merged_ids, (size_t)n * sizeof(int64_t));
    return n;
}
