/* Compressed posting blocks, shared by score.c (reading them) and pack.c (writing them).
 *
 * A block's postings are term-major: for each term, the passages (numbered within the block,
 * at most 65,536 of them) that contain it, ascending, and its frequency in each. They are cut
 * into groups of GROUP postings (a term's last group may be shorter) and each group is
 * bit-packed at its own widths, as Lucene and tantivy do: first the gaps (passage - previous
 * passage - 1; the previous passage of a term's first posting is -1) at ``doc_bits`` each,
 * then the frequencies minus one at ``tf_bits`` each (0 bits when every frequency is 1).
 * A group starts on a byte; the block's data ends with 8 bytes of padding, so that any value
 * is read with one unaligned 8-byte load. A group's ``last`` passage lets a reader skip it.
 */
#ifndef MARJAA_BLOCKS_H
#define MARJAA_BLOCKS_H

#include <stdint.h>
#include <string.h>

enum { GROUP = 128, PADDING = 8 };

typedef struct {
    uint16_t last;    /* the group's last passage */
    uint8_t doc_bits; /* width of each gap (at most 16) */
    uint8_t tf_bits;  /* width of each frequency - 1 (at most 8) */
    uint32_t offset;  /* where its bits start in the block's data */
} Group;

static inline uint32_t bits_at(const uint8_t *data, uint64_t bit, uint32_t mask) {
    uint64_t word;
    memcpy(&word, data + (bit >> 3), sizeof word);
    return (uint32_t)(word >> (bit & 7)) & mask;
}

static inline int64_t group_bytes(int64_t n, unsigned doc_bits, unsigned tf_bits) {
    return (n * (int64_t)(doc_bits + tf_bits) + 7) / 8;
}

/* The ``n`` postings of group ``g`` into ``docs`` and ``tf``, ``prev`` being the passage
 * before its first. Returns 0, leaving the output unspecified, when the group is damaged:
 * widths out of range, bits beyond the data, passages at or past ``size`` or a last
 * passage other than the one recorded. Nothing is ever read or written out of bounds. */
static inline int unpack_group(const Group *g, const uint8_t *data, int64_t data_len, int64_t n,
                               int64_t prev, int64_t size, int32_t *docs, uint8_t *tf) {
    unsigned doc_bits = g->doc_bits, tf_bits = g->tf_bits;
    if (n <= 0 || n > GROUP || doc_bits > 16 || tf_bits > 8) return 0;
    if ((int64_t)g->offset + group_bytes(n, doc_bits, tf_bits) + PADDING > data_len) return 0;
    const uint8_t *at = data + g->offset;
    uint32_t mask = (1u << doc_bits) - 1;
    uint64_t bit = 0;
    for (int64_t i = 0; i < n; i++, bit += doc_bits) {
        prev += (int64_t)bits_at(at, bit, mask) + 1;
        docs[i] = (int32_t)prev;
    }
    if (prev >= size || prev != g->last) return 0;
    if (tf_bits == 0) {
        memset(tf, 1, (size_t)n);
        return 1;
    }
    mask = (1u << tf_bits) - 1;
    for (int64_t i = 0; i < n; i++, bit += tf_bits) tf[i] = (uint8_t)(bits_at(at, bit, mask) + 1);
    return 1;
}

#endif
