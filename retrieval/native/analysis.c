/* Written words -> token ids, for index builds (retrieval/index/scan.py drives it).

   Texts arrive as UTF-8 (surrogatepass). Each is split at whitespace exactly as Python's
   str.split() splits (the code points where str.isspace() is true), and each written word is
   looked up in a table of the words met so far. A word met for the first time is added
   "undefined": Python analyses it (normalize.word_tokens, the one definition of a token) and
   gives its token ids back with wt_define. wt_expand then writes each text's token ids and a
   128-bit key of its token sequence (de-duplication), from the token hashes Python gave with
   wt_hashes. Texts holding Arabic presentation forms (which NFKC may re-split) are flagged
   and left to Python. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t hash;
    int64_t offset; /* into arena */
    int32_t length;
    int32_t id; /* -1: empty slot */
} Slot;

typedef struct {
    Slot *slots;
    int64_t capacity; /* power of two */
    int64_t words;
    char *arena;
    int64_t arena_used, arena_size;
    int64_t *tok_start; /* per word: first token in toks, -1 undefined */
    int32_t *tok_count;
    int64_t words_size, counts_size;
    int32_t *toks;
    int64_t toks_used, toks_size;
    uint64_t *hashes; /* two per token id */
    int64_t hashes_size; /* token ids with a hash */
    int64_t hashes_cap; /* items in hashes */
} WT;

static int grow(void **p, int64_t *size, int64_t need, int64_t item) {
    if (need <= *size) return 0;
    int64_t n = *size ? *size : 1024;
    while (n < need) n *= 2;
    void *q = realloc(*p, (size_t)(n * item));
    if (!q) return -1;
    *p = q;
    *size = n;
    return 0;
}

WT *wt_new(void) {
    WT *t = calloc(1, sizeof(WT));
    if (!t) return NULL;
    t->capacity = 1 << 16;
    t->slots = malloc(sizeof(Slot) * t->capacity);
    if (!t->slots) { free(t); return NULL; }
    for (int64_t i = 0; i < t->capacity; i++) t->slots[i].id = -1;
    return t;
}

void wt_clear(WT *t) {
    for (int64_t i = 0; i < t->capacity; i++) t->slots[i].id = -1;
    t->words = 0;
    t->arena_used = 0;
    t->toks_used = 0;
    t->hashes_size = 0;
}

void wt_free(WT *t) {
    if (!t) return;
    free(t->slots); free(t->arena); free(t->tok_start); free(t->tok_count);
    free(t->toks); free(t->hashes); free(t);
}

int64_t wt_words(WT *t) { return t->words; }

static uint64_t hash_bytes(const unsigned char *s, int64_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int64_t i = 0; i < n; i++) { h ^= s[i]; h *= 0x100000001b3ULL; }
    h ^= h >> 33; h *= 0xff51afd7ed558ccdULL; h ^= h >> 33;
    return h;
}

static int rehash(WT *t) {
    int64_t cap = t->capacity * 2;
    Slot *slots = malloc(sizeof(Slot) * cap);
    if (!slots) return -1;
    for (int64_t i = 0; i < cap; i++) slots[i].id = -1;
    for (int64_t i = 0; i < t->capacity; i++) {
        Slot s = t->slots[i];
        if (s.id < 0) continue;
        int64_t j = (int64_t)(s.hash & (uint64_t)(cap - 1));
        while (slots[j].id >= 0) j = (j + 1) & (cap - 1);
        slots[j] = s;
    }
    free(t->slots);
    t->slots = slots;
    t->capacity = cap;
    return 0;
}

/* The id of the word s[0:n]; *fresh set when it was added now. -1: out of memory. */
static int32_t lookup(WT *t, const unsigned char *s, int32_t n, int *fresh) {
    uint64_t h = hash_bytes(s, n);
    int64_t mask = t->capacity - 1, j = (int64_t)(h & (uint64_t)mask);
    while (t->slots[j].id >= 0) {
        Slot *slot = &t->slots[j];
        if (slot->hash == h && slot->length == n && memcmp(t->arena + slot->offset, s, n) == 0) {
            *fresh = 0;
            return slot->id;
        }
        j = (j + 1) & mask;
    }
    if (grow((void **)&t->arena, &t->arena_size, t->arena_used + n, 1)) return -1;
    if (grow((void **)&t->tok_start, &t->words_size, t->words + 1, sizeof(int64_t))) return -1;
    if (grow((void **)&t->tok_count, &t->counts_size, t->words + 1, sizeof(int32_t))) return -1;
    memcpy(t->arena + t->arena_used, s, n);
    Slot *slot = &t->slots[j];
    slot->hash = h; slot->offset = t->arena_used; slot->length = n;
    slot->id = (int32_t)t->words;
    t->arena_used += n;
    t->tok_start[t->words] = -1;
    t->tok_count[t->words] = 0;
    t->words++;
    *fresh = 1;
    if (t->words * 2 > t->capacity && rehash(t)) return -1;
    return (int32_t)(t->words - 1);
}

/* Length of the whitespace character at s (0 when s[0] starts no whitespace), as
   str.isspace(): \t-\r, \x1c-\x1f, space, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028,
   U+2029, U+202F, U+205F, U+3000. */
static int space_at(const unsigned char *s, const unsigned char *end) {
    unsigned char c = s[0];
    if (c < 0x80) return (c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f));
    if (c == 0xc2 && s + 1 < end) return (s[1] == 0x85 || s[1] == 0xa0) ? 2 : 0;
    if (s + 2 >= end) return 0;
    if (c == 0xe1) return (s[1] == 0x9a && s[2] == 0x80) ? 3 : 0;
    if (c == 0xe2 && s[1] == 0x80) {
        unsigned char d = s[2];
        return (d <= 0x8a || d == 0xa8 || d == 0xa9 || d == 0xaf) ? 3 : 0;
    }
    if (c == 0xe2 && s[1] == 0x81) return s[2] == 0x9f ? 3 : 0;
    if (c == 0xe3) return (s[1] == 0x80 && s[2] == 0x80) ? 3 : 0;
    return 0;
}

