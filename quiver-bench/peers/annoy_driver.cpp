// Annoy peer baseline for Quiver (see docs/peers.md, built and run by scripts/peers.sh).
//
//   g++ -O3 -march=native -std=c++17 -pthread -I<RcppAnnoy include dir> annoy_driver.cpp -o annoy_driver
//   annoy_driver --data data/fashion-mnist --trees 50 --search-k -1,500,1000 [--threads 2] [--runs 3]
//                [--k 10] [--warmup N] [--index-dir DIR] [--keep-index] [--no-header]
//
// Reads base.fvecs / queries.fvecs / truth.ivecs from --data, builds an Annoy forest
// (Euclidean), saves it to a file (index_bytes = file size; Annoy then mmaps that file for
// searching, as it does in normal use) and, for every search_k, runs a warm-up pass and then
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

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
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

        // ------------------------------------------------------------------ build
        AnnoyIndex<int32_t, float, Euclidean, Kiss64Random, BuildPolicy> index((int)d);
        double t0 = now_s();
        for (size_t i = 0; i < n; i++) index.add_item((int32_t)i, &base[i * d]);
        double t1 = now_s();
        char* err = nullptr;
        if (!index.build(a.trees, threads, &err)) throw std::runtime_error(std::string("build failed: ") + err);
        double t2 = now_s();
        double build_s = t2 - t0;
        fprintf(stderr, "annoy: add_item %.2f s + build %.2f s = %.2f s\n", t1 - t0, t2 - t1, build_s);

        std::string path = a.index_dir + "/annoy_trees" + std::to_string(a.trees) + ".ann";
        if (!index.save(path.c_str(), false, &err)) throw std::runtime_error(std::string("save failed: ") + err);
        struct stat st;
        if (stat(path.c_str(), &st) != 0) throw std::runtime_error("cannot stat " + path);
        long long index_bytes = (long long)st.st_size;
        fprintf(stderr, "annoy: saved %s (%lld bytes), %d trees, searching the mmapped file\n", path.c_str(),
                index_bytes, (int)index.get_n_trees());

        // ------------------------------------------------------------------ search sweep
        std::string build_params = "metric=euclidean;trees=" + std::to_string(a.trees) +
                                   ";threads=" + std::to_string(threads);
        if (a.header) printf("algo,build_params,search_param,build_s,index_bytes,recall,qps,p50_ms,p99_ms\n");
        std::vector<int32_t> res;
        res.reserve(a.k * 4);
        std::vector<int32_t> found(nq * a.k, -1);
        std::vector<double> lat(nq);
        size_t nwarm = a.warmup < 0 ? nq : std::min((size_t)a.warmup, nq);
        for (int sk : a.search_k) {
            for (size_t q = 0; q < nwarm; q++) {
                res.clear();
                index.get_nns_by_vector(&queries[q * d], a.k, sk, &res, nullptr);
            }
            std::vector<double> qps_runs, p50_runs, p99_runs;
            double recall = 0;
            for (int r = 0; r < a.runs; r++) {
                double start = now_s();
                for (size_t q = 0; q < nq; q++) {
                    const float* qv = &queries[q * d];
                    res.clear();
                    auto s = std::chrono::steady_clock::now();
                    index.get_nns_by_vector(qv, a.k, sk, &res, nullptr);
                    auto e = std::chrono::steady_clock::now();
                    lat[q] = std::chrono::duration<double, std::milli>(e - s).count();
                    size_t m = std::min(res.size(), a.k);
                    std::copy(res.begin(), res.begin() + m, found.begin() + q * a.k);
                    std::fill(found.begin() + q * a.k + m, found.begin() + (q + 1) * a.k, -1);
                }
                double elapsed = now_s() - start;
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
        index.unload();
        if (!a.keep_index) remove(path.c_str());
    } catch (const std::exception& e) {
        fprintf(stderr, "annoy_driver: %s\n", e.what());
        return 1;
    }
    return 0;
}
