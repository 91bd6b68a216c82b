/* LAC's networks in plain C, called through ctypes: lac_tagger_run (embedding, BiGRU
 * layers, emission, Viterbi) and lac_ranker_run (BiLSTM word rank).
 *
 * A whole network runs in one call on a packed batch (the sentences' tokens back to back,
 * as Paddle's LoD tensors), so that neither a BLAS thread pool nor one Python call per
 * layer or step sits on the path of a single short sentence.  Every output element is a
 * sum over k in one fixed order, whatever the batch, so a sentence gets the same numbers
 * alone or in a batch of 32.
 */
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The module object exists only so that setuptools can build this file as an extension. */
static struct PyModuleDef kernels_module = {PyModuleDef_HEAD_INIT, "_ckernel", NULL, -1, NULL};
PyMODINIT_FUNC PyInit__ckernel(void) { return PyModule_Create(&kernels_module); }

/* LANES floats as one vector register: 16 with AVX-512, 8 with AVX, 4 otherwise (the
 * results do not depend on it: every element is still summed over k in order).  Loads and stores go through memcpy, which
 * compiles to unaligned vector moves. */
#if defined(__AVX512F__)
#define LANES 16
#elif defined(__AVX__)
#define LANES 8
#else
#define LANES 4
#endif
typedef float v16 __attribute__((vector_size(LANES * sizeof(float))));

