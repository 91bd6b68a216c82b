/* The recurrent parts of LAC's networks in plain C: BiGRU/BiLSTM steps and Viterbi.
 *
 * Everything that is a matrix product over all positions at once stays in NumPy (BLAS);
 * only the step-by-step recurrences, which NumPy can only run one small call per step,
 * live here.  Functions take raw float pointers and are called through ctypes.  A batch
 * is padded to T positions; row b holds lengths[b] real positions, and a reverse pass
 * starts at its own last real position.  Each row is computed on its own in a fixed
 * order, so a sentence gives the same numbers alone or in a batch.
 *
 * lac_tagger_run and lac_ranker_run run a whole network in one call on a packed batch
 * (the sentences' tokens back to back, as Paddle's LoD tensors), so that no BLAS thread
 * pool and no per-layer Python call sits on the path of a single short sentence.
 */
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The module object exists only so that setuptools can build this file as an extension. */
static struct PyModuleDef kernels_module = {PyModuleDef_HEAD_INIT, "_ckernel", NULL, -1, NULL};
PyMODINIT_FUNC PyInit__ckernel(void) { return PyModule_Create(&kernels_module); }

/* exp(x) to about one ulp, written so that the compiler vectorises whole loops of it. */
static inline float exp_approx(float x) {
    union { int32_t i; float f; } scale;
    x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    float n = floorf(x * 1.44269504088896341f + 0.5f);
    float r = x - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    scale.i = ((int32_t)n + 127) << 23;
    return p * scale.f;
}

static void sigmoid_inplace(float *restrict v, int n) {
    for (int j = 0; j < n; j++) v[j] = 1.0f / (1.0f + exp_approx(-v[j]));
}

static void tanh_inplace(float *restrict v, int n) {
    for (int j = 0; j < n; j++) v[j] = 2.0f / (1.0f + exp_approx(-2.0f * v[j])) - 1.0f;
}

/* acc[0:n] = sum_k x[k] * w[k, 0:n] for a row-major k x n matrix, four rows at a time. */
static void vec_mat(const float *restrict x, const float *restrict w, float *restrict acc, int k, int n) {
    memset(acc, 0, sizeof(float) * (size_t)n);
    int i = 0;
    for (; i + 4 <= k; i += 4) {
        const float a0 = x[i], a1 = x[i + 1], a2 = x[i + 2], a3 = x[i + 3];
        const float *w0 = w + (size_t)i * n, *w1 = w0 + n, *w2 = w1 + n, *w3 = w2 + n;
        for (int j = 0; j < n; j++) acc[j] += a0 * w0[j] + a1 * w1[j] + a2 * w2[j] + a3 * w3[j];
    }
    for (; i < k; i++) {
        const float a0 = x[i];
        const float *w0 = w + (size_t)i * n;
        for (int j = 0; j < n; j++) acc[j] += a0 * w0[j];
    }
}

/* GRU with the update gate u, reset gate r and candidate c laid out [u | r | c] in proj:
 * u, r = sigmoid(x + h Wg);  c = tanh(x_c + (r * h) Wc);  h = h - u h + u c.
 * work needs 6 * hidden floats. */
void lac_gru(const float *proj, const int32_t *lengths, int batch, int steps, int hidden,
             const float *gate_w, const float *cand_w, int reverse, float *out, float *work) {
    const int h3 = 3 * hidden;
    float *h = work, *gates = work + hidden, *rh = work + 3 * hidden, *cand = work + 4 * hidden;
    for (int b = 0; b < batch; b++) {
        const int len = lengths[b];
        memset(h, 0, sizeof(float) * (size_t)hidden);
        for (int t = 0; t < len; t++) {
            const int pos = reverse ? len - 1 - t : t;
            const float *x = proj + ((size_t)b * steps + pos) * h3;
            vec_mat(h, gate_w, gates, hidden, 2 * hidden);
            for (int j = 0; j < 2 * hidden; j++) gates[j] += x[j];
            sigmoid_inplace(gates, 2 * hidden);
            for (int j = 0; j < hidden; j++) rh[j] = gates[hidden + j] * h[j];
            vec_mat(rh, cand_w, cand, hidden, hidden);
            for (int j = 0; j < hidden; j++) cand[j] += x[2 * hidden + j];
            tanh_inplace(cand, hidden);
            float *o = out + ((size_t)b * steps + pos) * hidden;
            for (int j = 0; j < hidden; j++) {
                const float u = gates[j];
                h[j] = h[j] - u * h[j] + u * cand[j];
                o[j] = h[j];
            }
        }
    }
}

/* LSTM with peepholes, gates laid out [candidate | input | forget | output] in proj:
 * i, f see the previous cell and o the new one through the diagonal peephole weights.
 * work needs 6 * hidden floats. */
