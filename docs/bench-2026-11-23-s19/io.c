#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(int c,char**v){int fd=open(v[1],O_RDWR);long pages=atol(v[2]);int n=atoi(v[3]);int seq=atoi(v[4]);
char buf[4096];for(int i=0;i<4096;i++)buf[i]=i;
for(int rep=0;rep<3;rep++){double t0=now();
long start=random()%(pages-n);
for(int i=0;i<n;i++){long p=seq? start+i : random()%pages; buf[0]=rep; pwrite(fd,buf,4096,p*4096);}
double t1=now();fdatasync(fd);double t2=now();
printf("%s n=%d pwrite %.4f s fdatasync %.4f s\n",seq?"seq":"rand",n,t1-t0,t2-t1);}
return 0;}
