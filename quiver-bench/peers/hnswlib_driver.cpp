// hnswlib peer baseline for Quiver (see docs/peers.md, built and run by scripts/peers.sh).
//
//   g++ -O3 -march=native -std=c++17 -pthread hnswlib_driver.cpp -o hnswlib_driver
//   hnswlib_driver --data data/fashion-mnist --space l2|cosine [--M 16] [--efc 200] [--threads 1,2]
//                  [--ef 10,20,40,80,120,200,400] [--runs 3] [--k 10] [--warmup N]
//                  [--index-dir DIR] [--keep-index] [--no-header]
//                  [--chunk-seconds 1] [--others-max 0.1] [--max-attempts 10] [--quiet-wait 900]
//
// Reads base.fvecs / queries.fvecs / truth.ivecs from --data. For every build thread count it
// builds an HNSW graph (hnswlib::HierarchicalNSW, addPoint from that many threads with the
// ParallelFor pattern of hnswlib's Python bindings: first point alone, then an atomic counter),
// saves it (index_bytes = saveIndex file size) and, for every ef, runs a warm-up (a full pass over
// all queries before the first setting, then --warmup queries per setting, default all) and then
// --runs timed passes over all queries, single-threaded, k=10.
// Prints CSV rows
//   algo,build_params,search_param,build_s,index_bytes,recall,qps,p50_ms,p99_ms
// where qps/p50/p99 are medians over the timed passes and recall is recall@k against the first
// k ids of truth.ivecs. --space cosine uses InnerProductSpace and expects the L2-normalised copy
// of the data (data/fashion-mnist-cosine), which is how hnswlib's own "cosine" space works.
#include <hnswlib/hnswlib.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

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

