#include <hnswlib/hnswlib.h>
#include <cstdio>
#include <cmath>
#include <vector>
#include <cstdlib>
int main(int c, char** v) {
  int n = atoi(v[1]), m = atoi(v[2]); const int D = 24;
  std::vector<float> x(n * D); FILE* f = fopen(v[3], "rb"); fread(x.data(), 4, n * D, f); fclose(f);
  for (int i = 0; i < n; i++) { float s = 0; for (int d = 0; d < D; d++) s += x[i*D+d]*x[i*D+d]; s = sqrtf(s); for (int d = 0; d < D; d++) x[i*D+d] /= s; }
  hnswlib::InnerProductSpace sp(D); hnswlib::HierarchicalNSW<float> h(&sp, n, m, 60, 100);
  for (int i = 0; i < n; i++) h.addPoint(&x[i*D], i);
  h.setEf(200); int miss = 0;
  for (int i = 0; i < n; i++) { auto r = h.searchKnn(&x[i*D], 10); bool self = false; while (!r.empty()) { if (r.top().second == (size_t)i || r.top().first < 1e-5) self = true; r.pop(); } if (!self) miss++; }
  printf("hnswlib n=%d m=%d misses=%d\n", n, m, miss);
}
