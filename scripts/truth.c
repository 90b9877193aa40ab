/*
 * truth.c - dataset helper for Quiver benchmarks (built by scripts/datasets.sh).
 *
 *   gcc -O3 -march=native -fopenmp -o truth scripts/truth.c -lm
 *
 * Sub-commands (all files use the TEXMEX fvecs/ivecs layout: per vector a
 * little-endian int32 dimension followed by that many float32/int32 values):
 *
 *   truth idx2fvecs IN.idx OUT.fvecs        IDX3 ubyte images ("-" = stdin) -> float32 0..255
 *   truth normalize IN.fvecs OUT.fvecs      divide every vector by its L2 norm
 *   truth knn BASE QUERIES OUT.ivecs K l2|ip
 *                                            exact K nearest neighbours (0-based row ids);
 *                                            l2 = Euclidean, ip = largest inner product
 *   truth verify BASE QUERIES TRUTH.ivecs l2|ip NROWS
 *                                            naive double-precision re-check of NROWS queries
 *
 * knn is exact: a fast blocked float32 pass keeps K+MARGIN candidates per query,
 * these are re-ranked in double precision, and a per-query error bound proves that
 * no discarded point could enter the top K (otherwise that query is redone by a
 * naive double-precision scan). Ties are broken by the smaller row id, so the output
 * is deterministic.
 */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MARGIN 32 /* extra candidates kept by the float pass */
#define QB 64     /* queries per block (per thread task) */
#define BB 512    /* base vectors per block (~1.6 MB at d=784, fits the L2) */

static void die(const char *fmt, const char *arg) {
    fprintf(stderr, "truth: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    exit(1);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct {
    size_t n, d;
    float *v;
} mat;

static mat read_fvecs(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    int32_t d;
    if (fread(&d, 4, 1, f) != 1 || d <= 0) die("bad fvecs header in %s", path);
    size_t row = 4 + (size_t)d * 4;
    if (size % row != 0) die("size of %s is not a multiple of the row size", path);
    mat m = {(size_t)size / row, (size_t)d, NULL};
    m.v = aligned_alloc(64, ((m.n * m.d * 4) + 63) / 64 * 64);
    if (!m.v) die("out of memory reading %s", path);
    fseek(f, 0, SEEK_SET);
    for (size_t i = 0; i < m.n; i++) {
        int32_t di;
        if (fread(&di, 4, 1, f) != 1 || di != d) die("inconsistent dimension in %s", path);
        if (fread(m.v + i * m.d, 4, m.d, f) != m.d) die("short read in %s", path);
    }
    fclose(f);
    return m;
}

static void write_fvecs(const char *path, const mat *m) {
    FILE *f = fopen(path, "wb");
    if (!f) die("cannot create %s", path);
    int32_t d = (int32_t)m->d;
    for (size_t i = 0; i < m->n; i++) {
        if (fwrite(&d, 4, 1, f) != 1 || fwrite(m->v + i * m->d, 4, m->d, f) != m->d)
            die("write error on %s", path);
    }
    if (fclose(f) != 0) die("write error on %s", path);
}

static uint32_t be32(const unsigned char *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int cmd_idx2fvecs(const char *in, const char *out) {
    FILE *f = strcmp(in, "-") == 0 ? stdin : fopen(in, "rb");
    if (!f) die("cannot open %s", in);
    unsigned char h[16];
    if (fread(h, 1, 16, f) != 16) die("short IDX header in %s", in);
    if (be32(h) != 0x00000803) die("%s is not an IDX3 ubyte file (magic != 0x803)", in);
    size_t n = be32(h + 4), rows = be32(h + 8), cols = be32(h + 12);
    mat m = {n, rows * cols, NULL};
    m.v = malloc(n * m.d * sizeof(float));
    unsigned char *buf = malloc(m.d);
    if (!m.v || !buf) die("out of memory (%s)", in);
    for (size_t i = 0; i < n; i++) {
        if (fread(buf, 1, m.d, f) != m.d) die("short IDX payload in %s", in);
        for (size_t j = 0; j < m.d; j++) m.v[i * m.d + j] = (float)buf[j];
    }
    if (f != stdin) fclose(f);
    write_fvecs(out, &m);
    fprintf(stderr, "truth: idx2fvecs %zu x %zu (%zux%zu images) -> %s\n", n, m.d, rows, cols, out);
    return 0;
}

static int cmd_normalize(const char *in, const char *out) {
    mat m = read_fvecs(in);
    size_t zeros = 0;
    for (size_t i = 0; i < m.n; i++) {
        float *x = m.v + i * m.d;
        double s = 0;
        for (size_t j = 0; j < m.d; j++) s += (double)x[j] * x[j];
        if (s == 0) { zeros++; continue; }
        double inv = 1.0 / sqrt(s);
        for (size_t j = 0; j < m.d; j++) x[j] = (float)(x[j] * inv);
    }
    if (zeros) fprintf(stderr, "truth: warning: %zu zero vectors left unnormalised in %s\n", zeros, in);
    write_fvecs(out, &m);
    fprintf(stderr, "truth: normalize %zu x %zu -> %s\n", m.n, m.d, out);
    return 0;
}

/* Exact distance in double: smaller is closer. For ip the distance is -<q,b>. */
static double exact_dist(const float *q, const float *b, size_t d, int ip) {
    double s = 0;
    if (ip) {
        for (size_t j = 0; j < d; j++) s += (double)q[j] * b[j];
        return -s;
    }
    for (size_t j = 0; j < d; j++) {
        double t = (double)q[j] - b[j];
        s += t * t;
    }
    return s;
}

/* ---- fast float pass: 4 queries x 1 base vector micro kernels ---- */
static inline void kern_l2(const float *restrict q0, const float *restrict q1, const float *restrict q2,
                           const float *restrict q3, const float *restrict b, size_t d, float out[4]) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
    for (size_t j = 0; j < d; j++) {
        float t0 = q0[j] - b[j], t1 = q1[j] - b[j], t2 = q2[j] - b[j], t3 = q3[j] - b[j];
        s0 += t0 * t0; s1 += t1 * t1; s2 += t2 * t2; s3 += t3 * t3;
    }
    out[0] = s0; out[1] = s1; out[2] = s2; out[3] = s3;
}

static inline void kern_ip(const float *restrict q0, const float *restrict q1, const float *restrict q2,
                           const float *restrict q3, const float *restrict b, size_t d, float out[4]) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
    for (size_t j = 0; j < d; j++) {
        s0 += q0[j] * b[j]; s1 += q1[j] * b[j]; s2 += q2[j] * b[j]; s3 += q3[j] * b[j];
    }
    out[0] = -s0; out[1] = -s1; out[2] = -s2; out[3] = -s3;
}

