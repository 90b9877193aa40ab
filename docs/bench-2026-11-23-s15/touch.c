#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(int c,char**v){
  size_t mib=atoi(v[1]); int sl=atoi(v[2]); size_t n=mib<<20;
  for(int r=0;r<3;r++){
    char*p=mmap(0,n,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0);
    double t=now(); for(size_t i=0;i<n;i+=4096)p[i]=1; double d=now()-t;
    printf("round %d: touch %zu MiB %.3f s = %.2f us/page\n",r,mib,d,d*1e6/(n/4096));
    t=now(); for(size_t i=0;i<n;i+=4096)p[i]=2; d=now()-t; printf("   second pass %.3f s\n",d);
    munmap(p,n); if(sl) sleep(sl);
  }
}