/* Whether s holds a code point of U+FB50-U+FDFF or U+FE70-U+FEFF (normalize._PRESENTATION). */
static int presentation(const unsigned char *s, const unsigned char *end) {
    for (; s + 2 < end; s++) {
        if (s[0] != 0xef) continue;
        unsigned cp = ((s[0] & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) | (s[2] & 0x3fu);
        if ((cp >= 0xfb50 && cp <= 0xfdff) || (cp >= 0xfe70 && cp <= 0xfeff)) return 1;
    }
    return 0;
}

/* Split texts buf[starts[i]:ends[i]] into words. occurrences (capacity cap) receives each
   word's id, counts[i] the words of text i, flags[i] 1 for a text left to Python (counts 0).
   The words added now are the ids from wt_words() before the call on; new_offsets and
   new_lengths (capacity cap) receive where in buf each was first seen. Returns the number of
   occurrences, -1 when out of memory, -2 when cap is too small. */
int64_t wt_split(WT *t, const unsigned char *buf, const int64_t *starts, const int64_t *ends,
                 int64_t n, int32_t *occurrences, int64_t cap, int32_t *counts, uint8_t *flags,
                 int64_t *new_offsets, int32_t *new_lengths) {
    int64_t used = 0, first_new = t->words;
    for (int64_t i = 0; i < n; i++) {
        const unsigned char *s = buf + starts[i], *end = buf + ends[i];
        counts[i] = 0;
        flags[i] = presentation(s, end);
        if (flags[i]) continue;
        int32_t count = 0;
        while (s < end) {
            int w;
            while (s < end && (w = space_at(s, end)) > 0) s += w;
            if (s >= end) break;
            const unsigned char *word = s;
            while (s < end && space_at(s, end) == 0) s++;
            if (used >= cap) return -2;
            int fresh;
            int32_t id = lookup(t, word, (int32_t)(s - word), &fresh);
            if (id < 0) return -1;
            if (fresh) {
                new_offsets[id - first_new] = word - buf;
                new_lengths[id - first_new] = (int32_t)(s - word);
            }
            occurrences[used++] = id;
            count++;
        }
        counts[i] = count;
    }
    return used;
}

/* The token ids of n words from word id first on: counts[k] each, one after another in toks. */
int wt_define(WT *t, int64_t first, int64_t n, const int32_t *counts, const int32_t *toks) {
    int64_t total = 0;
    for (int64_t k = 0; k < n; k++) total += counts[k];
    if (grow((void **)&t->toks, &t->toks_size, t->toks_used + total, sizeof(int32_t))) return -1;
    memcpy(t->toks + t->toks_used, toks, sizeof(int32_t) * total);
    for (int64_t k = 0; k < n; k++) {
        t->tok_start[first + k] = t->toks_used;
        t->tok_count[first + k] = counts[k];
        t->toks_used += counts[k];
    }
    return 0;
}

/* The hashes (two 64-bit halves each) of n tokens from token id first on. */
int wt_hashes(WT *t, int64_t first, int64_t n, const uint64_t *pairs) {
    if (grow((void **)&t->hashes, &t->hashes_cap, 2 * (first + n), sizeof(uint64_t))) return -1;
    memcpy(t->hashes + 2 * first, pairs, sizeof(uint64_t) * 2 * n);
    if (first + n > t->hashes_size) t->hashes_size = first + n;
    return 0;
}

static uint64_t fmix(uint64_t h) {
    h ^= h >> 33; h *= 0xff51afd7ed558ccdULL; h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

/* The key of a token sequence: order-sensitive, from the tokens' own hashes. */
static void key_of(WT *t, const int32_t *tokens, int64_t n, uint64_t *key) {
    uint64_t a = 0x243f6a8885a308d3ULL, b = 0x13198a2e03707344ULL;
    for (int64_t k = 0; k < n; k++) {
        const uint64_t *h = t->hashes + 2 * (int64_t)tokens[k];
        a = (a ^ h[0]) * 0x9e3779b97f4a7c15ULL; a ^= a >> 29;
        b = (b ^ h[1]) * 0xc2b2ae3d27d4eb4fULL; b ^= b >> 31;
    }
    key[0] = fmix(a ^ (uint64_t)n);
    key[1] = fmix(b + (uint64_t)n * 0x165667b19e3779f9ULL);
}

void wt_key(WT *t, const int32_t *tokens, int64_t n, uint64_t *key) { key_of(t, tokens, n, key); }

/* Each text's token ids (out, capacity cap) from its words' (occurrences, counts as
   wt_split gave them), tok_counts[i] their number, keys[2i..2i+1] its key. Returns the
   number of tokens written, -2 when cap is too small, -3 when a word is undefined. */
int64_t wt_expand(WT *t, const int32_t *occurrences, const int32_t *counts, int64_t n,
                  int32_t *out, int64_t cap, int32_t *tok_counts, uint64_t *keys) {
    int64_t used = 0, at = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t first = used;
        for (int32_t k = 0; k < counts[i]; k++) {
            int32_t word = occurrences[at++];
            int64_t start = t->tok_start[word];
            int32_t many = t->tok_count[word];
            if (start < 0) return -3;
            if (used + many > cap) return -2;
            memcpy(out + used, t->toks + start, sizeof(int32_t) * many);
            used += many;
        }
        tok_counts[i] = (int32_t)(used - first);
        key_of(t, out + first, used - first, keys + 2 * i);
    }
    return used;
}
