#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
int main(int c,char**v){int fd=open(v[1],O_RDONLY);struct stat st;fstat(fd,&st);
size_t len=st.st_size; size_t al=2UL<<20;
char*hint=mmap(NULL,len+al,PROT_NONE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0); char*h=(char*)(((unsigned long)hint+al-1)&~(al-1)); munmap(hint,len+al);
char*p=mmap(atoi(v[2])?h:NULL,len,PROT_READ,MAP_SHARED,fd,0); long s=0; for(size_t i=0;i<len;i+=4096)s+=p[i];
printf("map %p aligned2M=%d sum %ld\n",p,((unsigned long)p&(al-1))==0,s);
char cmd[256];sprintf(cmd,"grep -A25 '%s' /proc/%d/smaps | grep -E 'Rss|FilePmdMapped' | head -2",strrchr(v[1],'/')+1,getpid());system(cmd);return 0;}
