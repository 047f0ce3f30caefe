/* Writing and reading whole posting blocks (the format is in blocks.h), for
 * retrieval/engines/blocks.py: a build packs each block as it fills, a merge unpacks the
 * blocks it combines. */
#include "blocks.h"

static inline unsigned width(uint32_t value) {
    unsigned bits = 0;
    while (value) {
        bits++;
        value >>= 1;
    }
    return bits;
}

static inline void put_bits(uint8_t *data, uint64_t bit, uint32_t value) {
    uint64_t word;
    memcpy(&word, data + (bit >> 3), sizeof word);
    word |= (uint64_t)value << (bit & 7);
    memcpy(data + (bit >> 3), &word, sizeof word);
}

/* Pack the postings of ``terms`` terms (``indptr``: where each term's postings start in
 * ``docs`` and ``tf``; ``first_group``: where its groups start, terms + 1 of each) into
 * ``groups`` and ``data`` (``capacity`` bytes, zero on entry). Returns the bytes of data
 * used, padding included; -1 if the data does not fit, -2 if a term's passages are not
 * ascending, or a frequency is 0. */
int64_t marjaa_pack_block(const int64_t *indptr, const int64_t *first_group, int64_t terms,
                          const uint16_t *docs, const uint8_t *tf, Group *groups, uint8_t *data,
                          int64_t capacity) {
    int64_t used = 0;
    for (int64_t t = 0; t < terms; t++) {
        int64_t g = first_group[t];
        int64_t prev = -1;
        for (int64_t start = indptr[t]; start < indptr[t + 1]; start += GROUP, g++) {
            int64_t n = indptr[t + 1] - start < GROUP ? indptr[t + 1] - start : GROUP;
            uint32_t most_gap = 0, most_tf = 0;
            int64_t before = prev;
            for (int64_t i = start; i < start + n; i++) {
                if ((int64_t)docs[i] <= before || tf[i] == 0) return -2;
                uint32_t gap = (uint32_t)(docs[i] - before - 1), extra = (uint32_t)tf[i] - 1;
                most_gap = gap > most_gap ? gap : most_gap;
                most_tf = extra > most_tf ? extra : most_tf;
                before = docs[i];
            }
            unsigned doc_bits = width(most_gap), tf_bits = width(most_tf);
            int64_t bytes = group_bytes(n, doc_bits, tf_bits);
            if (used + bytes + PADDING > capacity || used > UINT32_MAX) return -1;
            groups[g].last = (uint16_t)before;
            groups[g].doc_bits = (uint8_t)doc_bits;
            groups[g].tf_bits = (uint8_t)tf_bits;
            groups[g].offset = (uint32_t)used;
            uint64_t bit = (uint64_t)used * 8;
            for (int64_t i = start; i < start + n; i++, bit += doc_bits) {
                put_bits(data, bit, (uint32_t)(docs[i] - prev - 1));
                prev = docs[i];
            }
            if (tf_bits)
                for (int64_t i = start; i < start + n; i++, bit += tf_bits)
                    put_bits(data, bit, (uint32_t)tf[i] - 1);
            used += bytes;
        }
    }
    return used + PADDING;
}

/* The inverse: every posting of the block into ``docs`` and ``tf`` (indptr[terms] of each).
 * Returns 0, or the first term whose postings are damaged plus one (the rest not read). */
int64_t marjaa_unpack_block(const int64_t *indptr, const int64_t *first_group, int64_t terms,
                            const Group *groups, int64_t n_groups, const uint8_t *data,
                            int64_t data_len, int64_t size, uint16_t *docs, uint8_t *tf) {
    int32_t unpacked[GROUP];
    for (int64_t t = 0; t < terms; t++) {
        int64_t g = first_group[t], prev = -1;
        int64_t count = indptr[t + 1] - indptr[t];
        if (count < 0 || g < 0 || first_group[t + 1] - g != (count + GROUP - 1) / GROUP ||
            first_group[t + 1] > n_groups)
            return t + 1;
        for (int64_t done = 0; done < count; done += GROUP, g++) {
            int64_t n = count - done < GROUP ? count - done : GROUP;
            int64_t at = indptr[t] + done;
            if (!unpack_group(&groups[g], data, data_len, n, prev, size, unpacked, tf + at))
                return t + 1;
            for (int64_t i = 0; i < n; i++) docs[at + i] = (uint16_t)unpacked[i];
            prev = unpacked[n - 1];
        }
    }
    return 0;
}
