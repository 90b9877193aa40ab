#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
int main(int argc,char**argv){ size_t mb=atoi(argv[1]); size_t n=mb<<20; int huge=argc>2;
 char*p=mmap(0,n,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0);
 if(huge) madvise(p,n,MADV_HUGEPAGE);
 struct timespec a,b; clock_gettime(CLOCK_MONOTONIC,&a);
 for(size_t i=0;i<n;i+=4096)p[i]=1;
 clock_gettime(CLOCK_MONOTONIC,&b);
 double s=(b.tv_sec-a.tv_sec)+(b.tv_nsec-a.tv_nsec)/1e9;
 printf("%zu MiB huge=%d: %.3f s, %.2f us/page\n",mb,huge,s,s*1e6/(n/4096)); return 0;}
