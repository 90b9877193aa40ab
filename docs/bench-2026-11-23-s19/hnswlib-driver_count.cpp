// hnswlib incremental-insert driver. Usage:
//   driver build N    -> add ids 0..N-1 (2 threads), save base-N.bin
//   driver insert N   -> load base-N.bin (max N+10000), 8 batches x 1000 ids starting at N (2 threads)
#include <hnswlib/hnswlib.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const int DIM = 768, THREADS = 2, M = 16, EFC = 100;
static const size_t SEED = 100;
static const char *DIR = "/tmp/hnswlib-incr/";

static std::atomic<long> NDIST(0);
static hnswlib::DISTFUNC<float> INNER;
static float counted(const void *a, const void *b, const void *p) { NDIST.fetch_add(1, std::memory_order_relaxed); return INNER(a, b, p); }
struct CountingSpace : public hnswlib::SpaceInterface<float> {
    hnswlib::L2Space l2;
    CountingSpace(size_t d) : l2(d) { INNER = l2.get_dist_func(); }
    size_t get_data_size() override { return l2.get_data_size(); }
    hnswlib::DISTFUNC<float> get_dist_func() override { return counted; }
    void *get_dist_func_param() override { return l2.get_dist_func_param(); }
};
static double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// like hnswlib's examples ParallelFor: threads pull the next id from an atomic counter
template <class F> static void parallel_for(size_t start, size_t end, int nthreads, F fn) {
    std::atomic<size_t> next(start);
    std::vector<std::thread> ts;
    for (int t = 0; t < nthreads; t++)
        ts.emplace_back([&] {
            for (;;) {
                size_t id = next.fetch_add(1);
                if (id >= end) break;
                fn(id);
            }
        });
    for (auto &t : ts) t.join();
}

static long rss_mb() {
    FILE *f = fopen("/proc/self/statm", "r"); long a = 0, b = 0;
    if (f) { if (fscanf(f, "%ld %ld", &a, &b) != 2) b = 0; fclose(f); }
    return b * sysconf(_SC_PAGESIZE) / (1024 * 1024);
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s build|insert N\n", argv[0]); return 1; }
    std::string mode = argv[1];
    size_t N = std::stoul(argv[2]);
    std::string dataPath = std::string(DIR) + "data.f32";
    int fd = open(dataPath.c_str(), O_RDONLY);
    struct stat st; fstat(fd, &st);
    size_t total = st.st_size / (DIM * sizeof(float));
    const float *data = (const float *) mmap(nullptr, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (data == MAP_FAILED) { perror("mmap"); return 1; }
    auto vec = [&](size_t id) { return data + id * DIM; };
    // pre-fault a range of the data so page faults/disk reads are not timed
    auto touch = [&](size_t lo, size_t hi) {
        volatile float s = 0;
        for (size_t i = lo * DIM; i < hi * DIM; i += 1024) s += data[i];
        (void) s;
    };
    CountingSpace space(DIM);
    std::string base = std::string(DIR) + "base-" + std::to_string(N) + ".bin";

    if (mode == "build") {
        touch(0, N);
        hnswlib::HierarchicalNSW<float> idx(&space, N, M, EFC, SEED);
        double t0 = now();
        parallel_for(0, N, THREADS, [&](size_t id) { idx.addPoint(vec(id), id); });
        double t1 = now();
        printf("build N=%zu threads=%d M=%d efc=%d build_s=%.2f items_per_s=%.0f maxlevel=%d rss_mb=%ld\n",
               N, THREADS, M, EFC, t1 - t0, N / (t1 - t0), idx.maxlevel_, rss_mb());
        double t2 = now();
        idx.saveIndex(base);
        printf("save_s=%.2f path=%s\n", now() - t2, base.c_str());
    } else if (mode == "insert") {
        const int BATCHES = 8, BATCH = 1000;
        if (N + BATCHES * BATCH > total) { fprintf(stderr, "not enough data\n"); return 1; }
        double t0 = now();
        hnswlib::HierarchicalNSW<float> idx(&space);
        idx.loadIndex(base, &space, N + 10000);
        idx.level_generator_.seed(SEED);              // fixed seed for new levels
        idx.update_probability_generator_.seed(SEED + 1);
        printf("insert N=%zu loaded count=%zu load_s=%.2f maxlevel=%d rss_mb=%ld\n",
               N, (size_t) idx.cur_element_count, now() - t0, idx.maxlevel_, rss_mb());
        touch(N, N + BATCHES * BATCH); NDIST = 0;
        for (int b = 1; b <= BATCHES; b++) {
            size_t lo = N + (size_t) BATCH * (b - 1), hi = lo + BATCH;
            double s = now();
            parallel_for(lo, hi, THREADS, [&](size_t id) { idx.addPoint(vec(id), id); });
            double e = now() - s;
            printf("ndist=%ld ", NDIST.exchange(0)); printf("N=%zu batch=%d ids=%zu..%zu ms=%.1f items_per_s=%.0f\n", N, b, lo, hi - 1, e * 1e3, BATCH / e);
            fflush(stdout);
        }
        printf("final count=%zu rss_mb=%ld\n", (size_t) idx.cur_element_count, rss_mb());
    }
    return 0;
}