void lac_lstm(const float *proj, const int32_t *lengths, int batch, int steps, int hidden,
              const float *rec_w, const float *peephole, int reverse, float *out, float *work) {
    const int h4 = 4 * hidden;
    float *h = work, *c = work + hidden, *g = work + 2 * hidden;
    const float *w_ic = peephole, *w_fc = peephole + hidden, *w_oc = peephole + 2 * hidden;
    for (int b = 0; b < batch; b++) {
        const int len = lengths[b];
        memset(h, 0, sizeof(float) * (size_t)2 * hidden);
        for (int t = 0; t < len; t++) {
            const int pos = reverse ? len - 1 - t : t;
            const float *x = proj + ((size_t)b * steps + pos) * h4;
            vec_mat(h, rec_w, g, hidden, h4);
            for (int j = 0; j < h4; j++) g[j] += x[j];
            float *gc = g, *gi = g + hidden, *gf = g + 2 * hidden, *go = g + 3 * hidden;
            tanh_inplace(gc, hidden);
            for (int j = 0; j < hidden; j++) {
                gi[j] += c[j] * w_ic[j];
                gf[j] += c[j] * w_fc[j];
            }
            sigmoid_inplace(gi, 2 * hidden);
            for (int j = 0; j < hidden; j++) {
                c[j] = gc[j] * gi[j] + c[j] * gf[j];
                go[j] += c[j] * w_oc[j];
            }
            sigmoid_inplace(go, hidden);
            for (int j = 0; j < hidden; j++) gc[j] = c[j];
            tanh_inplace(gc, hidden);
            float *o = out + ((size_t)b * steps + pos) * hidden;
            for (int j = 0; j < hidden; j++) {
                h[j] = go[j] * gc[j];
                o[j] = h[j];
            }
        }
    }
}

/* Linear-chain Viterbi: start + e_0, then max over the previous tag of alpha + trans[prev, tag],
 * plus end at the last position; the first best wins ties.  work needs (steps + 2) * tags
 * floats; backpointers need steps * tags ints. */
void lac_viterbi(const float *emission, const int32_t *lengths, int batch, int steps, int tags,
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
            for (int k = 0; k < tags; k++) {
                float best = alpha[0] + trans[k];
                int arg = 0;
                for (int p = 1; p < tags; p++) {
                    const float score = alpha[p] + trans[(size_t)p * tags + k];
                    if (score > best) {
                        best = score;
                        arg = p;
                    }
                }
                next[k] = best + e[(size_t)t * tags + k];
                bp[k] = arg;
            }
            memcpy(alpha, next, sizeof(float) * (size_t)tags);
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

/* out[r, :] = x[r, :] @ w + b1 + b2 for `rows` rows, four rows sharing each weight row. */
static void linear(const float *restrict x, int rows, int d, const float *restrict w, int n,
                   const float *b1, const float *b2, float *restrict out) {
    int r = 0;
    for (; r + 4 <= rows; r += 4) {
        float *o0 = out + (size_t)r * n, *o1 = o0 + n, *o2 = o1 + n, *o3 = o2 + n;
        const float *x0 = x + (size_t)r * d, *x1 = x0 + d, *x2 = x1 + d, *x3 = x2 + d;
        memset(o0, 0, sizeof(float) * (size_t)4 * n);
        for (int k = 0; k < d; k++) {
            const float a0 = x0[k], a1 = x1[k], a2 = x2[k], a3 = x3[k];
            const float *wk = w + (size_t)k * n;
            for (int j = 0; j < n; j++) {
                const float wj = wk[j];
                o0[j] += a0 * wj;
                o1[j] += a1 * wj;
                o2[j] += a2 * wj;
                o3[j] += a3 * wj;
            }
        }
    }
    for (; r < rows; r++) {
        float *o0 = out + (size_t)r * n;
        const float *x0 = x + (size_t)r * d;
        memset(o0, 0, sizeof(float) * (size_t)n);
        for (int k = 0; k < d; k++) {
            const float a0 = x0[k];
            const float *wk = w + (size_t)k * n;
            for (int j = 0; j < n; j++) o0[j] += a0 * wk[j];
        }
    }
    for (r = 0; r < rows; r++) {
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

/* One bidirectional layer on a packed batch: x (total x d) -> y (total x 2h). */
static void bi_layer(const float *x, int total, int d, const int32_t *lengths, int batch, int hidden,
                     const lac_direction *fwd, const lac_direction *bwd, int is_lstm,
                     float *proj, float *half, float *y, float *work) {
    const int gates = (is_lstm ? 4 : 3) * hidden;
    for (int dir = 0; dir < 2; dir++) {
        const lac_direction *p = dir ? bwd : fwd;
        linear(x, total, d, p->in_w, gates, p->in_b, p->bias, proj);
        /* A packed batch is a padded batch of one row per sentence with steps = its length;
         * run each sentence as its own row. */
        size_t offset = 0;
        for (int b = 0; b < batch; b++) {
            const int32_t len = lengths[b];
            if (is_lstm)
                lac_lstm(proj + offset * gates, &len, 1, len, hidden, p->rec_w, p->cand_w, dir, half + offset * hidden, work);
            else
                lac_gru(proj + offset * gates, &len, 1, len, hidden, p->rec_w, p->cand_w, dir, half + offset * hidden, work);
            offset += (size_t)len;
        }
        for (int i = 0; i < total; i++)
            memcpy(y + (size_t)i * 2 * hidden + dir * hidden, half + (size_t)i * hidden, sizeof(float) * (size_t)hidden);
    }
}

/* Tag paths of a packed batch; `features`, if not NULL, receives the top BiGRU layer (total x 2h).
 * Returns 0, or -1 when memory runs out. */
int lac_tagger_run(const lac_tagger *m, const int64_t *ids, const int32_t *lengths, int batch,
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
    gather(m->embedding, m->emb_dim, ids, total, x, m->emb_dim, 0);
    int d = m->emb_dim;
    for (int layer = 0; layer < m->layers; layer++) {
        bi_layer(x, total, d, lengths, batch, h, &m->dirs[2 * layer], &m->dirs[2 * layer + 1], 0, proj, half, y, work);
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
    bi_layer(x, total, d, lengths, batch, h, &m->dirs[0], &m->dirs[1], 1, proj, half, y, work);
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
