// Annoy peer baseline for Quiver (see docs/peers.md, built and run by scripts/peers.sh).
//
//   g++ -O3 -march=native -std=c++17 -pthread -I<RcppAnnoy include dir> annoy_driver.cpp -o annoy_driver
//   annoy_driver --data data/fashion-mnist --trees 50 --search-k -1,500,1000 [--threads 2] [--runs 3]
//                [--k 10] [--warmup N] [--index-dir DIR] [--keep-index] [--no-header]
//                [--chunk-seconds 1] [--others-max 0.1] [--max-attempts 10] [--quiet-wait 900]
//
// Reads base.fvecs / queries.fvecs / truth.ivecs from --data, builds an Annoy forest
// (Euclidean), saves it to a file (index_bytes = file size; Annoy then mmaps that file for
// searching, as it does in normal use) and, for every search_k, runs a warm-up (a full pass over
// all queries before the first setting, then --warmup queries per setting, default all) and then
// --runs timed passes over all queries, single-threaded, k=10. Prints CSV rows
//   algo,build_params,search_param,build_s,index_bytes,recall,qps,p50_ms,p99_ms
// where qps/p50/p99 are the medians over the timed passes and recall is recall@k against the
// first k ids of truth.ivecs. search_k=-1 is Annoy's default (k * n_trees).
//
// The Annoy header comes from the Debian package r-cran-rcppannoy (Annoy 1.17.x as vendored
// by RcppAnnoy). It is plain C++ when used without RcppAnnoy.h; multithreaded building needs
// ANNOYLIB_MULTITHREADED_BUILD, which we define (it provides AnnoyIndexMultiThreadedBuildPolicy).
#define ANNOYLIB_MULTITHREADED_BUILD 1
#include "annoylib.h"
#include "kissrandom.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#ifdef ANNOYLIB_MULTITHREADED_BUILD
typedef AnnoyIndexMultiThreadedBuildPolicy BuildPolicy;
static const bool kMultiThreadedBuild = true;
#else
typedef AnnoyIndexSingleThreadedBuildPolicy BuildPolicy;
static const bool kMultiThreadedBuild = false;
#endif