// The ParallelFor of hnswlib's python_bindings/bindings.cpp: threads pull ids from an atomic counter.
template <class Function>
void ParallelFor(size_t start, size_t end, size_t numThreads, Function fn) {
    if (numThreads <= 1) {
        for (size_t id = start; id < end; id++) fn(id, 0);
        return;
    }
    std::vector<std::thread> threads;
    std::atomic<size_t> current(start);
    std::exception_ptr lastException = nullptr;
    std::mutex lastExceptMutex;
    for (size_t threadId = 0; threadId < numThreads; ++threadId) {
        threads.push_back(std::thread([&, threadId] {
            while (true) {
                size_t id = current.fetch_add(1);
                if (id >= end) break;
                try {
                    fn(id, threadId);
                } catch (...) {
                    std::unique_lock<std::mutex> lastExcepLock(lastExceptMutex);
                    lastException = std::current_exception();
                    current = end;  // stop the other threads too
                    break;
                }
            }
        }));
    }
    for (auto& thread : threads) thread.join();
    if (lastException) std::rethrow_exception(lastException);
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
    std::string space = "l2";
    size_t M = 16, efc = 200;
    std::vector<int> threads = {1, 2};
    std::vector<int> ef = {10, 20, 40, 80, 120, 200, 400};
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
    auto ints = [](const std::string& s) {
        std::vector<int> v;
        for (auto& x : split(s, ',')) v.push_back(std::stoi(x));
        return v;
    };
    for (int i = 1; i < argc; i++) {
        std::string s = argv[i];
        auto val = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error("missing value for " + s);
            return argv[++i];
        };
        if (s == "--data") a.data = val();
        else if (s == "--space") a.space = val();
        else if (s == "--M") a.M = std::stoul(val());
        else if (s == "--efc") a.efc = std::stoul(val());
        else if (s == "--threads") a.threads = ints(val());
        else if (s == "--ef") a.ef = ints(val());
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
    if (a.space != "l2" && a.space != "cosine") throw std::runtime_error("--space must be l2 or cosine");
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

        std::unique_ptr<hnswlib::SpaceInterface<float>> space;
        if (a.space == "l2") space.reset(new hnswlib::L2Space(d));
        else space.reset(new hnswlib::InnerProductSpace(d));
        fprintf(stderr, "hnswlib: %zu x %zu base, %zu queries, space=%s (%s), M=%zu efConstruction=%zu\n", n, d, nq,
                a.space.c_str(), a.space == "l2" ? "L2Space" : "InnerProductSpace", a.M, a.efc);

        if (a.header) printf("algo,build_params,search_param,build_s,index_bytes,recall,qps,p50_ms,p99_ms\n");
        std::vector<int32_t> found(nq * a.k, -1);
        std::vector<double> lat(nq);
        size_t nwarm = a.warmup < 0 ? nq : std::min((size_t)a.warmup, nq);

        Guard& g = a.guard;
        wait_quiet(g);
        for (int threads : a.threads) {
            // -------------------------------------------------------------- build
            std::unique_ptr<hnswlib::HierarchicalNSW<float>> index;
            double build_s = 0;
            guarded(g, "build threads=" + std::to_string(threads), [&] {
                index.reset();
                double t0 = now_s();
                index.reset(new hnswlib::HierarchicalNSW<float>(space.get(), n, a.M, a.efc, /*random_seed=*/100));
                index->addPoint(&base[0], (hnswlib::labeltype)0);  // entry point first, as the bindings do
                ParallelFor(1, n, (size_t)threads,
                            [&](size_t i, size_t) { index->addPoint(&base[i * d], (hnswlib::labeltype)i); });
                build_s = now_s() - t0;
                fprintf(stderr, "hnswlib: build with %d thread(s): %.2f s\n", threads, build_s);
            });
            std::string path = a.index_dir + "/hnswlib_" + a.space + "_M" + std::to_string(a.M) + "_efc" +
                               std::to_string(a.efc) + "_t" + std::to_string(threads) + ".bin";
            index->saveIndex(path);
            struct stat st;
            if (stat(path.c_str(), &st) != 0) throw std::runtime_error("cannot stat " + path);
            long long index_bytes = (long long)st.st_size;
            if (!a.keep_index) remove(path.c_str());
            fprintf(stderr, "hnswlib: built with %d thread(s) in %.2f s, saveIndex %lld bytes\n", threads, build_s,
                    index_bytes);
            std::string build_params = "space=" + a.space + ";M=" + std::to_string(a.M) +
                                       ";efC=" + std::to_string(a.efc) + ";threads=" + std::to_string(threads);

            // -------------------------------------------------------------- search sweep
            for (size_t ei = 0; ei < a.ef.size(); ei++) {
                int ef = a.ef[ei];
                index->setEf((size_t)ef);
                // warm-up: always one full pass before the first setting, then --warmup queries per setting
                size_t nw = ei == 0 ? nq : nwarm;
                double w0 = now_s();
                for (size_t q = 0; q < nw; q++) {
                    auto r = index->searchKnn(&queries[q * d], a.k);
                    (void)r;
                }
                size_t chunk = chunk_for(nw / std::max(1e-9, now_s() - w0), a.chunk_s, nq);
                std::vector<double> qps_runs, p50_runs, p99_runs;
                double recall = 0;
                for (int r = 0; r < a.runs; r++) {
                    std::string what = a.space + " threads=" + std::to_string(threads) + " ef=" + std::to_string(ef) +
                                       " run " + std::to_string(r + 1);
                    double elapsed = timed_pass(g, what, nq, chunk, lat, [&](size_t q) {
                        const float* qv = &queries[q * d];
                        auto s = std::chrono::steady_clock::now();
                        auto res = index->searchKnn(qv, a.k);
                        auto e = std::chrono::steady_clock::now();
                        int32_t* out = &found[q * a.k];
                        std::fill(out, out + a.k, -1);
                        // results come out farthest first
                        for (size_t j = res.size(); j > 0; j--) {
                            if (j - 1 < a.k) out[j - 1] = (int32_t)res.top().second;
                            res.pop();
                        }
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
                    fprintf(stderr, "hnswlib: %s threads=%d ef=%d run %d: %.0f q/s\n", a.space.c_str(), threads, ef,
                            r + 1, qps_runs.back());
                }
                printf("hnswlib,%s,ef=%d,%.2f,%lld,%.4f,%.0f,%.3f,%.3f\n", build_params.c_str(), ef, build_s,
                       index_bytes, recall, median(qps_runs), median(p50_runs), median(p99_runs));
                fflush(stdout);
            }
        }
        fprintf(stderr, "hnswlib: interference guard: %ld measurement(s) repeated, %ld kept despite interference\n",
                g.discarded, g.flagged);
    } catch (const std::exception& e) {
        fprintf(stderr, "hnswlib_driver: %s\n", e.what());
        return 1;
    }
    return 0;
}