static inline v16 load16(const float *p) {
    v16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void store16(float *p, v16 v) { memcpy(p, &v, sizeof v); }

typedef int32_t v16i __attribute__((vector_size(LANES * sizeof(int32_t))));

static inline v16 splat(float a) { return (v16){0} + a; }

static inline v16 clamp16(v16 x, float lo, float hi) {
    v16i low = x < splat(lo), high = x > splat(hi);
    v16i bits = (v16i)x;
    bits = (low & (v16i)splat(lo)) | (~low & bits);
    bits = (high & (v16i)splat(hi)) | (~high & bits);
    return (v16)bits;
}

/* exp(x) to about one ulp (Cephes' reduction and polynomial), a vector at a time;
 * the input is clamped so that the result stays a normal float. */
static inline v16 exp16(v16 x) {
    x = clamp16(x, -87.0f, 88.0f);
    const v16 magic = splat(12582912.0f); /* 1.5 * 2^23: adding it rounds to an integer */
    v16 n = (x * 1.44269504088896341f + magic) - magic;
    v16 r = x - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    v16 p = splat(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    v16i scale = (__builtin_convertvector(n, v16i) + 127) << 23;
    return p * (v16)scale;
}

static float exp1(float x) {
    v16 v = splat(x);
    return exp16(v)[0];
}

static void sigmoid_inplace(float *restrict v, int n) {
    int j = 0;
    for (; j + LANES <= n; j += LANES) store16(v + j, 1.0f / (1.0f + exp16(-load16(v + j))));
    for (; j < n; j++) v[j] = 1.0f / (1.0f + exp1(-v[j]));
}

/* tanh(x) = 2 sigmoid(2x) - 1, the form Paddle's kernels use. */
static void tanh_inplace(float *restrict v, int n) {
    int j = 0;
    for (; j + LANES <= n; j += LANES) store16(v + j, 2.0f / (1.0f + exp16(-2.0f * load16(v + j))) - 1.0f);
    for (; j < n; j++) v[j] = 2.0f / (1.0f + exp1(-2.0f * v[j])) - 1.0f;
}

/* acc[j:n] = sum_k x[k] * w[k, j:n]: one vector of columns, then single columns.  The tail
 * of vec_mat and of linear's rows, so both sum each column in the same order. */
static void vec_mat_tail(const float *restrict x, const float *restrict w, float *restrict acc, int k, int n,
                         int j) {
    for (; j + LANES <= n; j += LANES) {
        v16 c0 = {0};
        for (int i = 0; i < k; i++) c0 += x[i] * load16(w + (size_t)i * n + j);
        store16(acc + j, c0);
    }
    for (; j < n; j++) {
        float c = 0.0f;
        for (int i = 0; i < k; i++) c += x[i] * w[(size_t)i * n + j];
        acc[j] = c;
    }
}

/* acc[0:n] = sum_k x[k] * w[k, 0:n] for a row-major k x n matrix: 8 vectors of columns at a time
 * stay in registers while all k rows stream past (eight independent sums hide the
 * latency of each multiply-add). */
static void vec_mat(const float *restrict x, const float *restrict w, float *restrict acc, int k, int n) {
    int j = 0;
    for (; j + 8 * LANES <= n; j += 8 * LANES) {
        v16 c0 = {0}, c1 = {0}, c2 = {0}, c3 = {0}, c4 = {0}, c5 = {0}, c6 = {0}, c7 = {0};
        const float *wj = w + j;
        for (int i = 0; i < k; i++) {
            const float a = x[i];
            const float *wi = wj + (size_t)i * n;
            c0 += a * load16(wi);
            c1 += a * load16(wi + 1 * LANES);
            c2 += a * load16(wi + 2 * LANES);
            c3 += a * load16(wi + 3 * LANES);
            c4 += a * load16(wi + 4 * LANES);
            c5 += a * load16(wi + 5 * LANES);
            c6 += a * load16(wi + 6 * LANES);
            c7 += a * load16(wi + 7 * LANES);
        }
        store16(acc + j, c0);
        store16(acc + j + 1 * LANES, c1);
        store16(acc + j + 2 * LANES, c2);
        store16(acc + j + 3 * LANES, c3);
        store16(acc + j + 4 * LANES, c4);
        store16(acc + j + 5 * LANES, c5);
        store16(acc + j + 6 * LANES, c6);
        store16(acc + j + 7 * LANES, c7);
    }
    for (; j + 4 * LANES <= n; j += 4 * LANES) {
        v16 c0 = {0}, c1 = {0}, c2 = {0}, c3 = {0};
        const float *wj = w + j;
        for (int i = 0; i < k; i++) {
            const float a = x[i];
            const float *wi = wj + (size_t)i * n;
            c0 += a * load16(wi);
            c1 += a * load16(wi + 1 * LANES);
            c2 += a * load16(wi + 2 * LANES);
            c3 += a * load16(wi + 3 * LANES);
        }
        store16(acc + j, c0);
        store16(acc + j + 1 * LANES, c1);
        store16(acc + j + 2 * LANES, c2);
        store16(acc + j + 3 * LANES, c3);
    }
    vec_mat_tail(x, w, acc, k, n, j);
}

/* Linear-chain Viterbi: start + e_0, then max over the previous tag of alpha + trans[prev, tag],
 * plus end at the last position; the first best wins ties.  work needs (steps + 2) * tags
 * floats; backpointers need steps * tags ints. */
static void lac_viterbi(const float *emission, const int32_t *lengths, int batch, int steps, int tags,
                 const float *start, const float *end, const float *trans, int32_t *paths,
                 float *work, int32_t *backpointers) {
    float *alpha = work, *next = work + tags;
    for (int b = 0; b < batch; b++) {
        const int len = lengths[b];
        if (len == 0) continue;
        const float *e = emission + (size_t)b * steps * tags;
        for (int k = 0; k < tags; k++) alpha[k] = start[k] + e[k];
        for (int t = 1; t < len; t++) {
            int32_t *bp = backpointers + (size_t)t * tags;
            /* All tags at once, previous tags in increasing order: a later previous tag
             * replaces the best only when strictly better, so the first best wins. */
            for (int k = 0; k < tags; k++) {
                next[k] = alpha[0] + trans[k];
                bp[k] = 0;
            }
            for (int p = 1; p < tags; p++) {
                const float a = alpha[p];
                const float *row = trans + (size_t)p * tags;
                for (int k = 0; k < tags; k++) {
                    const float score = a + row[k];
                    const int better = score > next[k];
                    next[k] = better ? score : next[k];
                    bp[k] = better ? p : bp[k];
                }
            }
            for (int k = 0; k < tags; k++) alpha[k] = next[k] + e[(size_t)t * tags + k];
        }
        float best = alpha[0] + end[0];
        int arg = 0;
        for (int k = 1; k < tags; k++) {
            const float score = alpha[k] + end[k];
            if (score > best) {
                best = score;
                arg = k;
            }
        }
        int32_t *path = paths + (size_t)b * steps;
        path[len - 1] = arg;
        for (int t = len - 1; t > 0; t--) {
            arg = backpointers[(size_t)t * tags + arg];
            path[t - 1] = arg;
        }
    }
}

/* out[r0:r0+R, j:j+2*LANES] of x @ w with the 2R accumulators in registers over all of k. */
#define LINEAR_BLOCK(R)                                                                        \
    static void linear_block_##R(const float *restrict x, int d, const float *restrict w,      \
                                 int n, int j, float *restrict out) {                          \
        v16 lo[R], hi[R];                                                                      \
        for (int r = 0; r < R; r++) lo[r] = hi[r] = (v16){0};                                  \
        for (int k = 0; k < d; k++) {                                                          \
            const v16 w0 = load16(w + (size_t)k * n + j), w1 = load16(w + (size_t)k * n + j + LANES); \
            for (int r = 0; r < R; r++) {                                                      \
                const float a = x[(size_t)r * d + k];                                          \
                lo[r] += a * w0;                                                               \
                hi[r] += a * w1;                                                               \
            }                                                                                  \
        }                                                                                      \
        for (int r = 0; r < R; r++) {                                                          \
            store16(out + (size_t)r * n + j, lo[r]);                                           \
            store16(out + (size_t)r * n + j + LANES, hi[r]);                                      \
        }                                                                                      \
    }
LINEAR_BLOCK(8)
LINEAR_BLOCK(4)

/* out[r, :] = x[r, :] @ w + b1 + b2 for `rows` rows (biases added one after the other). */
static void linear(const float *restrict x, int rows, int d, const float *restrict w, int n,
                   const float *b1, const float *b2, float *restrict out) {
    const int wide = n - n % (2 * LANES), blocked = rows - rows % 4;
    /* Rows left over after the blocks of 8 and 4 go one by one through vec_mat: the same
     * sums in the same order, with wider column blocks. */
    for (int r = blocked; r < rows; r++) vec_mat(x + (size_t)r * d, w, out + (size_t)r * n, d, n);
    for (int j = 0; j < wide; j += 2 * LANES) {
        int r = 0;
        for (; r + 8 <= blocked; r += 8) linear_block_8(x + (size_t)r * d, d, w, n, j, out + (size_t)r * n);
        for (; r + 4 <= blocked; r += 4) linear_block_4(x + (size_t)r * d, d, w, n, j, out + (size_t)r * n);
    }
    if (wide < n) {
        for (int r = 0; r < blocked; r++) vec_mat_tail(x + (size_t)r * d, w, out + (size_t)r * n, d, n, wide);
    }
    for (int r = 0; r < rows; r++) {
        float *o = out + (size_t)r * n;
        if (b1) for (int j = 0; j < n; j++) o[j] += b1[j];
        if (b2) for (int j = 0; j < n; j++) o[j] += b2[j];
    }
}

/* Weights of one recurrent direction, as shipped in the safetensors files. */
typedef struct {
    const float *in_w, *in_b, *bias, *rec_w, *cand_w; /* cand_w: GRU only; LSTM keeps peepholes here */
} lac_direction;

typedef struct {
    const float *embedding;
    int emb_dim, hidden, layers, tags;
    lac_direction dirs[8]; /* layer-major, forward then backward */
    const float *emission_w, *emission_b, *start, *end, *trans;
    int vocab;
    /* The first layer's input projection depends on the token alone: each token's row is
     * computed once (with the same sums as in a batch) and kept.  Allocated on first use;
     * untouched rows cost no memory. */
    float *first_proj;
    unsigned char *first_ready;
} lac_tagger;

typedef struct {
    const float *char_embedding, *tag_embedding;
    int char_dim, tag_dim, hidden, inner, ranks;
    lac_direction dirs[2];
    const float *hidden_w, *hidden_b, *out_w, *out_b;
} lac_ranker;

static void gather(const float *table, int dim, const int64_t *ids, int count, float *out, int stride, int offset) {
    for (int i = 0; i < count; i++)
        memcpy(out + (size_t)i * stride + offset, table + (size_t)ids[i] * dim, sizeof(float) * (size_t)dim);
}

static const int32_t *sort_lengths;

static int longer_first(const void *a, const void *b) {
    const int32_t la = sort_lengths[*(const int32_t *)a], lb = sort_lengths[*(const int32_t *)b];
    return la != lb ? (lb > la ? 1 : -1) : (*(const int32_t *)a - *(const int32_t *)b);
}

/* One direction of a GRU or peephole LSTM over a packed batch.  The sentences run side by
 * side, longest first, so that at every step the still-running ones form the first rows of
 * the state matrix and share each weight row read (the products use `linear`, whose row
 * results do not depend on how many rows it is given). */
static int recurrent(const float *proj, const int32_t *lengths, int batch, int hidden,
                     const lac_direction *p, int is_lstm, int reverse, float *half) {
    const int width = (is_lstm ? 4 : 3) * hidden, gate_cols = is_lstm ? 4 * hidden : 2 * hidden;
    int32_t *order = malloc(sizeof(int32_t) * (size_t)batch);
    size_t *offset = malloc(sizeof(size_t) * (size_t)batch);
    float *h = calloc((size_t)batch * hidden, sizeof(float));
    float *c = calloc((size_t)batch * hidden, sizeof(float));
    float *g = malloc(sizeof(float) * (size_t)batch * gate_cols);
    float *rh = malloc(sizeof(float) * (size_t)batch * hidden);
    float *cand = malloc(sizeof(float) * (size_t)batch * hidden);
    int status = -1;
    if (!order || !offset || !h || !c || !g || !rh || !cand) goto done;
    size_t start = 0;
    for (int b = 0; b < batch; b++) {
        order[b] = b;
        offset[b] = start;
        start += (size_t)lengths[b];
    }
    sort_lengths = lengths;
    qsort(order, (size_t)batch, sizeof(int32_t), longer_first);
    int active = batch;
    const float *w_ic = p->cand_w, *w_fc = p->cand_w + hidden, *w_oc = p->cand_w + 2 * hidden;
    for (int t = 0;; t++) {
        while (active > 0 && lengths[order[active - 1]] <= t) active--;
        if (active == 0) break;
        linear(h, active, hidden, p->rec_w, gate_cols, NULL, NULL, g);
        for (int a = 0; a < active; a++) {
            const int s = order[a], len = lengths[s], pos = reverse ? len - 1 - t : t;
            const float *x = proj + (offset[s] + (size_t)pos) * width;
            float *ga = g + (size_t)a * gate_cols, *ha = h + (size_t)a * hidden;
            for (int j = 0; j < gate_cols; j++) ga[j] += x[j];
            if (is_lstm) {
                float *gc = ga, *gi = ga + hidden, *gf = ga + 2 * hidden, *go = ga + 3 * hidden;
                float *ca = c + (size_t)a * hidden, *o = half + (offset[s] + (size_t)pos) * hidden;
                tanh_inplace(gc, hidden);
                for (int j = 0; j < hidden; j++) {
                    gi[j] += ca[j] * w_ic[j];
                    gf[j] += ca[j] * w_fc[j];
                }
                sigmoid_inplace(gi, 2 * hidden);
                for (int j = 0; j < hidden; j++) {
                    ca[j] = gc[j] * gi[j] + ca[j] * gf[j];
                    go[j] += ca[j] * w_oc[j];
                }
                sigmoid_inplace(go, hidden);
                for (int j = 0; j < hidden; j++) gc[j] = ca[j];
                tanh_inplace(gc, hidden);
                for (int j = 0; j < hidden; j++) o[j] = ha[j] = go[j] * gc[j];
            } else {
                sigmoid_inplace(ga, 2 * hidden);
                for (int j = 0; j < hidden; j++) rh[(size_t)a * hidden + j] = ga[hidden + j] * ha[j];
            }
        }
        if (is_lstm) continue;
        linear(rh, active, hidden, p->cand_w, hidden, NULL, NULL, cand);
        for (int a = 0; a < active; a++) {
            const int s = order[a], len = lengths[s], pos = reverse ? len - 1 - t : t;
            const float *x = proj + (offset[s] + (size_t)pos) * width + 2 * hidden;
            float *ca = cand + (size_t)a * hidden, *ha = h + (size_t)a * hidden, *ua = g + (size_t)a * gate_cols;
            float *o = half + (offset[s] + (size_t)pos) * hidden;
            for (int j = 0; j < hidden; j++) ca[j] += x[j];
            tanh_inplace(ca, hidden);
            for (int j = 0; j < hidden; j++) o[j] = ha[j] = ha[j] - ua[j] * ha[j] + ua[j] * ca[j];
        }
    }
    status = 0;
done:
    free(order); free(offset); free(h); free(c); free(g); free(rh); free(cand);
    return status;
}

/* The first layer's projections of the given tokens for one direction, from the cache. */
static int first_projection(lac_tagger *m, const int64_t *ids, int total, int dir, float *proj) {
    const int gates = 3 * m->hidden;
    if (!m->first_proj) {
        m->first_proj = calloc((size_t)m->vocab * 2 * gates, sizeof(float));
        m->first_ready = calloc((size_t)m->vocab, 1);
        if (!m->first_proj || !m->first_ready) {
            free(m->first_proj);
            free(m->first_ready);
            m->first_proj = NULL;
            m->first_ready = NULL;
            return -1;
        }
    }
    for (int i = 0; i < total; i++) {
        const int64_t id = ids[i];
        if (id < 0 || id >= m->vocab) return -2;
        float *row = m->first_proj + (size_t)id * 2 * gates;
        if (!m->first_ready[id]) {
            for (int d = 0; d < 2; d++) {
                const lac_direction *p = &m->dirs[d];
                linear(m->embedding + (size_t)id * m->emb_dim, 1, m->emb_dim, p->in_w, gates, p->in_b, p->bias,
                       row + (size_t)d * gates);
            }
            m->first_ready[id] = 1;
        }
        memcpy(proj + (size_t)i * gates, row + (size_t)dir * gates, sizeof(float) * (size_t)gates);
    }
    return 0;
}

/* One bidirectional layer on a packed batch: x (total x d) -> y (total x 2h).  With `first`,
 * the input projections come from the first layer's token cache instead of from x. */
static int bi_layer(const float *x, int total, int d, const int32_t *lengths, int batch, int hidden,
                    const lac_direction *fwd, const lac_direction *bwd, int is_lstm,
                    float *proj, float *half, float *y, lac_tagger *first, const int64_t *ids) {
    const int gates = (is_lstm ? 4 : 3) * hidden;
    for (int dir = 0; dir < 2; dir++) {
        const lac_direction *p = dir ? bwd : fwd;
        if (first) {
            const int status = first_projection(first, ids, total, dir, proj);
            if (status) return status;
        } else {
            linear(x, total, d, p->in_w, gates, p->in_b, p->bias, proj);
        }
        if (recurrent(proj, lengths, batch, hidden, p, is_lstm, dir, half)) return -1;
        for (int i = 0; i < total; i++)
            memcpy(y + (size_t)i * 2 * hidden + dir * hidden, half + (size_t)i * hidden, sizeof(float) * (size_t)hidden);
    }
    return 0;
}

/* Tag paths of a packed batch; `features`, if not NULL, receives the top BiGRU layer (total x 2h).
 * Returns 0, -1 when memory runs out, or -2 for a token id outside the vocabulary. */
int lac_tagger_run(lac_tagger *m, const int64_t *ids, const int32_t *lengths, int batch,
                   int32_t *paths, float *features) {
    int total = 0, longest = 0;
    for (int b = 0; b < batch; b++) {
        total += lengths[b];
        longest = lengths[b] > longest ? lengths[b] : longest;
    }
    if (total == 0) return 0;
    const int h = m->hidden, width = 2 * h > m->emb_dim ? 2 * h : m->emb_dim;
    float *x = malloc(sizeof(float) * (size_t)total * width);
    float *y = malloc(sizeof(float) * (size_t)total * 2 * h);
    float *proj = malloc(sizeof(float) * (size_t)total * 3 * h);
    float *half = malloc(sizeof(float) * (size_t)total * h);
    float *emission = malloc(sizeof(float) * (size_t)total * m->tags);
    float *work = malloc(sizeof(float) * (size_t)(6 * h + 2 * m->tags));
    int32_t *back = malloc(sizeof(int32_t) * (size_t)longest * m->tags);
    int status = -1;
    if (!x || !y || !proj || !half || !emission || !work || !back) goto done;
    int d = m->emb_dim;
    for (int layer = 0; layer < m->layers; layer++) {
        status = bi_layer(x, total, d, lengths, batch, h, &m->dirs[2 * layer], &m->dirs[2 * layer + 1], 0, proj, half, y,
                          layer == 0 ? m : NULL, ids);
        if (status) goto done;
        status = -1;
        memcpy(x, y, sizeof(float) * (size_t)total * 2 * h);
        d = 2 * h;
    }
    if (features) memcpy(features, x, sizeof(float) * (size_t)total * 2 * h);
    linear(x, total, d, m->emission_w, m->tags, m->emission_b, NULL, emission);
    size_t offset = 0;
    for (int b = 0; b < batch; b++) {
        const int32_t len = lengths[b];
        lac_viterbi(emission + offset * m->tags, &len, 1, len, m->tags, m->start, m->end, m->trans,
                    paths + offset, work, back);
        offset += (size_t)len;
    }
    status = 0;
done:
    free(x); free(y); free(proj); free(half); free(emission); free(work); free(back);
    return status;
}

/* Importance level (argmax of the softmax) of every token of a packed batch. */
int lac_ranker_run(const lac_ranker *m, const int64_t *ids, const int64_t *tags, const int32_t *lengths,
                   int batch, int32_t *ranks) {
    int total = 0;
    for (int b = 0; b < batch; b++) total += lengths[b];
    if (total == 0) return 0;
    const int h = m->hidden, d = m->char_dim + m->tag_dim;
    float *x = malloc(sizeof(float) * (size_t)total * d);
    float *y = malloc(sizeof(float) * (size_t)total * 2 * h);
    float *proj = malloc(sizeof(float) * (size_t)total * 4 * h);
    float *half = malloc(sizeof(float) * (size_t)total * h);
    float *inner = malloc(sizeof(float) * (size_t)total * m->inner);
    float *logits = malloc(sizeof(float) * (size_t)total * m->ranks);
    float *work = malloc(sizeof(float) * (size_t)6 * h);
    int status = -1;
    if (!x || !y || !proj || !half || !inner || !logits || !work) goto done;
    gather(m->char_embedding, m->char_dim, ids, total, x, d, 0);
    gather(m->tag_embedding, m->tag_dim, tags, total, x, d, m->char_dim);
    if (bi_layer(x, total, d, lengths, batch, h, &m->dirs[0], &m->dirs[1], 1, proj, half, y, NULL, NULL)) goto done;
    linear(y, total, 2 * h, m->hidden_w, m->inner, m->hidden_b, NULL, inner);
    for (size_t i = 0; i < (size_t)total * m->inner; i++) inner[i] = inner[i] > 0.0f ? inner[i] : 0.0f;
    linear(inner, total, m->inner, m->out_w, m->ranks, m->out_b, NULL, logits);
    for (int i = 0; i < total; i++) {
        const float *l = logits + (size_t)i * m->ranks;
        float top = l[0], sum = 0.0f, best = -1.0f;
        for (int k = 1; k < m->ranks; k++) top = l[k] > top ? l[k] : top;
        for (int k = 0; k < m->ranks; k++) sum += expf(l[k] - top);
        int arg = 0;
        for (int k = 0; k < m->ranks; k++) {
            const float p = expf(l[k] - top) / sum;
            if (p > best) {
                best = p;
                arg = k;
            }
        }
        ranks[i] = arg;
    }
    status = 0;
done:
    free(x); free(y); free(proj); free(half); free(inner); free(logits); free(work);
    return status;
}