/* max-heap on (dist, id): the root is the worst kept candidate */
typedef struct { float d; int32_t id; } fcand;
typedef struct { double d; int32_t id; } dcand;

static inline int fworse(fcand a, fcand b) { return a.d > b.d || (a.d == b.d && a.id > b.id); }

static void heap_push(fcand *h, int *n, int cap, fcand c) {
    if (*n < cap) {
        int i = (*n)++;
        h[i] = c;
        while (i > 0) {
            int p = (i - 1) / 2;
            if (!fworse(h[i], h[p])) break;
            fcand t = h[i]; h[i] = h[p]; h[p] = t; i = p;
        }
        return;
    }
    if (!fworse(h[0], c)) return;
    h[0] = c;
    int i = 0;
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < cap && fworse(h[l], h[m])) m = l;
        if (r < cap && fworse(h[r], h[m])) m = r;
        if (m == i) break;
        fcand t = h[i]; h[i] = h[m]; h[m] = t; i = m;
    }
}

static int dcmp(const void *a, const void *b) {
    const dcand *x = a, *y = b;
    if (x->d < y->d) return -1;
    if (x->d > y->d) return 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* naive exact top-k of one query (double precision), used by verify and as fallback */
static void naive_topk(const mat *base, const float *q, int k, int ip, int32_t *out, dcand *scratch) {
    for (size_t i = 0; i < base->n; i++) {
        scratch[i].d = exact_dist(q, base->v + i * base->d, base->d, ip);
        scratch[i].id = (int32_t)i;
    }
    qsort(scratch, base->n, sizeof(dcand), dcmp);
    for (int j = 0; j < k; j++) out[j] = scratch[j].id;
}

static int cmd_knn(const char *bp, const char *qp, const char *op, int k, int ip) {
    double t0 = now();
    mat base = read_fvecs(bp), qs = read_fvecs(qp);
    if (base.d != qs.d) die("dimension mismatch between base and queries (%s)", qp);
    if (k <= 0 || (size_t)k > base.n) die("bad k (%s)", "must be 1..n");
    size_t n = base.n, nq = qs.n, d = base.d;
    int cap = k + MARGIN;
    if ((size_t)cap > n) cap = (int)n;
    int32_t *result = malloc(nq * (size_t)k * sizeof(int32_t));
    long fallbacks = 0;
    double maxbnorm = 0;
    for (size_t i = 0; ip && i < n; i++) {
        double nb = sqrt(-exact_dist(base.v + i * d, base.v + i * d, d, 1));
        if (nb > maxbnorm) maxbnorm = nb;
    }
    fprintf(stderr, "truth: knn %s: %zu queries x %zu base x %zu dims, k=%d, %d threads\n", ip ? "ip" : "l2", nq,
            n, d, k, omp_get_max_threads());

#pragma omp parallel reduction(+ : fallbacks)
    {
        fcand *heaps = malloc(sizeof(fcand) * QB * cap);
        int *hn = malloc(sizeof(int) * QB);
        dcand *rr = malloc(sizeof(dcand) * cap);
        dcand *scratch = NULL;
        float *qbuf = aligned_alloc(64, ((sizeof(float) * (QB + 3) * d) + 63) / 64 * 64);
#pragma omp for schedule(dynamic, 1)
        for (size_t q0 = 0; q0 < nq; q0 += QB) {
            size_t nqb = nq - q0 < QB ? nq - q0 : QB;
            size_t ngroups = (nqb + 3) / 4;
            /* copy the query block, padding the last group by repeating the last query */
            for (size_t i = 0; i < ngroups * 4; i++) {
                size_t src = q0 + (i < nqb ? i : nqb - 1);
                memcpy(qbuf + i * d, qs.v + src * d, d * sizeof(float));
            }
            for (size_t i = 0; i < nqb; i++) hn[i] = 0;
            for (size_t b0 = 0; b0 < n; b0 += BB) {
                size_t b1 = b0 + BB < n ? b0 + BB : n;
                for (size_t g = 0; g < ngroups; g++) {
                    const float *a0 = qbuf + (4 * g) * d, *a1 = a0 + d, *a2 = a1 + d, *a3 = a2 + d;
                    for (size_t b = b0; b < b1; b++) {
                        float o[4];
                        if (ip) kern_ip(a0, a1, a2, a3, base.v + b * d, d, o);
                        else kern_l2(a0, a1, a2, a3, base.v + b * d, d, o);
                        for (int j = 0; j < 4; j++) {
                            size_t qi = 4 * g + j;
                            if (qi >= nqb) break;
                            fcand *h = heaps + qi * cap;
                            if (hn[qi] < cap || o[j] <= h[0].d) heap_push(h, &hn[qi], cap, (fcand){o[j], (int32_t)b});
                        }
                    }
                }
            }
            /* exact re-rank + proof that nothing discarded can enter the top k */
            for (size_t i = 0; i < nqb; i++) {
                const float *q = qs.v + (q0 + i) * d;
                fcand *h = heaps + i * cap;
                for (int j = 0; j < hn[i]; j++) {
                    rr[j].id = h[j].id;
                    rr[j].d = exact_dist(q, base.v + (size_t)h[j].id * d, d, ip);
                }
                qsort(rr, hn[i], sizeof(dcand), dcmp);
                int safe = 1;
                if ((size_t)cap < n) {
                    /* every discarded point has float distance >= h[0].d. The float32 error of a
                       d-term sum is below gamma_d = d*2^-24 times the sum of |terms|: that sum is the
                       distance itself for l2 and at most |q|*max|b| for ip (Cauchy-Schwarz). Use twice
                       that bound, so a discarded point's exact distance is >= h[0].d - eps. */
                    double worst = h[0].d;
                    double gam = 2.0 * (double)d * ldexp(1.0, -24);
                    double eps = ip ? gam * sqrt(-exact_dist(q, q, d, 1)) * maxbnorm + 1e-12
                                    : gam * (fabs(worst) + 1.0) + 1e-12;
                    safe = worst - eps > rr[k - 1].d;
                }
                if (safe) {
                    for (int j = 0; j < k; j++) result[(q0 + i) * k + j] = rr[j].id;
                } else {
                    if (!scratch) scratch = malloc(sizeof(dcand) * n);
                    naive_topk(&base, q, k, ip, result + (q0 + i) * k, scratch);
                    fallbacks++;
                }
            }
        }
        free(heaps); free(hn); free(rr); free(scratch); free(qbuf);
    }

    FILE *f = fopen(op, "wb");
    if (!f) die("cannot create %s", op);
    int32_t kk = k;
    for (size_t i = 0; i < nq; i++)
        if (fwrite(&kk, 4, 1, f) != 1 || fwrite(result + i * k, 4, k, f) != (size_t)k) die("write error on %s", op);
    if (fclose(f) != 0) die("write error on %s", op);
    fprintf(stderr, "truth: wrote %s in %.1f s (%ld queries needed the naive fallback)\n", op, now() - t0, fallbacks);
    return 0;
}

static int cmd_verify(const char *bp, const char *qp, const char *tp, int ip, int nrows) {
    mat base = read_fvecs(bp), qs = read_fvecs(qp);
    FILE *f = fopen(tp, "rb");
    if (!f) die("cannot open %s", tp);
    int32_t k;
    if (fread(&k, 4, 1, f) != 1 || k <= 0) die("bad ivecs header in %s", tp);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    if ((size_t)size != qs.n * (4 + (size_t)k * 4)) die("%s does not have one row per query", tp);
    dcand *scratch = malloc(sizeof(dcand) * base.n);
    int32_t *want = malloc(sizeof(int32_t) * k), *got = malloc(sizeof(int32_t) * (k + 1));
    int bad = 0;
    if ((size_t)nrows > qs.n) nrows = (int)qs.n;
    for (int r = 0; r < nrows; r++) {
        /* spread the checked rows over the whole query set: first, last and evenly in between */
        size_t qi = nrows == 1 ? 0 : (size_t)r * (qs.n - 1) / (nrows - 1);
        fseek(f, (long)(qi * (4 + (size_t)k * 4)), SEEK_SET);
        if (fread(got, 4, k + 1, f) != (size_t)k + 1 || got[0] != k) die("short row in %s", tp);
        naive_topk(&base, qs.v + qi * base.d, k, ip, want, scratch);
        int mism = 0;
        for (int j = 0; j < k; j++) mism += want[j] != got[j + 1];
        if (mism) {
            bad++;
            fprintf(stderr, "truth: verify: query %zu: %d of %d ids differ from the naive scan\n", qi, mism, k);
        }
    }
    fclose(f);
    fprintf(stderr, "truth: verify %s: %d/%d sampled queries match a naive double-precision scan exactly\n", tp,
            nrows - bad, nrows);
    return bad ? 2 : 0;
}

static int metric(const char *s) {
    if (strcmp(s, "l2") == 0) return 0;
    if (strcmp(s, "ip") == 0) return 1;
    die("unknown metric %s (use l2 or ip)", s);
    return -1;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "idx2fvecs") == 0) return cmd_idx2fvecs(argv[2], argv[3]);
    if (argc == 4 && strcmp(argv[1], "normalize") == 0) return cmd_normalize(argv[2], argv[3]);
    if (argc == 7 && strcmp(argv[1], "knn") == 0)
        return cmd_knn(argv[2], argv[3], argv[4], atoi(argv[5]), metric(argv[6]));
    if (argc == 7 && strcmp(argv[1], "verify") == 0)
        return cmd_verify(argv[2], argv[3], argv[4], metric(argv[5]), atoi(argv[6]));
    fprintf(stderr,
            "usage: truth idx2fvecs IN.idx|- OUT.fvecs\n"
            "       truth normalize IN.fvecs OUT.fvecs\n"
            "       truth knn BASE.fvecs QUERIES.fvecs OUT.ivecs K l2|ip\n"
            "       truth verify BASE.fvecs QUERIES.fvecs TRUTH.ivecs l2|ip NROWS\n");
    return 1;
}