namespace {

// ---------------------------------------------------------------- data files (TEXMEX format)
template <typename T>
std::vector<T> read_vecs(const std::string& path, size_t& n, size_t& d) {
    FILE* f = fopen(path.c_str(), "rb");
    if (!f) throw std::runtime_error("cannot open " + path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    int32_t dim = 0;
    if (fread(&dim, 4, 1, f) != 1 || dim <= 0) throw std::runtime_error("bad header in " + path);
    size_t row = 4 + (size_t)dim * sizeof(T);
    if ((size_t)size % row) throw std::runtime_error("bad size of " + path);
    n = (size_t)size / row;
    d = (size_t)dim;
    std::vector<T> v(n * d);
    fseek(f, 0, SEEK_SET);
    for (size_t i = 0; i < n; i++) {
        int32_t di;
        if (fread(&di, 4, 1, f) != 1 || di != dim || fread(&v[i * d], sizeof(T), d, f) != d)
            throw std::runtime_error("bad row in " + path);
    }
    fclose(f);
    return v;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
        size_t p = s.find(sep, start);
        out.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
        if (p == std::string::npos) break;
        start = p + 1;
    }
    return out;
}

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

// nearest-rank percentile of a sorted vector
double percentile(const std::vector<double>& sorted, double p) {
    size_t idx = (size_t)std::ceil(p * sorted.size());
    if (idx > 0) idx--;
    return sorted[std::min(idx, sorted.size() - 1)];
}

// ---------------------------------------------------------------- interference guard
// The benchmark machine may be shared. A measurement is "clean" when other processes used less
// than --others-max cores on average while it ran: total busy time from /proc/stat minus our own
// CPU time (getrusage). Unclean measurements are repeated (after waiting for idle CPUs) up to
// --max-attempts times (default 10); if all attempts were disturbed the last one is kept and
// flagged "INTERFERENCE" on stderr.
struct Guard {
    double others_max = 0.10;
    int max_attempts = 10;
    double quiet_wait_s = 900;
    long discarded = 0, flagged = 0;
};

struct CpuSample {
    unsigned long long busy = 0, total = 0;
    double self = 0, wall = 0;
};

CpuSample cpu_sample() {
    CpuSample s;
    if (FILE* f = fopen("/proc/stat", "r")) {
        unsigned long long v[8] = {0};
        char cpu[16];
        if (fscanf(f, "%15s %llu %llu %llu %llu %llu %llu %llu %llu", cpu, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                   &v[6], &v[7]) >= 5) {
            s.busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];  // user nice system irq softirq steal
            s.total = s.busy + v[3] + v[4];                    // + idle iowait
        }
        fclose(f);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    s.self = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
    s.wall = now_s();
    return s;
}

// average number of cores used by other processes between two samples
double others_cores(const CpuSample& a, const CpuSample& b) {
    static const double hz = (double)sysconf(_SC_CLK_TCK);
    double wall = b.wall - a.wall;
    if (wall <= 0 || b.total == 0) return 0;
    double o = ((double)(b.busy - a.busy) / hz - (b.self - a.self)) / wall;
    return o < 0 ? 0 : o;
}

void wait_quiet(const Guard& g) {
    double start = now_s();
    bool said = false;
    while (now_s() - start < g.quiet_wait_s) {
        CpuSample a = cpu_sample();
        std::this_thread::sleep_for(std::chrono::seconds(2));
        double o = others_cores(a, cpu_sample());
        if (o < g.others_max / 2) return;
        if (!said) fprintf(stderr, "  (other processes busy: %.2f cores, waiting for idle CPUs)\n", o);
        said = true;
    }
}

// run fn() until other processes stayed below others_max cores during it (or attempts run out)
template <class F>
void guarded(Guard& g, const std::string& what, F fn) {
    for (int attempt = 1;; attempt++) {
        CpuSample a = cpu_sample();
        fn();
        double o = others_cores(a, cpu_sample());
        if (o <= g.others_max) return;
        if (attempt >= g.max_attempts) {
            g.flagged++;
            fprintf(stderr, "  INTERFERENCE: %s: other processes used %.2f cores during all %d attempts, keeping the last\n",
                    what.c_str(), o, attempt);
            return;
        }
        g.discarded++;
        fprintf(stderr, "  discarded %s (attempt %d): other processes used %.2f cores meanwhile, repeating\n",
                what.c_str(), attempt, o);
        wait_quiet(g);
    }
}

// One timed pass over all queries. It is measured in chunks of about --chunk-seconds each, and
// a chunk during which other processes were busy is repeated (see guarded), so that short
// bursts of foreign load cost a repeated chunk instead of a spoiled pass. query(q) runs query q
// and returns its latency in ms. Returns the pass's wall time: the sum of the accepted chunks.
template <class Q>
double timed_pass(Guard& g, const std::string& what, size_t nq, size_t chunk, std::vector<double>& lat, Q query) {
    double total = 0;
    for (size_t c0 = 0; c0 < nq; c0 += chunk) {
        size_t c1 = std::min(nq, c0 + chunk);
        double elapsed = 0;
        guarded(g, what + " queries " + std::to_string(c0) + "-" + std::to_string(c1 - 1), [&] {
            double start = now_s();
            for (size_t q = c0; q < c1; q++) lat[q] = query(q);
            elapsed = now_s() - start;
        });
        total += elapsed;
    }
    return total;
}

// chunk size for timed_pass from a measured throughput
size_t chunk_for(double qps, double chunk_s, size_t nq) {
    double c = qps * chunk_s;
    if (c < 100) c = 100;
    return std::min(nq, (size_t)c);
}

struct Args {
    std::string data = "data/fashion-mnist";
    int trees = 50;
    std::vector<int> search_k = {-1, 500, 1000, 2000, 5000, 10000, 20000, 50000};
    int threads = 2;
    int runs = 3;
    size_t k = 10;
    long warmup = -1;  // queries per warm-up pass, -1 = all
    std::string index_dir = ".";
    bool keep_index = false;
    bool header = true;
    double chunk_s = 1.0;
    Guard guard;
};

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; i++) {
        std::string s = argv[i];
        auto val = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error("missing value for " + s);
            return argv[++i];
        };
        if (s == "--data") a.data = val();
        else if (s == "--trees") a.trees = std::stoi(val());
        else if (s == "--search-k") {
            a.search_k.clear();
            for (auto& x : split(val(), ',')) a.search_k.push_back(std::stoi(x));
        } else if (s == "--threads") a.threads = std::stoi(val());
        else if (s == "--runs") a.runs = std::stoi(val());
        else if (s == "--k") a.k = std::stoul(val());
        else if (s == "--warmup") a.warmup = std::stol(val());
        else if (s == "--index-dir") a.index_dir = val();
        else if (s == "--keep-index") a.keep_index = true;
        else if (s == "--no-header") a.header = false;
        else if (s == "--chunk-seconds") a.chunk_s = std::stod(val());
        else if (s == "--others-max") a.guard.others_max = std::stod(val());
        else if (s == "--max-attempts") a.guard.max_attempts = std::stoi(val());
        else if (s == "--quiet-wait") a.guard.quiet_wait_s = std::stod(val());
        else throw std::runtime_error("unknown argument " + s);
    }
    if (a.runs < 1) a.runs = 1;
    return a;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        Args a = parse(argc, argv);
        size_t n, d, nq, dq, nt, kt;
        std::vector<float> base = read_vecs<float>(a.data + "/base.fvecs", n, d);
        std::vector<float> queries = read_vecs<float>(a.data + "/queries.fvecs", nq, dq);
        std::vector<int32_t> truth = read_vecs<int32_t>(a.data + "/truth.ivecs", nt, kt);
        if (d != dq || nt != nq || kt < a.k) throw std::runtime_error("inconsistent dataset in " + a.data);

        int threads = kMultiThreadedBuild ? a.threads : 1;
        fprintf(stderr, "annoy: %zu x %zu base, %zu queries; build policy %s, %d build thread(s), %d trees\n", n,
                d, nq,
                kMultiThreadedBuild ? "AnnoyIndexMultiThreadedBuildPolicy" : "AnnoyIndexSingleThreadedBuildPolicy",
                threads, a.trees);
        Guard& g = a.guard;
        wait_quiet(g);

        // ------------------------------------------------------------------ build
        typedef AnnoyIndex<int32_t, float, Euclidean, Kiss64Random, BuildPolicy> Index;
        std::unique_ptr<Index> index;
        double build_s = 0;
        guarded(g, "build trees=" + std::to_string(a.trees), [&] {
            index.reset();
            index.reset(new Index((int)d));
            double t0 = now_s();
            for (size_t i = 0; i < n; i++) index->add_item((int32_t)i, &base[i * d]);
            double t1 = now_s();
            char* err = nullptr;
            if (!index->build(a.trees, threads, &err)) throw std::runtime_error(std::string("build failed: ") + err);
            double t2 = now_s();
            build_s = t2 - t0;
            fprintf(stderr, "annoy: add_item %.2f s + build %.2f s = %.2f s\n", t1 - t0, t2 - t1, build_s);
        });

        std::string path = a.index_dir + "/annoy_trees" + std::to_string(a.trees) + ".ann";
        char* err = nullptr;
        if (!index->save(path.c_str(), false, &err)) throw std::runtime_error(std::string("save failed: ") + err);
        struct stat st;
        if (stat(path.c_str(), &st) != 0) throw std::runtime_error("cannot stat " + path);
        long long index_bytes = (long long)st.st_size;
        fprintf(stderr, "annoy: saved %s (%lld bytes), %d trees, searching the mmapped file\n", path.c_str(),
                index_bytes, (int)index->get_n_trees());

        // ------------------------------------------------------------------ search sweep
        std::string build_params = "metric=euclidean;trees=" + std::to_string(a.trees) +
                                   ";threads=" + std::to_string(threads);
        if (a.header) printf("algo,build_params,search_param,build_s,index_bytes,recall,qps,p50_ms,p99_ms\n");
        std::vector<int32_t> res;
        res.reserve(a.k * 4);
        std::vector<int32_t> found(nq * a.k, -1);
        std::vector<double> lat(nq);
        size_t nwarm = a.warmup < 0 ? nq : std::min((size_t)a.warmup, nq);
        for (size_t si = 0; si < a.search_k.size(); si++) {
            int sk = a.search_k[si];
            // warm-up: always one full pass before the first setting, then --warmup queries per setting
            size_t nw = si == 0 ? nq : nwarm;
            double w0 = now_s();
            for (size_t q = 0; q < nw; q++) {
                res.clear();
                index->get_nns_by_vector(&queries[q * d], a.k, sk, &res, nullptr);
            }
            size_t chunk = chunk_for(nw / std::max(1e-9, now_s() - w0), a.chunk_s, nq);
            std::vector<double> qps_runs, p50_runs, p99_runs;
            double recall = 0;
            for (int r = 0; r < a.runs; r++) {
                std::string what = "trees=" + std::to_string(a.trees) + " search_k=" + std::to_string(sk) + " run " +
                                   std::to_string(r + 1);
                double elapsed = timed_pass(g, what, nq, chunk, lat, [&](size_t q) {
                    const float* qv = &queries[q * d];
                    res.clear();
                    auto s = std::chrono::steady_clock::now();
                    index->get_nns_by_vector(qv, a.k, sk, &res, nullptr);
                    auto e = std::chrono::steady_clock::now();
                    size_t m = std::min(res.size(), a.k);
                    std::copy(res.begin(), res.begin() + m, found.begin() + q * a.k);
                    std::fill(found.begin() + q * a.k + m, found.begin() + (q + 1) * a.k, -1);
                    return std::chrono::duration<double, std::milli>(e - s).count();
                });
                qps_runs.push_back(nq / elapsed);
                std::sort(lat.begin(), lat.end());
                p50_runs.push_back(percentile(lat, 0.50));
                p99_runs.push_back(percentile(lat, 0.99));
                if (r == 0) {
                    size_t hits = 0;
                    for (size_t q = 0; q < nq; q++)
                        for (size_t j = 0; j < a.k; j++) {
                            int32_t id = found[q * a.k + j];
                            if (id < 0) continue;
                            const int32_t* t = &truth[q * kt];
                            if (std::find(t, t + a.k, id) != t + a.k) hits++;
                        }
                    recall = (double)hits / (double)(nq * a.k);
                }
                fprintf(stderr, "annoy: trees=%d search_k=%d run %d: %.0f q/s\n", a.trees, sk, r + 1,
                        qps_runs.back());
            }
            printf("annoy,%s,search_k=%d,%.2f,%lld,%.4f,%.0f,%.3f,%.3f\n", build_params.c_str(), sk, build_s,
                   index_bytes, recall, median(qps_runs), median(p50_runs), median(p99_runs));
            fflush(stdout);
        }
        index->unload();
        if (!a.keep_index) remove(path.c_str());
        fprintf(stderr, "annoy: interference guard: %ld measurement(s) repeated, %ld kept despite interference\n",
                g.discarded, g.flagged);
    } catch (const std::exception& e) {
        fprintf(stderr, "annoy_driver: %s\n", e.what());
        return 1;
    }
    return 0;
}
